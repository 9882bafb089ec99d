import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import requested_format, rows_response
from core.history import history_rows
from core.versioned import rebind_to_current
from indicators import evaluation, permissions, registry
from indicators.export import set_result_as_dict
from indicators.forms import (
    CopySetForm,
    EvidenceDeleteForm,
    EvidenceEditForm,
    EvidenceForm,
    IndicatorFormSet,
    IndicatorSetForm,
    ManualResultForm,
    ReviewForm,
)
from indicators.models import (
    TARGET_LABELS,
    Deliverable,
    Evidence,
    EvidenceStatus,
    Indicator,
    IndicatorSet,
)
from indicators.period import selected_set
from indicators.services import copy_set


def _period_query(indicator_set, as_of) -> str:
    return f"?year={indicator_set.fiscal_year}&as_of={as_of.isoformat()}"


def _round_json(request, indicator_set):
    """?format=json&round=<id>: what a reporting round reported (its snapshot, never
    recomputed; an open round's live figures, marked not reported), in the dashboard's shape.
    The reporting app sits above this one: it is asked here, not imported by the module."""
    from reporting.models import Round
    from reporting.report import round_as_dict

    text = request.GET["round"].strip()
    round_ = (
        Round.objects.filter(indicator_set=indicator_set, pk=int(text)).first()
        if text.isdigit()
        else None
    )
    if round_ is None:
        raise Http404(_("ไม่พบรอบการรายงานนี้ในชุดตัวชี้วัดที่เลือก"))
    return HttpResponse(
        json.dumps(round_as_dict(round_), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )


@permissions.can_view.required
def dashboard(request):
    indicator_set, as_of, sets = selected_set(request)
    if request.GET.get("format") == "json" and request.GET.get("round"):
        return _round_json(request, indicator_set)
    result = evaluation.evaluate(indicator_set, as_of)
    if request.GET.get("format") == "json":
        return HttpResponse(
            json.dumps(set_result_as_dict(result), ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
    return render(
        request,
        "indicators/dashboard.html",
        {
            "awaiting_review": (
                _awaiting_review(request.user).count()
                if permissions.can_review(request.user)
                else None
            ),
            "result": result,
            "rows": result.flat(),
            "sets": sets,
            "indicator_set": indicator_set,
            "as_of": as_of,
            "period_query": _period_query(indicator_set, as_of),
        },
    )


@permissions.can_view.required
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        Indicator.objects.select_related("indicator_set", "parent").prefetch_related("owners"),
        pk=pk,
    )
    indicator_set, as_of, sets = selected_set(
        request, indicator.indicator_set.agency_code, only_year=indicator.indicator_set.fiscal_year
    )
    result = evaluation.evaluate(indicator_set, as_of)
    current = result.by_code(indicator.code)
    evidence = (
        Evidence.objects.visible_to(request.user)
        .filter(deliverable__indicator=indicator)
        .select_related("created_by", "submitted_by", "reviewed_by")
        .order_by("created_at")
    )
    can_review = permissions.can_review(request.user)
    can_edit = permissions.can_edit_indicator(request.user, indicator)
    by_deliverable: dict[int, list] = {}
    for item in evidence:
        item.reviewable = permissions.can_review_evidence(request.user, item)
        item.changeable = item.is_changeable and (can_edit or item.created_by_id == request.user.pk)
        by_deliverable.setdefault(item.deliverable_id, []).append(item)
    levels = [
        {
            "level": lv,
            "label": label,
            "points": points,
            "met": current.levels_met[lv - 1] if current.deliverables else None,
            "deliverables": [
                {"status": status, "evidence": by_deliverable.get(status.deliverable.id, [])}
                for status in current.deliverables_at(lv)
            ],
        }
        for lv, label, points in zip(
            (1, 2, 3),
            TARGET_LABELS,
            indicator_set.points,
            strict=True,
        )
    ]
    computation = registry.get(indicator.computation)
    return render(
        request,
        "indicators/indicator_detail.html",
        {
            "indicator": indicator,
            "indicator_set": indicator_set,
            "as_of": as_of,
            "sets": sets,
            "current": current,
            "levels": levels,
            "targets": zip(
                TARGET_LABELS,
                indicator_set.points,
                indicator.targets,
                (indicator.target_min_note, indicator.target_std_note, indicator.target_max_note),
                strict=True,
            ),
            "baselines": indicator.baselines.all(),
            "manual_results": indicator.manual_results.select_related("entered_by")[:10],
            "computation": computation,
            "can_edit": can_edit,
            "can_review": can_review,
            "deleted_evidence": _deleted_drafts(indicator) if can_edit or can_review else [],
            "evidence_form": EvidenceForm(),
            "manual_form": ManualResultForm(initial={"as_of": as_of}),
            "review_form": ReviewForm(),
            "period_query": _period_query(indicator_set, as_of),
            "history": history_rows(indicator, limit=20),
        },
    )


def _editable_indicator(request, indicator):
    if not permissions.can_edit_indicator(request.user, indicator):
        raise PermissionDenied


@permissions.can_view.required
def evidence_add(request, deliverable_pk):
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("indicator__indicator_set"), pk=deliverable_pk
    )
    _editable_indicator(request, deliverable.indicator)
    form = EvidenceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        evidence = form.save(commit=False)
        evidence.deliverable = deliverable
        evidence.created_by = request.user
        if "submit" in request.POST:
            evidence.status = EvidenceStatus.SUBMITTED
            evidence.submitted_by = request.user
            evidence.submitted_at = timezone.now()
        evidence.save()
        messages.success(request, _("บันทึกหลักฐานแล้ว"))
        return redirect(_indicator_url(deliverable.indicator))
    return render(
        request,
        "indicators/evidence_form.html",
        {"form": form, "deliverable": deliverable, "indicator": deliverable.indicator},
        status=400 if request.method == "POST" else 200,
    )


def _indicator_url(indicator) -> str:
    return reverse("indicators:indicator-detail", args=[indicator.pk])


def _locked(evidence) -> Evidence:
    """The evidence row again, locked until the transaction ends: of two people deciding on the
    same evidence at once, the second waits and then sees the first one's decision."""
    return (
        Evidence.objects.select_for_update(of=("self",))
        .select_related("reviewed_by")
        .get(pk=evidence.pk)
    )


@require_POST
@permissions.can_view.required
def evidence_submit(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("deliverable__indicator"), pk=pk)
    _editable_indicator(request, evidence.deliverable.indicator)  # its editors see every draft
    with transaction.atomic():
        locked = _locked(evidence)
        if locked.status not in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED):
            messages.error(request, _("หลักฐานนี้ส่งไปแล้ว"))
        else:
            locked.status = EvidenceStatus.SUBMITTED
            locked.submitted_by = request.user
            locked.submitted_at = timezone.now()
            locked.version += 1
            locked.save()
            messages.success(request, _("ส่งหลักฐานให้ผู้อนุมัติพิจารณาแล้ว"))
    return redirect(_indicator_url(evidence.deliverable.indicator))


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _review_page(request, evidence, form, status=200):
    return render(
        request,
        "indicators/evidence_review.html",
        {
            "evidence": evidence,
            "indicator": evidence.deliverable.indicator,
            "form": form,
            "reviewable": evidence.status == EvidenceStatus.SUBMITTED
            and permissions.can_review_evidence(request.user, evidence),
            "from_queue": request.POST.get("back", request.GET.get("back")) == "queue",
            "history": history_rows(evidence, limit=20),
        },
        status=status,
    )


