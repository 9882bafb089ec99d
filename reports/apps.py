from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "รายงานผู้บริหาร"

    def ready(self):
        from core import nav, roles

        nav.register(5, "แดชบอร์ดผู้บริหาร", "reports:dashboard", set(roles.ALL_ROLES))
