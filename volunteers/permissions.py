"""Who may do what in the volunteers app (SPEC §6)."""

from core.roles import (
    ADMIN,
    ALL_ROLES,
    INDICATOR_OWNER,
    MANAGER,
    PROVINCIAL_OFFICER,
    has_role,
)


def can_view(user) -> bool:
    """Volunteers, training and services: provincial officers (own province), managers, admins."""
    return has_role(user, PROVINCIAL_OFFICER, MANAGER, ADMIN)


def can_edit(user) -> bool:
    """Managers read everything and change nothing."""
    return has_role(user, PROVINCIAL_OFFICER, ADMIN)


def can_see_national_id(user) -> bool:
    """The officers who keep the registry need the full ID; managers see it masked."""
    return has_role(user, PROVINCIAL_OFFICER, ADMIN)


def can_view_plan(user) -> bool:
    """The plan and its achievement are aggregates: every staff role reads them."""
    return has_role(user, *ALL_ROLES)


def can_edit_plan(user) -> bool:
    return has_role(user, ADMIN, INDICATOR_OWNER)