def _after_review(request, evidence):
    if request.POST.get("back") == "queue":
        return redirect("indicators:review-queue")
    return redirect(_indicator_url(evidence.deliverable.indicator))


@permissions.can_review.required
def evidence_review(request, pk):
    """The review of one piece of evidence: its page (GET) and the decision (POST). A decision
    needs a choice (none is preselected); a missing one is refused (400) keeping the comment."""
    evidence = get_object_or_404(_evidence_for_pages(), pk=pk)
    if request.method != "POST":
        return _review_page(request, evidence, ReviewForm())
    form = ReviewForm(request.POST)
    invalid = False
    with transaction.atomic():
        evidence = _locked(evidence)
        if permissions.is_own_evidence(request.user, evidence):
            messages.error(
                request,
                _("ท่านเป็นผู้แนบหรือผู้ส่งหลักฐานนี้ จึงพิจารณาเองไม่ได้ ผู้อนุมัติคนอื่นต้องเป็นผู้พิจารณา"),
            )
        elif evidence.status != EvidenceStatus.SUBMITTED:
            if evidence.reviewed_at:
                messages.error(
                    request,
                    _(
                        "หลักฐานนี้มีผู้พิจารณาไปแล้ว (%(status)s โดย %(person)s) ผลการพิจารณาของท่านจึงไม่ได้บันทึก"
                    )
                    % {
                        "status": evidence.get_status_display(),
                        "person": _person(evidence.reviewed_by),
                    },
                )
            else:
                messages.error(request, _("พิจารณาได้เฉพาะหลักฐานที่ส่งแล้วและรอพิจารณา"))
        elif not form.is_valid():
            # The errors at the top (a summary, read first) and at each field below.
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            invalid = True
        else:
            approve = form.cleaned_data["decision"] == "approve"
            evidence.status = EvidenceStatus.APPROVED if approve else EvidenceStatus.RETURNED
            evidence.reviewed_by = request.user
            evidence.reviewed_at = timezone.now()
            evidence.review_comment = form.cleaned_data["comment"]
            evidence.version += 1
            evidence.save()
            messages.success(request, _("อนุมัติหลักฐานแล้ว") if approve else _("ส่งหลักฐานกลับแก้ไขแล้ว"))
    if invalid:
        return _review_page(request, _evidence_for_pages().get(pk=pk), form, status=400)
    return _after_review(request, evidence)


