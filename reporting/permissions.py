"""Who may do what with reporting rounds (issue 15), as ``core.roles.Permission`` objects.

- Reading rounds, their narratives and their snapshots: admins, approvers, managers and indicator
  owners (the people who report); the domain roles (facility staff, provincial officers, subsidy
  officers) get 403.
- Defining rounds (create, edit while open) and reopening a closed one: admins.
- Closing a round: admins and approvers.
- Writing an indicator's narrative: its owners (``Indicator.owners``) and admins; an owner of
  other indicators gets 403.
"""

from core.roles import ADMIN, APPROVER, INDICATOR_OWNER, MANAGER, Permission, has_role

can_view_rounds = Permission(ADMIN, APPROVER, MANAGER, INDICATOR_OWNER)
can_manage_rounds = Permission(ADMIN)
can_close_rounds = Permission(ADMIN, APPROVER)
can_reopen_rounds = Permission(ADMIN)


def can_write_narrative(user, indicator) -> bool:
    """The indicator's owners and the admins (``indicator.owners`` prefetched: no query)."""
    if not can_view_rounds(user):
        return False
    if has_role(user, ADMIN):
        return True
    return any(owner.pk == user.pk for owner in indicator.owners.all())
