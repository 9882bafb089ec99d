"""Every change an admin makes to a user, each in one transaction with the target user's row
locked (``select_for_update``), and each written to :class:`accounts.models.AuditEntry`.

Changes are computed against the state read *after* the lock, so two admins at once each see the
other's committed change. The edit and password forms are version-checked as every edit form is
(``core.versioned``): a user's version is their audit stamp (:func:`audit_stamp`, the latest
audit row: every change of a user writes one), so a form opened before another admin's change is
refused (409) instead of silently overwriting it. The views lock with :func:`locked_user`, and
``core.versioned.rebind_to_current`` reads the user afresh through :data:`VERSIONED_USERS`.
"""

from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import Action, AuditEntry
from core.models import Profile
from core.roles import ADMIN, FACILITY_STAFF, PROVINCIAL_OFFICER, ROLE_LABELS

# Audit details are stored in Thai whatever the admin's language (they are data).
DETAIL_LABELS = {
    "first_name": "ชื่อ",
    "last_name": "นามสกุล",
    "email": "อีเมล",
    "position": "ตำแหน่ง",
}


class Refused(Exception):
    """A change an admin may not make (to themself); the message is Thai."""


def audit_stamp(user: User) -> int:
    """The latest audit row's id for ``user`` (0 if none): the user's version, what an edit form
    was opened on."""
    return (
        AuditEntry.objects.filter(target=user).order_by("-id").values_list("id", flat=True).first()
        or 0
    )


def with_version(user: User) -> User:
    """``user`` with ``version`` (their audit stamp), as ``core.versioned.VersionedForm`` reads
    its instance."""
    user.version = audit_stamp(user)  # type: ignore[attr-defined]
    return user


def locked_user(pk: int) -> User:
    """The user's row locked until the transaction ends, with its version read *after* the lock
    (a separate statement, so that it sees what the admin before us committed)."""
    return with_version(_locked(pk))


class _Users:
    def get(self, pk: int) -> User:
        return with_version(User.objects.get(pk=pk))


class VersionedUsers:
    """Users as ``core.versioned.rebind_to_current`` reads a versioned model (the record afresh
    from ``model._default_manager.get(pk=pk)``): each with its version."""

    _default_manager = _Users()


def _log(actor, target, action, detail=""):
    AuditEntry.objects.create(actor=actor, target=target, action=action, detail=detail)


def _locked(pk) -> User:
    return User.objects.select_for_update().get(pk=pk)


def _facility_staff_model():
    from shelters.models import FacilityStaff

    return FacilityStaff


def _apply_scope_and_roles(actor, user: User, roles, province, facility, *, created=False):
    """Bring the user's groups, province and facility to the given state, logging each change."""
    current = set(user.groups.values_list("name", flat=True))
    wanted = set(roles)
    for name in [r for r in ROLE_LABELS if r in wanted - current]:
        _log(actor, user, Action.ROLE_GIVEN, ROLE_LABELS[name])
    for name in [r for r in ROLE_LABELS if r in current - wanted]:
        _log(actor, user, Action.ROLE_TAKEN, ROLE_LABELS[name])
    if wanted != current:
        # Groups outside the known roles (made by hand in /admin/) are left as they are.
        keep = user.groups.exclude(name__in=ROLE_LABELS)
        user.groups.set([*keep, *Group.objects.filter(name__in=wanted)])

    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.province_id != (province.pk if province else None):
        profile.province = province
        profile.save(update_fields=["province"])
        if province:
            _log(actor, user, Action.PROVINCE_SET, province.name)
        elif not created:
            _log(actor, user, Action.PROVINCE_CLEARED)

    FacilityStaff = _facility_staff_model()
    assignment = FacilityStaff.objects.select_for_update().filter(user=user).first()
    if facility is None and assignment is not None:
        assignment.delete()
        _log(actor, user, Action.FACILITY_CLEARED, str(assignment.facility))
    elif facility is not None and (assignment is None or assignment.facility_id != facility.pk):
        if assignment is None:
            FacilityStaff.objects.create(user=user, facility=facility)
        else:
            assignment.facility = facility
            assignment.save(update_fields=["facility"])
        _log(actor, user, Action.FACILITY_SET, str(facility))


def _scope(data):
    roles = data["roles"]
    province = data.get("province") if PROVINCIAL_OFFICER in roles else None
    facility = data.get("facility") if FACILITY_STAFF in roles else None
    return roles, province, facility


@transaction.atomic
def create_user(actor, data: dict, password: str) -> User:
    user = User(
        username=data["username"],
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
        email=data.get("email", ""),
        is_active=True,
    )
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user, position=data.get("position", ""))
    _log(actor, user, Action.CREATED, user.username)
    roles, province, facility = _scope(data)
    _apply_scope_and_roles(actor, user, roles, province, facility, created=True)
    return user


@transaction.atomic
def update_user(actor, user: User, data: dict) -> User:
    """``user``: locked (:func:`locked_user`), its form's version checked by the caller."""
    if user.pk == actor.pk and ADMIN not in data["roles"] and not user.is_superuser:
        raise Refused(_("ถอนบทบาทผู้ดูแลระบบของตนเองไม่ได้ ให้ผู้ดูแลระบบคนอื่นเป็นผู้ดำเนินการ"))
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    changed = []
    for field in ("first_name", "last_name", "email"):
        if getattr(user, field) != data.get(field, ""):
            setattr(user, field, data.get(field, ""))
            changed.append(field)
    if changed:
        user.save(update_fields=changed)
    if profile.position != data.get("position", ""):
        profile.position = data.get("position", "")
        profile.save(update_fields=["position"])
        changed.append("position")
    if changed:
        _log(actor, user, Action.DETAILS, ", ".join(DETAIL_LABELS[f] for f in changed))
    roles, province, facility = _scope(data)
    _apply_scope_and_roles(actor, user, roles, province, facility)
    return user


@transaction.atomic
def set_active(actor, pk: int, active: bool) -> tuple[User, bool]:
    """(user, changed). Deactivating ends the user's sessions: Django's ModelBackend no longer
    returns an inactive user for a session, so their next request is anonymous."""
    user = _locked(pk)
    if not active and user.pk == actor.pk:
        raise Refused(_("ระงับการใช้งานบัญชีของตนเองไม่ได้"))
    if user.is_active == active:
        return user, False
    user.is_active = active
    user.save(update_fields=["is_active"])
    _log(actor, user, Action.REACTIVATED if active else Action.DEACTIVATED)
    return user, True


@transaction.atomic
def set_password(actor, user: User, password: str, *, generated: bool) -> User:
    """A new password; the user's existing sessions end (their session hash no longer
    matches), and a login lockout of this username is lifted. ``user``: locked
    (:func:`locked_user`), its form's version checked by the caller."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _log(actor, user, Action.PASSWORD_SET, "(สร้างรหัสผ่านครั้งเดียว)" if generated else "")
    axes_reset(username=user.username)
    return user
