"""KPI 1.1 and 1.2 (SPEC §3), computed in the database.

Both rest on one ranking: for every resident, their assessments on or before the as-of date D,
newest first (a window over the assessments). The newest one (rank 1) and the one before it
(``LEAD``) are all that matter; a resident without a second one is left out. Every count, its
per-facility breakdown and the list of residents behind it come from the same conditions
(:data:`CONDITIONS`), so a drill-down always lists exactly the residents counted.

The SQL is plain SQL:2003 (CTE, ROW_NUMBER, LEAD, WINDOW clause) and runs unchanged on SQLite
(≥ 3.28) and PostgreSQL. One query per indicator, whatever the number of residents.
"""

import datetime as dt
from urllib.parse import urlencode

from django.db import connection
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.collation import thai_sorted
from core.thaidate import fiscal_year_bounds
from indicators import registry
from reporting import corrections, units
from shelters.models import (
    GROUP_A_MIN,
    GROUP_C_MAX,
    RETURNED_REASONS,
    Assessment,
    Facility,
    Resident,
)

IMPROVED = "improved"
RETURNED = "returned"


def _group_sql(column: str) -> str:
    return (
        f"CASE WHEN {column} >= {int(GROUP_A_MIN)} THEN 'A' "
        f"WHEN {column} > {int(GROUP_C_MAX)} THEN 'B' ELSE 'C' END"
    )


_POP_11 = "last_in_year = 1"
_IMPROVED = "(last_group = 'A' OR (last_group = 'B' AND prev_group = 'C'))"
_POP_12 = "last_group = 'A' AND (last_in_year = 1 OR discharged_in_year = 1)"

# (kpi, category) → the condition on a ranked row; categories in display order.
CONDITIONS: dict[str, dict[str, str]] = {
    IMPROVED: {
        "population": _POP_11,
        "AA": f"{_POP_11} AND last_group = 'A' AND prev_group = 'A'",
        "BA": f"{_POP_11} AND last_group = 'A' AND prev_group = 'B'",
        "CA": f"{_POP_11} AND last_group = 'A' AND prev_group = 'C'",
        "CB": f"{_POP_11} AND last_group = 'B' AND prev_group = 'C'",
        "improved": f"{_POP_11} AND {_IMPROVED}",
        "not_improved": f"{_POP_11} AND NOT {_IMPROVED}",
    },
    RETURNED: {
        "population": _POP_12,
        "returned": f"{_POP_12} AND returned_in_year = 1",
        "not_returned": f"{_POP_12} AND returned_in_year = 0",
    },
}

CATEGORY_LABELS: dict[tuple[str, str], registry.Label] = {
    (IMPROVED, "population"): _("ผู้ได้รับการประเมิน (ตัวหาร)"),
    (IMPROVED, "AA"): "A→A",
    (IMPROVED, "BA"): "B→A",
    (IMPROVED, "CA"): "C→A",
    (IMPROVED, "CB"): "C→B",
    (IMPROVED, "improved"): _("มีสมรรถภาพดีขึ้น (ตัวตั้ง)"),
    (IMPROVED, "not_improved"): _("ไม่ดีขึ้น"),
    (RETURNED, "population"): _("กลุ่ม A (ตัวหาร)"),
    (RETURNED, "returned"): _("กลับคืนสู่สังคม (ตัวตั้ง)"),
    (RETURNED, "not_returned"): _("ยังไม่กลับคืนสู่สังคม"),
}
KPI_LABELS = {
    IMPROVED: _("1.1 ร้อยละของกลุ่มเป้าหมายที่ได้รับการพัฒนาศักยภาพและมีสมรรถภาพที่ดีขึ้น"),
    RETURNED: _("1.2 ร้อยละของกลุ่มเป้าหมายที่ได้รับการพัฒนาศักยภาพและสามารถกลับคืนสู่สังคม"),
}
BREAKDOWN = {
    IMPROVED: ("AA", "BA", "CA", "CB", "not_improved"),
    RETURNED: ("population", "returned"),
}
NUMERATOR = {IMPROVED: "improved", RETURNED: "returned"}


