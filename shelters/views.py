import copy
import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core import once
from core.exports import requested_format, table_response
from core.history import history_rows
from core.models import Submission
from core.roles import can_read_everything
from core.tables import KeysFirstPaginator, paginate
from core.thaidate import fiscal_year_of, format_thai_date
from core.versioned import STALE_TEXT, rebind_to_current
from indicators.models import IndicatorSet
from indicators.period import year_and_as_of
from shelters import kpi, permissions
from shelters.filters import ResidentFilter
from shelters.forms import (
    EDIT_FIELDS,
    ID_TAKEN_TEXT,
    AssessmentDeleteForm,
    AssessmentEditForm,
    AssessmentForm,
    DischargeEditForm,
    DischargeForm,
    DischargeUndoForm,
    IrpItemForm,
    ResidentEditForm,
    ResidentForm,
    national_id_taken_error,
)
from shelters.models import (
    GROUP_A_MIN,
    GROUP_C_MAX,
    Assessment,
    Facility,
    IrpItem,
    Resident,
    default_items,
    irp_items,
)
from shelters.tables import ResidentTable, uses_latest

PER_PAGE = 25


def _resident(request, pk) -> Resident:
    """A resident in the user's scope, else 404 (whatever the page: view, form, export)."""
    return get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("facility__province"), pk=pk
    )


def _editor(request, resident: Resident | None = None):
    facility_id = resident.facility_id if resident else None
    if not permissions.can_edit(request.user, facility_id):
        raise PermissionDenied


def _default_year() -> int:
    """Without ?year=: this fiscal year, or the latest indicator set's if that is earlier."""
    latest = IndicatorSet.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
    return min(fiscal_year_of(timezone.localdate()), latest.first() or 9999)


def _period(request) -> tuple[int, dt.date]:
    """?year=2563&as_of=31/03/2563 (``indicators.period``): a date not understood or outside the
    year is not a 404 but the year's date shown instead, with ``request.as_of_problem``."""
    return year_and_as_of(request, _default_year)


def _drilldown(request):
    """The KPI count a list was opened from (?kpi=improved&cat=AA&year=…&as_of=…), or None."""
    name = request.GET.get("kpi")
    if not name:
        return None
    category = request.GET.get("cat", "population")
    if name not in kpi.CONDITIONS or category not in kpi.CONDITIONS[name]:
        raise Http404(_("ไม่พบรายการตัวชี้วัด"))
    year, as_of = _period(request)
    return {
        "kpi": name,
        "category": category,
        "year": year,
        "as_of": as_of,
        "label": kpi.CATEGORY_LABELS[(name, category)],
        "kpi_label": kpi.KPI_LABELS[name],
        "back": kpi.detail_url(year, as_of, name),
    }


@permissions.can_read_residents.required
def resident_list(request):
    user = request.user
    facilities = Facility.objects.visible_to(user)
    facility_param = request.GET.get("facility")
    if facility_param and not (
        facility_param.isdigit() and facilities.filter(pk=facility_param).exists()
    ):
        raise Http404(_("ไม่พบหน่วยงาน"))
    scoped = Resident.objects.visible_to(user)
    shown = scoped.select_related("facility").with_latest()
    export = requested_format(request)
    # The latest assessment is joined where it is shown (an export) or filtered or sorted by;
    # otherwise the page's keys and the count read the residents alone (their indexes).
    residents = shown if export or uses_latest(request.GET) else scoped
    drill = _drilldown(request)
    if drill:
        residents = residents.filter(
            pk__in=kpi.resident_ids(drill["kpi"], drill["category"], drill["year"], drill["as_of"])
        )
    filterset = ResidentFilter(
        request.GET or None, queryset=residents, facilities=facilities, request=request
    )
    table = ResidentTable(filterset.qs, user=user)
    if export:
        paginate(request, table, None)
        return table_response(table, "residents", export)
    # The page's keys first, then its 25 rows with their latest assessment (read from ``shown``:
    # the conditions are not evaluated again). A drill-down's KPI window, or a text search,
    # costs a full evaluation whatever the page: the count comes from the same query then.
    searched = filterset.is_bound and filterset.form.is_valid() and filterset.form.cleaned_data["q"]
    paginate(
        request,
        table,
        PER_PAGE,
        paginator_class=KeysFirstPaginator,
        rows=shown,
        one_pass=bool(drill or (searched and searched.strip())),
    )
    return render(
        request,
        "shelters/resident_list.html",
        {
            "filter": filterset,
            "table": table,
            "drill": drill,
            "can_add": permissions.can_edit(user),
        },
    )


