from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("รายงานผู้บริหาร")

    def ready(self):
        from core import nav
        from reports.permissions import can_read_reports

        nav.register(5, _("แดชบอร์ดผู้บริหาร"), "reports:dashboard", can_read_reports)
