"""Records that reproduce the document's published FY2561 and FY2562 figures of KPI 1.1 and 1.2.

``build(first_fy)`` makes year ``first_fy`` show the FY2561 figures and ``first_fy + 1`` the
FY2562 figures (first_fy=2562 puts the FY2562 figures in FY2563, to score them against FY2563's
targets). Every resident belongs to one group below; dates keep the groups apart:

- a year's own groups are assessed twice in that year (10 Jan, 10 Mar) and discharged, if at
  all, in that year (1 Jun), so they count in no other year;
- the 1.2 "extras" were last assessed A in the year before ``first_fy`` and discharged in the
  year they count for (1 Feb): group A counted through the discharge, not the assessment;
- not-improved residents include every non-improving transition and the group boundaries
  (40.00 is C, 40.01 B, 79.99 B, 80.00 A); some are discharged home, which does not count in
  1.2 (their latest group is not A);
- residents with a single assessment, discharged home, count nowhere.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from shelters.models import Assessment, Resident

# Published figures (ข้อมูลพื้นฐาน of indicators 1.1 and 1.2).
FY2561 = {"AA": 243, "BA": 69, "CA": 1, "CB": 110, "population": 4506, "improved": 423}
FY2562 = {"AA": 255, "BA": 139, "CA": 0, "CB": 128, "population": 4870, "improved": 522}
FY2561_RETURNED = {"population": 506, "returned": 347}
FY2562_RETURNED = {"population": 576, "returned": 403}

# prev → last percents; the boundaries are used on purpose.
TRANSITIONS = {
    "AA": [(85, 90), (80, 80), (100, 95)],
    "BA": [(60, 85), (79.99, 80), (40.01, 100)],
    "CA": [(30, 85), (40, 80)],
    "CB": [(20, 50), (40, 40.01), (10, 79.99)],
    "not_improved": [
        (90, 60),  # A→B
        (85, 30),  # A→C
        (80, 79.99),  # A→B at the boundary
        (50, 60),  # B→B
        (40.01, 79.99),  # B→B at both boundaries
        (60, 40),  # B→C at the boundary
        (20, 30),  # C→C
        (10, 40),  # C→C at the boundary
    ],
}
RETURNED_REASONS = ["family", "employment"]
OTHER_REASONS = ["transfer", "death", "absconded", "other"]


@dataclass
class Plan:
    """How one published year is made: its transitions and its 1.2 discharges."""

    counts: dict
    returned_from_year: int  # residents last assessed A in the year, discharged home in it
    other_discharged_from_year: int  # … discharged in the year for another reason
    extras_returned: int  # last assessed A the year before first_fy, discharged home in the year
    extras_other: int
    not_improved_home: int  # not improved, discharged home in the year (counts nowhere)


PLANS = [
    # FY2561: A-latest 313 + extras 193 = 506; returned 177 + 170 = 347.
    Plan(FY2561, 177, 20, 170, 23, 40),
    # FY2562: A-latest 394 + extras 182 = 576; returned 253 + 150 = 403.
    Plan(FY2562, 253, 25, 150, 32, 35),
]


def build(first_fy: int, facilities) -> None:
    """All the records, with bulk_create (two inserts per table)."""
    base = first_fy - 543  # CE year in which FY first_fy ends
    residents: list[Resident] = []
    assessments: list[list[tuple[dt.date, Decimal]]] = []
    seq = 0

    def add(pairs, discharged_on=None, reason=""):
        nonlocal seq
        facility = facilities[seq % len(facilities)]
        seq += 1
        residents.append(
            Resident(
                facility=facility,
                case_number=f"P{seq:06d}",
                full_name=f"ผู้รับบริการ {seq}",
                target_group=("destitute", "beggar", "psychiatric")[seq % 3],
                admitted_on=dt.date(base - 2, 1, 1),
                discharged_on=discharged_on,
                discharge_reason=reason,
            )
        )
        assessments.append([(day, Decimal(str(pct))) for day, pct in pairs])

    for offset, plan in enumerate(PLANS):
        year_end = base + offset  # CE year in which this fiscal year ends
        prev_on, last_on = dt.date(year_end, 1, 10), dt.date(year_end, 3, 10)
        home_on, extra_home_on = dt.date(year_end, 6, 1), dt.date(year_end, 2, 1)
        a_latest = 0
        for category in ("AA", "BA", "CA", "CB"):
            for i in range(plan.counts[category]):
                prev, last = TRANSITIONS[category][i % len(TRANSITIONS[category])]
                discharge = (None, "")
                if last >= 80:
                    if a_latest < plan.returned_from_year:
                        discharge = (home_on, RETURNED_REASONS[a_latest % 2])
                    elif a_latest < plan.returned_from_year + plan.other_discharged_from_year:
                        discharge = (home_on, OTHER_REASONS[a_latest % 4])
                    a_latest += 1
                add([(prev_on, prev), (last_on, last)], *discharge)
        not_improved = plan.counts["population"] - plan.counts["improved"]
        for i in range(not_improved):
            prev, last = TRANSITIONS["not_improved"][i % len(TRANSITIONS["not_improved"])]
            discharge = (home_on, "family") if i < plan.not_improved_home else (None, "")
            add([(prev_on, prev), (last_on, last)], *discharge)
        # Last assessed A (twice) in the year before first_fy; discharged in this year.
        early = [(dt.date(base - 1, 3, 1), 85), (dt.date(base - 1, 6, 1), 90)]
        for i in range(plan.extras_returned):
            add(early, extra_home_on, RETURNED_REASONS[i % 2])
        for i in range(plan.extras_other):
            add(early, extra_home_on, OTHER_REASONS[i % 4])
        # A single assessment never counts, whatever happens next.
        for _ in range(30):
            add([(last_on, 90)], home_on, "family")

    Resident.objects.bulk_create(residents, batch_size=2000)
    Assessment.objects.bulk_create(
        (
            Assessment(resident=resident, assessed_on=day, percent=pct)
            for resident, pairs in zip(residents, assessments, strict=True)
            for day, pct in pairs
        ),
        batch_size=2000,
    )


def year_end(fiscal_year_be: int) -> dt.date:
    return dt.date(fiscal_year_be - 543, 9, 30)
