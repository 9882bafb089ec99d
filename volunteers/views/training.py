"""Training (การอบรม): courses, enrolling their participants, and recording results, one
participant at a time or the whole course at once (each refused when stale)."""

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import once
from core.collation import thai_order
from core.exports import requested_format, table_response
from core.tables import paginate
from core.versioned import rebind_to_current
from volunteers import enrolling, permissions, services
from volunteers.filters import VolunteerFilter
from volunteers.forms import CourseForm, EnrolForm, ResultForm, ResultFormSet
from volunteers.models import Course, Enrolment, Volunteer
from volunteers.tables import CourseTable
from volunteers.views._common import claimed_before, ctx, visible_course


@permissions.can_view.required
def course_list(request):
    table = CourseTable(Course.objects.visible_to(request.user).select_related("province"))
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "courses", fmt)
    paginate(request, table, 50)
    return render(request, "volunteers/course_list.html", ctx(request, table=table))


@permissions.can_edit.required
def course_form(request, pk=None):
    course = visible_course(request, pk) if pk else None
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
        ctx(request, form=form, heading=_("แก้ไขหลักสูตร") if pk else _("เพิ่มหลักสูตรอบรม")),
        status=400 if request.method == "POST" else 200,
    )


@permissions.can_view.required
def course_detail(request, pk):
    course = visible_course(request, pk)
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
        ctx(request, course=course, enrolments=enrolments),
    )


SEARCH_LIMIT = 50
ENROL_RACE = gettext_lazy(
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
    found = VolunteerFilter({"q": q}, queryset=qs, request=request).qs
    return list(
        found.order_by(thai_order("first_name"), thai_order("last_name"), "pk")[: SEARCH_LIMIT + 1]
    )


@permissions.can_edit.required
def course_enrol(request, pk):
    """Enrol participants: search (``action=search``), preview (``action=preview``, the
    default) and enrol all of them at once (``action=confirm``, one submission = once)."""
    course = visible_course(request, pk)
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
            if action == "confirm" and done and claimed_before(request):
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
        ctx(
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


@permissions.can_edit.required
def enrolment_result(request, pk):
    """One participant's results, on the locked row, refused (409, what was typed kept) when
    the enrolment changed since the form was opened (core/versioned.py)."""
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
        ctx(request, form=form, enrolment=enrolment),
        status=(409 if stale else 400) if request.method == "POST" else 200,
    )


ROWS_CHANGED = gettext_lazy(
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


@permissions.can_edit.required
def course_results(request, pk):
    """The results of the whole course on one page (a formset), saved in one transaction.
    Each row carries its enrolment's version and the values it was opened with: a row this
    officer changed while someone else recorded it is refused with the others (409, what was
    typed kept, the rows named); rows the officer did not change are left as they are."""
    course = visible_course(request, pk)
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
        ctx(
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
