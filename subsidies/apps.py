from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("เงินอุดหนุน")

    def ready(self):
        from core import nav
        from core.roles import ADMIN, MANAGER, SUBSIDY_OFFICER
        from subsidies import demo, kpi, resources  # noqa: F401 - registers demo, KPI 3.2, imports

        nav.register(40, _("เงินอุดหนุน"), "subsidies:list", [SUBSIDY_OFFICER, MANAGER, ADMIN])
