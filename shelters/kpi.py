"""KPI 1.1 and 1.2 (SPEC §3), computed in the database.

Both rest on one pair per resident: their latest assessment on or before the as-of date D and
the one before it; a resident without a second one is left out. Every count, its per-facility
breakdown and the list of residents behind it come from the same conditions on that pair
(:data:`CONDITIONS`), so a drill-down always lists exactly the residents counted.

The pairs come from ``ResidentLatest`` (``shelters/latest.py``): each resident's latest
assessment and the one before it, kept exact by database triggers whatever writes the
assessments. Where the stored latest lies on or before D (every resident, for the current year),
the stored pair is the pair as of D; only residents assessed after D (an as-of date in the past)
need theirs from the assessment index, two probes each. Only residents who can count in the year
are read (latest in the year, or discharged in it), so the cost follows the year's activity, not
the archive. One query per indicator pair, whatever the number of residents; plain SQL on SQLite
and PostgreSQL but for the probes (LATERAL on PostgreSQL). docs/shelters.md has the figures.
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
    GROUP_CODES,
    Assessment,
    Facility,
    Resident,
    ResidentLatest,
)

IMPROVED = "improved"
RETURNED = "returned"

# Conditions compare the groups as small integers (GROUP_CODES), never text.
_A, _B, _C = GROUP_CODES["A"], GROUP_CODES["B"], GROUP_CODES["C"]


def _group_sql(column: str) -> str:
    """The group code of a percent (the stored ``last_group``'s rule, for probed percents)."""
    return (
        f"CASE WHEN {column} >= {int(GROUP_A_MIN)} THEN {_A} "
        f"WHEN {column} > {int(GROUP_C_MAX)} THEN {_B} ELSE {_C} END"
    )


_POP_11 = "last_in_year = 1"
_IMPROVED = f"(last_group = {_A} OR (last_group = {_B} AND prev_group = {_C}))"
_POP_12 = f"last_group = {_A} AND (last_in_year = 1 OR discharged_in_year = 1)"

# (kpi, category) → the condition on a ranked row; categories in display order.
CONDITIONS: dict[str, dict[str, str]] = {
    IMPROVED: {
        "population": _POP_11,
        "AA": f"{_POP_11} AND last_group = {_A} AND prev_group = {_A}",
        "BA": f"{_POP_11} AND last_group = {_A} AND prev_group = {_B}",
        "CA": f"{_POP_11} AND last_group = {_A} AND prev_group = {_C}",
        "CB": f"{_POP_11} AND last_group = {_B} AND prev_group = {_C}",
        "improved": f"{_POP_11} AND {_IMPROVED}",
        "not_improved": f"{_POP_11} AND NOT {_IMPROVED}",
    },
    RETURNED: {
        "population": _POP_12,
        "returned": f"{_POP_12} AND returned_in_year = 1",
        "not_returned": f"{_POP_12} AND returned_in_year = 0",
    },
}

# The columns of a ranked row the conditions read, with how many values each takes: a row's
# combination is one small integer (:func:`_keyed`), so the counting groups one integer per row and
# the conditions run once per combination, not once per resident.
_KEY_COLUMNS = (
    ("last_group", 4),
    ("prev_group", 4),
    ("last_in_year", 2),
    ("discharged_in_year", 2),
    ("returned_in_year", 2),
)


def _key_parts() -> list[tuple[str, int, int]]:
    parts, weight = [], 1
    for name, size in reversed(_KEY_COLUMNS):
        parts.append((name, weight, size))
        weight *= size
    return parts[::-1]


_DECODE = ", ".join(f"(k / {weight}) %% {size} AS {name}" for name, weight, size in _key_parts())

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


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _as_of_probe(column: str, offset: int) -> str:
    """The resident ``l``'s ``offset``-th newest assessment on or before D (one parameter), one
    probe of the (resident, assessed_on DESC, percent) index."""
    return (
        f"(SELECT a.{column} FROM {_q(Assessment)} a WHERE a.resident_id = l.resident_id"
        f" AND a.assessed_on <= %s ORDER BY a.assessed_on DESC"
        f" LIMIT 1{f' OFFSET {offset}' if offset else ''})"
    )


def _pairs(start: dt.date, as_of: dt.date, residents: bool) -> tuple[str, list]:
    """Per resident who can count as of D: the latest assessment on or before D (its date and
    group), the group of the one before it (only residents who have both), and the resident's
    facility and discharge (date, and whether its reason counts as returned).

    Where the stored latest lies on or before D, the stored pair *is* the pair as of D. Residents
    assessed after D need theirs from the assessments. Who can count: latest in the year or,
    with ``residents`` (KPI 1.2), discharged in the year up to D.
    """
    latest = _q(ResidentLatest)

    def in_year(last_on: str, prefix: str = "") -> tuple[str, list]:
        if not residents:
            return f"{last_on} >= %s", [start]
        discharged = f"{prefix}discharged_on"
        return (
            f"({last_on} >= %s OR ({discharged} >= %s AND {discharged} <= %s))",
            [start, start, as_of],
        )

    # SQLite: "+" keeps it from reading most of the table through an index, row by row (a
    # scan in table order was 4x faster there, the year being most of the table).
    plus = "" if connection.vendor == "postgresql" else "+"
    year_sql, year_params = in_year(f"{plus}last_on", plus)
    # Every branch gives the same column types (a UNION ALL PostgreSQL can push conditions into).
    stored = f"""
        SELECT resident_id, facility_id, last_on, last_group, prev_group,
               discharged_on, returned
        FROM {latest}
        WHERE {plus}last_on <= %s AND prev_on IS NOT NULL AND {year_sql}"""
    params = [as_of, *year_params]
    a = _q(Assessment)

    def group(column: str) -> str:
        return f"CAST({_group_sql(column)} AS smallint)"

    def before(day: str, column: str = "percent") -> str:
        return (
            f"(SELECT a.{column} FROM {a} a WHERE a.resident_id = l.resident_id"
            f" AND a.assessed_on < {day} ORDER BY a.assessed_on DESC LIMIT 1)"
        )

    # SQLite scans the table for each branch after D (see the "+" above), also when nothing
    # lies after D (the current year: 10 ms a branch at 100,000 residents). A one-row gate on
    # the index's MAX(last_on), as the outer loop (CROSS JOIN fixes the order there), skips the
    # scan then; PostgreSQL reads those rows through the index anyway.
    after_d, gate = f"{latest} l", []
    if connection.vendor != "postgresql":
        after_d = (
            f"(SELECT 1 AS one WHERE (SELECT MAX(last_on) FROM {latest}) > %s) gate"
            f" CROSS JOIN {latest} l"
        )
        gate = [as_of]
    # Assessed after D, the stored previous one on or before D: it is the latest as of D, and
    # only the one before it needs a probe.
    year_sql, year_params = in_year("last_on")
    one_probe = f"""
        SELECT resident_id, facility_id, last_on, {group("last_percent")},
               {group("prev_percent")}, discharged_on, returned
        FROM (
            SELECT l.resident_id AS resident_id, l.facility_id AS facility_id,
                   l.discharged_on AS discharged_on, l.returned AS returned,
                   l.prev_on AS last_on, l.prev_percent AS last_percent,
                   {before("l.prev_on")} AS prev_percent
            FROM {after_d}
            WHERE {plus}l.last_on > %s AND l.prev_on <= %s
            {"OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1 OFFSET 0"}
        ) past
        WHERE prev_percent IS NOT NULL AND {year_sql}"""
    params += [*gate, as_of, as_of, *year_params]
    # Both stored ones after D (the index on last_on finds them): two probes. (OFFSET 0 keeps the subquery from being flattened,
    # which would probe again for every use of a probed column.)
    if connection.vendor == "postgresql":
        year_sql, year_params = in_year("a1.assessed_on", "l.")
        two_probes = f"""
        SELECT l.resident_id, l.facility_id, a1.assessed_on, {group("a1.percent")},
               {group("a2.percent")}, l.discharged_on, l.returned
        FROM {latest} l
        CROSS JOIN LATERAL (
            SELECT a.assessed_on, a.percent FROM {a} a
            WHERE a.resident_id = l.resident_id AND a.assessed_on <= %s
            ORDER BY a.assessed_on DESC LIMIT 1
        ) a1
        CROSS JOIN LATERAL (
            SELECT a.percent FROM {a} a
            WHERE a.resident_id = l.resident_id AND a.assessed_on < a1.assessed_on
            ORDER BY a.assessed_on DESC LIMIT 1
        ) a2
        WHERE l.last_on > %s AND l.prev_on > %s AND {year_sql}"""
        params += [as_of, as_of, as_of, *year_params]
    else:
        year_sql, year_params = in_year("last_on")
        two_probes = f"""
        SELECT resident_id, facility_id, last_on, {group("last_percent")},
               {group("prev_percent")}, discharged_on, returned
        FROM (
            SELECT l.resident_id AS resident_id, l.facility_id AS facility_id,
                   l.discharged_on AS discharged_on, l.returned AS returned,
                   {_as_of_probe("assessed_on", 0)} AS last_on,
                   {_as_of_probe("percent", 0)} AS last_percent,
                   {_as_of_probe("percent", 1)} AS prev_percent
            FROM {after_d}
            WHERE +l.last_on > %s AND l.prev_on > %s
            LIMIT -1 OFFSET 0
        ) past
        WHERE prev_percent IS NOT NULL AND {year_sql}"""
        params += [as_of, as_of, as_of, *gate, as_of, as_of, *year_params]
    return f"{stored}\n        UNION ALL{one_probe}\n        UNION ALL{two_probes}", params


def _flags(start: dt.date, as_of: dt.date) -> list[tuple[str, str, list, list]]:
    """The flags of a ranked row computed from its pair, as (name, condition, parameters,
    the flags inside it: the same shape): the latest lies in the year; the resident was
    discharged in the year up to D, and inside that, for a reason that counts as returned.
    One home for :func:`_ranked`'s columns and :func:`_keyed`'s key."""
    return [
        ("last_in_year", "last_on >= %s", [start], []),
        (
            "discharged_in_year",
            "discharged_on >= %s AND discharged_on <= %s",
            [start, as_of],
            [("returned_in_year", "returned = 1", [], [])],
        ),
    ]


def _flag_columns(flags, outer: str = "", outer_params=()) -> tuple[list[str], list]:
    """Each flag (and the flags inside it) as a 0/1 column of its name."""
    columns, params = [], []
    for name, cond, cond_params, inner in flags:
        full, full_params = f"{outer}{cond}", [*outer_params, *cond_params]
        columns.append(f"CASE WHEN {full} THEN 1 ELSE 0 END AS {name}")
        params += full_params
        more, more_params = _flag_columns(inner, f"{full} AND ", full_params)
        columns += more
        params += more_params
    return columns, params


def _flag_key(flags, weights: dict[str, int]) -> tuple[list[str], list]:
    """Each flag's weight (:data:`_KEY_COLUMNS`) where it holds, as terms of the key: a flag
    inside another is tested only where the outer one holds."""
    terms, params = [], []
    for name, cond, cond_params, inner in flags:
        inner_terms, inner_params = _flag_key(inner, weights)
        then = " + ".join([str(weights[name]), *inner_terms])
        terms.append(f"CASE WHEN {cond} THEN {then} ELSE 0 END")
        params += [*cond_params, *inner_params]
    return terms, params


def _ranked(start: dt.date, as_of: dt.date, residents: bool = True) -> tuple[str, list]:
    """One row per resident who has ≥ 2 assessments on or before ``as_of`` and can count in the
    year (:func:`_pairs`): the latest one's group, the one before it's group (GROUP_CODES),
    whether the latest lies in the year, the facility and whether the resident was discharged,
    or returned, in the year up to D. KPI 1.1 alone (``residents=False``) leaves out those who
    count only by their discharge."""
    pairs, params = _pairs(start, as_of, residents)
    columns, flag_params = _flag_columns(_flags(start, as_of))
    sql = f"""
        SELECT resident_id, facility_id, last_group, prev_group, {", ".join(columns)}
        FROM ({pairs}) p"""
    return sql, [*flag_params, *params]


def _keyed(start: dt.date, as_of: dt.date, residents: bool, by_facility: bool):
    """:func:`_ranked`'s rows as their combination of the columns the conditions read (one
    integer, ``k``: the weights of :data:`_KEY_COLUMNS`), with the facility when
    ``by_facility``: computed straight from the pair, without the ranked row's columns (on
    SQLite the columns and then the key cost 47 ms against 35 ms at 100,000 residents)."""
    pairs, params = _pairs(start, as_of, residents)
    weights = {name: weight for name, weight, _size in _key_parts()}
    terms, flag_params = _flag_key(_flags(start, as_of), weights)
    key = " + ".join([f"{name} * {weights[name]}" for name in ("last_group", "prev_group")] + terms)
    unit = "facility_id AS unit, " if by_facility else ""
    sql = f"""
        SELECT {unit}{key} AS k
        FROM ({pairs}) p"""
    return sql, [*flag_params, *params]


def _counted_facilities(as_of: dt.date) -> tuple[str, list]:
    """Facilities with a resident who has ≥ 2 assessments on or before D: those the window over
    every assessment listed (with zeros where nobody counts in the year). One probe each,
    stopping at the first such resident."""
    f, latest = _q(Facility), _q(ResidentLatest)
    sql = f"""
        SELECT f.id FROM {f} f
        WHERE (SELECT 1 FROM {latest} l
               WHERE l.facility_id = f.id AND l.prev_on IS NOT NULL
                 AND (l.last_on <= %s OR {_as_of_probe("percent", 1)} IS NOT NULL)
               LIMIT 1) IS NOT NULL"""
    return sql, [as_of, as_of]


def _aggregate(kpis, fiscal_year_be: int, as_of: dt.date, by_facility: bool) -> dict:
    """{facility_id (or None for all): {kpi: {category: count}}} in one query.

    The ranked rows are first counted per combination of the columns the conditions read (one
    integer, :func:`_keyed`); each condition then sums those few counts."""
    start, end_d = period(fiscal_year_be, as_of)
    keyed, params = _keyed(start, end_d, by_facility or RETURNED in kpis, by_facility)
    columns = [(k, name, cond) for k in kpis for name, cond in CONDITIONS[k].items()]
    sums = ", ".join(
        f"SUM(CASE WHEN {cond} THEN n ELSE 0 END) AS c_{i}"
        for i, (_, _, cond) in enumerate(columns)
    )
    if connection.vendor != "postgresql":
        # A co-routine on SQLite (LIMIT -1 OFFSET 0 keeps it from being flattened): flattened,
        # every use of a column re-evaluated its CASE (and the UNION's), and the counting took
        # 142 ms against 78 ms at 100,000 residents.
        keyed = f"{keyed} LIMIT -1 OFFSET 0"
    # The totals group by the key alone: a constant unit in the GROUP BY cost SQLite's sort
    # 18 ms (65 against 47 ms).
    unit, by = ("unit", "unit, k") if by_facility else ("NULL", "k")
    sql = f"""
        WITH keyed AS ({keyed}),
        combinations AS (SELECT {by}, COUNT(*) AS n FROM keyed GROUP BY {by}),
        decoded AS (SELECT {unit} AS unit, n, {_DECODE} FROM combinations)
        SELECT unit, {sums} FROM decoded GROUP BY unit"""
    if by_facility:
        present, present_params = _counted_facilities(end_d)
        zeros = ", ".join("0" for _ in columns)
        sql = f"""
            WITH counted AS ({sql})
            SELECT * FROM counted
            UNION ALL
            SELECT id, {zeros} FROM ({present}) present
            WHERE id NOT IN (SELECT unit FROM counted)"""
        params = [*params, *present_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not by_facility and not rows:
        rows = [(None, *(0 for _ in columns))]
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
