"""The roles of SPEC §6, kept as auth Groups, and the checks views use.

Scope (which facility, which province) is not here: each domain model answers it with its own
``visible_to(user)`` QuerySet method, reading the user's profile (province) or the shelters app's
staff assignment (facility).
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_noop

FACILITY_STAFF = "facility_staff"
PROVINCIAL_OFFICER = "provincial_officer"
SUBSIDY_OFFICER = "subsidy_officer"
INDICATOR_OWNER = "indicator_owner"
MANAGER = "manager"
APPROVER = "approver"
ADMIN = "admin"

# Thai (kept as is in the audit log); shown through gettext(label) in the current language.
ROLE_LABELS = {
    FACILITY_STAFF: gettext_noop("เจ้าหน้าที่สถานคุ้มครองฯ"),
    PROVINCIAL_OFFICER: gettext_noop("เจ้าหน้าที่ พมจ."),
    SUBSIDY_OFFICER: gettext_noop("เจ้าหน้าที่เงินอุดหนุน"),
    INDICATOR_OWNER: gettext_noop("ผู้รับผิดชอบตัวชี้วัด"),
    MANAGER: gettext_noop("ผู้บริหาร"),
    APPROVER: gettext_noop("ผู้อนุมัติหลักฐาน"),
    ADMIN: gettext_noop("ผู้ดูแลระบบ"),
}
ALL_ROLES = tuple(ROLE_LABELS)


def roles_of(user) -> frozenset[str]:
    """The user's role names, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_kpi_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached = cached | {ADMIN}
        user._kpi_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def can_read_everything(user) -> bool:
    """Managers and admins read every dashboard and report."""
    return has_role(user, MANAGER, ADMIN)


class Permission:
    """One permission of an app: the roles that hold it, asked the same way everywhere.

    Each app's ``permissions`` module defines its permissions once::

        can_view = Permission(PROVINCIAL_OFFICER, MANAGER, ADMIN)

    and everything else takes that one object: a check (``can_view(user)``), a view's decorator
    (``@can_view.required``: login first, then 403), the menu (``nav.register(..., can_view)``)
    and ``core.access`` (which reads the decorated view's roles, so that links show only to
    those who may open the page). A rule that also needs an object (this facility, this
    indicator) is a function in the permissions module that starts from such a permission."""

    def __init__(self, *roles: str):
        unknown = set(roles) - set(ALL_ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {sorted(unknown)}")
        self.roles = frozenset(roles)

    def __call__(self, user) -> bool:
        return has_role(user, *self.roles)

    def __iter__(self):
        return iter(self.roles)

    def __repr__(self) -> str:
        return f"Permission({', '.join(sorted(self.roles))})"

    def required(self, view: Callable) -> Callable:
        return role_required(*self.roles)(view)

    def check(self, request) -> None:
        """For a view that decides on the permission after it has begun: 403 unless held."""
        if not self(request.user):
            raise PermissionDenied


def role_required(*roles: str) -> Callable:
    """Login first; then 403 unless the user holds one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by core.access, so that links to the view show only to these roles.
        wrapped.allowed_roles = frozenset(roles)
        return login_required(wrapped)

    return decorator