def _evidence_for_pages():
    return Evidence.objects.select_related(
        "deliverable__indicator__indicator_set", "created_by", "submitted_by", "reviewed_by"
    )


def _awaiting_review(user):
    """What waits for ``user``'s decision: submitted evidence that they neither attached nor
    submitted (nobody decides on their own evidence)."""
    return (
        Evidence.objects.visible_to(user)
        .filter(status=EvidenceStatus.SUBMITTED)
        .exclude(created_by=user)
        .exclude(submitted_by=user)
    )


@permissions.can_review.required
def review_queue(request):
    """Everything awaiting the approver's decision, oldest first; each row opens its review."""
    waiting = (
        _awaiting_review(request.user)
        .select_related("deliverable__indicator__indicator_set", "created_by", "submitted_by")
        .annotate(since=Coalesce("submitted_at", "created_at"))
        .order_by("since", "pk")
    )
    fmt = requested_format(request)
    if fmt:
        return rows_response(
            [
                _("ส่งเมื่อ"), _("ปีงบประมาณ"), _("ตัวชี้วัด"), _("ระดับ"), _("ผลผลิต/หลักฐาน"),
                _("ชื่อหลักฐาน"), _("ผู้ส่ง"),
            ],
            (
                [
                    timezone.localtime(ev.since).strftime("%Y-%m-%d %H:%M"),
                    ev.deliverable.indicator.indicator_set.fiscal_year,
                    str(ev.deliverable.indicator),
                    ev.deliverable.get_level_display(),
                    ev.deliverable.title,
                    ev.title,
                    _person(ev.submitted_by or ev.created_by),
                ]
                for ev in waiting
            ),
            "evidence-awaiting-review",
            fmt,
        )  # fmt: skip
    page = Paginator(waiting, 50).get_page(request.GET.get("page"))
    now = timezone.now()
    for ev in page:
        ev.waiting_days = (now - ev.since).days
    own = (
        Evidence.objects.filter(status=EvidenceStatus.SUBMITTED)
        .filter(Q(created_by=request.user) | Q(submitted_by=request.user))
        .count()
    )
    return render(
        request,
        "indicators/review_queue.html",
        {"page": page, "own_waiting": own},
    )


class _Deleted(Exception):
    """The evidence was deleted (a second click, or someone else first)."""

    def __init__(self, indicator):
        self.indicator = indicator


def _changeable_evidence(request, pk) -> Evidence:
    """The evidence for its change pages: a 404 to whoever may not see it, a 403 to whoever sees
    it but may not change it; ``_Deleted`` if it was deleted, for those who could change it."""
    try:
        evidence = (
            (
                Evidence.objects.visible_to(request.user)
                | Evidence.objects.filter(created_by=request.user)
            )
            .select_related("deliverable__indicator__indicator_set", "created_by", "reviewed_by")
            .prefetch_related("deliverable__indicator__owners")
            .get(pk=pk)
        )
    except Evidence.DoesNotExist:
        record = (
            Evidence.history.filter(id=pk, history_type="-")
            .select_related("deliverable__indicator")
            .first()
        )
        if record and permissions.can_change_evidence(request.user, record):
            raise _Deleted(record.deliverable.indicator) from None
        raise Http404 from None
    if not permissions.can_change_evidence(request.user, evidence):
        raise PermissionDenied
    return evidence


