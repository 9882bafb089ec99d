from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "shelters"
    verbose_name = _("สถานคุ้มครองและผู้รับบริการ")

    def ready(self):
        from core import access, nav, roles
        from shelters import demo, kpi, permissions, resources  # noqa: F401 - registers KPIs, imports

        # The views' own checks, so that links to these pages (the KPI pages' drill-down
        # counts) show only to the roles that may open them.
        for name in ("resident-list", "resident-detail", "facility-list", "irp-item-list"):
            access.register(f"shelters:{name}", permissions.can_read_residents)
        access.register("shelters:kpi", permissions.can_read_kpi)

        nav.register(
            20,
            _("ผู้รับบริการ"),
            "shelters:resident-list",
            {roles.FACILITY_STAFF, roles.MANAGER, roles.ADMIN},
        )
        # The per-facility KPI page opens from indicators 1.1 and 1.2 and the managers' dashboard.
