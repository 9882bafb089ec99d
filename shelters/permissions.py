"""Who may open and change what in the shelters app (SPEC §6). Scope itself is ``visible_to``."""

from core.roles import ADMIN, ALL_ROLES, FACILITY_STAFF, MANAGER, has_role
from shelters.models import _facility_ids_for

# Roles that may open resident pages at all (others get 403).
RESIDENT_READERS = (FACILITY_STAFF, MANAGER, ADMIN)


def can_read_residents(user) -> bool:
    return has_role(user, *RESIDENT_READERS)


def can_read_kpi(user) -> bool:
    """The per-facility KPI page holds counts only, like the dashboard: every staff role."""
    return has_role(user, *ALL_ROLES)


def can_edit(user, facility_id: int | None = None) -> bool:
    """Admins, and facility staff in their own facility (``None``: in some facility)."""
    if has_role(user, ADMIN):
        return True
    if not has_role(user, FACILITY_STAFF):
        return False
    mine = _facility_ids_for(user) or []
    return bool(mine) if facility_id is None else facility_id in mine


def full_id_facilities(user) -> list[int] | None:
    """The facilities whose residents' national IDs the user sees in full (``None``: all).
    Admins, and facility staff in their own facilities; managers see IDs masked."""
    if has_role(user, ADMIN):
        return None
    if has_role(user, FACILITY_STAFF):
        return list(_facility_ids_for(user) or [])
    return []


def sees_full_national_id(user, facility_id: int) -> bool:
    ids = full_id_facilities(user)
    return ids is None or facility_id in ids


def in_scope(user, facility_id: int) -> bool:
    ids = _facility_ids_for(user)
    return ids is None or facility_id in ids
