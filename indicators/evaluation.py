"""Evaluating an indicator set for a fiscal year and as-of date: results, levels, scores.

A fixed number of queries whatever the data: the set's indicators (1), deliverables (1),
approved-evidence counts (1), latest manual results (1), the target revisions in force (1), plus
each registered computation's own fixed number (a computed deliverable's threshold in force comes
from what the evaluation loaded: ``indicators.targets.share_thresholds``).

Scores use the targets in force at ``as_of`` (``indicators.targets.in_force``): a revision in
force from a later date does not rescore an earlier date. One memo per evaluation:
``registry.shared_results`` (each computation runs once, and computations share work through it).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from indicators import registry, scoring
from indicators.models import (
    Deliverable,
    Indicator,
    IndicatorKind,
    IndicatorSet,
    ManualResult,
    approved_evidence_counts,
)
from indicators.targets import Targets, in_force, share_thresholds

COMPUTED = "computed"
MANUAL = "manual"
EVIDENCE = "evidence"  # a milestone decided by approved evidence alone


@dataclass
class DeliverableStatus:
    deliverable: Deliverable
    approved_evidence: int
    fact: registry.Fact | None
    threshold: int | None = None  # the figure in force (a revision's, else the deliverable's)

    @property
    def met(self) -> bool:
        if self.fact is not None and self.fact.met is not None:
            return self.fact.met
        return self.approved_evidence > 0


@dataclass
class IndicatorResult:
    indicator: Indicator
    source: str | None = None  # COMPUTED, MANUAL, EVIDENCE or None (no result yet)
    numerator: Decimal | int | None = None
    denominator: Decimal | int | None = None
    value: Decimal | None = None
    breakdown: tuple[registry.BreakdownItem, ...] = ()
    detail_url: str = ""
    level: int | None = None
    score: Decimal | None = None
    weighted_score: Decimal | None = None
    manual: ManualResult | None = None
    deliverables: list[DeliverableStatus] = field(default_factory=list)
    children: list["IndicatorResult"] = field(default_factory=list)
    # The targets scored with: those in force at the evaluation's date, and the revisions that
    # put them in force (none: the indicator's own).
    targets: Targets = (None, None, None)
    target_notes: tuple[str, str, str] = ("", "", "")
    revisions: tuple = ()

    @property
    def original_targets(self) -> Targets:
        return self.indicator.targets

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def kind(self) -> str:
        return self.indicator.kind

    @property
    def depth(self) -> int:
        return 1 if self.indicator.parent_id else 0

    def deliverables_at(self, level: int) -> list[DeliverableStatus]:
        return [d for d in self.deliverables if d.deliverable.level == level]

    @property
    def levels_met(self) -> list[bool]:
        return [
            bool(self.deliverables_at(lv)) and all(d.met for d in self.deliverables_at(lv))
            for lv in (1, 2, 3)
        ]

    def flat(self):
        yield self
        for child in self.children:
            yield from child.flat()


@dataclass
class SetResult:
    indicator_set: IndicatorSet
    as_of: dt.date
    roots: list[IndicatorResult]
    total: Decimal
    total_level: int

    def flat(self) -> list[IndicatorResult]:
        return [r for root in self.roots for r in root.flat()]

    def by_code(self, code: str) -> IndicatorResult:
        return next(r for r in self.flat() if r.code == code)


def evaluate(indicator_set: IndicatorSet, as_of: dt.date) -> SetResult:
    with registry.shared_results():
        return _evaluate(indicator_set, as_of)


def _evaluate(indicator_set: IndicatorSet, as_of: dt.date) -> SetResult:
    indicators = list(Indicator.objects.filter(indicator_set=indicator_set).for_dashboard())
    ids = [i.id for i in indicators]
    deliverables = list(Deliverable.objects.filter(indicator_id__in=ids))
    evidence_counts = approved_evidence_counts([d.id for d in deliverables])
    manual = {m.indicator_id: m for m in ManualResult.objects.latest_per_indicator(ids)}
    forces = in_force(indicators, as_of, deliverables=deliverables)
    share_thresholds(
        indicator_set.fiscal_year,
        as_of,
        {
            d.computed_key: forces[d.indicator_id].thresholds[d.id]
            for d in deliverables
            if d.computed_key and d.id in forces[d.indicator_id].thresholds
        },
    )

    def computed(key: str) -> registry.Result | None:
        comp = registry.get(key)
        if comp is None:
            return None
        fiscal_year = indicator_set.fiscal_year
        return registry.shared(
            ("indicators.computed", key, fiscal_year, as_of),
            lambda: comp.compute(fiscal_year, as_of),
        )

    results = {
        i.id: IndicatorResult(
            indicator=i,
            manual=manual.get(i.id),
            targets=forces[i.id].targets,
            target_notes=forces[i.id].notes,
            revisions=forces[i.id].revisions,
        )
        for i in indicators
    }
    for d in deliverables:
        results[d.indicator_id].deliverables.append(
            DeliverableStatus(
                d, evidence_counts[d.id], None, forces[d.indicator_id].thresholds.get(d.id)
            )
        )

    points = indicator_set.points
    for res in results.values():
        ind = res.indicator
        if ind.kind == IndicatorKind.RATIO:
            _evaluate_ratio(res, computed(ind.computation), indicator_set, as_of, points)
        elif ind.kind == IndicatorKind.MILESTONE:
            facts = computed(ind.computation)
            _evaluate_milestone(res, facts, points)

    roots = []
    for ind in indicators:
        res = results[ind.id]
        if ind.parent_id and ind.parent_id in results:
            results[ind.parent_id].children.append(res)
        else:
            roots.append(res)

    leaves: list[IndicatorResult] = []
    for root in roots:
        _roll_up(root, leaves)
    total = scoring.total_score((leaf.score, leaf.indicator.weight) for leaf in leaves)
    return SetResult(indicator_set, as_of, roots, total, scoring.level_of_score(total, points))


def _evaluate_ratio(res, result, indicator_set, as_of, points) -> None:
    ind = res.indicator
    comp = registry.get(ind.computation)
    # A computation with nobody to count yet (no records) leaves room for a typed result.
    if isinstance(result, registry.RatioResult) and (result.denominator or res.manual is None):
        res.source = COMPUTED
        res.numerator, res.denominator, res.value = (
            result.numerator,
            result.denominator,
            result.value,
        )
        res.breakdown = result.breakdown
        if comp and comp.detail_url:
            res.detail_url = comp.detail_url(indicator_set.fiscal_year, as_of)
    elif res.manual is not None and res.manual.denominator:
        res.source = MANUAL
        res.numerator, res.denominator = res.manual.numerator, res.manual.denominator
        res.value = Decimal(res.manual.numerator) * 100 / Decimal(res.manual.denominator)
    if res.value is not None and all(t is not None for t in res.targets):
        res.level = scoring.ratio_level(res.value, res.targets)
        res.score = scoring.ratio_score(res.value, res.targets, points, indicator_set.scoring_rule)


def _evaluate_milestone(res, facts, points) -> None:
    if isinstance(facts, registry.MilestoneFacts):
        for status in res.deliverables:
            key = status.deliverable.computed_key
            if key and key in facts.facts:
                status.fact = facts.facts[key]
        res.source = COMPUTED
    else:
        res.source = EVIDENCE
    res.level = scoring.milestone_level(res.levels_met)
    res.score = scoring.milestone_score(res.level, points)


def _roll_up(res: IndicatorResult, leaves: list[IndicatorResult]) -> None:
    if not res.children:
        res.weighted_score = scoring.weighted(res.score, res.indicator.weight)
        leaves.append(res)
        return
    for child in res.children:
        _roll_up(child, leaves)
    res.score = scoring.group_score((c.score, c.indicator.weight) for c in res.children)
    # Every child has its weighted score by now (a leaf's is a number, 0 without a score).
    res.weighted_score = sum((c.weighted_score or Decimal(0) for c in res.children), Decimal(0))
