"""Rounds, narratives, closing and reopening (issue 15). Every view checks its permission
(reporting/permissions.py): readers (admins, approvers, managers, indicator owners) see rounds;
admins define and reopen them; admins and approvers close them; an indicator's owners (and
admins) write its narrative."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import once
from core.history import history_rows
from core.versioned import STALE_TEXT, rebind_to_current
from indicators import evaluation
from indicators.models import IndicatorKind, IndicatorSet
from indicators.period import opening_year, requested_year
from reporting import corrections, permissions, services
from reporting import snapshot as snapshot_mod
from reporting.forms import CloseForm, NarrativeForm, ReopenForm, RoundForm
from reporting.models import Narrative, NarrativeStatus, Round, Snapshot


def _round_url(round_) -> str:
    return reverse("reporting:round-detail", args=[round_.pk])


def _list_url(indicator_set) -> str:
    return reverse("reporting:round-list") + f"?year={indicator_set.fiscal_year}"


def _rounds():
    return Round.objects.select_related("indicator_set", "closed_by")


# --- the rounds of a set ----------------------------------------------------------------------


@permissions.can_view_rounds.required
def round_list(request):
    sets = list(IndicatorSet.objects.filter(agency_code="พส.").order_by("-fiscal_year"))
    year = requested_year(request, opening_year)
    indicator_set = next((s for s in sets if s.fiscal_year == year), None)
    if indicator_set is None:
        raise Http404(_("ไม่พบชุดตัวชี้วัดของปีงบประมาณนี้"))
    rounds = list(
        Round.objects.filter(indicator_set=indicator_set)
        .select_related("closed_by")
        .order_by("as_of")
    )
    needed = services.reporting_indicators(indicator_set).count()
    submitted: dict[int, int] = {}
    for round_id in (
        Narrative.objects.filter(round__in=rounds, status=NarrativeStatus.SUBMITTED)
        .exclude(indicator__kind=IndicatorKind.GROUP)
        .values_list("round_id", flat=True)
    ):
        submitted[round_id] = submitted.get(round_id, 0) + 1
    today = timezone.localdate()
    for round_ in rounds:
        round_.submitted = submitted.get(round_.pk, 0)
        round_.days_left = (round_.due_on - today).days
        round_.days_overdue = -round_.days_left
    return render(
        request,
        "reporting/round_list.html",
        {
            "indicator_set": indicator_set,
            "sets": sets,
            "rounds": rounds,
            "needed": needed,
            "can_manage": permissions.can_manage_rounds(request.user),
            "open_round": services.open_round(indicator_set, today),
        },
    )


def _set_for_new_round(request) -> IndicatorSet:
    year = requested_year(request, opening_year)
    return get_object_or_404(IndicatorSet, agency_code="พส.", fiscal_year=year)


def _duplicate_errors(form, indicator_set, exclude_pk=None) -> bool:
    """The per-set uniqueness of a round's date and name, said in Thai on the field."""
    others = Round.objects.filter(indicator_set=indicator_set).exclude(pk=exclude_pk)
    found = False
    as_of, name = form.cleaned_data.get("as_of"), form.cleaned_data.get("name")
    if as_of and others.filter(as_of=as_of).exists():
        form.add_error("as_of", _("ชุดตัวชี้วัดนี้มีรอบที่ข้อมูล ณ วันที่นี้แล้ว"))
        found = True
    if name and others.filter(name=name).exists():
        form.add_error("name", _("ชุดตัวชี้วัดนี้มีรอบชื่อนี้แล้ว"))
        found = True
    return found


@permissions.can_manage_rounds.required
def round_create(request):
    indicator_set = _set_for_new_round(request)
    form = RoundForm(request.POST or None, indicator_set=indicator_set)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            if not once.claim(form, request.user):
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect(_list_url(indicator_set))
            saved = None
            if not _duplicate_errors(form, indicator_set):
                try:
                    with transaction.atomic():
                        saved = form.save(commit=False)
                        saved.indicator_set = indicator_set
                        saved.created_by = request.user
                        saved.save()
                except IntegrityError:  # the same date or name saved a moment before
                    saved = None
                    _duplicate_errors(form, indicator_set)
            if saved is None:
                transaction.set_rollback(True)  # frees the submission for the corrected form
            else:
                messages.success(request, _("กำหนดรอบ “%(name)s” แล้ว") % {"name": saved.name})
                return redirect(_list_url(indicator_set))
    return render(
        request,
        "reporting/round_form.html",
        {"form": form, "indicator_set": indicator_set, "round": None},
        status=400 if request.method == "POST" else 200,
    )


