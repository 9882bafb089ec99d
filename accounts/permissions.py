"""Who may use the users pages, as a ``core.roles.Permission`` (the views' decorator and the
menu's roles alike): admins only."""

from core.roles import ADMIN, Permission

can_manage_users = Permission(ADMIN)
