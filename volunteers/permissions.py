"""Who may do what in the volunteers app (SPEC §6)."""

from core.roles import (
    ADMIN,
    ALL_ROLES,
    FACILITY_STAFF,
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


PLAN_READERS = tuple(role for role in ALL_ROLES if role != FACILITY_STAFF)


def can_view_plan(user) -> bool:
    """The plan and its achievement are aggregates of the volunteers' work: every role reads
    them but facility staff, whose work is the shelters (no menu entry, no tab, 403)."""
    return has_role(user, *PLAN_READERS)


def can_edit_plan(user) -> bool:
    return has_role(user, ADMIN, INDICATOR_OWNER)
