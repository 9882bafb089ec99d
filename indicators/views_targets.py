"""Target revisions in the browser (issue 15): admins record a revision of an indicator's targets
(with KPI 3.2's calculator) and withdraw one recorded by mistake; every reader of the indicator
pages sees them, their letters and their history."""

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import once
from core.history import history_rows
from core.thaidate import format_thai_date
from core.versioned import rebind_to_current
from indicators import permissions
from indicators.forms import TargetRevisionForm, WithdrawRevisionForm
from indicators.models import Indicator, IndicatorKind, RevisionReason, TargetRevision
from indicators.period import selected_set
from indicators.targets import revision_rows

# Only admins revise targets (as they edit a set's targets); every reader of the indicator pages
# sees the revisions.
can_revise = permissions.can_manage_sets


def _indicator_url(indicator) -> str:
    return reverse("indicators:indicator-detail", args=[indicator.pk])


def _revisions():
    return TargetRevision.objects.select_related(
        "indicator__indicator_set", "deliverable", "approved_by", "recorded_by", "withdrawn_by"
    )


def _form_page(request, indicator, form, *, status=200, proposal=None, calc_errors=()):
    return render(
        request,
        "indicators/target_revision_form.html",
        {
            "indicator": indicator,
            "indicator_set": indicator.indicator_set,
            "form": form,
            "sections": form.sections(),
            "in_force": form.now_in_force,
            "proposal": proposal,
            "calc_errors": calc_errors,
            "file_again": bool(request.FILES),
        },
        status=status,
    )


@can_revise.required
def revision_add(request, pk):
    """Record a revision (admins). ``calculate`` (a button of the form) only proposes KPI 3.2's
    figure from the month the system opened and shows the form again with it, keeping what was
    typed; ``save`` records the revision once (core.once), the indicator row locked meanwhile so
    that two revisions of one indicator are checked one after the other."""
    indicator = get_object_or_404(Indicator.objects.select_related("indicator_set"), pk=pk)
    if indicator.kind == IndicatorKind.GROUP:
        raise Http404
    if request.method != "POST":
        return _form_page(
            request, indicator, TargetRevisionForm(indicator=indicator, user=request.user)
        )
    if "calculate" in request.POST:
        bound = TargetRevisionForm(request.POST, request.FILES, indicator=indicator)
        proposal, errors = bound.calculate()
        typed = request.POST.dict()
        if proposal is not None:
            typed["threshold"] = str(proposal.figure)
            if not typed.get("reason"):
                typed["reason"] = RevisionReason.OPENING
        form = TargetRevisionForm(initial=typed, indicator=indicator)
        return _form_page(
            request, indicator, form, status=400 if errors else 200, proposal=proposal,
            calc_errors=errors,
        )  # fmt: skip
    with transaction.atomic():
        locked = Indicator.objects.select_for_update().select_related("indicator_set").get(pk=pk)
        form = TargetRevisionForm(request.POST, request.FILES, indicator=locked)
        if not form.is_valid():
            return _form_page(request, locked, form, status=400)
        if not once.claim(form, request.user):
            messages.info(request, once.DUPLICATE_TEXT)
            return redirect(_indicator_url(locked))
        revision = form.save(commit=False)
        revision.recorded_by = request.user
        revision.save()
    messages.success(
        request,
        _("บันทึกการปรับค่าเป้าหมายของตัวชี้วัด %(code)s แล้ว (มีผลตั้งแต่ %(date)s)")
        % {"code": indicator.code, "date": format_thai_date(revision.effective_from)},
    )
    return redirect(_indicator_url(indicator) + "#target-revisions")


@permissions.can_view.required
def revision_list(request):
    """Every revision of a year's set, newest in force first."""
    indicator_set, as_of, sets = selected_set(request)
    revisions = list(
        _revisions()
        .filter(indicator__indicator_set=indicator_set)
        .order_by("indicator__sort_order", "indicator__code", "effective_from", "pk")
    )
    return render(
        request,
        "indicators/target_revision_list.html",
        {
            "indicator_set": indicator_set,
            "sets": sets,
            "as_of": as_of,
            "rows": revision_rows(revisions, as_of),
            "can_revise": can_revise(request.user),
            "period_query": f"?year={indicator_set.fiscal_year}&as_of={as_of.isoformat()}",
        },
    )


def _detail_page(request, revision, form=None, status=200):
    can_withdraw = can_revise(request.user) and not revision.is_withdrawn
    if form is None and can_withdraw:
        form = WithdrawRevisionForm(instance=revision)
    siblings = list(_revisions().filter(indicator=revision.indicator))
    row = next(
        r for r in revision_rows(siblings, timezone.localdate()) if r.revision.pk == revision.pk
    )
    return render(
        request,
        "indicators/target_revision_detail.html",
        {
            "revision": revision,
            "row": row,
            "indicator": revision.indicator,
            "indicator_set": revision.indicator.indicator_set,
            "form": form if can_withdraw else None,
            "history": history_rows(revision, limit=20),
        },
        status=status,
    )


@permissions.can_view.required
def revision_detail(request, pk):
    return _detail_page(request, get_object_or_404(_revisions(), pk=pk))


@require_POST
@can_revise.required
def revision_withdraw(request, pk):
    """Withdraw a revision (admins), with a reason kept in its history: from then on no date is
    scored with it. Version-checked: a form opened before someone else's change is refused."""
    revision = get_object_or_404(_revisions(), pk=pk)
    with transaction.atomic():
        locked = TargetRevision.objects.select_for_update().get(pk=pk)
        if locked.is_withdrawn:
            messages.info(request, _("การปรับค่าเป้าหมายนี้ถูกยกเลิกไปแล้ว"))
            return redirect(reverse("indicators:target-revision-detail", args=[pk]))
        form = WithdrawRevisionForm(request.POST, instance=locked)
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(WithdrawRevisionForm, TargetRevision, pk, request.POST)
            return _detail_page(request, revision, form=form, status=409)
        if not form.is_valid():
            return _detail_page(request, revision, form=form, status=400)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_by = request.user
        locked.withdraw_reason = form.cleaned_data["reason"]
        form.save_versioned(
            ["withdrawn_at", "withdrawn_by", "withdraw_reason"], reason=form.cleaned_data["reason"]
        )
    messages.success(request, _("ยกเลิกการปรับค่าเป้าหมายแล้ว"))
    return redirect(_indicator_url(revision.indicator) + "#target-revisions")


@permissions.can_view.required
def revision_letter(request, pk):
    """The approval letter, for every reader of the indicator pages (as the page lists it)."""
    revision = get_object_or_404(TargetRevision, pk=pk)
    if not revision.letter:
        raise Http404
    return FileResponse(revision.letter.open("rb"), as_attachment=True)
