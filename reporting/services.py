"""Rounds: which one is open, closing one (the snapshot), reopening one.

Closing evaluates the set once as of the round's date (``indicators.evaluation.evaluate``) and
writes, in the transaction that marks the round closed, one :class:`Snapshot` and one
:class:`SnapshotIndicator` per indicator. Queries: the round's lock (1), the narratives (2), the
evaluation (its fixed number), the approved evidence (1), each registered per-unit source (its
fixed number), the writes (3): whatever the number of residents or assessments.
"""

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from indicators import evaluation, registry
from indicators.models import (
    TARGET_LABELS,
    Evidence,
    EvidenceStatus,
    Indicator,
    IndicatorKind,
    IndicatorSet,
)
from reporting import units as units_registry
from reporting.models import (
    Narrative,
    NarrativeStatus,
    Round,
    RoundState,
    Snapshot,
    SnapshotIndicator,
)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def reporting_indicators(indicator_set: IndicatorSet):
    """The indicators a round needs a narrative for: every indicator but the groups (a group's
    result is its children's)."""
    return (
        Indicator.objects.filter(indicator_set=indicator_set)
        .exclude(kind=IndicatorKind.GROUP)
        .order_by("sort_order", "code")
    )


# --- which round is open -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenRound:
    round: Round
    today: dt.date
    submitted: int  # narratives submitted
    needed: int  # narratives the round needs

    @property
    def days_left(self) -> int:
        """Days until the due date (0 on the day itself, negative once it has passed)."""
        return (self.round.due_on - self.today).days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def open_round(
    indicator_set: IndicatorSet | None, today: dt.date | None = None
) -> OpenRound | None:
    """The set's round being reported now: of its open rounds, the one with the earliest date
    (the 6-month round before the 12-month one); None when every round is closed or there is
    none. Three queries."""
    if indicator_set is None:
        return None
    today = today or timezone.localdate()
    current = Round.objects.open().filter(indicator_set=indicator_set).order_by("as_of").first()
    if current is None:
        return None
    needed = reporting_indicators(indicator_set).count()
    submitted = Narrative.objects.filter(
        round=current,
        status=NarrativeStatus.SUBMITTED,
        indicator__in=reporting_indicators(indicator_set),
    ).count()
    return OpenRound(current, today, submitted, needed)


def missing_narratives(round_: Round) -> list[Indicator]:
    """The indicators of the round's set without a submitted narrative (two queries)."""
    submitted = set(
        Narrative.objects.filter(round=round_, status=NarrativeStatus.SUBMITTED).values_list(
            "indicator_id", flat=True
        )
    )
    return [i for i in reporting_indicators(round_.indicator_set) if i.pk not in submitted]


# --- closing ----------------------------------------------------------------------------------


class RoundNotOpen(Exception):
    """The round was closed already (by someone else, or a second click)."""

    def __init__(self, round_: Round):
        self.round = round_


class NarrativesMissing(Exception):
    def __init__(self, indicators: list[Indicator]):
        self.indicators = indicators

    @property
    def message(self) -> str:
        names = ", ".join(f"{i.code} {i.short_name or i.name}" for i in self.indicators)
        return str(_("ยังปิดรอบไม่ได้ ตัวชี้วัดต่อไปนี้ยังไม่ได้ส่งคำบรรยาย: %(names)s")) % {"names": names}


