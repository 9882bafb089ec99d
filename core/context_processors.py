from django.utils.translation import gettext

from core import nav
from core.roles import ROLE_LABELS, roles_of


def roles(request):
    user_roles = roles_of(request.user)
    return {
        "user_roles": user_roles,
        "user_role_labels": [gettext(ROLE_LABELS[r]) for r in ROLE_LABELS if r in user_roles],
        "nav_items": nav.items_for(request.user) if user_roles else [],
    }