def period(fiscal_year_be: int, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The year's first day and D: the as-of date, never past the year's end."""
    start, end = fiscal_year_bounds(fiscal_year_be)
    return start, min(as_of, end)


def _ranked(start: dt.date, as_of: dt.date, residents: bool = True) -> tuple[str, list]:
    """One row per resident who has ≥ 2 assessments on or before ``as_of``: the latest one's
    group, the one before it's group, whether the latest lies in the year, and (``residents``)
    the facility and whether the resident was discharged, or returned, in the year up to D.

    The window reads the (resident, assessed_on DESC, percent) index only, in its order, and
    stops at rank 1 per resident. Pre-selecting residents with an assessment or a discharge in
    the year was measured slower: in a busy year that is nearly everybody, and finding them costs
    a heap scan (docs/shelters.md). KPI 1.1's totals need no resident columns, so they skip the
    join.
    """
    a = connection.ops.quote_name(Assessment._meta.db_table)
    r = connection.ops.quote_name(Resident._meta.db_table)
    reasons = ", ".join(f"'{reason}'" for reason in RETURNED_REASONS)
    window = f"""(
            SELECT resident_id, assessed_on, percent,
                   ROW_NUMBER() OVER w AS rn,
                   LEAD(percent) OVER w AS prev_percent
            FROM {a}
            WHERE assessed_on <= %s
            WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)
        ) x"""
    columns = f"""x.resident_id AS resident_id,
               {_group_sql("x.percent")} AS last_group,
               {_group_sql("x.prev_percent")} AS prev_group,
               CASE WHEN x.assessed_on >= %s THEN 1 ELSE 0 END AS last_in_year"""
    where = "WHERE x.rn = 1 AND x.prev_percent IS NOT NULL"
    if not residents:
        return f"SELECT {columns} FROM {window} {where}", [start, as_of]
    sql = f"""
        SELECT {columns}, r.facility_id AS facility_id,
               CASE WHEN r.discharged_on >= %s AND r.discharged_on <= %s
                    THEN 1 ELSE 0 END AS discharged_in_year,
               CASE WHEN r.discharged_on >= %s AND r.discharged_on <= %s
                         AND r.discharge_reason IN ({reasons})
                    THEN 1 ELSE 0 END AS returned_in_year
        FROM {window}
        JOIN {r} r ON r.id = x.resident_id
        {where}
    """
    return sql, [start, start, as_of, start, as_of, as_of]


def _aggregate(kpis, fiscal_year_be: int, as_of: dt.date, by_facility: bool) -> dict:
    """{facility_id (or None for all): {kpi: {category: count}}} in one query."""
    start, end_d = period(fiscal_year_be, as_of)
    ranked, params = _ranked(start, end_d, residents=by_facility or RETURNED in kpis)
    columns = [(k, name, cond) for k in kpis for name, cond in CONDITIONS[k].items()]
    sums = ", ".join(
        f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS c_{i}"
        for i, (_, _, cond) in enumerate(columns)
    )
    if by_facility:
        sql = (
            f"WITH ranked AS ({ranked}) SELECT facility_id, {sums} FROM ranked GROUP BY facility_id"
        )
    else:
        sql = f"WITH ranked AS ({ranked}) SELECT NULL, {sums} FROM ranked"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result: dict = {}
    for row in rows:
        counts = result.setdefault(row[0], {k: {} for k in kpis})
        for (k, name, _cond), value in zip(columns, row[1:], strict=True):
            counts[k][name] = int(value or 0)
    return result


def counts_per_facility(kpi: str, fiscal_year_be: int, as_of: dt.date) -> dict[int, dict]:
    """{facility_id: {category: count}} in one query (facilities with nobody are absent)."""
    per_facility = _aggregate([kpi], fiscal_year_be, as_of, by_facility=True)
    return {facility_id: counts[kpi] for facility_id, counts in per_facility.items()}


def counts_per_facility_all(fiscal_year_be: int, as_of: dt.date) -> dict[str, dict[int, dict]]:
    """Both indicators per facility in one query: {kpi: {facility_id: {category: count}}}."""
    per_facility = _aggregate([IMPROVED, RETURNED], fiscal_year_be, as_of, by_facility=True)
    return {
        k: {facility_id: counts[k] for facility_id, counts in per_facility.items()}
        for k in (IMPROVED, RETURNED)
    }


def totals(per_facility: dict[int, dict], kpi: str) -> dict[str, int]:
    return {
        name: sum(counts.get(name, 0) for counts in per_facility.values())
        for name in CONDITIONS[kpi]
    }


def resident_ids(kpi: str, category: str, fiscal_year_be: int, as_of: dt.date) -> RawSQL:
    """The residents behind one count, as a subquery: ``Resident.objects.filter(pk__in=…)``."""
    start, end_d = period(fiscal_year_be, as_of)
    ranked, params = _ranked(start, end_d, residents=kpi == RETURNED)
    cond = CONDITIONS[kpi][category]
    return RawSQL(f"SELECT resident_id FROM ({ranked}) ranked WHERE {cond}", params)


def list_url(kpi: str, category: str, fiscal_year_be: int, as_of: dt.date, facility=None) -> str:
    query = {"kpi": kpi, "cat": category, "year": fiscal_year_be, "as_of": as_of.isoformat()}
    if facility is not None:
        query["facility"] = facility.pk if hasattr(facility, "pk") else facility
    return f"{reverse('shelters:resident-list')}?{urlencode(query)}"


def detail_url(fiscal_year_be: int, as_of: dt.date, kpi: str = IMPROVED) -> str:
    query = urlencode({"year": fiscal_year_be, "as_of": as_of.isoformat()})
    return f"{reverse('shelters:kpi')}?{query}#kpi-{kpi}"


def _both_totals(fiscal_year_be: int, as_of: dt.date) -> dict[str, dict[str, int]]:
    """1.1's and 1.2's totals from one pass over the ranking (shared within an evaluation)."""
    rows = _aggregate([IMPROVED, RETURNED], fiscal_year_be, as_of, by_facility=False)
    return next(iter(rows.values()))


def _result(kpi: str, fiscal_year_be: int, as_of: dt.date) -> registry.RatioResult:
    both = registry.shared(
        ("shelters.totals", fiscal_year_be, as_of), lambda: _both_totals(fiscal_year_be, as_of)
    )
    counts = both[kpi]
    return registry.RatioResult(
        numerator=counts[NUMERATOR[kpi]],
        denominator=counts["population"],
        breakdown=tuple(
            registry.BreakdownItem(
                CATEGORY_LABELS[(kpi, name)],
                counts[name],
                list_url(kpi, name, fiscal_year_be, as_of),
            )
            for name in BREAKDOWN[kpi]
        ),
    )


@registry.register(
    "shelters.improved",
    _("ผลการประเมิน IRP ของผู้รับบริการในสถานคุ้มครอง 14 แห่ง"),
    detail_url=lambda year, as_of: detail_url(year, as_of, IMPROVED),
    detail_label=_("รายหน่วยงาน (14 แห่ง)"),
    numerator_verb=_("มีสมรรถภาพดีขึ้น"),
)
def compute_improved(fiscal_year_be: int, as_of: dt.date) -> registry.RatioResult:
    """KPI 1.1: improved (C→A, C→B, B→A, A→A) × 100 / residents whose latest assessment as of D
    lies in the year and who have an earlier one."""
    return _result(IMPROVED, fiscal_year_be, as_of)


@registry.register(
    "shelters.returned",
    _("ผลการประเมิน IRP และการจำหน่ายผู้รับบริการในสถานคุ้มครอง 14 แห่ง"),
    detail_url=lambda year, as_of: detail_url(year, as_of, RETURNED),
    detail_label=_("รายหน่วยงาน (14 แห่ง)"),
    numerator_verb=_("กลับคืนสู่สังคม"),
)
def compute_returned(fiscal_year_be: int, as_of: dt.date) -> registry.RatioResult:
    """KPI 1.2: of the residents whose latest assessment as of D is group A (with an earlier one)
    and who were assessed or discharged in the year, those discharged in the year to family or
    regular employment."""
    return _result(RETURNED, fiscal_year_be, as_of)


# Reporting rounds (reporting/): which records a closed round's figures came from, by their own
# date (corrections made after closing are listed there), and the per-facility figures it keeps.
def _resident_page(record) -> str:
    return reverse("shelters:resident-detail", args=[record.resident_id])


for _kpi in (IMPROVED, RETURNED):
    corrections.register(
        f"shelters.{_kpi}", Assessment, "assessed_on", _resident_page,
        label=_("ผลการประเมิน IRP"), fields=("assessed_on", "percent"),
    )  # fmt: skip
corrections.register(
    "shelters.returned", Resident, "discharged_on",
    lambda record: reverse("shelters:resident-detail", args=[record.id]),
    label=_("การจำหน่าย"), fields=("discharged_on", "discharge_reason"),
)  # fmt: skip


def _per_facility(kpi: str):
    def per_facility(fiscal_year_be: int, as_of: dt.date) -> list[units.Unit]:
        both = registry.shared(
            ("shelters.per_facility", fiscal_year_be, as_of),
            lambda: counts_per_facility_all(fiscal_year_be, as_of),
        )
        counts = both[kpi]
        names = dict(Facility.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
        return [
            units.Unit(names.get(pk, str(pk)), c[NUMERATOR[kpi]], c["population"])
            for pk, c in thai_sorted(counts.items(), key=lambda item: names.get(item[0], ""))
        ]

    return per_facility


for _kpi in (IMPROVED, RETURNED):
    units.register(f"shelters.{_kpi}", _("รายหน่วยงาน"), _per_facility(_kpi))