def close_round(round_pk: int, user) -> Snapshot:
    """Close the round and freeze its snapshot, in one transaction. Raises ``RoundNotOpen``
    (closed meanwhile: of two people closing at once the second waits, then gets this) or
    ``NarrativesMissing``."""
    started = time.perf_counter()
    with transaction.atomic():
        round_ = (
            Round.objects.select_for_update(of=("self",))
            .select_related("indicator_set")
            .get(pk=round_pk)
        )
        if not round_.is_open:
            raise RoundNotOpen(round_)
        missing = missing_narratives(round_)
        if missing:
            raise NarrativesMissing(missing)
        now = timezone.now()
        previous = round_.snapshots.order_by("-number").values_list("number", flat=True).first()
        with translation.override(settings.LANGUAGE_CODE):  # the snapshot keeps the Thai texts
            result = evaluation.evaluate(round_.indicator_set, round_.as_of)
            rows = _rows(round_, result)
        snapshot = Snapshot.objects.create(
            round=round_,
            number=(previous or 0) + 1,
            fiscal_year=round_.indicator_set.fiscal_year,
            agency_name=round_.indicator_set.agency_name,
            round_name=round_.name,
            as_of=round_.as_of,
            due_on=round_.due_on,
            scoring_rule=round_.indicator_set.scoring_rule,
            points=[str(p) for p in round_.indicator_set.points],
            total=result.total,
            total_level=result.total_level,
            closed_by=user,
            closed_by_name=person(user),
            closed_at=now,
        )
        for row in rows:
            row.snapshot = snapshot
        SnapshotIndicator.objects.bulk_create(rows)
        round_.state = RoundState.CLOSED
        round_.closed_by = user
        round_.closed_at = now
        round_.version += 1
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("ปิดรอบ (บันทึกผลครั้งที่ %(number)s)") % {"number": snapshot.number}
        round_._change_reason = str(reason)  # type: ignore[attr-defined]
        round_._history_user = user  # type: ignore[attr-defined]
        round_.save()
        snapshot.elapsed_ms = int((time.perf_counter() - started) * 1000)
        snapshot.save(update_fields=["elapsed_ms"])
    return snapshot


def reopen_round(round_: Round, user, reason: str) -> Round:
    """Reopen a closed round (the caller holds its lock): its current snapshot is superseded
    (kept, with who, when and why), the round's history keeps the reason."""
    now = timezone.now()
    Snapshot.objects.filter(round=round_, superseded_at__isnull=True).update(
        superseded_at=now, superseded_by=user, superseded_reason=reason[:100]
    )
    round_.state = RoundState.OPEN
    round_.closed_by = None
    round_.closed_at = None
    round_.version += 1
    round_._change_reason = reason[:100]  # type: ignore[attr-defined]
    round_._history_user = user  # type: ignore[attr-defined]
    round_.save()
    return round_


def _text(value) -> str:
    return "" if value is None else str(value)


def _dec(value) -> str | None:
    return None if value is None else str(Decimal(value))


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def targets_used(res) -> list:
    """The targets the evaluation scored the indicator with: those in force at the round's date
    (``indicators.targets.in_force``)."""
    return list(res.targets)


def _targets(res, points) -> list[dict]:
    ind = res.indicator
    used = targets_used(res)
    notes = res.target_notes  # in force at the round's date (a revision may change the texts)
    original_notes = (ind.target_min_note, ind.target_std_note, ind.target_max_note)
    rows = []
    for i, label in enumerate(TARGET_LABELS):
        value = used[i] if i < len(used) else None
        value = getattr(value, "value", value)  # a revision object, or the figure itself
        original = ind.targets[i]
        rows.append(
            {
                "level": i + 1,
                "label": str(label),
                "points": str(points[i]),
                "value": _dec(value),
                "original": _dec(original),
                "revised": _dec(value) != _dec(original) or notes[i] != original_notes[i],
                "note": notes[i],
                "original_note": original_notes[i],
            }
        )
    return rows


def _deliverables(res) -> list[dict]:
    rows = []
    for status in res.deliverables:
        d = status.deliverable
        fact = status.fact
        rows.append(
            {
                "id": d.pk,
                "level": d.level,
                "level_label": str(TARGET_LABELS[d.level - 1]),
                "title": d.title,
                "computed_key": d.computed_key,
                "threshold": status.threshold,  # in force at the round's date
                "approved_evidence": status.approved_evidence,
                "met": status.met,
                "fact": None
                if fact is None
                else {"met": fact.met, "figure": str(fact.figure), "url": fact.url},
            }
        )
    return rows


