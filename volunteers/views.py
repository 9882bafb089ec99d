import datetime as dt
import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Prefetch
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core import once
from core.collation import thai_order
from core.exports import XLSX_TYPE, requested_format, rows_response, table_response
from core.models import Province, province_of
from core.nationalid import format_id, mask, normalize
from core.roles import ADMIN, MANAGER, PROVINCIAL_OFFICER, has_role
from core.tables import paginate
from core.thaidate import (
    MONTHS_EN,
    MONTHS_SHORT,
    be_year,
    current_lang,
    default_as_of,
    fiscal_year_bounds,
    format_thai_date,
    parse_date,
)
from core.versioned import STALE_TEXT, rebind_to_current
from volunteers import documents, enrolling, permissions, report, services, summary
from volunteers import plan as plan_mod
from volunteers.filters import ServiceFilter, VolunteerFilter
from volunteers.forms import (
    BULK_COLUMNS,
    BulkServiceForm,
    CourseForm,
    EnrolForm,
    PlanForm,
    PlanTargetFormSet,
    ResultForm,
    ResultFormSet,
    ServiceForm,
    VolunteerForm,
)
from volunteers.models import (
    Course,
    Enrolment,
    Plan,
    PlanTarget,
    Service,
    ServiceType,
    Specialty,
    Status,
    Volunteer,
    VolunteerSpecialty,
)
from volunteers.tables import CourseTable, ServiceTable, VolunteerTable

VIEW_ROLES = (PROVINCIAL_OFFICER, MANAGER, ADMIN)
EXPORT_LIMIT = 100_000


def _viewer(request):
    if not permissions.can_view(request.user):
        raise PermissionDenied


def _editor(request):
    if not permissions.can_edit(request.user):
        raise PermissionDenied


def _show_province(user) -> bool:
    return has_role(user, ADMIN, MANAGER)


def _year(request) -> int:
    """?year=2563, else the year the pages open on (``default_year``)."""
    text = normalize(request.GET.get("year", ""))
    if text.isdigit() and 2500 < int(text) < 2700:
        return int(text)
    return default_year(request.user)


def default_year(user) -> int:
    """The latest fiscal year (up to this one) with volunteer data the user may see (services,
    trainings, courses); without any, the active indicator set's year (the latest up to this
    one); else this fiscal year. Three indexed MAX queries (and one for the set)."""
    from indicators.period import opening_year

    today = timezone.localdate()
    return opening_year(
        Service.objects.visible_to(user).filter(date__lte=today).aggregate(d=Max("date"))["d"],
        Volunteer.objects.visible_to(user)
        .filter(trained_on__lte=today)
        .aggregate(d=Max("trained_on"))["d"],
        Course.objects.visible_to(user)
        .filter(start_date__lte=today)
        .aggregate(d=Max("start_date"))["d"],
    )


def _as_of(request, year: int) -> dt.date:
    start, end = fiscal_year_bounds(year)
    text = request.GET.get("as_of", "").strip()
    if text:
        try:
            return min(max(parse_date(text), start), end)
        except ValueError:
            pass
    return default_as_of(year)


def _ctx(request, **extra):
    return {
        "can_edit": permissions.can_edit(request.user),
        "show_ids": permissions.can_see_national_id(request.user),
        "my_province": province_of(request.user),
        **extra,
    }


# --- dashboard ------------------------------------------------------------------------------


