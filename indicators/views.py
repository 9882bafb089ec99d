import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.history import history_rows
from indicators import evaluation, permissions, registry
from indicators.export import set_result_as_dict
from indicators.forms import (
    CopySetForm,
    EvidenceForm,
    IndicatorFormSet,
    IndicatorSetForm,
    ManualResultForm,
    ReviewForm,
)
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator, IndicatorSet
from indicators.period import selected_set
from indicators.services import copy_set


def _viewer(request):
    if not permissions.can_view(request.user):
        raise PermissionDenied


def _period_query(indicator_set, as_of) -> str:
    return f"?year={indicator_set.fiscal_year}&as_of={as_of.isoformat()}"


@login_required
def dashboard(request):
    _viewer(request)
    indicator_set, as_of, sets = selected_set(request)
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
            "result": result,
            "rows": result.flat(),
            "sets": sets,
            "indicator_set": indicator_set,
            "as_of": as_of,
            "period_query": _period_query(indicator_set, as_of),
        },
    )


@login_required
def indicator_detail(request, pk):
    _viewer(request)
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
    by_deliverable: dict[int, list] = {}
    for item in evidence:
        item.reviewable = can_review and not permissions.is_own_evidence(request.user, item)
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
            ("เป้าหมายขั้นต่ำ", "เป้าหมายมาตรฐาน", "เป้าหมายขั้นสูง"),
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
                ("เป้าหมายขั้นต่ำ", "เป้าหมายมาตรฐาน", "เป้าหมายขั้นสูง"),
                indicator_set.points,
                indicator.targets,
                (indicator.target_min_note, indicator.target_std_note, indicator.target_max_note),
                strict=True,
            ),
            "baselines": indicator.baselines.all(),
            "manual_results": indicator.manual_results.select_related("entered_by")[:10],
            "computation": computation,
            "can_edit": permissions.can_edit_indicator(request.user, indicator),
            "can_review": can_review,
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


@login_required
def evidence_add(request, deliverable_pk):
    deliverable = get_object_or_404(
        Deliverable.objects.select_related("indicator__indicator_set"), pk=deliverable_pk
    )
    _viewer(request)
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
        messages.success(request, "บันทึกหลักฐานแล้ว")
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
@login_required
def evidence_submit(request, pk):
    evidence = get_object_or_404(Evidence.objects.select_related("deliverable__indicator"), pk=pk)
    _viewer(request)
    _editable_indicator(request, evidence.deliverable.indicator)  # its editors see every draft
    with transaction.atomic():
        locked = _locked(evidence)
        if locked.status not in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED):
            messages.error(request, "หลักฐานนี้ส่งไปแล้ว")
        else:
            locked.status = EvidenceStatus.SUBMITTED
            locked.submitted_by = request.user
            locked.submitted_at = timezone.now()
            locked.save()
            messages.success(request, "ส่งหลักฐานให้ผู้อนุมัติพิจารณาแล้ว")
    return redirect(_indicator_url(evidence.deliverable.indicator))


def _person(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


@require_POST
@login_required
def evidence_review(request, pk):
    _viewer(request)
    if not permissions.can_review(request.user):
        raise PermissionDenied
    evidence = get_object_or_404(Evidence.objects.select_related("deliverable__indicator"), pk=pk)
    back = redirect(_indicator_url(evidence.deliverable.indicator))
    form = ReviewForm(request.POST)
    with transaction.atomic():
        evidence = _locked(evidence)
        if permissions.is_own_evidence(request.user, evidence):
            messages.error(
                request,
                "ท่านเป็นผู้แนบหรือผู้ส่งหลักฐานนี้ จึงพิจารณาเองไม่ได้ ผู้อนุมัติคนอื่นต้องเป็นผู้พิจารณา",
            )
        elif evidence.status != EvidenceStatus.SUBMITTED:
            if evidence.reviewed_at:
                messages.error(
                    request,
                    f"หลักฐานนี้มีผู้พิจารณาไปแล้ว ({evidence.get_status_display()} "
                    f"โดย {_person(evidence.reviewed_by)}) ผลการพิจารณาของท่านจึงไม่ได้บันทึก",
                )
            else:
                messages.error(request, "พิจารณาได้เฉพาะหลักฐานที่ส่งแล้วและรอพิจารณา")
        elif not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        else:
            approve = form.cleaned_data["decision"] == "approve"
            evidence.status = EvidenceStatus.APPROVED if approve else EvidenceStatus.RETURNED
            evidence.reviewed_by = request.user
            evidence.reviewed_at = timezone.now()
            evidence.review_comment = form.cleaned_data["comment"]
            evidence.save()
            messages.success(request, "อนุมัติหลักฐานแล้ว" if approve else "ส่งหลักฐานกลับแก้ไขแล้ว")
    return back


@login_required
def evidence_file(request, pk):
    _viewer(request)
    # A draft is a 404 to whoever may not see it, as if it did not exist.
    evidence = get_object_or_404(Evidence.objects.visible_to(request.user), pk=pk)
    if not evidence.file:
        raise Http404
    return FileResponse(evidence.file.open("rb"), as_attachment=True)


@login_required
def manual_result_add(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("indicator_set"), pk=pk)
    _viewer(request)
    _editable_indicator(request, indicator)
    if indicator.kind != "ratio":
        raise Http404
    form = ManualResultForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        manual = form.save(commit=False)
        manual.indicator = indicator
        manual.entered_by = request.user
        manual.save()
        messages.success(request, "บันทึกผลการดำเนินงานแล้ว")
        return redirect(_indicator_url(indicator))
    return render(
        request,
        "indicators/manual_result_form.html",
        {"form": form, "indicator": indicator},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def set_list(request):
    _viewer(request)
    sets = IndicatorSet.objects.all()
    form = CopySetForm()
    return render(
        request,
        "indicators/set_list.html",
        {"sets": sets, "form": form, "can_manage": permissions.can_manage_sets(request.user)},
    )


@login_required
def set_copy(request):
    if not permissions.can_manage_sets(request.user):
        raise PermissionDenied
    form = CopySetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        new_set = copy_set(form.cleaned_data["source"], form.cleaned_data["fiscal_year"])
        messages.success(request, f"สร้างชุดตัวชี้วัดปีงบประมาณ {new_set.fiscal_year} แล้ว")
        return redirect("indicators:set-edit", pk=new_set.pk)
    return render(
        request,
        "indicators/set_list.html",
        {"sets": IndicatorSet.objects.all(), "form": form, "can_manage": True},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def set_edit(request, pk):
    if not permissions.can_manage_sets(request.user):
        raise PermissionDenied
    indicator_set = get_object_or_404(IndicatorSet, pk=pk)
    queryset = indicator_set.indicators.order_by("sort_order", "code")
    data = request.POST if request.method == "POST" else None
    set_form = IndicatorSetForm(data, instance=indicator_set, prefix="set")
    formset = IndicatorFormSet(data, queryset=queryset, prefix="ind")
    if request.method == "POST" and set_form.is_valid() and formset.is_valid():
        with transaction.atomic():
            set_form.save()
            formset.save()
        messages.success(request, "บันทึกชุดตัวชี้วัดแล้ว")
        return redirect(reverse("indicators:dashboard") + f"?year={indicator_set.fiscal_year}")
    return render(
        request,
        "indicators/set_edit.html",
        {"indicator_set": indicator_set, "set_form": set_form, "formset": formset},
        status=400 if request.method == "POST" else 200,
    )
