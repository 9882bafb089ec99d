from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "ระบบกลาง"

    def ready(self):
        from core import nav
        from core.roles import ADMIN

        nav.register(96, "เลขซ้ำ", "duplicates", [ADMIN])
