"""The managers' dashboard as plain data: one card per indicator (result against its targets,
score, weighted score, trend, what is missing, what it takes, breakdown links) built from
``indicators.evaluation`` results. No domain app is imported: computations are reached through
the registry and their records through the urls they provide.

Queries: the selected year's evaluation, one evaluation per earlier year the system holds (each a
fixed number whatever the data), the baselines (1) and the computations' detail urls.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.numbers import half_up
from core.thaidate import default_as_of
from indicators import evaluation, registry
from indicators.evaluation import IndicatorResult, SetResult
from indicators.models import LEVEL_NAMES, TARGET_LABELS, Baseline, IndicatorKind, IndicatorSet
from indicators.registry import Label
from reports import whatittakes

# The level a result reached, named short: 0 is below the minimum target, 1–3 the levels whose
# targets are named by indicators.models.Level (TARGET_LABELS), the levels reached by LEVEL_NAMES.
# How a computation is spoken of (its detail page's dimension, its numerator's verb) comes with
# its registration (indicators.registry.register): nothing here is keyed by computation.


def two(value) -> float | None:
    return None if value is None else float(half_up(value))


@dataclass
class Missing:
    text: Label
    url: str = ""


@dataclass
class TrendPoint:
    year: int
    value: Decimal | None
    text: Label
    source: str  # "baseline" (the document) or "system"
    current: bool = False


@dataclass
class Card:
    res: IndicatorResult
    detail_url: str  # the indicator's page (evidence, definition)
    missing: list[Missing] = field(default_factory=list)
    ratio_steps: list[whatittakes.RatioStep] = field(default_factory=list)
    verb: Label = _("นับในตัวตั้ง")
    next_level: int | None = None
    next_deliverables: list = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    breakdown_url: str = ""
    breakdown_label: Label = ""
    facts: list = field(default_factory=list)
    chart: dict = field(default_factory=dict)

    @property
    def code(self) -> str:
        return self.res.code

    @property
    def next_level_label(self) -> Label:
        return LEVEL_NAMES.get(self.next_level, "") if self.next_level is not None else ""


@dataclass
class Dashboard:
    result: SetResult
    groups: list[dict]
    cards: list[Card]
    charts: dict

    @property
    def below_name(self) -> Label:
        """The bullet charts' range below the minimum target."""
        return LEVEL_NAMES[0]

    @property
    def level_points(self) -> list[tuple[Label, Decimal]]:
        """Each level's name and its points in this set (the total's legend)."""
        points = self.result.indicator_set.points
        return [(LEVEL_NAMES[level], p) for level, p in enumerate(points, start=1)]

    @property
    def missing_count(self) -> int:
        return sum(len(c.missing) for c in self.cards)


def build(indicator_set: IndicatorSet, as_of: dt.date, sets: list[IndicatorSet]) -> Dashboard:
    result = evaluation.evaluate(indicator_set, as_of)
    earlier = [
        evaluation.evaluate(s, default_as_of(s.fiscal_year))
        for s in sorted(sets, key=lambda s: s.fiscal_year)
        if s.fiscal_year < indicator_set.fiscal_year and s.agency_code == indicator_set.agency_code
    ]
    baselines: dict[int, list[Baseline]] = {}
    for b in Baseline.objects.filter(indicator__indicator_set=indicator_set).order_by(
        "fiscal_year"
    ):
        baselines.setdefault(b.indicator_id, []).append(b)
    period = f"?year={indicator_set.fiscal_year}&as_of={as_of.isoformat()}"

    cards: dict[str, Card] = {}
    groups = []
    for root in result.roots:
        members = [root] if not root.children else root.children
        group_cards = []
        for res in members:
            card = _card(res, indicator_set, as_of, period, baselines.get(res.indicator.id, []))
            card.trend = _trend(res, baselines.get(res.indicator.id, []), earlier, result)
            card.chart = _chart(res, card.trend, indicator_set)
            cards[res.code] = card
            group_cards.append(card)
        groups.append({"res": root, "cards": group_cards, "is_group": bool(root.children)})
    return Dashboard(
        result=result,
        groups=groups,
        cards=list(cards.values()),
        charts={code: card.chart for code, card in cards.items()},
    )


