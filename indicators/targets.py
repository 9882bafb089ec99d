"""The targets in force at a date: an indicator's own targets (and its computed deliverables'
thresholds) with the revisions recorded for it applied in order (``TargetRevision``).

``in_force(indicator_set or indicators, as_of)`` is the one function that answers it; the
evaluation scores with it (``indicators.evaluation.evaluate``), so a revision in force from a
date after a round's date does not rescore that round and one from before it does. A revision
applies within its own set only (a copied year starts from the indicators' own targets).

KPI 3.2's calculator (``opening_threshold``): the document revises the level-100 figure to
10 % of FY2562's monthly average of subsidy recipients (138,144 people, 11,512 a month) × the
months the system is open, from its opening month to September 2563 (3,500 is about three
months). The figure is rounded half-up to a whole person (nothing in the document or SPEC says
otherwise): opening in August 2563 → 2 months → 2,302.4 → 2,302.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.numbers import half_up, two_text
from core.thaidate import fiscal_year_bounds
from indicators import registry
from indicators.models import Deliverable, Indicator, IndicatorSet, TargetRevision

Targets = tuple[Decimal | None, Decimal | None, Decimal | None]


@dataclass(frozen=True)
class InForce:
    """An indicator's targets in force at a date, and the revisions that made them so."""

    indicator: Indicator
    as_of: dt.date
    targets: Targets
    notes: tuple[str, str, str]
    # Deliverable pk → the figure it is met at (only deliverables that have one).
    thresholds: dict[int, int] = field(default_factory=dict)
    revisions: tuple[TargetRevision, ...] = ()  # in force at as_of, in the order they apply

    @property
    def original_targets(self) -> Targets:
        return self.indicator.targets

    @property
    def is_revised(self) -> bool:
        return bool(self.revisions)

    def levels(self) -> list[dict]:
        """Per level: its name, the figure and the text in force (for the pages)."""
        from indicators.models import TARGET_LABELS

        return [
            {"label": label, "target": self.targets[i], "note": self.notes[i]}
            for i, label in enumerate(TARGET_LABELS)
        ]

    def revised_levels(self) -> tuple[bool, bool, bool]:
        """Per level, whether its target (figure or text) differs from the indicator's own."""
        own_notes = (
            self.indicator.target_min_note,
            self.indicator.target_std_note,
            self.indicator.target_max_note,
        )
        revised = [
            self.targets[i] != self.original_targets[i] or self.notes[i] != own_notes[i]
            for i in range(3)
        ]
        return (revised[0], revised[1], revised[2])


def apply(
    indicator: Indicator,
    as_of: dt.date,
    deliverables: Iterable[Deliverable] = (),
    revisions: Iterable[TargetRevision] = (),
) -> InForce:
    """The targets in force from the indicator's own, its deliverables' thresholds and its
    revisions (any order; withdrawn ones and those not yet in force at ``as_of`` are left out).
    No query."""
    targets = list(indicator.targets)
    notes = [indicator.target_min_note, indicator.target_std_note, indicator.target_max_note]
    thresholds = {d.pk: d.threshold for d in deliverables if d.threshold is not None}
    applied = []
    for rev in sorted(revisions, key=lambda r: (r.effective_from, r.pk)):
        if rev.indicator_id != indicator.pk or rev.is_withdrawn or rev.effective_from > as_of:
            continue
        for i, (value, note) in enumerate(zip(rev.targets, rev.notes, strict=True)):
            if value is not None:
                targets[i] = value
            if note:
                notes[i] = note
        if rev.deliverable_id is not None and rev.threshold is not None:
            thresholds[rev.deliverable_id] = rev.threshold
        applied.append(rev)
    return InForce(
        indicator,
        as_of,
        (targets[0], targets[1], targets[2]),
        (notes[0], notes[1], notes[2]),
        thresholds,
        tuple(applied),
    )


def in_force(
    source: IndicatorSet | Iterable[Indicator],
    as_of: dt.date,
    *,
    deliverables: Iterable[Deliverable] | None = None,
) -> dict[int, InForce]:
    """Indicator pk → its targets in force at ``as_of``, for a set's indicators or the given
    ones. One query for the revisions, plus one for the indicators (given a set) and one for
    the deliverables (unless given)."""
    if isinstance(source, IndicatorSet):
        indicators = list(Indicator.objects.filter(indicator_set=source))
    else:
        indicators = list(source)
    ids = [i.pk for i in indicators]
    if deliverables is None:
        deliverables = Deliverable.objects.filter(indicator_id__in=ids, threshold__isnull=False)
    by_indicator: dict[int, list[Deliverable]] = {}
    for d in deliverables:
        by_indicator.setdefault(d.indicator_id, []).append(d)
    revisions: dict[int, list[TargetRevision]] = {}
    for rev in TargetRevision.objects.filter(indicator_id__in=ids).in_force(as_of):
        revisions.setdefault(rev.indicator_id, []).append(rev)
    return {
        i.pk: apply(i, as_of, by_indicator.get(i.pk, ()), revisions.get(i.pk, ()))
        for i in indicators
    }


# --- thresholds of computed deliverables (indicators.services.threshold_for) --------------------


def _seed_key(computed_key: str, fiscal_year: int, as_of: dt.date | None) -> tuple:
    return ("indicators.threshold", computed_key, fiscal_year, as_of)


def share_thresholds(fiscal_year: int, as_of: dt.date, figures: dict[str, int]) -> None:
    """Inside an evaluation (``registry.shared_results``): the thresholds in force that the
    evaluation has loaded, so that a computation asking ``threshold_for(key, year)`` (no date:
    the evaluation's) or ``threshold_for(key, year, as_of)`` gets them without a query."""
    for key, figure in figures.items():
        for date in (as_of, None):
            registry.shared(_seed_key(key, fiscal_year, date), lambda figure=figure: figure)


