from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("อาสาสมัคร อพม.")

    def ready(self):
        # Who may open each page is read by core.access from the view's own decorator
        # (volunteers.permissions): the menu, the app's tabs and the KPI pages' links ask it.
        from core import nav
        from volunteers import demo, kpi, permissions, resources  # noqa: F401 - registers KPI 2, imports

        nav.register(30, _("อพม."), "volunteers:home", permissions.can_view)
        nav.register(31, _("แผนพัฒนา อพม."), "volunteers:plan-list", permissions.can_view_plan)