def _card(res: IndicatorResult, indicator_set, as_of, period, baselines) -> Card:
    ind = res.indicator
    card = Card(res=res, detail_url=reverse("indicators:indicator-detail", args=[ind.pk]) + period)
    comp = registry.get(ind.computation)
    if comp is not None and comp.detail_url:
        card.breakdown_url = res.detail_url or comp.detail_url(indicator_set.fiscal_year, as_of)
        card.breakdown_label = comp.detail_label or _("รายละเอียดจากระบบ")
    if ind.kind == IndicatorKind.RATIO:
        card.verb = (comp.numerator_verb if comp else "") or _("นับในตัวตั้ง")
        if res.value is None:
            card.missing.append(Missing(_("ยังไม่มีผลการดำเนินงาน"), card.detail_url))
        elif res.level == 0:
            card.missing.append(
                Missing(
                    _("ผลร้อยละ %(value)s ต่ำกว่าเป้าหมายขั้นต่ำ (ร้อยละ %(target_min)s)")
                    % {"value": format(res.value, ".2f"), "target_min": res.targets[0]},
                    card.breakdown_url or card.detail_url,
                )
            )
        card.ratio_steps = whatittakes.ratio_steps(
            res.numerator, res.denominator, res.targets, res.level, TARGET_LABELS
        )
    elif ind.kind == IndicatorKind.MILESTONE:
        for status in res.deliverables:
            fact = status.fact
            if fact is not None:
                card.facts.append(status)
            if status.met:
                continue
            level = TARGET_LABELS[status.deliverable.level - 1]
            if fact is not None and fact.met is False:
                text = _("%(level)s: ตัวเลขจากระบบยังไม่ถึงเป้าหมาย (%(figure)s) — %(title)s") % {
                    "level": level,
                    "figure": fact.figure,
                    "title": status.deliverable.title,
                }
                card.missing.append(Missing(text, fact.url or card.detail_url))
            else:
                text = _("%(level)s: ยังไม่มีหลักฐานที่ได้รับอนุมัติ — %(title)s") % {
                    "level": level,
                    "title": status.deliverable.title,
                }
                card.missing.append(Missing(text, card.detail_url))
        card.next_level, card.next_deliverables = whatittakes.next_level_deliverables(
            res.deliverables, res.level
        )
    return card


def _trend(res, baselines, earlier: list[SetResult], current: SetResult) -> list[TrendPoint]:
    """Baselines from the document (2561, 2562, …), then the results of the years the system
    holds (the same indicator code in each earlier year's set), then this year."""
    points: dict[int, TrendPoint] = {}
    for b in baselines:
        value = b.value
        if value is None and b.numerator is not None and b.denominator:
            value = Decimal(b.numerator * 100) / Decimal(b.denominator)
        text = (b.note or _("ไม่มีผล")) if value is None else f"{value:.2f}"
        if b.numerator is not None and b.denominator:
            text += f" ({b.numerator:,} / {b.denominator:,})"
        points[b.fiscal_year] = TrendPoint(b.fiscal_year, value, text, "baseline")
    for year_result in [*earlier, current]:
        year = year_result.indicator_set.fiscal_year
        try:
            other = year_result.by_code(res.code)
        except StopIteration:
            continue
        if other.kind == IndicatorKind.RATIO:
            if other.value is None:
                if year in points:  # keep the document's figure when the system has none
                    continue
                text, value = _("ยังไม่มีผล"), None
            else:
                value = other.value
                text = f"{value:.2f} ({other.numerator:,} / {other.denominator:,})"
        else:
            value = other.score
            text = (
                _("ผ่านระดับ %(level)s") % {"level": other.level}
                if other.level
                else _("ยังไม่ผ่านระดับใด")
            )
        points[year] = TrendPoint(year, value, text, "system", current=year_result is current)
    return [points[y] for y in sorted(points)]


def _axis(values: list[float]) -> tuple[float, float]:
    lo, hi = min(values), max(values)
    spread = max(hi - lo, 1.0)
    return max(0.0, math.floor(lo - spread * 0.6)), math.ceil(hi + spread * 0.25)


def _chart(res: IndicatorResult, trend: list[TrendPoint], indicator_set) -> dict:
    ind = res.indicator
    set_targets = [t for t in res.targets if t is not None]
    unit: Label
    if ind.kind == IndicatorKind.RATIO and len(set_targets) == len(res.targets):
        targets = [float(half_up(t)) for t in set_targets]
        value = two(res.value)
        known = [*targets, *(v for v in [value] if v is not None)]
        lo, hi = _axis(known)
        unit = _("ร้อยละ")
    else:
        targets = [float(half_up(p)) for p in indicator_set.points]
        value = two(res.score) if res.score is not None else None
        lo, hi, unit = 0.0, targets[-1], _("คะแนน")
    return {
        "code": ind.code,
        "kind": ind.kind,
        "unit": unit,
        "value": value,
        "targets": targets,
        "targetLabels": list(TARGET_LABELS),
        "min": lo,
        "max": hi,
        "trend": {
            "labels": [str(p.year) for p in trend],
            "values": [two(p.value) for p in trend],
            "sources": [p.source for p in trend],
            "targetMin": targets[0] if ind.kind == IndicatorKind.RATIO else None,
        },
    }
