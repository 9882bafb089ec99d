"""Who may use core's own pages, as ``core.roles.Permission`` objects (the views' decorators and
the menu's roles alike)."""

from core.roles import ADMIN, Permission

# The cross-scope duplicate national IDs (core.views_duplicates): they name people of every
# facility and province, so admins only.
can_resolve_duplicates = Permission(ADMIN)