def _closed_refusal(request, round_):
    messages.error(request, _("รอบนี้ปิดแล้ว จึงแก้ไขไม่ได้ (ผู้ดูแลระบบเปิดรอบใหม่ได้ พร้อมระบุเหตุผล)"))
    return redirect(_round_url(round_))


@permissions.can_manage_rounds.required
def round_edit(request, pk):
    round_ = get_object_or_404(_rounds(), pk=pk)
    indicator_set = round_.indicator_set
    if not round_.is_open:
        return _closed_refusal(request, round_)
    if request.method != "POST":
        form = RoundForm(instance=round_, indicator_set=indicator_set)
        return render(
            request, "reporting/round_form.html",
            {"form": form, "indicator_set": indicator_set, "round": round_},
        )  # fmt: skip
    status = 400
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=pk)
        if not locked.is_open:
            return _closed_refusal(request, locked)
        form = RoundForm(request.POST, instance=locked, indicator_set=indicator_set)
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(
                RoundForm, Round, pk, request.POST, indicator_set=indicator_set
            )
            status = 409
        elif form.is_valid() and not _duplicate_errors(form, indicator_set, exclude_pk=pk):
            form.save_versioned(["name", "as_of", "due_on"])
            messages.success(request, _("บันทึกรอบ “%(name)s” แล้ว") % {"name": locked.name})
            return redirect(_list_url(indicator_set))
    return render(
        request,
        "reporting/round_form.html",
        {"form": form, "indicator_set": indicator_set, "round": round_},
        status=status,
    )


# --- one round --------------------------------------------------------------------------------


def _current_snapshot(round_) -> Snapshot | None:
    return (
        Snapshot.objects.filter(round=round_, superseded_at__isnull=True)
        .select_related("closed_by")
        .first()
    )


def _snapshots(round_) -> list[Snapshot]:
    return list(
        Snapshot.objects.filter(round=round_)
        .select_related("closed_by", "superseded_by")
        .order_by("-number")
    )


@permissions.can_view_rounds.required
def round_detail(request, pk):
    """A closed round: its current snapshot, read back (never recomputed). An open round: the
    narratives' state and the figures as they stand today as of the round's date."""
    round_ = get_object_or_404(_rounds(), pk=pk)
    context = {
        "round": round_,
        "indicator_set": round_.indicator_set,
        "snapshots": _snapshots(round_),
        "history": history_rows(round_, limit=20),
        "can_close": permissions.can_close_rounds(request.user),
        "can_reopen": permissions.can_reopen_rounds(request.user),
        "can_manage": permissions.can_manage_rounds(request.user),
    }
    if round_.is_closed:
        current = next((s for s in context["snapshots"] if s.is_current), None)
        if current is None:  # closed without a snapshot cannot happen (one transaction)
            raise Http404
        context["view"] = snapshot_mod.read(current)
        context["snapshot"] = current
        context["reopen_form"] = ReopenForm(instance=round_)
        return render(request, "reporting/round_closed.html", context)
    return _open_round_page(request, round_, context)


def _open_round_page(request, round_, context, status=200):
    indicators = list(
        services.reporting_indicators(round_.indicator_set).prefetch_related("owners")
    )
    narratives = {
        n.indicator_id: n
        for n in Narrative.objects.filter(round=round_).select_related("updated_by", "submitted_by")
    }
    result = evaluation.evaluate(round_.indicator_set, round_.as_of)
    figures = {r.indicator.pk: r for r in result.flat()}
    rows = [
        {
            "indicator": ind,
            "narrative": narratives.get(ind.pk),
            "res": figures.get(ind.pk),
            "can_write": permissions.can_write_narrative(request.user, ind),
        }
        for ind in indicators
    ]
    context.update(
        {
            "rows": rows,
            "result": result,
            "missing": [
                r["indicator"] for r in rows if not (r["narrative"] and r["narrative"].is_submitted)
            ],
            "close_form": CloseForm(instance=round_),
            "days_left": (round_.due_on - timezone.localdate()).days,
            "days_overdue": (timezone.localdate() - round_.due_on).days,
        }
    )
    return render(request, "reporting/round_open.html", context, status=status)


@permissions.can_view_rounds.required
def snapshot_detail(request, pk, number):
    round_ = get_object_or_404(_rounds(), pk=pk)
    snapshot = get_object_or_404(
        Snapshot.objects.select_related("closed_by", "superseded_by"), round=round_, number=number
    )
    return render(
        request,
        "reporting/snapshot_detail.html",
        {
            "round": round_,
            "indicator_set": round_.indicator_set,
            "snapshot": snapshot,
            "view": snapshot_mod.read(snapshot),
        },
    )


