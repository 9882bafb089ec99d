"""The register of volunteers (ทะเบียน อพม.): the list and its export, a volunteer's page,
and the form that adds or edits one (once per submission; an edit refused when stale)."""

import datetime as dt

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import once
from core.exports import requested_format, rows_response, table_response
from core.nationalid import format_id, mask, normalize
from core.tables import paginate
from core.thaidate import format_thai_date
from core.versioned import STALE_TEXT
from volunteers import permissions
from volunteers.filters import VolunteerFilter
from volunteers.forms import VolunteerForm
from volunteers.models import Enrolment, Service, Volunteer, VolunteerSpecialty
from volunteers.tables import VolunteerTable
from volunteers.views._common import claimed_before, ctx, visible_volunteer

EXPORT_LIMIT = 100_000


def _volunteer_filter(request, data=None) -> VolunteerFilter:
    """The register's filters over the volunteers visible to the user."""
    qs = Volunteer.objects.visible_to(request.user).select_related("province")
    return VolunteerFilter(request.GET if data is None else data, queryset=qs, request=request)


@permissions.can_view.required
def volunteer_list(request, expiring=False):
    data = request.GET.copy()
    if expiring:
        data.setdefault("card", "90")
    filterset = _volunteer_filter(request, data)
    table = VolunteerTable(
        filterset.qs,
        show_ids=permissions.can_see_national_id(request.user),
        order_by="card_expires_on" if expiring else None,
    )
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "volunteers-expiring" if expiring else "volunteers", fmt)
    paginate(request, table, 50)
    return render(
        request,
        "volunteers/volunteer_list.html",
        ctx(request, filter=filterset, table=table, expiring=expiring),
    )


@permissions.can_view.required
def volunteer_export(request):
    """The filtered register with every column (xlsx, or csv with ?export=csv); national IDs
    and phones masked unless the role needs them; formula-like cells neutralised."""
    filterset = _volunteer_filter(request)
    show = permissions.can_see_national_id(request.user)
    header = [
        "เลขประจำตัวประชาชน", "คำนำหน้า", "ชื่อ", "นามสกุล", "เพศ", "วันเกิด", "โทรศัพท์",
        "จังหวัด", "อำเภอ/เขต", "ตำบล/แขวง", "ประเภท", "สถานะ", "วิธีการอบรม",
        "วันที่ผ่านการอบรม", "เลขทะเบียน", "เลขที่บัตร", "บัตรหมดอายุ",
    ]  # fmt: skip
    rows = (
        _register_row(v, show)
        for v in filterset.qs.order_by("id")[:EXPORT_LIMIT].iterator(chunk_size=2000)
    )
    return rows_response(header, rows, "volunteers", requested_format(request) or "xlsx")


def _register_row(v: Volunteer, show: bool) -> list:
    return [
        format_id(v.national_id) if show else mask(v.national_id),
        v.title, v.first_name, v.last_name, v.get_sex_display(),
        v.birth_date, v.phone if show else "", v.province.name,
        v.district, v.sub_district, v.get_kind_display(), v.get_status_display(),
        v.get_training_path_display(), v.trained_on,
        v.registration_number or "", v.card_number or "", v.card_expires_on,
    ]  # fmt: skip


@permissions.can_view.required
def volunteer_detail(request, pk):
    volunteer = visible_volunteer(request, pk)
    enrolments = (
        Enrolment.objects.filter(volunteer=volunteer)
        .select_related("course", "course__province")
        .prefetch_related("lessons")
        .order_by("-course__start_date")
    )
    recent = list(Service.objects.filter(volunteer=volunteer).order_by("-date", "-id")[:20])
    service_count = Service.objects.filter(volunteer=volunteer).count()
    history = list(volunteer.history.select_related("history_user").order_by("-history_date")[:50])
    return render(
        request,
        "volunteers/volunteer_detail.html",
        ctx(
            request,
            volunteer=volunteer,
            specialties=list(
                VolunteerSpecialty.objects.filter(volunteer=volunteer).select_related("specialty")
            ),
            enrolments=enrolments,
            recent_services=recent,
            service_count=service_count,
            history=history,
        ),
    )