def _evidence_line(ev: Evidence, levels: dict[int, tuple[int, str]]) -> dict:
    level, deliverable = levels.get(ev.deliverable_id, (None, ""))
    return {
        "id": ev.pk,
        "deliverable_id": ev.deliverable_id,
        "level": level,
        "level_label": str(TARGET_LABELS[level - 1]) if level else "",
        "deliverable": deliverable,
        "title": ev.title,
        "url": ev.url,
        "file_name": ev.file_name,
        "created_by": person(ev.created_by),
        "submitted_by": person(ev.submitted_by) if ev.submitted_at else "",
        "submitted_at": _iso(ev.submitted_at),
        "reviewed_by": person(ev.reviewed_by),
        "reviewed_at": _iso(ev.reviewed_at),
        "review_comment": ev.review_comment,
    }


def _narrative(narrative: Narrative | None) -> dict | None:
    if narrative is None:
        return None
    return {
        "id": narrative.pk,
        "status": narrative.status,
        "result_text": narrative.result_text,
        "supporting_factors": narrative.supporting_factors,
        "obstacles": narrative.obstacles,
        "actions": narrative.actions,
        "evidence": [
            {"id": ev.pk, "title": ev.title}
            for ev in sorted(narrative.evidence.all(), key=lambda e: e.pk)
        ],
        "written_by": person(narrative.created_by),
        "updated_by": person(narrative.updated_by),
        "updated_at": _iso(narrative.updated_at),
        "submitted_by": person(narrative.submitted_by),
        "submitted_at": _iso(narrative.submitted_at),
        "version": narrative.version,
    }


def _units(result, indicator_set) -> dict[str, dict]:
    """{computation key: {"label", "items": [...]}} from the registered per-unit sources."""
    found: dict[str, dict] = {}
    with registry.shared_results():
        for res in result.flat():
            key = res.indicator.computation
            source = units_registry.get(key)
            if source is None or key in found:
                continue
            items = source.func(indicator_set.fiscal_year, result.as_of)
            found[key] = {
                "label": str(source.label),
                "items": [
                    {
                        "label": str(u.label),
                        "numerator": _dec(u.numerator),
                        "denominator": _dec(u.denominator),
                        "value": _dec(u.value),
                        "figure": str(u.figure),
                    }
                    for u in items
                ],
            }
    return found


def _rows(round_: Round, result) -> list[SnapshotIndicator]:
    indicator_set = round_.indicator_set
    points = indicator_set.points
    flat = result.flat()
    narratives = {
        n.indicator_id: n
        for n in Narrative.objects.filter(round=round_)
        .select_related("created_by", "updated_by", "submitted_by")
        .prefetch_related("evidence")
    }
    levels = {
        s.deliverable.pk: (s.deliverable.level, s.deliverable.title)
        for res in flat
        for s in res.deliverables
    }
    evidence: dict[int, list[dict]] = {}
    for ev in (
        Evidence.objects.filter(
            deliverable__indicator__indicator_set=indicator_set, status=EvidenceStatus.APPROVED
        )
        .select_related("deliverable", "created_by", "submitted_by", "reviewed_by")
        .order_by("deliverable__level", "deliverable__sort_order", "created_at", "pk")
    ):
        evidence.setdefault(ev.deliverable.indicator_id, []).append(_evidence_line(ev, levels))
    per_unit = _units(result, indicator_set)
    codes = {res.indicator.pk: res.code for res in flat}
    rows = []
    for position, res in enumerate(flat, start=1):
        ind = res.indicator
        rows.append(
            SnapshotIndicator(
                indicator=ind,
                position=position,
                code=ind.code,
                name=ind.name,
                short_name=ind.short_name,
                kind=ind.kind,
                parent_code=codes.get(ind.parent_id, "") if ind.parent_id else "",
                weight=ind.weight,
                unit=ind.unit,
                computation=ind.computation,
                source=res.source or "",
                numerator=res.numerator,
                denominator=res.denominator,
                value=res.value,
                level=res.level,
                score=res.score,
                weighted_score=res.weighted_score,
                detail_url=res.detail_url or "",
                targets=_targets(res, points) if ind.kind != IndicatorKind.GROUP else [],
                breakdown=[
                    {"label": str(item.label), "count": item.count, "url": item.url}
                    for item in res.breakdown
                ],
                units=per_unit.get(ind.computation, {}),
                deliverables=_deliverables(res),
                evidence=evidence.get(ind.pk, []),
                narrative=_narrative(narratives.get(ind.pk)),
            )
        )
    return rows