@permissions.can_close_rounds.required
def round_close(request, pk):
    if request.method != "POST":
        return redirect("reporting:round-detail", pk=pk)
    round_ = get_object_or_404(_rounds(), pk=pk)
    form = CloseForm(request.POST, instance=round_)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or STALE_TEXT)
        return redirect(_round_url(round_))
    if form.is_stale and round_.is_open:  # edited (or reopened and closed) since it was shown
        messages.error(request, STALE_TEXT)
        return redirect(_round_url(round_))
    try:
        snapshot = services.close_round(round_.pk, request.user)
    except services.RoundNotOpen as already:
        closed = already.round
        messages.info(
            request,
            _("รอบนี้ปิดไปแล้วโดย %(person)s เมื่อ %(when)s จึงไม่ได้บันทึกผลซ้ำ")
            % {
                "person": services.person(closed.closed_by),
                "when": _when(closed.closed_at),
            },
        )
        return redirect(_round_url(round_))
    except services.NarrativesMissing as missing:
        messages.error(request, missing.message)
        return redirect(_round_url(round_))
    messages.success(
        request,
        _("ปิดรอบ “%(name)s” แล้ว บันทึกผลครั้งที่ %(number)s ไว้ (ใช้เวลา %(seconds)s วินาที)")
        % {
            "name": round_.name,
            "number": snapshot.number,
            "seconds": f"{snapshot.elapsed_ms / 1000:.1f}",
        },
    )
    return redirect(_round_url(round_))


def _when(moment) -> str:
    from core.templatetags.thai import thaidatetime

    return thaidatetime(moment) if moment else ""


@permissions.can_reopen_rounds.required
def round_reopen(request, pk):
    round_ = get_object_or_404(_rounds(), pk=pk)
    if not round_.is_closed:
        messages.info(request, _("รอบนี้เปิดอยู่แล้ว"))
        return redirect(_round_url(round_))
    if request.method != "POST":
        return render(
            request,
            "reporting/round_reopen.html",
            {
                "round": round_,
                "indicator_set": round_.indicator_set,
                "form": ReopenForm(instance=round_),
            },
        )
    status = 400
    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=pk)
        if not locked.is_closed:
            messages.info(request, _("รอบนี้มีผู้เปิดใหม่ไปแล้ว"))
            return redirect(_round_url(round_))
        form = ReopenForm(request.POST, instance=locked)
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(ReopenForm, Round, pk, request.POST)
            status = 409
        elif form.is_valid():
            services.reopen_round(locked, request.user, form.cleaned_data["reason"])
            messages.success(
                request,
                _("เปิดรอบ “%(name)s” ใหม่แล้ว ผลที่บันทึกไว้เดิมยังเก็บอยู่ในประวัติของรอบ")
                % {"name": locked.name},
            )
            return redirect(_round_url(round_))
    return render(
        request,
        "reporting/round_reopen.html",
        {"round": round_, "indicator_set": round_.indicator_set, "form": form},
        status=status,
    )


# --- one indicator in a round -----------------------------------------------------------------


def _indicator_of(round_, indicator_pk):
    return get_object_or_404(
        services.reporting_indicators(round_.indicator_set)
        .select_related("indicator_set", "parent")
        .prefetch_related("owners"),
        pk=indicator_pk,
    )


@permissions.can_view_rounds.required
def round_indicator(request, pk, indicator_pk):
    """The indicator in the round: what the round reported (its snapshot) beside the figure
    recomputed today as of the round's date, the changes to its records since the round was
    closed (who, when, why, each opening its record), and the narrative."""
    round_ = get_object_or_404(_rounds(), pk=pk)
    indicator = _indicator_of(round_, indicator_pk)
    snapshot = _current_snapshot(round_) if round_.is_closed else None
    reported = None
    if snapshot is not None:
        reported = snapshot_mod.read(snapshot).by_indicator(indicator.pk)
    result = evaluation.evaluate(round_.indicator_set, round_.as_of)
    today = result.by_code(indicator.code)
    changes = None
    if snapshot is not None:
        changes = corrections.since_closing(
            indicator.computation,
            round_.indicator_set.fiscal_year,
            round_.as_of,
            snapshot.closed_at,
        )
    narrative = (
        Narrative.objects.filter(round=round_, indicator=indicator)
        .select_related("created_by", "updated_by", "submitted_by")
        .prefetch_related("evidence__deliverable")
        .first()
    )
    return render(
        request,
        "reporting/round_indicator.html",
        {
            "round": round_,
            "indicator_set": round_.indicator_set,
            "indicator": indicator,
            "snapshot": snapshot,
            "reported": reported,
            "today": today,
            "changed": reported is not None and _differs(reported, today),
            "changes": changes,
            "narrative": narrative,
            "can_write": round_.is_open
            and permissions.can_write_narrative(request.user, indicator),
            "narrative_history": history_rows(narrative, limit=20) if narrative else [],
        },
    )


