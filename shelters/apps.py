from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "shelters"
    verbose_name = _("สถานคุ้มครองและผู้รับบริการ")

    def ready(self):
        from core import nav
        from shelters import demo, kpi, latest, permissions, resources  # noqa: F401 - registers KPIs,
        # imports, and (latest) the post_migrate check that the summary's triggers are in place

        # The views are decorated with their permission (``@permissions.….required``), which
        # core.access reads: links to them (the KPI pages' drill-down counts) show only to the
        # roles that may open them, with no registration here.
        nav.register(20, _("ผู้รับบริการ"), "shelters:resident-list", permissions.can_read_residents)
        # The per-facility KPI page opens from indicators 1.1 and 1.2 and the managers' dashboard.
