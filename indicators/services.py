"""Changes to indicator sets that touch several rows at once."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from indicators import targets
from indicators.models import Baseline, Deliverable, Indicator, IndicatorSet

_SKIP = {"id", "indicator_set", "parent", "owners"}


@transaction.atomic
def copy_set(source: IndicatorSet, fiscal_year: int) -> IndicatorSet:
    """A new year's set: the same indicators, weights, targets, texts, deliverables, owners and
    baselines; no evidence, no results and no target revisions, which belong to the year they
    were recorded in (the copy starts from the indicators' own targets, not the revised ones)."""
    new_set = IndicatorSet.objects.create(
        agency_code=source.agency_code,
        agency_name=source.agency_name,
        fiscal_year=fiscal_year,
        title=source.title.replace(str(source.fiscal_year), str(fiscal_year)),
        scoring_rule=source.scoring_rule,
        points_min=source.points_min,
        points_std=source.points_std,
        points_max=source.points_max,
        source_note=_("คัดลอกจากชุดปีงบประมาณ %(fiscal_year)s") % {"fiscal_year": source.fiscal_year},
    )
    old_to_new: dict[int, Indicator] = {}
    indicators = list(
        source.indicators.order_by("parent_id", "sort_order").prefetch_related("owners")
    )
    # Parents first, so each child finds its new parent.
    for ind in sorted(indicators, key=lambda i: (i.parent_id is not None, i.sort_order)):
        data = {
            f.name: getattr(ind, f.name)
            for f in Indicator._meta.concrete_fields
            if f.name not in _SKIP
        }
        copy = Indicator.objects.create(
            indicator_set=new_set, parent=old_to_new.get(ind.parent_id), **data
        )
        copy.owners.set(ind.owners.all())
        old_to_new[ind.id] = copy
    Deliverable.objects.bulk_create(
        Deliverable(
            indicator=old_to_new[d.indicator_id],
            level=d.level,
            sort_order=d.sort_order,
            title=d.title,
            computed_key=d.computed_key,
            threshold=d.threshold,
        )
        for d in Deliverable.objects.filter(indicator__indicator_set=source)
    )
    Baseline.objects.bulk_create(
        Baseline(
            indicator=old_to_new[b.indicator_id],
            fiscal_year=b.fiscal_year,
            numerator=b.numerator,
            denominator=b.denominator,
            value=b.value,
            breakdown=b.breakdown,
            note=b.note,
        )
        for b in Baseline.objects.filter(indicator__indicator_set=source)
    )
    return new_set


def threshold_for(computed_key: str, fiscal_year: int, as_of: dt.date | None = None) -> int | None:
    """The figure a computed deliverable is met at (``Deliverable.threshold``) in the set of
    ``fiscal_year``, else in the latest earlier set that has one (a year without its own set);
    None if no set says. The set's revisions in force at ``as_of`` apply (``TargetRevision``:
    KPI 3.2's 3,500 revised to the months the system is open); without ``as_of``, inside an
    evaluation the evaluation's date (answered from what it loaded, no query), elsewhere today.
    One query."""
    return targets.threshold_in_force(computed_key, fiscal_year, as_of)
