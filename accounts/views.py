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
from accounts.tables import UserTable, role_names, scope_text
from core import once
from core.exports import requested_format, table_response
from core.roles import ADMIN, ROLE_LABELS, role_required
from core.tables import paginate

PER_PAGE = 50
admin_only = role_required(ADMIN)
STALE_TEXT = _(
    "ผู้ดูแลระบบอีกคนเพิ่งแก้ไขผู้ใช้นี้ระหว่างที่คุณแก้ไข จึงยังไม่ได้บันทึก กรุณาเปิดหน้าแก้ไขใหม่เพื่อดูข้อมูลล่าสุด แล้วแก้ไขอีกครั้ง"
)


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


def _one_time(request, user, password, heading):
    """The generated password, shown on this one response only (never stored, never cached)."""
    response = render(
        request,
        "accounts/one_time_password.html",
        {"target": user, "password": password, "heading": heading},
    )
    response["Cache-Control"] = "no-store"
    return response


@admin_only
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
@admin_only
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


@admin_only
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
@admin_only
def user_edit(request, username):
    target = _target(username)
    profile = getattr(target, "profile", None)
    assignment = getattr(target, "shelter_assignment", None)
    initial = {
        "first_name": target.first_name,
        "last_name": target.last_name,
        "email": target.email,
        "position": profile.position if profile else "",
        "roles": [g.name for g in target.groups.all() if g.name in ROLE_LABELS],
        "province": profile.province_id if profile else None,
        "facility": assignment.facility_id if assignment else None,
        "stamp": services.audit_stamp(target),
    }
    form = UserEditForm(request.POST or None, initial=initial, target=target, actor=request.user)
    context = {"title": _("แก้ไขผู้ใช้ %(username)s") % {"username": target.username}, "target": target}
    if request.method == "POST" and form.is_valid():
        try:
            services.update_user(
                request.user, target.pk, form.cleaned_data, form.cleaned_data["stamp"]
            )
        except services.StaleForm:
            form.add_error(None, STALE_TEXT)
            return _form_response(request, "accounts/user_form.html", context, form, status=409)
        except services.Refused as exc:
            form.add_error(None, str(exc))
            return _form_response(request, "accounts/user_form.html", context, form)
        messages.success(request, _("บันทึกการเปลี่ยนแปลงแล้ว"))
        return redirect("accounts:detail", username=target.username)
    return _form_response(request, "accounts/user_form.html", context, form)


@require_POST
@admin_only
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
@admin_only
def user_password(request, username):
    target = _target(username)
    form = PasswordResetForm(
        request.POST or None, target=target, stamp=services.audit_stamp(target)
    )
    context = {
        "title": _("ตั้งรหัสผ่านใหม่ให้ %(username)s") % {"username": target.username},
        "target": target,
    }
    if request.method == "POST" and form.is_valid():
        password, generated = form.new_password()
        try:
            user = services.set_password(
                request.user,
                target.pk,
                password,
                generated=generated,
                stamp=form.cleaned_data["stamp"],
            )
        except services.StaleForm:
            form.add_error(None, STALE_TEXT)
            return _form_response(request, "accounts/password_form.html", context, form, status=409)
        if generated:
            return _one_time(request, user, password, _("ตั้งรหัสผ่านใหม่แล้ว"))
        messages.success(request, _("ตั้งรหัสผ่านใหม่ให้ %(username)s แล้ว") % {"username": user.username})
        return redirect("accounts:detail", username=user.username)
    return _form_response(request, "accounts/password_form.html", context, form)