class _Stale(Exception):
    """Raised inside the writing transaction to roll it back (and free the submission token)."""

    def __init__(self, current):
        super().__init__()
        self.current = current


def _stale_rows(form, current: Volunteer) -> list[tuple[str, str, str]]:
    """(label, now in the record, as typed) for the fields where the two differ."""
    rows = []
    for name in form._meta.fields:
        if name not in form.fields or name not in form.cleaned_data:
            continue
        field = form.fields[name]
        typed = form.cleaned_data[name]
        now = getattr(current, name)
        if name == "specialties":
            now_set = {s.pk for s in current.specialties.all()}
            if now_set == {s.pk for s in typed}:
                continue
            now = ", ".join(s.name for s in current.specialties.all()) or "-"
            typed = ", ".join(s.name for s in typed) or "-"
        else:
            if now == typed:
                continue
            display = getattr(current, f"get_{name}_display", None)
            if display is not None:
                now = display()
                typed = dict(field.choices).get(typed, typed)
            elif isinstance(now, dt.date):
                now, typed = format_thai_date(now), format_thai_date(typed)
        rows.append((field.label, "-" if now in (None, "") else str(now), str(typed or "-")))
    return rows


@permissions.can_edit.required
def volunteer_form(request, pk=None):
    """New volunteer (once per submission) or an edit that writes only its own fields on the
    locked row, refused (409, what was typed kept) when the record changed since the form was
    opened."""
    volunteer = visible_volunteer(request, pk) if pk else None
    form = VolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    context = {"form": form, "volunteer": volunteer}
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    locked = None
                    if volunteer is not None:
                        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
                    if not once.claim(form, request.user):
                        messages.info(request, once.DUPLICATE_TEXT)
                        return redirect(_first_volunteer(request, form, volunteer))
                    if locked is None:
                        saved = form.save()
                    elif form.cleaned_data.get("version") != locked.version:
                        raise _Stale(locked)
                    else:
                        saved = form.save_onto(locked)
            except _Stale as stale:
                return _stale_response(request, form, stale.current, context)
            except IntegrityError:
                # a unique national ID written by someone else in the meantime
                form.add_error("national_id", form.taken_error(form.cleaned_data["national_id"]))
            else:
                messages.success(request, _("บันทึกข้อมูล อพม. แล้ว"))
                return redirect(saved)
        elif volunteer is None and claimed_before(request):
            messages.info(request, once.DUPLICATE_TEXT)
            return redirect(_first_volunteer(request, form, None))
    return render(
        request,
        "volunteers/volunteer_form.html",
        ctx(request, **context),
        status=400 if request.method == "POST" else 200,
    )


def _first_volunteer(request, form, volunteer) -> str:
    """Where the first copy of a submission went: the volunteer's page (else the register)."""
    if volunteer is not None:
        return volunteer.get_absolute_url()
    nid = (getattr(form, "cleaned_data", None) or {}).get("national_id") or normalize(
        request.POST.get("national_id", "")
    )
    found = Volunteer.objects.visible_to(request.user).filter(national_id=nid).first()
    return found.get_absolute_url() if found else reverse("volunteers:list")


def _stale_response(request, form, current: Volunteer, context):
    """The typed form again, now carrying the current version (saving again is a choice made
    knowing the record changed), with the fields where the record differs."""
    rows = _stale_rows(form, current)  # before the form below writes the typed values onto it
    data = request.POST.copy()
    data["version"] = str(current.version)
    again = VolunteerForm(data, instance=current, user=request.user)
    again.is_valid()
    return render(
        request,
        "volunteers/volunteer_form.html",
        ctx(request, **{**context, "form": again, "stale_text": STALE_TEXT, "stale_rows": rows}),
        status=409,
    )
