"""Who may read the managers' dashboard and the year's KPI report, as a ``core.roles.Permission``
(the views' decorator and the menu's roles alike)."""

from core.roles import ALL_ROLES, Permission

# Every staff role (403 for a user without a role, login first for anonymous users): the pages
# hold aggregates; the records behind each figure open in the domain apps' pages, which apply
# each role's scope.
can_read_reports = Permission(*ALL_ROLES)