@permissions.can_read_residents.required
def resident_detail(request, pk):
    resident = _resident(request, pk)
    assessments = list(resident.assessments.select_related("recorded_by").order_by("assessed_on"))
    chart = {
        "labels": [a.assessed_on.isoformat() for a in assessments],
        "percents": [float(a.percent) for a in assessments],
        "groupA": float(GROUP_A_MIN),
        "groupC": float(GROUP_C_MAX),
    }
    return render(
        request,
        "shelters/resident_detail.html",
        {
            "resident": resident,
            "assessments": list(reversed(assessments)),
            "chart": chart,
            "can_edit": permissions.can_edit(request.user, resident.facility_id),
            "full_id": permissions.sees_full_national_id(request.user, resident.facility_id),
            "history": history_rows(
                resident,
                masked_fields=frozenset()
                if permissions.sees_full_national_id(request.user, resident.facility_id)
                else {"national_id"},
            ),
            "assessment_history": _assessment_history(resident),
        },
    )


HISTORY_ROWS = 30
CHANGE_KINDS = {
    "+": pgettext_lazy("change", "เพิ่ม"),
    "~": pgettext_lazy("change", "แก้ไข"),
    "-": pgettext_lazy("change", "ลบ"),
}
_HISTORY_HIDDEN = {"id", "history_id", "history_date", "history_change_reason", "history_type",
                   "history_user", "recorded_by"}  # fmt: skip


