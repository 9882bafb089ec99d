"""Who may upload spreadsheets, as a ``core.roles.Permission`` (the views' decorator and the
menu's roles alike): admins only, since an import writes to every domain app's records."""

from core.roles import ADMIN, Permission

can_import = Permission(ADMIN)