def _edit_page(request, evidence, form=None, delete_form=None, status=200):
    if form is None and evidence.is_changeable:
        form = EvidenceEditForm(instance=evidence)
    if delete_form is None and evidence.is_deletable:
        delete_form = EvidenceDeleteForm(instance=evidence, prefix="delete")
    return render(
        request,
        "indicators/evidence_edit.html",
        {
            "evidence": evidence,
            "deliverable": evidence.deliverable,
            "indicator": evidence.deliverable.indicator,
            "form": form if evidence.is_changeable else None,
            "delete_form": delete_form if evidence.is_deletable else None,
            "history": history_rows(evidence, limit=20),
        },
        status=status,
    )


def _gone(request, indicator):
    """The evidence was deleted while the person was looking at it."""
    messages.error(request, _("หลักฐานนี้ถูกลบไปแล้ว สิ่งที่ท่านกรอกจึงไม่ได้บันทึก"))
    return redirect(_indicator_url(indicator))


def _not_changeable(request, evidence, status=409):
    messages.error(
        request,
        _(
            "หลักฐานนี้อยู่ในสถานะ “%(status)s” จึงแก้ไขหรือลบไม่ได้แล้ว "
            "(แก้ไขได้เฉพาะร่างและหลักฐานที่ส่งกลับแก้ไข ลบได้เฉพาะร่าง)"
        )
        % {"status": evidence.get_status_display()},
    )
    return _edit_page(request, evidence, status=status)


def _delete_file_after_commit(name: str) -> None:
    """Take a replaced or deleted file out of storage once the change is committed (a rolled
    back change keeps its file)."""
    if not name:
        return
    storage = Evidence._meta.get_field("file").storage
    transaction.on_commit(lambda: storage.delete(name))


@permissions.can_view.required
def evidence_edit(request, pk):
    """Replace a draft's (or returned evidence's) file, link and description. Version-checked:
    a form opened before someone else's save is refused (409), keeping what was typed."""
    try:
        evidence = _changeable_evidence(request, pk)
    except _Deleted as deleted:
        return _gone(request, deleted.indicator)
    if request.method != "POST":
        if not evidence.is_changeable:
            return _not_changeable(request, evidence, status=200)
        return _edit_page(request, evidence)
    with transaction.atomic():
        try:
            locked = _locked(evidence)
        except Evidence.DoesNotExist:
            return _gone(request, evidence.deliverable.indicator)
        locked.deliverable = evidence.deliverable  # for the file's folder (its fiscal year)
        if not locked.is_changeable:
            return _not_changeable(request, locked)
        old_file = locked.file.name
        form = EvidenceEditForm(request.POST, request.FILES, instance=locked)
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(EvidenceEditForm, Evidence, pk, request.POST)
            if request.FILES:
                form.add_error("file", _("ไฟล์ที่เลือกไว้ยังไม่ได้บันทึก โปรดเลือกไฟล์อีกครั้ง"))
            current = form.current
            current.deliverable = evidence.deliverable
            return _edit_page(request, current, form=form, status=409)
        if not form.is_valid():
            return _edit_page(request, _evidence_for_pages().get(pk=pk), form=form, status=400)
        fields = ["title", "file", "url", "note"]
        submit = "submit" in request.POST
        if submit:
            locked.status = EvidenceStatus.SUBMITTED
            locked.submitted_by = request.user
            locked.submitted_at = timezone.now()
            fields += ["status", "submitted_by", "submitted_at"]
        saved = form.save_versioned(fields)
        if old_file and saved.file.name != old_file:
            _delete_file_after_commit(old_file)
    messages.success(
        request, _("บันทึกและส่งหลักฐานให้ผู้อนุมัติพิจารณาแล้ว") if submit else _("บันทึกการแก้ไขหลักฐานแล้ว")
    )
    return redirect(_indicator_url(evidence.deliverable.indicator))