def threshold_in_force(computed_key: str, fiscal_year: int, as_of: dt.date | None = None):
    """See ``indicators.services.threshold_for``."""
    shared = registry.shared(_seed_key(computed_key, fiscal_year, as_of), lambda: None)
    if shared is not None:
        return shared
    day = as_of or timezone.localdate()
    revised = (
        TargetRevision.objects.standing()
        .filter(
            deliverable=OuterRef("pk"),
            threshold__isnull=False,
            effective_from__lte=day,
            # A revision applies within its own set's year only.
            indicator__indicator_set__fiscal_year=fiscal_year,
        )
        .order_by("-effective_from", "-pk")
        .values("threshold")[:1]
    )
    return (
        Deliverable.objects.filter(
            computed_key=computed_key,
            threshold__isnull=False,
            indicator__indicator_set__fiscal_year__lte=fiscal_year,
        )
        .annotate(in_force=Coalesce(Subquery(revised), F("threshold")))
        .order_by("-indicator__indicator_set__fiscal_year")
        .values_list("in_force", flat=True)
        .first()
    )


# --- KPI 3.2's calculator ----------------------------------------------------------------------

# The document's figures (FY2562: 138,144 people received subsidies, 11,512 a month; the target
# is 10 % of the monthly average for each month the system is open).
MONTHLY_AVERAGE = 11512
SHARE_PERCENT = Decimal(10)


@dataclass(frozen=True)
class OpeningThreshold:
    opened_on: dt.date
    months: int
    monthly_average: int
    share_percent: Decimal
    exact: Decimal  # 2,302.4
    figure: int  # rounded half-up to a whole person: 2,302


def months_open(opened_on: dt.date, fiscal_year_be: int) -> int:
    """The months from the opening month to September of the fiscal year, both counted (August
    2563 → 2, July → 3, October 2562 → 12). An opening outside the year is a ValueError."""
    start, end = fiscal_year_bounds(fiscal_year_be)
    if not (start <= opened_on <= end):
        raise ValueError(f"{opened_on} is outside fiscal year {fiscal_year_be}")
    return (end.year - opened_on.year) * 12 + end.month - opened_on.month + 1


def opening_threshold(
    opened_on: dt.date,
    fiscal_year_be: int,
    monthly_average: int = MONTHLY_AVERAGE,
    share_percent: Decimal = SHARE_PERCENT,
) -> OpeningThreshold:
    """KPI 3.2's revised level-100 figure for a system opened in ``opened_on``'s month:
    ``share_percent`` % of ``monthly_average`` × the months open, rounded half-up to a whole
    person."""
    months = months_open(opened_on, fiscal_year_be)
    exact = Decimal(monthly_average) * Decimal(share_percent) / 100 * months
    return OpeningThreshold(
        opened_on.replace(day=1),
        months,
        monthly_average,
        Decimal(share_percent),
        exact,
        int(half_up(exact, 0)),
    )


# --- what the pages show of the revisions ------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class RevisionRow:
    """A revision as the pages list it: what it changed (from the figures in force just before
    it, to its own), and whether it is in force at the page's date."""

    revision: TargetRevision
    changes: tuple[Change, ...]
    in_force: bool  # standing and in force from a date on or before as_of
    pending: bool  # standing, in force only from a date after as_of

    @property
    def withdrawn(self) -> bool:
        return self.revision.is_withdrawn


def _figure(value) -> str:
    return "–" if value is None else two_text(value)


def revision_rows(revisions: Iterable[TargetRevision], as_of: dt.date) -> list[RevisionRow]:
    """Rows for ``revisions`` (with their indicators and deliverables loaded), in the order they
    apply per indicator. A withdrawn revision is listed with what it would have changed. No
    query."""
    from indicators.models import TARGET_LABELS

    state: dict[int, dict] = {}
    rows = []
    for rev in sorted(revisions, key=lambda r: (r.indicator_id, r.effective_from, r.pk)):
        ind = rev.indicator
        now = state.setdefault(
            ind.pk,
            {
                "targets": list(ind.targets),
                "notes": [ind.target_min_note, ind.target_std_note, ind.target_max_note],
                "thresholds": {},
            },
        )
        changes = []
        for i, label in enumerate(TARGET_LABELS):
            if rev.targets[i] is not None:
                changes.append(
                    Change(str(label), _figure(now["targets"][i]), _figure(rev.targets[i]))
                )
        if rev.deliverable is not None and rev.threshold is not None:
            before = now["thresholds"].get(rev.deliverable_id, rev.deliverable.threshold)
            level_label = TARGET_LABELS[rev.deliverable.level - 1]
            changes.append(
                Change(
                    str(_("เกณฑ์ (%(level)s)") % {"level": level_label}),
                    "–" if before is None else f"{before:,}",
                    f"{rev.threshold:,}",
                )
            )
        for i, label in enumerate(TARGET_LABELS):
            if rev.notes[i]:
                changes.append(
                    Change(
                        str(_("คำอธิบาย%(level)s") % {"level": label}),
                        now["notes"][i],
                        rev.notes[i],
                    )
                )
        if not rev.is_withdrawn:
            for i in range(3):
                if rev.targets[i] is not None:
                    now["targets"][i] = rev.targets[i]
                if rev.notes[i]:
                    now["notes"][i] = rev.notes[i]
            if rev.deliverable_id is not None and rev.threshold is not None:
                now["thresholds"][rev.deliverable_id] = rev.threshold
        standing = not rev.is_withdrawn
        rows.append(
            RevisionRow(
                rev,
                tuple(changes),
                in_force=standing and rev.effective_from <= as_of,
                pending=standing and rev.effective_from > as_of,
            )
        )
    return rows
