from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = "อาสาสมัคร อพม."

    def ready(self):
        from core import nav
        from core.roles import ADMIN, ALL_ROLES, MANAGER, PROVINCIAL_OFFICER
        from volunteers import demo, kpi  # noqa: F401 - registers the computation and demo

        staff = [PROVINCIAL_OFFICER, MANAGER, ADMIN]
        nav.register(30, "อพม.", "volunteers:home", staff)
        nav.register(31, "แผนพัฒนา อพม.", "volunteers:plan-list", ALL_ROLES)
