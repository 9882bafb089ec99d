"""Who may open and change what in the subsidies app (SPEC §6), as ``core.roles.Permission``
objects: each one is the check (``can_read(user)``), the views' decorator
(``@can_read.required``: login, then 403), the menu's roles and ``core.access``'s rule for links.
Scope itself is ``Application.objects.visible_to``, which asks ``can_read``."""

from core.roles import ADMIN, APPROVER, INDICATOR_OWNER, MANAGER, SUBSIDY_OFFICER, Permission

# The applications, their pages and slips: managers read (national IDs masked), others 403.
can_read = Permission(SUBSIDY_OFFICER, MANAGER, ADMIN)
# Recording, editing, moving and correcting applications. Managers change nothing.
can_write = Permission(SUBSIDY_OFFICER, ADMIN)
# The usage report holds aggregates and citizens' anonymous comments, no personal data: the
# indicator's owners and approvers read it as the evidence of KPI 3.2.
can_read_report = Permission(SUBSIDY_OFFICER, MANAGER, ADMIN, INDICATOR_OWNER, APPROVER)


def can_see_national_id(user) -> bool:
    """National IDs in full (lists, pages, exports, history): those who record applications;
    everyone else who reads them (managers) sees them masked."""
    return can_write(user)