@login_required
def dashboard(request):
    _viewer(request)
    year = _year(request)
    start, end = fiscal_year_bounds(year)
    volunteers = Volunteer.objects.visible_to(request.user)
    province = None
    if _show_province(request.user):
        code = request.GET.get("province", "")
        if code:
            province = get_object_or_404(Province, code=code)
            volunteers = volunteers.filter(province=province)
    else:
        province = province_of(request.user)
    # Specialties of active volunteers in the scope of Volunteer.visible_to: one grouped query,
    # shared with the plan's specialists measure below (the same as-of date and province).
    as_of = default_as_of(year)
    no_scope = province is None and not _show_province(request.user)
    links = {} if no_scope else plan_mod.specialty_links(as_of, province)
    by_status_raw = dict(
        volunteers.values_list("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    by_status = [(label, by_status_raw.get(value, 0)) for value, label in Status.choices]
    spec_raw: dict[int, int] = {}
    for (_pid, specialty_id, _within), n in links.items():
        spec_raw[specialty_id] = spec_raw.get(specialty_id, 0) + n
    by_specialty = [(s.name, spec_raw.get(s.pk, 0)) for s in Specialty.objects.all()]
    trained = volunteers.filter(trained_on__gte=start, trained_on__lte=end).count()
    # services by type and month: the monthly summary (the same scope as Service.visible_to)
    month_rows = {} if no_scope else summary.totals(("month", "service_type"), start, end, province)
    months = []
    y, m = start.year, start.month
    for _i in range(12):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    grid = {(st, ym): 0 for st in ServiceType.values for ym in months}
    for (month, service_type), (n, _people) in month_rows.items():
        grid[(service_type, (month.year, month.month))] = n
    by_type = [
        (label, sum(grid[(value, ym)] for ym in months)) for value, label in ServiceType.choices
    ]
    month_names = MONTHS_EN if current_lang() == "en" else MONTHS_SHORT
    chart = {
        "months": [f"{month_names[mm - 1]} {str(be_year(yy))[2:]}" for yy, mm in months],
        "types": [
            {"label": label, "data": [grid[(value, ym)] for ym in months]}
            for value, label in ServiceType.choices
        ],
        "status": {"labels": [s for s, _ in by_status], "data": [n for _, n in by_status]},
        "specialty": {"labels": [s for s, _ in by_specialty], "data": [n for _, n in by_specialty]},
    }
    plan = plan_mod.plan_for_year(year)
    result = plan_mod.compute(plan, year, as_of, province, None if no_scope else links)
    groups = result.by_province()
    return render(
        request,
        "volunteers/dashboard.html",
        _ctx(
            request,
            year=year,
            province=province,
            provinces=Province.objects.all() if _show_province(request.user) else [],
            by_status=by_status,
            total_volunteers=sum(n for _, n in by_status),
            by_specialty=by_specialty,
            trained=trained,
            by_type=by_type,
            services_total=sum(n for _, n in by_type),
            chart_json=chart,
            plan_result=result,
            plan_groups=groups,
        ),
    )


# --- volunteers -----------------------------------------------------------------------------


def _volunteer_filter(request):
    qs = Volunteer.objects.visible_to(request.user).select_related("province")
    return VolunteerFilter(
        request.GET, queryset=qs, show_province=_show_province(request.user), request=request
    )


@login_required
def volunteer_list(request, expiring=False):
    _viewer(request)
    data = request.GET.copy()
    if expiring:
        data.setdefault("card", "90")
    qs = Volunteer.objects.visible_to(request.user).select_related("province")
    filterset = VolunteerFilter(
        data, queryset=qs, show_province=_show_province(request.user), request=request
    )
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
        _ctx(request, filter=filterset, table=table, expiring=expiring),
    )


@login_required
def volunteer_export(request):
    """The filtered register with every column (xlsx, or csv with ?export=csv); national IDs
    and phones masked unless the role needs them; formula-like cells neutralised."""
    _viewer(request)
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


def _visible_volunteer(request, pk) -> Volunteer:
    return get_object_or_404(
        Volunteer.objects.visible_to(request.user).select_related("province"), pk=pk
    )


@login_required
def volunteer_detail(request, pk):
    _viewer(request)
    volunteer = _visible_volunteer(request, pk)
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
        _ctx(
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


def _claimed_before(request) -> bool:
    """The POST's submission token was claimed by a committed write (core.once): a copy of a
    submission that already made its record, seen by a form that no longer validates because
    of that record (its national ID is now taken)."""
    from core.models import Submission

    try:
        token = uuid.UUID(request.POST.get(once.FIELD, ""))
    except ValueError:
        return False
    return Submission.objects.filter(token=token).exists()


NATIONAL_ID_RACE = gettext_lazy("เลขประจำตัวประชาชนนี้เพิ่งถูกบันทึกในทะเบียนระหว่างที่ท่านกรอก")


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


@login_required
def volunteer_form(request, pk=None):
    """New volunteer (once per submission) or an edit that writes only its own fields on the
    locked row, refused (409, what was typed kept) when the record changed since the form was
    opened."""
    _viewer(request)
    _editor(request)
    volunteer = _visible_volunteer(request, pk) if pk else None
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
                error = form.duplicate_error(form.cleaned_data["national_id"])
                form.add_error("national_id", error or NATIONAL_ID_RACE)
            else:
                messages.success(request, _("บันทึกข้อมูล อพม. แล้ว"))
                return redirect(saved)
        elif volunteer is None and _claimed_before(request):
            messages.info(request, once.DUPLICATE_TEXT)
            return redirect(_first_volunteer(request, form, None))
    return render(
        request,
        "volunteers/volunteer_form.html",
        _ctx(request, **context),
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
        _ctx(request, **{**context, "form": again, "stale_text": STALE_TEXT, "stale_rows": rows}),
        status=409,
    )


@login_required
def card_pdf(request, pk):
    _viewer(request)
    volunteer = _visible_volunteer(request, pk)
    if not volunteer.card_number:
        raise Http404(_("ยังไม่มีบัตรประจำตัว"))
    return _pdf(documents.card_pdf(volunteer), f"card-{volunteer.pk}.pdf")


@login_required
def certificate_pdf(request, pk):
    _viewer(request)
    volunteer = _visible_volunteer(request, pk)
    if not volunteer.certificate_number:
        raise Http404(_("ยังไม่มีวุฒิบัตร"))
    return _pdf(documents.certificate_pdf(volunteer), f"certificate-{volunteer.pk}.pdf")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_POST
@login_required
def card_renew(request, pk):
    _viewer(request)
    _editor(request)
    volunteer = _visible_volunteer(request, pk)
    if not volunteer.registration_number:
        messages.error(request, _("ออกบัตรได้เฉพาะ อพม. ที่ขึ้นทะเบียนแล้ว"))
        return redirect(volunteer)
    if "card" not in request.POST:
        messages.error(request, _("ไม่ได้ระบุบัตรที่จะออกใหม่ โปรดกดปุ่ม “ออกบัตรใหม่” จากหน้าข้อมูล อพม."))
        return redirect(volunteer)
    try:
        renewed = services.renew_card(volunteer.pk, request.POST["card"], timezone.localdate())
    except services.StaleRenewal as stale:
        messages.warning(
            request,
            _(
                "บัตรเลขที่ %(POST_card_or)s ได้ออกใหม่ไปแล้วระหว่างนี้ (บัตรปัจจุบันเลขที่ %(card_number_or)s) จึงไม่ได้ออกบัตรซ้ำอีก"
            )
            % {
                "POST_card_or": request.POST["card"] or "-",
                "card_number_or": stale.volunteer.card_number or "-",
            },
        )
        return redirect(volunteer)
    messages.success(
        request, _("ออกบัตรใหม่เลขที่ %(card_number)s แล้ว") % {"card_number": renewed.card_number}
    )
    return redirect(volunteer)


# --- training -------------------------------------------------------------------------------


@login_required
def course_list(request):
    _viewer(request)
    table = CourseTable(Course.objects.visible_to(request.user).select_related("province"))
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "courses", fmt)
    paginate(request, table, 50)
    return render(request, "volunteers/course_list.html", _ctx(request, table=table))


def _visible_course(request, pk) -> Course:
    return get_object_or_404(
        Course.objects.visible_to(request.user).select_related("province"), pk=pk
    )


@login_required
def course_form(request, pk=None):
    _viewer(request)
    _editor(request)
    course = _visible_course(request, pk) if pk else None
    form = CourseForm(request.POST or None, instance=course, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not once.claim(form, request.user):
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect(course or reverse("volunteers:course-list"))
            if course is None:
                course = form.save()
            else:  # only the form's fields, on the locked row
                locked = Course.objects.select_for_update().get(pk=course.pk)
                for name in form._meta.fields:
                    attname = Course._meta.get_field(name).attname
                    setattr(locked, attname, getattr(form.instance, attname))
                locked.save(update_fields=list(form._meta.fields))
                course = locked
        messages.success(request, _("บันทึกหลักสูตรแล้ว"))
        return redirect(course)
    return render(
        request,
        "volunteers/simple_form.html",
        _ctx(request, form=form, heading=_("แก้ไขหลักสูตร") if pk else _("เพิ่มหลักสูตรอบรม")),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def course_detail(request, pk):
    _viewer(request)
    course = _visible_course(request, pk)
    if request.method == "POST":  # the enrol form, also posted here by older pages
        return course_enrol(request, pk)
    enrolments = (
        Enrolment.objects.visible_to(request.user)
        .filter(course=course)
        .select_related("volunteer")
        .prefetch_related("lessons")
        .order_by(thai_order("volunteer__first_name"), thai_order("volunteer__last_name"), "pk")
    )
    return render(
        request,
        "volunteers/course_detail.html",
        _ctx(request, course=course, enrolments=enrolments),
    )


SEARCH_LIMIT = 50
ENROL_RACE = _(
    "มีผู้เพิ่ม อพม. บางคนในรายชื่อนี้เข้าหลักสูตรนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้เพิ่มผู้ใด"
    " โปรดตรวจสอบรายการด้านล่าง แล้วกดยืนยันอีกครั้ง"
)


def _search(request, q: str):
    """Volunteers the officer may see, by name or by a whole national ID (the register's own
    search, VolunteerFilter.search: an ID only as an exact full match, and only for the roles
    that see IDs in full)."""
    if not q.strip():
        return None
    qs = Volunteer.objects.visible_to(request.user).select_related("province")
    found = VolunteerFilter(
        {"q": q}, queryset=qs, show_province=_show_province(request.user), request=request
    ).qs
    return list(
        found.order_by(thai_order("first_name"), thai_order("last_name"), "pk")[: SEARCH_LIMIT + 1]
    )


@login_required
def course_enrol(request, pk):
    """Enrol participants: search (``action=search``), preview (``action=preview``, the
    default) and enrol all of them at once (``action=confirm``, one submission = once)."""
    _viewer(request)
    _editor(request)
    course = _visible_course(request, pk)
    data = request.POST if request.method == "POST" else None
    form = EnrolForm(
        data, user=request.user, course=course, initial={"q": request.GET.get("q", "")}
    )
    action = request.POST.get("action", "preview") if data is not None else "search"
    status, preview, results = 200, None, None
    if data is None:
        results = _search(request, request.GET.get("q", ""))
    elif not form.is_valid():
        status = 400
    elif action == "search":
        results = _search(request, form.cleaned_data["q"])
    else:
        text, picked = form.cleaned_data["national_ids"], form.cleaned_data["volunteer"]
        if len(text.splitlines()) > enrolling.MAX_LINES:
            form.add_error("national_ids", _("วางได้ไม่เกิน 2,000 บรรทัดต่อครั้ง"))
            status = 400
        elif not text.strip() and not picked:
            form.add_error(None, _("ยังไม่ได้เลือกหรือวางรายชื่อผู้เข้าอบรม"))
            status = 400
        else:
            preview = enrolling.preview(course, request.user, text, picked)
            moved = action == "confirm" and form.cleaned_data["previewed"] != form.fingerprint()
            done = preview.problems or not preview.to_enrol
            if action == "confirm" and done and _claimed_before(request):
                # read after the preview: a copy of a submission that already enrolled them
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect(course)
            if done:
                status = 400
            elif moved:  # the inputs changed after their preview: show this one first
                form.add_error(
                    None, _("รายชื่อเปลี่ยนไปจากที่ตรวจสอบไว้ โปรดตรวจสอบผลด้านล่างแล้วกดยืนยันอีกครั้ง")
                )
            elif action == "confirm":
                try:
                    with transaction.atomic():
                        if not once.claim(form, request.user):
                            messages.info(request, once.DUPLICATE_TEXT)
                            return redirect(course)
                        made = enrolling.enrol(course, preview.to_enrol, request.user)
                except IntegrityError:
                    preview = enrolling.preview(course, request.user, text, picked)
                    form.add_error(None, ENROL_RACE)
                    status = 409
                else:
                    messages.success(
                        request, _("เพิ่มผู้เข้าอบรม %(n)s คนแล้ว") % {"n": f"{len(made):,}"}
                    )
                    return redirect(course)
    picked_rows, picked_pks = [], (getattr(form, "cleaned_data", None) or {}).get("volunteer")
    if picked_pks:
        picked_rows = list(
            Volunteer.objects.visible_to(request.user)
            .filter(pk__in=picked_pks)
            .select_related("province")
        )
    if preview is not None:  # the confirm button confirms this preview's inputs
        form.data = form.data.copy()
        form.data["previewed"] = form.fingerprint()
    enrolled = set(course.enrolments.values_list("volunteer_id", flat=True))
    return render(
        request,
        "volunteers/course_enrol.html",
        _ctx(
            request,
            course=course,
            form=form,
            preview=preview,
            results=None if results is None else results[:SEARCH_LIMIT],
            more=results is not None and len(results) > SEARCH_LIMIT,
            picked=[v for v in picked_rows if results is None or v not in results[:SEARCH_LIMIT]],
            picked_pks={v.pk for v in picked_rows},
            enrolled=enrolled,
            searched=(form.data.get("q") if form.is_bound else request.GET.get("q", "")) or "",
        ),
        status=status,
    )


def _lessons_of(form):
    return form.cleaned_data.get("lessons") if "lessons" in form.fields else None


@login_required
def enrolment_result(request, pk):
    """One participant's results, on the locked row, refused (409, what was typed kept) when
    the enrolment changed since the form was opened (core/versioned.py)."""
    _viewer(request)
    _editor(request)
    enrolment = get_object_or_404(
        Enrolment.objects.visible_to(request.user)
        .select_related("course", "volunteer", "volunteer__province")
        .prefetch_related(Prefetch("lessons")),
        pk=pk,
        course__in=Course.objects.visible_to(request.user),
    )
    form = ResultForm(instance=enrolment)
    stale = False
    if request.method == "POST":
        with transaction.atomic():
            locked = (
                Enrolment.objects.select_for_update()
                .select_related("course", "volunteer", "volunteer__province")
                .get(pk=enrolment.pk)
            )
            form = ResultForm(request.POST, instance=locked)
            if form.is_valid() and form.is_stale:
                stale = True
            elif form.is_valid():
                decision = services.record_result(form.save(commit=False), _lessons_of(form))
                if decision.passed:
                    messages.success(request, _("ผ่านการอบรม: ออกวุฒิบัตร ขึ้นทะเบียน และออกบัตรแล้ว"))
                else:
                    messages.warning(
                        request, _("ยังไม่ผ่าน: %(reason)s") % {"reason": decision.reason}
                    )
                return redirect(enrolment.course)
        if stale:
            form = rebind_to_current(ResultForm, Enrolment, enrolment.pk, request.POST)
    return render(
        request,
        "volunteers/enrolment_form.html",
        _ctx(request, form=form, enrolment=enrolment),
        status=(409 if stale else 400) if request.method == "POST" else 200,
    )


ROWS_CHANGED = _(
    "ผลของผู้เข้าอบรมต่อไปนี้มีผู้บันทึกไว้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึกผลใดในหน้านี้:"
    " %(names)s — ค่าที่ท่านกรอกยังอยู่ในตาราง (แถวที่เน้นสี) โปรดเทียบกับผลล่าสุดที่แสดงไว้"
    " แก้ไขให้ถูกต้อง แล้วกดบันทึกอีกครั้ง"
)


def _results_queryset(course):
    return (
        Enrolment.objects.filter(course=course)
        .select_related("course", "volunteer")
        .prefetch_related("lessons")
        .order_by(thai_order("volunteer__first_name"), thai_order("volunteer__last_name"), "pk")
    )


def _row_data(form) -> dict:
    """A row form's current values as POST data (and as its 'opened with' hidden values)."""
    out = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        key = form.add_prefix(name)
        if isinstance(field.widget, forms.CheckboxInput):
            values = ["on"] if value else []
        elif isinstance(value, (list, tuple)):
            values = [str(v) for v in value]
        elif name == "id":
            values = [str(form.instance.pk)]
        else:
            values = [] if value is None else [str(value)]
        out[key] = values
        if field.show_hidden_initial:
            hidden = "True" if value is True else "False" if value is False else None
            out[form.add_initial_prefix(name)] = [hidden] if hidden else values
    return out


@login_required
def course_results(request, pk):
    """The results of the whole course on one page (a formset), saved in one transaction.
    Each row carries its enrolment's version and the values it was opened with: a row this
    officer changed while someone else recorded it is refused with the others (409, what was
    typed kept, the rows named); rows the officer did not change are left as they are."""
    _viewer(request)
    _editor(request)
    course = _visible_course(request, pk)
    conflicts = []
    if request.method != "POST":
        formset = ResultFormSet(queryset=_results_queryset(course))
        status = 200
    else:
        status = 400
        with transaction.atomic():
            locked = _results_queryset(course).select_for_update(of=("self",))
            formset = ResultFormSet(request.POST, queryset=locked)
            if formset.is_valid():
                changed = [f for f in formset.forms if f.has_changed()]
                conflicts = [f for f in changed if f.is_stale]
                if not conflicts:
                    decisions = [
                        services.record_result(f.save(commit=False), _lessons_of(f))
                        for f in changed
                    ]
                    passed = sum(1 for d in decisions if d.passed)
                    messages.success(
                        request,
                        _("บันทึกผลการอบรม %(n)s คนแล้ว (ผ่าน %(passed)s คน)")
                        % {"n": f"{len(changed):,}", "passed": f"{passed:,}"},
                    )
                    return redirect(course)
        if conflicts:
            formset, status = _results_again(request, course, conflicts), 409
    return render(
        request,
        "volunteers/course_results.html",
        _ctx(
            request,
            course=course,
            formset=formset,
            conflicts={f.instance.pk for f in conflicts},
            conflict_text=ROWS_CHANGED
            % {"names": ", ".join(f.instance.volunteer.full_name for f in conflicts)}
            if conflicts
            else "",
        ),
        status=status,
    )


def _results_again(request, course, conflicts):
    """The page again after a conflict: the conflicting rows keep what was typed and now carry
    the current version and values (so saving again is a choice made knowing them); the rows
    this officer did not change show the results as they are now."""
    fresh = ResultFormSet(queryset=_results_queryset(course))
    by_pk = {f.instance.pk: f for f in fresh.forms}
    sent = ResultFormSet(request.POST, queryset=_results_queryset(course))
    sent.is_valid()
    typed = {f.instance.pk: f for f in sent.forms if f.has_changed()}
    data = QueryDict(mutable=True)
    for key, value in fresh.management_form.initial.items():
        data[fresh.management_form.add_prefix(key)] = str(value)
    conflicting = {f.instance.pk for f in conflicts}
    for pk, form in by_pk.items():
        for key, values in _row_data(form).items():
            mine = typed.get(pk)
            kept = key.startswith("initial-") or key.endswith(("-version", "-id"))
            if mine is not None and not kept:  # what was typed, under this row's prefix
                values = request.POST.getlist(mine.add_prefix(key[len(form.prefix) + 1 :]))
            data.setlist(key, values)
    again = ResultFormSet(data, queryset=_results_queryset(course))
    again.is_valid()
    for form in again.forms:
        if form.instance.pk in conflicting:
            form.current = by_pk[form.instance.pk].instance
    return again


# --- services -------------------------------------------------------------------------------


@login_required
def service_list(request):
    _viewer(request)
    qs = Service.objects.visible_to(request.user).select_related("volunteer", "province")
    volunteer = None
    if request.GET.get("volunteer", "").isdigit():
        volunteer = _visible_volunteer(request, int(request.GET["volunteer"]))
        qs = qs.filter(volunteer=volunteer)
    filterset = ServiceFilter(request.GET, queryset=qs, show_province=_show_province(request.user))
    table = ServiceTable(filterset.qs, show_ids=permissions.can_see_national_id(request.user))
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "services", fmt)
    paginate(request, table, 50)
    return render(
        request,
        "volunteers/service_list.html",
        _ctx(request, filter=filterset, table=table, volunteer=volunteer),
    )


@login_required
def service_create(request):
    _viewer(request)
    _editor(request)
    volunteer = None
    if request.GET.get("volunteer", "").isdigit():
        volunteer = _visible_volunteer(request, int(request.GET["volunteer"]))
    form = ServiceForm(request.POST or None, user=request.user, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        service = form.save(commit=False)
        service.created_by = request.user
        with transaction.atomic():  # the token and the service (and its summary cell) together
            first = once.claim(form, request.user)
            if first:
                service.save()
        if first:
            messages.success(request, _("บันทึกการให้บริการแล้ว"))
        else:
            messages.info(request, once.DUPLICATE_TEXT)
        if "again" in request.POST:
            return redirect(reverse("volunteers:service-create"))
        return redirect(service.volunteer)
    return render(
        request,
        "volunteers/service_form.html",
        _ctx(request, form=form),
        status=400 if request.method == "POST" else 200,
    )


@login_required
def service_bulk(request):
    _viewer(request)
    _editor(request)
    form = BulkServiceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["rows"]
        with transaction.atomic():
            if not once.claim(form, request.user):
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect("volunteers:service-list")
            _write_bulk(rows, request.user)
        messages.success(request, _("บันทึกการให้บริการ %(len)s รายการแล้ว") % {"len": len(rows)})
        return redirect("volunteers:service-list")
    return render(
        request,
        "volunteers/service_bulk.html",
        _ctx(request, form=form, columns=BULK_COLUMNS),
        status=400 if request.method == "POST" else 200,
    )


def _write_bulk(rows, user) -> None:
    with summary.batch():  # one rebuild of the touched months × provinces at the end
        for r in rows:
            Service(
                volunteer=r["volunteer"],
                province_id=r["volunteer"].province_id,
                date=r["date"],
                service_type=r["service_type"],
                target_group=r["target_group"],
                people_served=r["people_served"],
                area=r["area"],
                created_by=user,
            ).save()


# --- plan -----------------------------------------------------------------------------------


def _plan_viewer(request):
    if not permissions.can_view_plan(request.user):
        raise PermissionDenied


@login_required
def plan_list(request):
    _plan_viewer(request)
    plans = Plan.objects.annotate(n_targets=Count("targets"))
    fmt = requested_format(request)
    if fmt:
        header = ["เลขที่", "แผน", "ปีเริ่ม", "ปีสิ้นสุด", "เห็นชอบเมื่อ", "ผู้ให้ความเห็นชอบ", "จำนวนเป้าหมาย"]
        rows = (
            [
                p.pk, p.title, p.first_year, p.last_year, p.approved_on,
                p.approved_by, p.n_targets,
            ]
            for p in plans
        )  # fmt: skip
        return rows_response(header, rows, "plans", fmt)
    return render(
        request,
        "volunteers/plan_list.html",
        _ctx(
            request,
            plans=plans,
            can_edit_plan=permissions.can_edit_plan(request.user),
            year=_year(request),
        ),
    )


@login_required
def plan_detail(request, pk):
    _plan_viewer(request)
    plan = get_object_or_404(Plan, pk=pk)
    years = list(range(plan.first_year, plan.last_year + 1))
    year = _year(request)
    if year not in years:
        year = years[0]
    as_of = _as_of(request, year)
    result = plan_mod.compute(plan, year, as_of)
    return render(
        request,
        "volunteers/plan_detail.html",
        _ctx(
            request,
            plan=plan,
            years=years,
            year=year,
            as_of=as_of,
            result=result,
            groups=result.by_province(),
            can_edit_plan=permissions.can_edit_plan(request.user),
        ),
    )


PLAN_CHANGED = _(
    "มีผู้แก้ไขแผนนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึก: %(what)s — ข้อมูลที่ท่านกรอกยังอยู่ในแบบฟอร์ม"
    " โปรดเทียบกับข้อมูลล่าสุดที่แสดงไว้ แก้ไขให้ถูกต้อง แล้วกดบันทึกอีกครั้ง"
)


@login_required
def plan_form(request, pk=None):
    """The plan and its yearly targets, saved together on the locked plan. The plan and each
    target row carry their version: a part this user changed that someone else saved meanwhile
    refuses the whole save (409, what was typed kept, the parts named with their current
    values); the parts this user did not change are not written."""
    _plan_viewer(request)
    if not permissions.can_edit_plan(request.user):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=pk) if pk else None
    form = PlanForm(instance=plan)
    formset = PlanTargetFormSet(instance=plan or Plan(), prefix="t")
    status, changed_now, stale, locked = 200, {}, [], None
    if request.method == "POST":
        status = 400
        with transaction.atomic():
            locked = Plan.objects.select_for_update().get(pk=plan.pk) if plan else None
            form = PlanForm(request.POST, instance=locked)
            formset = PlanTargetFormSet(request.POST, instance=locked or Plan(), prefix="t")
            if form.is_valid() and formset.is_valid():
                stale = []
                if locked is not None and form.has_changed() and form.is_stale:
                    stale.append(form)
                stale += [
                    f for f in formset.forms if f.instance.pk and f.has_changed() and f.is_stale
                ]
                if not stale:
                    saved = form.save() if locked is None or form.has_changed() else locked
                    formset.instance = saved
                    formset.save()
                    messages.success(request, _("บันทึกแผนแล้ว"))
                    return redirect(saved)
        if locked is not None and stale:
            form, formset, changed_now = _plan_again(request, locked.pk, stale)
            status = 409
    return render(
        request,
        "volunteers/plan_form.html",
        _ctx(request, form=form, formset=formset, plan=plan, changed_now=changed_now),
        status=status,
    )


def _plan_again(request, pk, stale):
    """The typed plan form again, now carrying the current versions of the parts that changed
    (so saving again is a deliberate choice), with what those parts are now."""
    data = request.POST.copy()
    current = Plan.objects.get(pk=pk)
    targets = PlanTarget.objects.in_bulk(
        [f.instance.pk for f in stale if not isinstance(f, PlanForm)]
    )
    what, changed_now = [], {}
    for f in stale:
        if isinstance(f, PlanForm):
            data["version"] = str(current.version)
            what.append(_("ข้อมูลของแผน"))
        else:
            now = targets.get(f.instance.pk)
            if now is None:
                continue
            data[f.add_prefix("version")] = str(now.version)
            changed_now[f.instance.pk] = now
            what.append(_("เป้าหมาย “%(t)s” ปี %(y)s") % {"t": now, "y": now.fiscal_year})
    form = PlanForm(data, instance=current)
    formset = PlanTargetFormSet(data, instance=current, prefix="t")
    form.is_valid()
    formset.is_valid()
    for row in formset.forms:
        row.current = changed_now.get(row.instance.pk)
    form.add_error(None, PLAN_CHANGED % {"what": ", ".join(what)})
    if any(isinstance(f, PlanForm) for f in stale):
        form.current = current
    return form, formset, changed_now


# --- field-work report ----------------------------------------------------------------------


@login_required
def field_report(request):
    if request.GET.get("format") in ("xlsx", "pdf"):
        # the report is a Thai document, whatever the language of the pages
        with translation.override(settings.LANGUAGE_CODE):
            return _field_report(request)
    return _field_report(request)


def _field_report(request):
    _viewer(request)
    year = _year(request)
    as_of = _as_of(request, year)
    # the same scope as Service.visible_to: all (or one picked province) for managers and
    # admins, the officer's own province, nothing without one
    p, scope = None, _("ทั้งประเทศ")
    if not _show_province(request.user):
        p = province_of(request.user)
        scope = _("จังหวัด%(name)s") % {"name": p} if p else "-"
    elif request.GET.get("province"):
        p = get_object_or_404(Province, code=request.GET["province"])
        scope = _("จังหวัด%(name)s") % {"name": p}
    nothing = p is None and not _show_province(request.user)
    data = report.build(year, as_of, scope, province=p, nothing=nothing)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        response = HttpResponse(
            report.as_xlsx(data),
            content_type=XLSX_TYPE,
        )
        response["Content-Disposition"] = f'attachment; filename="field-report-{year}.xlsx"'
        return response
    if fmt == "pdf":
        return _pdf(report.as_pdf(data), f"field-report-{year}.pdf")
    return render(
        request,
        "volunteers/report.html",
        _ctx(
            request,
            report=data,
            title=report.title_of(data),
            sections=[(h, getattr(data, a)) for h, a in report.SECTIONS],
            year=year,
            provinces=Province.objects.all() if _show_province(request.user) else [],
            province_code=request.GET.get("province", ""),
        ),
    )
