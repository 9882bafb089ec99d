from django.apps import AppConfig


class SheltersConfig(AppConfig):
    name = "shelters"
    verbose_name = "สถานคุ้มครองและผู้รับบริการ"

    def ready(self):
        from core import nav, roles
        from shelters import demo, kpi  # noqa: F401 - registers computations and demo data

        nav.register(
            20,
            "ผู้รับบริการ",
            "shelters:resident-list",
            {roles.FACILITY_STAFF, roles.MANAGER, roles.ADMIN},
        )
        # The per-facility KPI page opens from indicators 1.1 and 1.2 and the managers' dashboard.