def _assessment_history(resident) -> list[dict]:
    """The audit trail of the resident's assessments (deleted ones too), newest first, each
    correction with its reason and the fields it changed (one query)."""
    records = list(
        Assessment.history.filter(resident_id=resident.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
    )
    rows, older_of = [], {}
    for record in reversed(records):  # oldest first: each record's predecessor is known
        older = older_of.get(record.id)
        changes = []
        if older is not None and record.history_type == "~":
            for change in record.diff_against(older).changes:
                if change.field in _HISTORY_HIDDEN:
                    continue
                label = str(Assessment._meta.get_field(change.field).verbose_name)
                changes.append({"field": label, "old": change.old, "new": change.new,
                                "date": change.field == "assessed_on"})  # fmt: skip
        older_of[record.id] = record
        kind = CHANGE_KINDS.get(record.history_type, record.history_type)
        rows.append({"record": record, "type": kind, "changes": changes})
    return list(reversed(rows))[:HISTORY_ROWS]


def _render_form(request, template, context, form, status=None):
    if status is None:
        status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


def _posted_token(request):
    """The submission token the POST carries (``core.once``), or None."""
    try:
        return forms.UUIDField(required=False).clean(request.POST.get(once.FIELD))
    except forms.ValidationError:
        return None


def _already_made(request) -> bool:
    """This submission made its record before (a resend after the first committed)."""
    token = _posted_token(request)
    return token is not None and Submission.objects.filter(token=token).exists()


class _Duplicate(Exception):
    pass


def _create_once(request, form, write):
    """Validate, then claim the submission and write in one transaction. Returns the record,
    ``_Duplicate`` if this submission was saved before, or None if the form was refused (a
    unique constraint another request won becomes a Thai form error, never a 500)."""
    if _already_made(request):
        return _Duplicate
    if not form.is_valid():
        # A resend that arrived as the first one committed fails the checks (the case number
        # is taken by its own record): it is still a duplicate, not a mistake.
        return _Duplicate if _already_made(request) else None
    try:
        with transaction.atomic():
            if not once.claim(form, request.user):
                return _Duplicate
            return write(form)
    except IntegrityError as exc:
        _integrity_error(request, form, exc)
        return None


def _integrity_error(request, form, exc):
    """Another request saved the same case number, national ID or assessment date between
    this form's checks and its write: the same Thai message the checks give."""
    text = str(exc)
    if "national_id" in text:
        message = national_id_taken_error(
            form.cleaned_data.get("national_id", ""), request.user, exclude_pk=form.instance.pk
        )
        form.add_error("national_id", message or ID_TAKEN_TEXT)
    elif "case_number" in text:
        form.add_error("case_number", _("เลขทะเบียนนี้มีอยู่แล้วในหน่วยงานนี้"))
    elif "assessed_on" in text or "one_per_day" in text:
        form.add_error("assessed_on", _("ผู้รับบริการรายนี้มีผลการประเมินในวันนี้แล้ว (ประเมินได้วันละหนึ่งครั้ง)"))
    else:
        form.add_error(None, _("บันทึกไม่สำเร็จเพราะข้อมูลซ้ำกับรายการที่มีอยู่แล้ว โปรดตรวจสอบแล้วบันทึกอีกครั้ง"))


def _first_resident(request, facilities):
    """Where the first of duplicate admissions went: the resident with the posted case number."""
    case_number = (request.POST.get("case_number") or "").strip()
    only = facilities.values_list("pk", flat=True)[:2]
    facility_id = only[0] if len(only) == 1 else request.POST.get("facility")
    if case_number and str(facility_id or "").isdigit():
        found = (
            Resident.objects.visible_to(request.user)
            .filter(facility_id=facility_id, case_number=case_number)
            .values_list("pk", flat=True)
            .first()
        )
        if found:
            return redirect("shelters:resident-detail", pk=found)
    return redirect("shelters:resident-list")


@permissions.can_edit_residents.required
def resident_add(request):
    _editor(request)
    facilities = Facility.objects.visible_to(request.user)
    form = ResidentForm(request.POST or None, facilities=facilities, user=request.user)
    if request.method == "POST":
        resident = _create_once(request, form, lambda f: f.save())
        if resident is _Duplicate:
            messages.info(request, once.DUPLICATE_TEXT)
            return _first_resident(request, facilities)
        if resident is not None:
            messages.success(request, _("รับเข้า %(resident)s แล้ว") % {"resident": resident})
            return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(request, "shelters/resident_form.html", {"title": _("รับผู้รับบริการเข้า")}, form)


def _edit_form(request, resident, data=None):
    return ResidentEditForm(
        data,
        instance=resident,
        facilities=Facility.objects.filter(pk=resident.facility_id),
        user=request.user,
    )


def _current_values(resident, form) -> list[dict]:
    """The saved values of the edit form's fields, marked where they differ from what was typed,
    for the user to compare before saving again."""
    rows = []
    for name in EDIT_FIELDS:
        field = form.fields[name]
        value = getattr(resident, name)
        if resident._meta.get_field(name).choices:
            shown = getattr(resident, f"get_{name}_display")()
        else:
            shown = value
        typed = field.widget.format_value(form[name].value())
        saved = field.widget.format_value(field.prepare_value(value))
        rows.append(
            {
                "name": name,
                "label": field.label,
                "value": shown,
                "differs": str(typed or "") != str(saved or ""),
            }
        )
    return rows


@permissions.can_edit_residents.required
def resident_edit(request, pk):
    resident = _resident(request, pk)
    _editor(request, resident)
    context = {"title": _("แก้ไขข้อมูล %(resident)s") % {"resident": resident}, "resident": resident}
    if request.method != "POST":
        form = _edit_form(request, resident)
        return _render_form(request, "shelters/resident_form.html", context, form)
    status = None
    try:
        with transaction.atomic():
            # The row is locked and the form checked against it as it is now (a discharge saved
            # meanwhile counts); only the form's own fields are written.
            locked = Resident.objects.select_for_update().get(pk=resident.pk)
            locked.facility = resident.facility
            form = _edit_form(request, locked, request.POST)
            if form.is_valid() and form.is_stale:
                # Someone saved since this form was opened: refuse, keep what was typed, show
                # the current values; the form now carries the current version. (Validating a
                # form writes the typed values onto its instance: the saved ones are re-read.)
                current = Resident.objects.select_related("facility").get(pk=resident.pk)
                data = request.POST.copy()
                data["version"] = str(current.version)
                form = _edit_form(request, copy.copy(current), data)
                form.is_valid()
                form.add_error(None, STALE_TEXT)
                context |= {
                    "stale": True,
                    "current": _current_values(current, form),
                    "resident": current,
                }
                status = 409
            elif form.is_valid():
                form.save_fields()
                messages.success(request, _("บันทึกข้อมูลผู้รับบริการแล้ว"))
                return redirect("shelters:resident-detail", pk=resident.pk)
    except IntegrityError as exc:
        _integrity_error(request, form, exc)
    return _render_form(request, "shelters/resident_form.html", context, form, status)


@permissions.can_edit_residents.required
def assessment_add(request, pk):
    resident = _resident(request, pk)
    _editor(request, resident)
    context = {"resident": resident, "groupA": GROUP_A_MIN, "groupC": GROUP_C_MAX}
    if request.method != "POST":
        form = AssessmentForm(resident=resident)
        return _render_form(request, "shelters/assessment_form.html", context, form)

    def write(form):
        assessment = form.save(commit=False)
        assessment.recorded_by = request.user
        assessment.save()
        return assessment

    with transaction.atomic():
        # Checked against the resident as they are now, locked: a discharge (or its correction)
        # saved meanwhile counts, and none can move the discharge date before this one.
        locked = _locked_resident(resident)
        form = AssessmentForm(request.POST, resident=locked)
        assessment = _create_once(request, form, write)
    if assessment is _Duplicate:
        messages.info(request, once.DUPLICATE_TEXT)
        return redirect("shelters:resident-detail", pk=resident.pk)
    if assessment is not None:
        messages.success(
            request,
            _("บันทึกผลการประเมิน ร้อยละ %(percent)s (กลุ่ม %(group)s) แล้ว")
            % {"percent": assessment.percent, "group": assessment.group},
        )
        return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(request, "shelters/assessment_form.html", context, form)


def _locked_resident(resident: Resident) -> Resident:
    """The resident's row, locked until the transaction ends (``select_for_update``)."""
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    locked.facility = resident.facility
    return locked


def _versioned(request, form_class, locked, write, **form_kwargs):
    """Check a correction form against the locked record: (form, status, done). Stale (someone
    saved since the form was opened): the typed form again, bound to the record as it is now,
    status 409 (``core.versioned``). Valid: ``write(form)``. Otherwise the form with its errors."""
    form = form_class(request.POST, instance=locked, **form_kwargs)
    if form.is_valid() and form.is_stale:
        form = rebind_to_current(form_class, type(locked), locked.pk, request.POST, **form_kwargs)
        return form, 409, False
    if form.is_valid():
        write(form)
        return form, None, True
    return form, None, False


BASELINE_TEXT = _("ข้อมูลเดิมก่อนการแก้ไขครั้งแรก")


def _keep_baseline(obj) -> None:
    """A record written without history (imports, COPY, the demo) gets its saved state recorded
    before its first correction, so that the correction shows what it changed. The caller holds
    the row's lock; ``obj`` may already carry the form's values, so the row is read afresh."""
    model = type(obj)
    if not model.history.filter(id=obj.pk).exists():
        saved = model._default_manager.get(pk=obj.pk)
        saved._history_user = None  # written by nobody here: not the corrector's own record
        model.history.bulk_history_create([saved], default_change_reason=BASELINE_TEXT)


def _assessment(resident, apk) -> Assessment:
    return get_object_or_404(Assessment, pk=apk, resident=resident)


GONE_TEXT = _("ผลการประเมินนี้ถูกลบไปแล้วระหว่างที่ท่านกรอก จึงไม่ได้บันทึก")


@permissions.can_edit_residents.required
def assessment_edit(request, pk, apk):
    resident = _resident(request, pk)
    assessment = _assessment(resident, apk)
    _editor(request, resident)
    template = "shelters/assessment_form.html"
    context = {
        "resident": resident,
        "assessment": assessment,
        "editing": True,
        "groupA": GROUP_A_MIN,
        "groupC": GROUP_C_MAX,
    }
    if request.method != "POST":
        form = AssessmentEditForm(instance=assessment, resident=resident)
        return _render_form(request, template, context, form)
    status = None
    try:
        with transaction.atomic():
            # The resident first (as every writer of their assessments and discharge does), then
            # the assessment: checked against both as they are now.
            locked_resident = _locked_resident(resident)
            locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
            if locked is None:
                form = AssessmentEditForm(request.POST, resident=locked_resident)
                form.is_valid()
                form.add_error(None, GONE_TEXT)
                return _render_form(request, template, context | {"gone": True}, form, 409)

            def write(form):
                _keep_baseline(form.instance)
                form.save_versioned(AssessmentEditForm.SAVED_FIELDS, reason=form.reason)

            form, status, done = _versioned(
                request, AssessmentEditForm, locked, write, resident=locked_resident
            )
            if done:
                saved = form.instance
                messages.success(
                    request,
                    gettext("แก้ไขผลการประเมินวันที่ %(day)s แล้ว (ร้อยละ %(percent)s กลุ่ม %(group)s)")
                    % {
                        "day": format_thai_date(saved.assessed_on),
                        "percent": saved.percent,
                        "group": saved.group,
                    },
                )
                return redirect("shelters:resident-detail", pk=resident.pk)
            if status == 409:
                context["current"] = form.current
    except IntegrityError as exc:
        _integrity_error(request, form, exc)
    return _render_form(request, template, context, form, status)


@permissions.can_edit_residents.required
def assessment_delete(request, pk, apk):
    resident = _resident(request, pk)
    try:
        assessment = _assessment(resident, apk)
    except Http404:
        # A second click, or another user's delete, came first and has been committed: the
        # same answer as when it comes while this one waits for the lock (not a 404 page).
        if request.method == "POST" and _was_deleted(resident, apk):
            _editor(request, resident)
            return _already_deleted(request, resident)
        raise
    _editor(request, resident)
    template = "shelters/assessment_delete.html"
    context = {"resident": resident, "assessment": assessment}
    if request.method != "POST":
        return _render_form(request, template, context, AssessmentDeleteForm(instance=assessment))
    with transaction.atomic():
        _locked_resident(resident)
        locked = Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        if locked is None:
            return _already_deleted(request, resident)

        def write(form):
            _keep_baseline(form.instance)
            form.instance._change_reason = form.reason
            form.instance.delete()

        form, status, done = _versioned(request, AssessmentDeleteForm, locked, write)
        if done:
            messages.success(
                request,
                gettext("ลบผลการประเมินวันที่ %(day)s แล้ว")
                % {"day": format_thai_date(locked.assessed_on)},
            )
            return redirect("shelters:resident-detail", pk=resident.pk)
        if status == 409:
            context |= {"assessment": form.current, "stale": True}
    return _render_form(request, template, context, form, status)


def _was_deleted(resident, apk) -> bool:
    """Whether ``resident`` had the assessment ``apk`` and it was deleted (its history says)."""
    return Assessment.history.filter(id=apk, resident_id=resident.pk, history_type="-").exists()


def _already_deleted(request, resident):
    messages.info(request, gettext("ผลการประเมินนี้ถูกลบไปแล้ว"))
    return redirect("shelters:resident-detail", pk=resident.pk)


def _already_discharged(request, resident):
    messages.info(
        request,
        _("ผู้รับบริการรายนี้จำหน่ายแล้วเมื่อ %(day)s (%(reason)s) จึงไม่บันทึกการจำหน่ายซ้ำ")
        % {
            "day": format_thai_date(resident.discharged_on),
            "reason": resident.get_discharge_reason_display(),
        },
    )
    return redirect("shelters:resident-detail", pk=resident.pk)


@permissions.can_edit_residents.required
def resident_discharge(request, pk):
    resident = _resident(request, pk)
    _editor(request, resident)
    if not resident.in_care:
        return _already_discharged(request, resident)
    if request.method != "POST":
        return _render_form(
            request,
            "shelters/discharge_form.html",
            {"resident": resident},
            DischargeForm(instance=resident),
        )
    with transaction.atomic():
        # Two discharges at once: the second waits for the first, then finds it discharged.
        locked = Resident.objects.select_for_update().get(pk=resident.pk)
        if not locked.in_care:
            return _already_discharged(request, locked)
        form = DischargeForm(request.POST, instance=locked)
        if form.is_valid():
            form.save(commit=False)
            locked.save(update_fields=["discharged_on", "discharge_reason"])
            messages.success(request, _("บันทึกการจำหน่าย %(resident)s แล้ว") % {"resident": resident})
            return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(request, "shelters/discharge_form.html", {"resident": resident}, form)


def _not_discharged(request, resident):
    messages.info(
        request,
        gettext("%(resident)s อยู่ในความดูแล (ไม่ได้จำหน่าย) จึงไม่มีการจำหน่ายให้แก้ไข")
        % {"resident": resident},
    )
    return redirect("shelters:resident-detail", pk=resident.pk)


UNDONE_TEXT = _(
    "มีผู้ยกเลิกการจำหน่ายผู้รับบริการรายนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึก"
    " ข้อมูลที่ท่านกรอกยังอยู่ในแบบฟอร์มด้านล่าง หากต้องการจำหน่ายอีกครั้ง โปรดใช้ปุ่ม “จำหน่าย”"
)


@permissions.can_edit_residents.required
def discharge_edit(request, pk):
    resident = _resident(request, pk)
    _editor(request, resident)
    template = "shelters/discharge_form.html"
    context = {"resident": resident, "editing": True}
    if request.method != "POST":
        if resident.in_care:
            return _not_discharged(request, resident)
        return _render_form(request, template, context, DischargeEditForm(instance=resident))
    with transaction.atomic():
        locked = _locked_resident(resident)
        if locked.in_care:
            # Undone meanwhile: nothing to correct; what was typed stays on the page.
            form = DischargeEditForm(request.POST, instance=copy.copy(locked))
            form.is_valid()
            form.add_error(None, UNDONE_TEXT)
            return _render_form(request, template, context | {"gone": True}, form, 409)

        def write(form):
            _keep_baseline(form.instance)
            form.save_versioned(DischargeEditForm.SAVED_FIELDS, reason=form.reason)

        form, status, done = _versioned(request, DischargeEditForm, locked, write)
        if done:
            messages.success(
                request, gettext("แก้ไขการจำหน่าย %(resident)s แล้ว") % {"resident": resident}
            )
            return redirect("shelters:resident-detail", pk=resident.pk)
        if status == 409:
            context["current"] = form.current
    return _render_form(request, template, context, form, status)


@permissions.can_edit_residents.required
def discharge_undo(request, pk):
    resident = _resident(request, pk)
    _editor(request, resident)
    template = "shelters/discharge_undo.html"
    context = {"resident": resident}
    if request.method != "POST":
        if resident.in_care:
            return _not_discharged(request, resident)
        return _render_form(request, template, context, DischargeUndoForm(instance=resident))
    with transaction.atomic():
        locked = _locked_resident(resident)

        def write(form):
            if form.instance.in_care:
                return  # nothing to undo (and no history record for nothing)
            _keep_baseline(form.instance)
            form.instance.discharged_on = None
            form.instance.discharge_reason = ""
            form.save_versioned(["discharged_on", "discharge_reason"], reason=form.reason)

        form, status, done = _versioned(request, DischargeUndoForm, locked, write)
        if done:
            messages.success(
                request,
                gettext("ยกเลิกการจำหน่าย %(resident)s แล้ว (กลับมาอยู่ในความดูแล)")
                % {"resident": resident},
            )
            return redirect("shelters:resident-detail", pk=resident.pk)
        if status == 409:
            context |= {"resident": form.current, "stale": True}
    return _render_form(request, template, context, form, status)


@permissions.can_read_residents.required
def irp_item_list(request):
    items = irp_items()
    seeded = {(n, text) for n, _, text in default_items()}
    return render(
        request,
        "shelters/irp_item_list.html",
        {
            "items": [(n, domain, text, (n, text) in seeded) for n, domain, text in items],
            "placeholders": sum((n, text) in seeded for n, _, text in items),
            "can_edit": permissions.can_edit_irp_items(request.user),
        },
    )


def _save_item(form):
    _keep_baseline(form.instance)
    form.save_versioned(["domain", "text"])


@permissions.can_edit_irp_items.required
def irp_item_edit(request, number):
    item = get_object_or_404(IrpItem, number=number)
    template = "shelters/irp_item_form.html"
    context = {"item": item}
    if request.method != "POST":
        return _render_form(request, template, context, IrpItemForm(instance=item))
    with transaction.atomic():
        locked = IrpItem.objects.select_for_update().get(pk=item.pk)
        form, status, done = _versioned(request, IrpItemForm, locked, _save_item)
        if done:
            messages.success(request, gettext("บันทึกข้อ %(n)s แล้ว") % {"n": item.number})
            return redirect("shelters:irp-item-list")
        if status == 409:
            context["current"] = form.current
    return _render_form(request, template, context, form, status)


@permissions.can_read_residents.required
def facility_list(request):
    facilities = Facility.objects.visible_to(request.user).select_related("province")
    return render(request, "shelters/facility_list.html", {"facilities": facilities})


@permissions.can_read_kpi.required
def kpi_detail(request):
    """KPI 1.1 and 1.2 per facility; each count opens the residents behind it."""
    user = request.user
    year, as_of = _period(request)
    shelter_reader = permissions.can_read_residents(user)
    facilities = list(
        (Facility.objects.visible_to(user) if shelter_reader else Facility.objects.all())
        .select_related("province")
        .order_by("code")
    )
    links_total = shelter_reader and can_read_everything(user)
    linked = {f.pk for f in facilities if shelter_reader and permissions.in_scope(user, f.pk)}
    sections = []
    both = kpi.counts_per_facility_all(year, as_of)
    for name in (kpi.IMPROVED, kpi.RETURNED):
        per_facility = both[name]
        categories = list(kpi.CONDITIONS[name])
        # One list URL per count; a facility's is the same with its ``facility=`` added.
        urls = {c: kpi.list_url(name, c, year, as_of) for c in categories}
        rows = []
        for facility in facilities:
            counts = per_facility.get(facility.pk, dict.fromkeys(categories, 0))
            in_scope = facility.pk in linked
            rows.append(_kpi_row(name, facility, counts, categories, urls, in_scope))
        total = _kpi_row(name, None, kpi.totals(per_facility, name), categories, urls, links_total)
        sections.append(
            {
                "key": name,
                "label": kpi.KPI_LABELS[name],
                "headers": [kpi.CATEGORY_LABELS[(name, c)] for c in categories],
                "rows": rows,
                "total": total,
            }
        )
    return render(
        request,
        "shelters/kpi.html",
        {
            "year": year,
            "as_of": as_of,
            "sections": sections,
            "scoped": shelter_reader and not can_read_everything(user),
            "dashboard_url": f"{reverse('indicators:dashboard')}?year={year}&as_of={as_of}",
        },
    )


def facility_list_url(url: str, facility) -> str:
    """``kpi.list_url(…)`` of the whole count narrowed to one facility: the same as
    ``kpi.list_url(…, facility)`` (tests/shelters/test_list_paging.py), built without a
    ``reverse()`` per cell."""
    return f"{url}&{urlencode({'facility': facility.pk})}"


def _kpi_row(name, facility, counts, categories, urls, linked):
    num, den = counts[kpi.NUMERATOR[name]], counts["population"]
    if not linked:
        links = dict.fromkeys(categories, "")
    elif facility is None:
        links = urls
    else:
        links = {c: facility_list_url(urls[c], facility) for c in categories}
    return {
        "facility": facility,
        "cells": [{"count": counts[c], "url": links[c]} for c in categories],
        "value": Decimal(num * 100) / Decimal(den) if den else None,
    }
