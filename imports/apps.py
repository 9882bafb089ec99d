from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "นำเข้าข้อมูล"

    def ready(self):
        from core import nav
        from core.roles import ADMIN

        nav.register(80, "นำเข้าข้อมูล", "imports:upload", [ADMIN])
        # The kinds that can be imported: each module registers its resources.
        from imports.kinds import shelters, subsidies, volunteers  # noqa: F401
