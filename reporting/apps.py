from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("รอบการรายงาน")

    def ready(self):
        from core import nav
        from reporting import demo, permissions  # noqa: F401 - they register themselves

        nav.register(17, _("รอบการรายงาน"), "reporting:round-list", permissions.can_view_rounds)
