"""Achievement of the 3-year plan (SPEC §4): each target's actual ÷ planned, capped at 100 %,
averaged over the year's targets; also per province (the targets set for that province, and
"ทั้งประเทศ" for targets without one).

Actuals are measured from the records with one grouped aggregate per measure, so a plan is
computed in at most five queries, whatever the number of targets, volunteers or services. The
service measures read the monthly summary (``summary.totals``: whole months from
``ServiceMonthly``, the as-of month's days from ``Service``, one query).
Everything is exact (Fraction); rounding happens only for display.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Case, Count, F, Value, When
from django.utils.translation import gettext

from core.collation import sort_key
from core.numbers import two_text
from core.thaidate import fiscal_year_bounds
from volunteers import summary
from volunteers.models import (
    Measure,
    Plan,
    PlanTarget,
    Status,
    Volunteer,
    VolunteerSpecialty,
)

FULL = Fraction(100)


def percent_text(value: Fraction | None) -> str:
    if value is None:
        return "-"
    return two_text(Decimal(value.numerator) / Decimal(value.denominator))


@dataclass
class TargetResult:
    target: PlanTarget
    actual: int

    @property
    def percent(self) -> Fraction:
        """Capped at 100 %."""
        return Fraction(min(self.actual, self.target.planned) * 100, self.target.planned)

    @property
    def percent_text(self) -> str:
        return percent_text(self.percent)


def average_percent(targets) -> Fraction | None:
    """Average of the capped per-target percents (SPEC §4); None without targets."""
    if not targets:
        return None
    return sum((t.percent for t in targets), Fraction(0)) / len(targets)


@dataclass
class GroupResult:
    label: str
    province_id: int | None
    targets: list[TargetResult]

    @property
    def achievement(self) -> Fraction | None:
        return average_percent(self.targets)

    @property
    def percent_text(self) -> str:
        return percent_text(self.achievement)


@dataclass
class PlanResult:
    plan: Plan | None
    fiscal_year: int
    as_of: dt.date
    targets: list[TargetResult]

    @property
    def achievement(self) -> Fraction | None:
        return average_percent(self.targets)

    @property
    def percent_text(self) -> str:
        return percent_text(self.achievement)

    @property
    def met(self) -> bool:
        return self.achievement is not None and self.achievement >= FULL

    def by_province(self) -> list[GroupResult]:
        groups: dict[int | None, GroupResult] = {}
        for t in self.targets:
            pid = t.target.province_id
            if pid not in groups:
                province = t.target.province
                label = province.name if province is not None else gettext("ทั้งประเทศ")
                groups[pid] = GroupResult(label, pid, [])
            groups[pid].targets.append(t)
        return sorted(groups.values(), key=lambda g: (g.province_id is not None, sort_key(g.label)))


def plan_for_year(fiscal_year: int) -> Plan | None:
    """The plan that covers the year: a real one before demo data, approved before not."""
    return (
        Plan.objects.filter(first_year__lte=fiscal_year, last_year__gte=fiscal_year)
        .order_by("is_demo", F("approved_on").desc(nulls_last=True), "-id")
        .first()
    )


def specialty_links(as_of: dt.date, province=None) -> dict[tuple[int, int, bool], int]:
    """Active volunteers' specialties, one grouped query: ``{(province id, specialty id,
    held since on or before as_of): count}``. The specialists measure reads the ``True`` part;
    the dashboard's "by specialty" (any date) reads both, so it shares this one query."""
    qs = VolunteerSpecialty.objects.filter(volunteer__status=Status.ACTIVE).order_by()
    if province is not None:
        qs = qs.filter(volunteer__province=province)
    within = Case(When(since__lte=as_of, then=Value(True)), default=Value(False))
    return {
        (r["volunteer__province_id"], r["specialty_id"], bool(r["within"])): r["n"]
        for r in qs.annotate(within=within)
        .values("volunteer__province_id", "specialty_id", "within")
        .annotate(n=Count("*"))
    }


def measure_actuals(
    targets, start: dt.date, as_of: dt.date, province=None, links=None
) -> dict[int, int]:
    """Actual per target (by target pk), one grouped query per measure in use. With a
    province, only that province's records are read (its targets only). ``links``: the
    :func:`specialty_links` of the same as-of date and province, if the caller has them."""
    measures = {t.measure for t in targets}
    only = {"province": province} if province is not None else {}
    only_v = {"volunteer__province": province} if province is not None else {}
    trained: dict[int, int] = defaultdict(int)
    spec: dict[tuple[int, int], int] = defaultdict(int)
    spec_any: dict[int, int] = defaultdict(int)
    services: dict[tuple, list[int]] = {}
    if Measure.TRAINED in measures:
        for row in (
            Volunteer.objects.filter(trained_on__gte=start, trained_on__lte=as_of, **only)
            .values("province_id")
            .annotate(n=Count("*"))  # COUNT(*): an index-only scan of vol_trained
            .order_by()
        ):
            trained[row["province_id"]] = row["n"]
    if Measure.SPECIALISTS in measures:
        if links is None:
            links = specialty_links(as_of, province)
        for (pid, sid, within), n in links.items():
            if within:
                spec[(pid, sid)] += n
        active = VolunteerSpecialty.objects.filter(
            since__lte=as_of, volunteer__status=Status.ACTIVE, **only_v
        ).order_by()
        if any(t.measure == Measure.SPECIALISTS and not t.specialty_id for t in targets):
            for row in active.values("volunteer__province_id").annotate(
                n=Count("volunteer_id", distinct=True)
            ):
                spec_any[row["volunteer__province_id"]] = row["n"]
    if measures & {Measure.SERVICES, Measure.PEOPLE_SERVED}:
        # whole months from the monthly summary, the rest of the as-of month from Service
        got = summary.totals(("province_id", "service_type"), start, as_of, province)
        services.update(got)

    def match(pid, t) -> bool:
        return t.province_id is None or pid == t.province_id

    actual: dict[int, int] = {}
    for t in targets:
        if t.measure == Measure.TRAINED:
            value = sum(n for pid, n in trained.items() if match(pid, t))
        elif t.measure == Measure.SPECIALISTS:
            if t.specialty_id:
                value = sum(
                    n for (pid, sid), n in spec.items() if sid == t.specialty_id and match(pid, t)
                )
            else:
                value = sum(n for pid, n in spec_any.items() if match(pid, t))
        else:
            idx = 0 if t.measure == Measure.SERVICES else 1
            value = sum(
                v[idx]
                for (pid, stype), v in services.items()
                if match(pid, t) and (not t.service_type or stype == t.service_type)
            )
        actual[t.pk] = value
    return actual


def compute(
    plan: Plan | None, fiscal_year: int, as_of: dt.date | None = None, province=None, links=None
) -> PlanResult:
    """The plan's achievement in a year; with ``province``, that province's targets only.
    ``links``: :func:`specialty_links` of the same (clamped) as-of date and province."""
    start, end = fiscal_year_bounds(fiscal_year)
    as_of = min(as_of or end, end)
    if plan is None:
        return PlanResult(None, fiscal_year, as_of, [])
    chosen = PlanTarget.objects.filter(plan=plan, fiscal_year=fiscal_year)
    if province is not None:
        chosen = chosen.filter(province=province)
    targets = list(chosen.select_related("province", "specialty"))
    actual = measure_actuals(targets, start, as_of, province, links) if targets else {}
    return PlanResult(plan, fiscal_year, as_of, [TargetResult(t, actual[t.pk]) for t in targets])
