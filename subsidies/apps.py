from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidiesConfig(AppConfig):
    name = "subsidies"
    verbose_name = _("เงินอุดหนุน")

    def ready(self):
        from core import nav
        from subsidies import demo, kpi, permissions, resources  # noqa: F401 - registers them

        # The views carry their permission (``@permissions.….required``), which core.access
        # reads for links; the menu entry takes the same object.
        nav.register(40, _("เงินอุดหนุน"), "subsidies:list", permissions.can_read)