@require_POST
@permissions.can_view.required
def evidence_delete(request, pk):
    """Delete a draft, with a reason kept in its history; its file leaves storage."""
    try:
        evidence = _changeable_evidence(request, pk)
    except _Deleted as deleted:
        return _gone(request, deleted.indicator)
    with transaction.atomic():
        try:
            locked = _locked(evidence)
        except Evidence.DoesNotExist:
            return _gone(request, evidence.deliverable.indicator)
        locked.deliverable = evidence.deliverable
        if not locked.is_deletable:
            return _not_changeable(request, locked)
        form = EvidenceDeleteForm(request.POST, instance=locked, prefix="delete")
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(
                EvidenceDeleteForm, Evidence, pk, request.POST, prefix="delete"
            )
            current = form.current
            current.deliverable = evidence.deliverable
            return _edit_page(request, current, delete_form=form, status=409)
        if not form.is_valid():
            return _edit_page(request, locked, delete_form=form, status=400)
        name = locked.file.name
        locked._change_reason = form.cleaned_data["reason"]
        locked.delete()
        _delete_file_after_commit(name)
    messages.success(request, _("ลบร่างหลักฐาน “%(title)s” แล้ว") % {"title": evidence.title})
    return redirect(_indicator_url(evidence.deliverable.indicator))


def _deleted_drafts(indicator) -> list:
    """The drafts of ``indicator`` that were deleted: who, when and why (their history)."""
    return list(
        Evidence.history.filter(history_type="-", deliverable__indicator=indicator)
        .select_related("history_user", "deliverable")
        .order_by("-history_date")[:20]
    )


@permissions.can_view.required
def evidence_file(request, pk):
    # A draft is a 404 to whoever may not see it, as if it did not exist.
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    if not evidence.file:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True)


@permissions.can_view.required
def manual_result_add(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("indicator_set"), pk=pk)
    _editable_indicator(request, indicator)
    if indicator.kind != "ratio":
        raise Http404
    form = ManualResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        manual = form.save(commit=False)
        manual.indicator = indicator
        manual.entered_by = request.user
        manual.save()
        messages.success(request, _("บันทึกผลการดำเนินงานแล้ว"))
        return redirect(_indicator_url(indicator))
    return render(
        request,
        "indicators/manual_result_form.html",
        {"form": form, "indicator": indicator},
        status=400 if request.method == "POST" else 200,
    )


@permissions.can_view.required
def set_list(request):
    sets = IndicatorSet.objects.all()
    form = CopySetForm()
    return render(
        request,
        "indicators/set_list.html",
        {"sets": sets, "form": form, "can_manage": permissions.can_manage_sets(request.user)},
    )


@permissions.can_manage_sets.required
def set_copy(request):
    form = CopySetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_set = copy_set(form.cleaned_data["source"], form.cleaned_data["fiscal_year"])
        messages.success(
            request,
            _("สร้างชุดตัวชี้วัดปีงบประมาณ %(fiscal_year)s แล้ว") % {"fiscal_year": new_set.fiscal_year},
        )
        return redirect("indicators:set-edit", pk=new_set.pk)
    return render(
        request,
        "indicators/set_list.html",
        {"sets": IndicatorSet.objects.all(), "form": form, "can_manage": True},
        status=400 if request.method == "POST" else 200,
    )


@permissions.can_manage_sets.required
def set_edit(request, pk):
    indicator_set = get_object_or_404(IndicatorSet, pk=pk)
    queryset = indicator_set.indicators.order_by("sort_order", "code")
    data = request.POST if request.method == "POST" else None
    set_form = IndicatorSetForm(data, instance=indicator_set, prefix="set")
    formset = IndicatorFormSet(data, queryset=queryset, prefix="ind")
    if request.method == "POST" and set_form.is_valid() and formset.is_valid():
        with transaction.atomic():
            set_form.save()
            formset.save()
        messages.success(request, _("บันทึกชุดตัวชี้วัดแล้ว"))
        return redirect(reverse("indicators:dashboard") + f"?year={indicator_set.fiscal_year}")
    return render(
        request,
        "indicators/set_edit.html",
        {"indicator_set": indicator_set, "set_form": set_form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )
