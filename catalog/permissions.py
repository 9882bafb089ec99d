"""Who may do what with the data catalog, as ``core.roles.Permission`` objects (the views'
decorators, the menu's roles and the pages' own checks alike)."""

from core.roles import ADMIN, ALL_ROLES, Permission

# Every staff role reads the catalog and its DCAT JSON-LD (the data centre's harvester reads the
# JSON-LD with its token instead: catalog.views.dcat_catalog).
can_view = Permission(*ALL_ROLES)
# Admins add and edit datasets.
can_edit = Permission(ADMIN)
