"""Who may open and change what in the shelters app (SPEC §6), as ``core.roles.Permission``
objects: each one is the check (``can_read_residents(user)``), the views' decorator
(``@can_read_residents.required``: login, then 403), the menu's roles and ``core.access``'s rule
for links. The rules that also need an object (this facility) are the functions below, each
starting from one of these. Scope itself is ``visible_to``."""

from core.roles import ADMIN, ALL_ROLES, FACILITY_STAFF, MANAGER, Permission
from shelters.models import _facility_ids_for

# Resident pages (lists, records, facilities, the IRP form's items): others get 403.
can_read_residents = Permission(FACILITY_STAFF, MANAGER, ADMIN)
# Admitting, assessing, discharging and correcting: facility staff (in their own facility, see
# ``can_edit``) and admins. Managers read and change nothing.
can_edit_residents = Permission(FACILITY_STAFF, ADMIN)
# The per-facility KPI page holds counts only, like the dashboard: every staff role.
can_read_kpi = Permission(*ALL_ROLES)
# The IRP form's item texts and domains.
can_edit_irp_items = Permission(ADMIN)
# The two roles the object-scoped rules below start from.
_admin = Permission(ADMIN)
_facility_staff = Permission(FACILITY_STAFF)


def can_edit(user, facility_id: int | None = None) -> bool:
    """Admins, and facility staff in their own facility (``None``: in some facility)."""
    if not can_edit_residents(user):
        return False
    if _admin(user):
        return True
    mine = _facility_ids_for(user) or []
    return bool(mine) if facility_id is None else facility_id in mine


def full_id_facilities(user) -> list[int] | None:
    """The facilities whose residents' national IDs the user sees in full (``None``: all).
    Admins, and facility staff in their own facilities; managers see IDs masked."""
    if _admin(user):
        return None
    if _facility_staff(user):
        return list(_facility_ids_for(user) or [])
    return []


def sees_full_national_id(user, facility_id: int) -> bool:
    ids = full_id_facilities(user)
    return ids is None or facility_id in ids


def in_scope(user, facility_id: int) -> bool:
    ids = _facility_ids_for(user)
    return ids is None or facility_id in ids
