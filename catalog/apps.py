from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("บัญชีข้อมูลกลาง")

    def ready(self):
        from catalog import kpi  # noqa: F401 - registers KPI 3.1's facts
        from core import nav
        from core.roles import ALL_ROLES

        nav.register(50, _("บัญชีข้อมูลกลาง"), "catalog:list", ALL_ROLES)
