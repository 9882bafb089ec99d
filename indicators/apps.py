from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "indicators"
    verbose_name = "ตัวชี้วัด"

    def ready(self):
        from core import nav
        from core.roles import ADMIN, ALL_ROLES
        from indicators import demo  # noqa: F401 - registers the demo builder

        nav.register(10, "ตัวชี้วัด", "indicators:dashboard", ALL_ROLES)
        nav.register(90, "ชุดตัวชี้วัด", "indicators:set-list", [ADMIN])
