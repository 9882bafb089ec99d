"""The admins' users pages: list, create, user page with its audit trail, edit roles and scope,
deactivate/reactivate, set a new password. Admin role only; every write is a POST (CSRF) and goes
through :mod:`accounts.services` (one transaction, target row locked, audited)."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import services
from accounts.filters import UserFilter
from accounts.forms import (
    TAKEN_TEXT,
    ActiveForm,
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
)
from accounts.models import AuditEntry
from accounts.permissions import can_manage_users
from accounts.tables import UserTable, role_names, scope_text
from core import once
from core.exports import requested_format, table_response
from core.roles import ROLE_LABELS
from core.tables import paginate
from core.versioned import rebind_to_current

PER_PAGE = 50


def _users():
    return User.objects.select_related(
        "profile__province", "shelter_assignment__facility"
    ).prefetch_related("groups")


def _target(username) -> User:
    return get_object_or_404(_users(), username=username)


def _form_response(request, template, context, form, status=None):
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


def _stale_response(request, template, context, form_class, stale_form, **form_kwargs):
    """The stale form again (409): what was typed, now at the user's current version
    (``core.versioned.rebind_to_current``), with the changes made since it was opened (the audit
    rows after its version) to compare with."""
    target = context["target"]
    opened_at = stale_form.cleaned_data["version"]
    form = rebind_to_current(
        form_class, services.VersionedUsers, target.pk, request.POST, **form_kwargs
    )
    changes = (
        AuditEntry.objects.filter(target=target, id__gt=opened_at)
        .select_related("actor")
        .order_by("id")
    )
    return _form_response(request, template, {**context, "changes": changes}, form, status=409)


def _one_time(request, user, password, heading):
    """The generated password, shown on this one response only (never stored, never cached)."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"target": user, "password": password, "heading": heading},
    )
    response["Cache-Control"] = "no-store"
    return response


@can_manage_users.required
def user_list(request):
    filterset = UserFilter(request.GET or None, queryset=_users())
    table = UserTable(filterset.qs)
    export = requested_format(request)
    if export:
        paginate(request, table, None)
        return table_response(table, "users", export)
    paginate(request, table, PER_PAGE)
    return render(request, "accounts/user_list.html", {"filter": filterset, "table": table})


@never_cache
@can_manage_users.required
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        password, generated = form.new_password()
        try:
            with transaction.atomic():
                if not once.claim(form, request.user):
                    # The same form sent twice (a double click): the first made the user.
                    messages.info(request, once.DUPLICATE_TEXT)
                    return redirect("accounts:detail", username=form.cleaned_data["username"])
                user = services.create_user(request.user, form.cleaned_data, password)
        except IntegrityError:
            # Another admin created the same username at the same moment.
            form.add_error("username", TAKEN_TEXT)
            return _form_response(request, "accounts/user_form.html", {"title": _("เพิ่มผู้ใช้")}, form)
        if generated:
            return _one_time(request, user, password, _("สร้างผู้ใช้แล้ว"))
        messages.success(request, _("สร้างผู้ใช้ %(username)s แล้ว") % {"username": user.username})
        return redirect("accounts:detail", username=user.username)
    return _form_response(request, "accounts/user_form.html", {"title": _("เพิ่มผู้ใช้")}, form)


@can_manage_users.required
def user_detail(request, username):
    target = _target(username)
    audit = (
        AuditEntry.objects.filter(target=target)
        .select_related("actor")
        .order_by("-at", "-id")[:200]
    )
    return render(
        request,
        "accounts/user_detail.html",
        {
            "target": target,
            "profile": getattr(target, "profile", None),
            "roles": [gettext(ROLE_LABELS[r]) for r in role_names(target)],
            "scope": scope_text(target),
            "audit": audit,
            "is_self": target.pk == request.user.pk,
        },
    )


@never_cache
@can_manage_users.required
def user_edit(request, username):
    """Version-checked (``core.versioned``): the form opened before another admin's change of
    this user is refused (409), keeping what was typed and now carrying the current version."""
    target = _target(username)
    context = {"title": _("แก้ไขผู้ใช้ %(username)s") % {"username": target.username}, "target": target}
    template = "accounts/user_form.html"
    if request.method != "POST":
        form = UserEditForm(instance=services.with_version(target), actor=request.user)
        return _form_response(request, template, context, form)
    with transaction.atomic():
        locked = services.locked_user(target.pk)
        form = UserEditForm(request.POST, instance=locked, actor=request.user)
        if form.is_valid() and form.is_stale:
            return _stale_response(
                request, template, context, UserEditForm, form, actor=request.user
            )
        if not form.is_valid():
            return _form_response(request, template, context, form)
        try:
            services.update_user(request.user, locked, form.cleaned_data)
        except services.Refused as exc:
            form.add_error(None, str(exc))
            return _form_response(request, template, context, form)
    messages.success(request, _("บันทึกการเปลี่ยนแปลงแล้ว"))
    return redirect("accounts:detail", username=target.username)


@require_POST
@can_manage_users.required
def user_set_active(request, username):
    target = _target(username)
    form = ActiveForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/refused.html",
            {"target": target, "reason": _("คำขอไม่ถูกต้อง")},
            status=400,
        )
    active = form.cleaned_data["active"]
    try:
        user, changed = services.set_active(request.user, target.pk, active)
    except services.Refused as exc:
        return render(
            request, "accounts/refused.html", {"target": target, "reason": str(exc)}, status=400
        )
    if not changed:
        messages.info(request, _("สถานะของผู้ใช้นี้เป็นเช่นนั้นอยู่แล้ว"))
    elif active:
        messages.success(request, _("เปิดใช้งาน %(username)s อีกครั้งแล้ว") % {"username": user.username})
    else:
        messages.success(
            request,
            _("ระงับการใช้งาน %(username)s แล้ว ผู้ใช้นี้ถูกออกจากระบบ") % {"username": user.username},
        )
    return redirect("accounts:detail", username=user.username)


@never_cache
@can_manage_users.required
def user_password(request, username):
    """Version-checked as the edit page is: of two resets opened on one state, one is saved."""
    target = _target(username)
    context = {
        "title": _("ตั้งรหัสผ่านใหม่ให้ %(username)s") % {"username": target.username},
        "target": target,
    }
    template = "accounts/password_form.html"
    if request.method != "POST":
        form = PasswordResetForm(instance=services.with_version(target))
        return _form_response(request, template, context, form)
    with transaction.atomic():
        locked = services.locked_user(target.pk)
        form = PasswordResetForm(request.POST, instance=locked)
        if form.is_valid() and form.is_stale:
            return _stale_response(request, template, context, PasswordResetForm, form)
        if not form.is_valid():
            return _form_response(request, template, context, form)
        password, generated = form.new_password()
        user = services.set_password(request.user, locked, password, generated=generated)
    if generated:
        return _one_time(request, user, password, _("ตั้งรหัสผ่านใหม่แล้ว"))
    messages.success(request, _("ตั้งรหัสผ่านใหม่ให้ %(username)s แล้ว") % {"username": user.username})
    return redirect("accounts:detail", username=user.username)
