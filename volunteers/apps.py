from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The pages of the app by who may open them (volunteers.permissions); the menu, the app's tabs
# and the KPI pages' links ask core.access, so they show only what the user may open.
VIEW_PAGES = (
    "home",
    "list",
    "export",
    "expiring",
    "detail",
    "card-pdf",
    "certificate-pdf",
    "course-list",
    "course-detail",
    "service-list",
    "report",
)
EDIT_PAGES = ("create", "edit", "card-renew", "course-create", "course-edit", "service-create")
EDIT_PAGES += ("service-bulk", "enrolment-result")
PLAN_PAGES = ("plan-list", "plan-detail")
PLAN_EDIT_PAGES = ("plan-create", "plan-edit")


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("อาสาสมัคร อพม.")

    def ready(self):
        from core import access, nav
        from volunteers import demo, kpi, permissions, resources  # noqa: F401 - registers KPI 2, imports

        for names, rule in (
            (VIEW_PAGES, permissions.can_view),
            (EDIT_PAGES, permissions.can_edit),
            (PLAN_PAGES, permissions.can_view_plan),
            (PLAN_EDIT_PAGES, permissions.can_edit_plan),
        ):
            for name in names:
                access.register(f"volunteers:{name}", rule)
        nav.register(30, _("อพม."), "volunteers:home")
        nav.register(31, _("แผนพัฒนา อพม."), "volunteers:plan-list")
