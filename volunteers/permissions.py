"""Who may do what in the volunteers app (SPEC §6): each permission once, as a
``core.roles.Permission`` taken by the views (``@can_view.required``), the menu and
``core.access`` alike."""

from core.roles import (
    ADMIN,
    ALL_ROLES,
    FACILITY_STAFF,
    INDICATOR_OWNER,
    MANAGER,
    PROVINCIAL_OFFICER,
    Permission,
)

# Volunteers, training and services: provincial officers (own province), managers, admins.
can_view = Permission(PROVINCIAL_OFFICER, MANAGER, ADMIN)

# Managers read everything and change nothing.
can_edit = Permission(PROVINCIAL_OFFICER, ADMIN)

# The officers who keep the registry need the full ID; managers see it masked.
can_see_national_id = Permission(PROVINCIAL_OFFICER, ADMIN)

# The plan and its achievement are aggregates of the volunteers' work: every role reads them
# but facility staff, whose work is the shelters (no menu entry, no tab, 403).
PLAN_READERS = tuple(role for role in ALL_ROLES if role != FACILITY_STAFF)
can_view_plan = Permission(*PLAN_READERS)

can_edit_plan = Permission(ADMIN, INDICATOR_OWNER)

# The pages pick a province (or the whole country) only for those who see every province
# (``Province.objects.visible_to`` is all of them); an officer's pages are their province's.
sees_every_province = Permission(ADMIN, MANAGER)
