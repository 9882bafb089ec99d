"""KPI 1.1 and 1.2 against a plain-Python count of SPEC §3 (an oracle that shares nothing with the
SQL): random residents and assessments, as-of dates before, within and after the data, and D
exactly on the latest assessment, the day before and the day after (the SQLite query's gate on
MAX(last_on) open and closed). Totals, per facility, the 1.1-only pass and every drill-down."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import transaction

from core.thaidate import fiscal_year_bounds
from shelters import kpi
from shelters.models import (
    GROUP_A_MIN,
    GROUP_C_MAX,
    RETURNED_REASONS,
    Assessment,
    Resident,
)

REASONS = ["family", "employment", "transfer", "death", "absconded", "other"]


def grp(p):
    return "A" if p >= GROUP_A_MIN else "B" if p > GROUP_C_MAX else "C"


def brute(people, year, D):
    start, end = fiscal_year_bounds(year)
    end_d = min(D, end)
    rows, present = [], set()
    for r, fac, dis, reason, ass in people:
        past = sorted((d, p) for d, p in ass.items() if d <= end_d)
        if len(past) < 2:
            continue
        present.add(fac)
        (l_on, l_p), (_, p_p) = past[-1], past[-2]
        lg, pg = grp(l_p), grp(p_p)
        liy = l_on >= start
        diy = dis is not None and start <= dis <= end_d
        riy = diy and reason in RETURNED_REASONS
        rows.append((r, fac, lg, pg, liy, diy, riy))

    def conds(lg, pg, liy, diy, riy):
        imp = lg == "A" or (lg == "B" and pg == "C")
        p12 = lg == "A" and (liy or diy)
        return {
            kpi.IMPROVED: {
                "population": liy,
                "AA": liy and lg == "A" and pg == "A",
                "BA": liy and lg == "A" and pg == "B",
                "CA": liy and lg == "A" and pg == "C",
                "CB": liy and lg == "B" and pg == "C",
                "improved": liy and imp,
                "not_improved": liy and not imp,
            },
            kpi.RETURNED: {
                "population": p12,
                "returned": p12 and riy,
                "not_returned": p12 and not riy,
            },
        }

    ids = {k: {c: set() for c in kpi.CONDITIONS[k]} for k in kpi.CONDITIONS}
    per_fac = {k: {f: dict.fromkeys(kpi.CONDITIONS[k], 0) for f in present} for k in kpi.CONDITIONS}
    for r, fac, *vals in rows:
        for k, cs in conds(*vals).items():
            for c, ok in cs.items():
                if ok:
                    ids[k][c].add(r)
                    per_fac[k][fac][c] += 1
    tot = {k: {c: len(ids[k][c]) for c in kpi.CONDITIONS[k]} for k in kpi.CONDITIONS}
    return tot, per_fac, ids


def check(people, dates):
    for year, D in dates:
        tot, per_fac, ids = brute(people, year, D)
        assert kpi._both_totals(year, D) == tot, (year, D)
        assert kpi.counts_per_facility_all(year, D) == per_fac, (year, D)
        for k in kpi.CONDITIONS:
            assert kpi.counts_per_facility(k, year, D) == per_fac[k]
            for c in kpi.CONDITIONS[k]:
                got = set(
                    Resident.objects.filter(pk__in=kpi.resident_ids(k, c, year, D)).values_list(
                        "pk", flat=True
                    )
                )
                assert got == ids[k][c], (year, D, k, c)
        only11 = kpi._aggregate([kpi.IMPROVED], year, D, by_facility=False)
        assert next(iter(only11.values()))[kpi.IMPROVED] == tot[kpi.IMPROVED], (year, D)


DAY0 = dt.date(2018, 1, 1)


def person(n: int, fac, dis, reason: str, ass: dict) -> tuple:
    """Resident ``n`` of ``fac`` (discharged on ``dis`` for ``reason``) with the assessments
    ``ass`` ({date: percent}), as ``brute`` takes them."""
    r = Resident.objects.create(
        facility=fac,
        case_number=f"R{n}",
        full_name=f"x{n}",
        target_group="destitute",
        admitted_on=dt.date(2017, 1, 1),
        discharged_on=dis,
        discharge_reason=reason,
    )
    Assessment.objects.bulk_create(
        Assessment(resident=r, assessed_on=d, percent=p) for d, p in ass.items()
    )
    return (r.pk, fac.pk, dis, reason, ass)


@pytest.mark.parametrize("seed", range(8))
def test_the_counts_equal_a_plain_python_count(seed, facility, other_facility, fourteen_facilities):
    rng = random.Random(seed)
    facs = [facility, other_facility, fourteen_facilities[0]]
    span = rng.choice([200, 600, 1400])
    people = []
    with transaction.atomic():
        # empty tables first
        check([], [(2563, dt.date(2020, 9, 30)), (2562, dt.date(2019, 3, 1))])
        for n in range(rng.randint(1, 40)):
            fac = rng.choice(facs)
            dis = DAY0 + dt.timedelta(days=rng.randint(0, span)) if rng.random() < 0.4 else None
            reason = rng.choice(REASONS) if dis else ""
            ass = {}
            for _ in range(rng.choice([0, 1, 2, 2, 3, 4, 7])):
                d = DAY0 + dt.timedelta(days=rng.randint(0, span))
                ass[d] = Decimal(rng.choice(["10", "40", "40.01", "60", "79.99", "80", "100"]))
            people.append(person(n, fac, dis, reason, ass))
        alld = [d for *_, ass in people for d in ass]
        mx = max(alld) if alld else DAY0
        dates = [
            (2561, dt.date(2018, 3, 1)),
            (2561, dt.date(2018, 9, 30)),
            (2562, dt.date(2019, 2, 14)),
            (2562, dt.date(2019, 9, 30)),
            (2563, dt.date(2020, 5, 5)),
            (2564, dt.date(2021, 9, 30)),
            (2566, dt.date(2023, 1, 1)),
        ]
        # D exactly the max, one day before, one after
        for D in (mx, mx - dt.timedelta(days=1), mx + dt.timedelta(days=1)):
            y = D.year + 543 + (1 if D.month >= 10 else 0)
            dates.append((y, D))
        check(people, dates)
        transaction.set_rollback(True)


@pytest.mark.parametrize("seed", range(6))
def test_assessments_and_discharges_on_the_years_bounds_and_on_d(
    seed, facility, other_facility, fourteen_facilities
):
    """Every date on a boundary the rules compare with: the year's first day, D, and the days
    either side of each (an off-by-one in a flag's comparison, or its dates given in the wrong
    order, changes some count here; a review's mutants of ``>=``/``<=`` went unseen by the
    random dates above)."""
    rng = random.Random(1000 + seed)
    start, _end = fiscal_year_bounds(2563)
    as_of = [dt.date(2020, 3, 31), dt.date(2020, 9, 30), start]
    one = dt.timedelta(days=1)
    days = sorted({d + k * one for d in (start, *as_of) for k in (-1, 0, 1)})
    earlier = [start - dt.timedelta(days=n) for n in (40, 200, 400)]
    facs = [facility, other_facility, fourteen_facilities[0]]
    people = []
    with transaction.atomic():
        for n in range(rng.randint(25, 45)):
            fac = rng.choice(facs)
            dis = rng.choice(days) if rng.random() < 0.6 else None
            reason = rng.choice(REASONS) if dis else ""
            picks = rng.sample(days + earlier, rng.choice([1, 2, 2, 3, 4]))
            ass = {
                d: Decimal(rng.choice(["10", "40", "40.01", "79.99", "80", "100"])) for d in picks
            }
            people.append(person(n, fac, dis, reason, ass))
        check(people, [(2563, D) for D in sorted({*as_of, *(d + one for d in as_of)})])
        transaction.set_rollback(True)