def _differs(reported, today) -> bool:
    def figures(x):
        return (x.numerator, x.denominator, x.level, None if x.score is None else round(x.score, 6))

    return figures(reported) != figures(today)


def _narrative_page(request, round_, indicator, form, narrative, status=200):
    return render(
        request,
        "reporting/narrative_form.html",
        {
            "round": round_,
            "indicator_set": round_.indicator_set,
            "indicator": indicator,
            "form": form,
            "narrative": narrative,
            "history": history_rows(narrative, limit=20) if narrative else [],
        },
        status=status,
    )


@permissions.can_view_rounds.required
def narrative_edit(request, pk, indicator_pk):
    """Write an indicator's narrative for a round: the first save creates it (once per
    submission, ``core.once``), later saves are version-checked (``core.versioned``). "บันทึกร่าง"
    keeps it a draft; "ส่ง" submits it. Only while the round is open."""
    round_ = get_object_or_404(_rounds(), pk=pk)
    indicator = _indicator_of(round_, indicator_pk)
    if not permissions.can_write_narrative(request.user, indicator):
        raise PermissionDenied
    if not round_.is_open:
        return _closed_refusal(request, round_)
    narrative = Narrative.objects.filter(round=round_, indicator=indicator).first()
    if request.method != "POST":
        form = NarrativeForm(instance=narrative, indicator=indicator)
        return _narrative_page(request, round_, indicator, form, narrative)
    submit = "submit" in request.POST
    opened_new = not request.POST.get("version")  # the form was shown before any narrative
    back = reverse("reporting:round-indicator", args=[round_.pk, indicator.pk])
    status = 400
    kwargs = {"indicator": indicator, "submit": submit}
    with transaction.atomic():
        locked_round = Round.objects.select_for_update().get(pk=round_.pk)
        if not locked_round.is_open:
            return _closed_refusal(request, locked_round)
        locked = (
            Narrative.objects.select_for_update().filter(round=round_, indicator=indicator).first()
        )
        form = NarrativeForm(request.POST, instance=None if opened_new else locked, **kwargs)
        if opened_new and locked is not None and form.is_valid():
            if not once.claim(form, request.user):  # this very submission, sent again
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect(back)
            # Someone else wrote the first version while this form was open.
            form = rebind_to_current(NarrativeForm, Narrative, locked.pk, request.POST, **kwargs)
            status = 409
        elif not opened_new and locked is None:
            raise Http404
        elif form.is_valid() and form.is_stale:
            form = rebind_to_current(NarrativeForm, Narrative, locked.pk, request.POST, **kwargs)
            status = 409
        elif form.is_valid():
            if opened_new and not once.claim(form, request.user):
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect(back)
            _save_narrative(form, round_, indicator, request.user, submit, creating=opened_new)
            messages.success(
                request,
                _("ส่งคำบรรยายตัวชี้วัด %(code)s แล้ว") % {"code": indicator.code}
                if submit
                else _("บันทึกร่างคำบรรยายตัวชี้วัด %(code)s แล้ว") % {"code": indicator.code},
            )
            return redirect(back)
    return _narrative_page(request, round_, indicator, form, locked or narrative, status=status)


NARRATIVE_FIELDS = ["result_text", "supporting_factors", "obstacles", "actions"]


def _save_narrative(form, round_, indicator, user, submit: bool, creating: bool) -> Narrative:
    obj = form.instance
    obj.round = round_
    obj.indicator = indicator
    obj.updated_by = user
    fields = [*NARRATIVE_FIELDS, "status", "updated_by", "updated_at"]
    if submit:
        obj.status = NarrativeStatus.SUBMITTED
        obj.submitted_by = user
        obj.submitted_at = timezone.now()
        fields += ["submitted_by", "submitted_at"]
    else:
        obj.status = NarrativeStatus.DRAFT
    if creating:
        obj.created_by = user
        return form.save()
    return form.save_versioned(fields)
