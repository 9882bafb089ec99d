"""KPI 1.1/1.2 read each resident's latest pair from ``ResidentLatest``, kept by database
triggers: every write path keeps it exact, and the figures equal the window over every
assessment (the computation before the summary, kept here as the oracle) on past as-of dates,
corrections, discharges and moves. Runs on SQLite and PostgreSQL (tests/conftest.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from indicators import registry
from shelters import kpi, latest
from shelters.models import (
    GROUP_A_MIN,
    GROUP_C_MAX,
    RETURNED_REASONS,
    Assessment,
    Resident,
    ResidentLatest,
)

FY63_END = dt.date(2020, 9, 30)

# --- the oracle: the window over every assessment on or before D (shelters/kpi.py until the
# summary), with the groups as text ---------------------------------------------------------


def _old_group(column: str) -> str:
    return (
        f"CASE WHEN {column} >= {int(GROUP_A_MIN)} THEN 'A' "
        f"WHEN {column} > {int(GROUP_C_MAX)} THEN 'B' ELSE 'C' END"
    )


_P11 = "last_in_year = 1"
_IMP = "(last_group = 'A' OR (last_group = 'B' AND prev_group = 'C'))"
_P12 = "last_group = 'A' AND (last_in_year = 1 OR discharged_in_year = 1)"
OLD_CONDITIONS = {
    kpi.IMPROVED: {
        "population": _P11,
        "AA": f"{_P11} AND last_group = 'A' AND prev_group = 'A'",
        "BA": f"{_P11} AND last_group = 'A' AND prev_group = 'B'",
        "CA": f"{_P11} AND last_group = 'A' AND prev_group = 'C'",
        "CB": f"{_P11} AND last_group = 'B' AND prev_group = 'C'",
        "improved": f"{_P11} AND {_IMP}",
        "not_improved": f"{_P11} AND NOT {_IMP}",
    },
    kpi.RETURNED: {
        "population": _P12,
        "returned": f"{_P12} AND returned_in_year = 1",
        "not_returned": f"{_P12} AND returned_in_year = 0",
    },
}


def old_ranked(start: dt.date, as_of: dt.date) -> tuple[str, list]:
    reasons = ", ".join(f"'{reason}'" for reason in RETURNED_REASONS)
    sql = f"""
        SELECT x.resident_id AS resident_id,
               {_old_group("x.percent")} AS last_group,
               {_old_group("x.prev_percent")} AS prev_group,
               CASE WHEN x.assessed_on >= %s THEN 1 ELSE 0 END AS last_in_year,
               r.facility_id AS facility_id,
               CASE WHEN r.discharged_on >= %s AND r.discharged_on <= %s
                    THEN 1 ELSE 0 END AS discharged_in_year,
               CASE WHEN r.discharged_on >= %s AND r.discharged_on <= %s
                         AND r.discharge_reason IN ({reasons})
                    THEN 1 ELSE 0 END AS returned_in_year
        FROM (
            SELECT resident_id, assessed_on, percent,
                   ROW_NUMBER() OVER w AS rn,
                   LEAD(percent) OVER w AS prev_percent
            FROM shelters_assessment
            WHERE assessed_on <= %s
            WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)
        ) x
        JOIN shelters_resident r ON r.id = x.resident_id
        WHERE x.rn = 1 AND x.prev_percent IS NOT NULL"""
    return sql, [start, start, as_of, start, as_of, as_of]


def old_per_facility(year: int, as_of: dt.date) -> dict:
    """{kpi: {facility_id: {category: count}}}, as counts_per_facility_all gave it."""
    start, end_d = kpi.period(year, as_of)
    ranked, params = old_ranked(start, end_d)
    columns = [(k, n, c) for k in OLD_CONDITIONS for n, c in OLD_CONDITIONS[k].items()]
    sums = ", ".join(f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for _, _, c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH ranked AS ({ranked}) SELECT facility_id, {sums} FROM ranked "
            "GROUP BY facility_id",
            params,
        )
        rows = cursor.fetchall()
    result: dict = {k: {} for k in OLD_CONDITIONS}
    for row in rows:
        for (k, name, _), value in zip(columns, row[1:], strict=True):
            result[k].setdefault(row[0], {})[name] = int(value or 0)
    return result


def old_totals(year: int, as_of: dt.date) -> dict:
    per_facility = old_per_facility(year, as_of)
    return {
        k: {n: sum(c[n] for c in per_facility[k].values()) for n in OLD_CONDITIONS[k]}
        for k in OLD_CONDITIONS
    }


def old_ids(k: str, category: str, year: int, as_of: dt.date) -> set[int]:
    start, end_d = kpi.period(year, as_of)
    ranked, params = old_ranked(start, end_d)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT resident_id FROM ({ranked}) ranked WHERE {OLD_CONDITIONS[k][category]}",
            params,
        )
        return {row[0] for row in cursor.fetchall()}


def new_totals(year: int, as_of: dt.date) -> dict:
    """Both indicators as the app computes them in an evaluation (one shared pass)."""
    with registry.shared_results():
        results = {k: registry.get(f"shelters.{k}").compute(year, as_of) for k in OLD_CONDITIONS}
        shared = kpi._both_totals(year, as_of)
    for k, result in results.items():
        assert result.numerator == shared[k][kpi.NUMERATOR[k]]
        assert result.denominator == shared[k]["population"]
    return shared


def new_ids(k: str, category: str, year: int, as_of: dt.date) -> set[int]:
    ids = kpi.resident_ids(k, category, year, as_of)
    return set(Resident.objects.filter(pk__in=ids).values_list("pk", flat=True))


AS_OF_DATES = [
    (2562, dt.date(2019, 9, 30)),
    (2562, dt.date(2019, 3, 31)),
    (2563, dt.date(2019, 12, 15)),
    (2563, dt.date(2020, 3, 31)),
    (2563, FY63_END),
    (2564, dt.date(2021, 9, 30)),
    (2561, dt.date(2018, 9, 30)),
]


def assert_same_as_window(dates=AS_OF_DATES) -> None:
    """The summary equals a recomputation, and every figure equals the oracle's."""
    assert latest.discrepancies(connection) == []
    for year, as_of in dates:
        assert new_totals(year, as_of) == old_totals(year, as_of), (year, as_of)
        assert kpi.counts_per_facility_all(year, as_of) == old_per_facility(year, as_of), (
            year,
            as_of,
        )
        for k, categories in OLD_CONDITIONS.items():
            for category in categories:
                assert new_ids(k, category, year, as_of) == old_ids(k, category, year, as_of), (
                    year,
                    as_of,
                    k,
                    category,
                )


def summary(resident) -> tuple | None:
    row = ResidentLatest.objects.filter(resident=resident).values_list(
        "last_on", "last_percent", "prev_on", "prev_percent"
    )
    return row[0] if row else None


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# --- every write path keeps the summary exact -----------------------------------------------


@pytest.fixture
def three(make_resident, assess, other_facility):
    """Three residents: two assessments, three, and none."""
    a = make_resident()
    b = make_resident(other_facility)
    c = make_resident()
    assess(a, ("2019-11-01", 35), ("2020-02-01", 85))
    assess(b, ("2019-01-01", 50), ("2019-12-01", 60), ("2020-06-01", 90))
    return a, b, c


def test_orm_save_update_and_delete_keep_the_pair(three):
    a, b, c = three
    assert summary(a) == (d("2020-02-01"), Decimal("85.00"), d("2019-11-01"), Decimal("35.00"))
    assert summary(c) is None
    newest = Assessment.objects.create(resident=a, assessed_on=d("2020-05-01"), percent=40)
    assert summary(a) == (d("2020-05-01"), Decimal("40.00"), d("2020-02-01"), Decimal("85.00"))
    newest.percent = Decimal("41")
    newest.save()  # a correction of the percent
    assert summary(a)[1] == Decimal("41.00")
    newest.assessed_on = d("2019-10-01")  # a correction of the date: now the oldest
    newest.save()
    assert summary(a) == (d("2020-02-01"), Decimal("85.00"), d("2019-11-01"), Decimal("35.00"))
    Assessment.objects.get(resident=a, assessed_on=d("2020-02-01")).delete()
    assert summary(a) == (d("2019-11-01"), Decimal("35.00"), d("2019-10-01"), Decimal("41.00"))
    one = Assessment.objects.create(resident=c, assessed_on=d("2020-01-01"), percent=70)
    assert summary(c) == (d("2020-01-01"), Decimal("70.00"), None, None)
    one.resident = b  # moved to another resident
    one.save()
    assert summary(c) is None
    assert summary(b)[2] == d("2020-01-01")
    assert_same_as_window()


def test_queryset_update_delete_and_bulk_create(three, assess):
    a, b, c = three
    Assessment.objects.filter(resident=b).update(assessed_on=F("assessed_on") + dt.timedelta(1))
    assert summary(b)[0] == d("2020-06-02")
    Assessment.objects.filter(resident=b).update(percent=Decimal("12.5"))
    assert summary(b)[1::2] == (Decimal("12.50"), Decimal("12.50"))
    Assessment.objects.filter(assessed_on__gte=d("2020-01-01")).delete()
    assert summary(a) == (d("2019-11-01"), Decimal("35.00"), None, None)
    assert summary(b) == (d("2019-12-02"), Decimal("12.50"), d("2019-01-02"), Decimal("12.50"))
    assess(c, *[(dt.date(2019, 1, 1) + dt.timedelta(days=30 * i), 20 + i) for i in range(12)])
    assert summary(c) == (d("2019-11-27"), Decimal("31.00"), d("2019-10-28"), Decimal("30.00"))
    Assessment.objects.filter(resident__in=[a, b]).update(resident=c)
    assert summary(a) is None and summary(b) is None
    assert summary(c)[0] == d("2019-12-02")
    assert_same_as_window()


def test_a_resident_deleted_with_their_assessments_loses_the_row(three):
    a, b, c = three
    a.delete()
    assert not ResidentLatest.objects.filter(resident_id=a.pk).exists()
    assert_same_as_window()


def test_a_failed_statement_leaves_the_summary_as_it_was(three):
    a, b, c = three
    before = summary(b)
    with pytest.raises(IntegrityError), transaction.atomic():
        # The dates collide with each other: the whole statement fails, the summary with it.
        Assessment.objects.filter(resident=b).update(assessed_on=d("2020-01-01"))
    assert summary(b) == before
    assert_same_as_window()


def test_a_history_revert_is_a_write_like_any_other(three):
    a, b, c = three
    first = Assessment.objects.create(resident=a, assessed_on=d("2020-04-01"), percent=85)
    first.percent = Decimal("20")
    first.save()
    assert summary(a)[1] == Decimal("20.00")
    earlier = first.history.order_by("history_date", "history_id").first()
    earlier.instance.save()  # revert to the recorded version
    assert summary(a)[1] == Decimal("85.00")
    assert_same_as_window()


def test_raw_sql_writes(three):
    a, b, c = three
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO shelters_assessment (resident_id, assessed_on, percent, assessor, "
            "version) VALUES (%s, %s, %s, '', 0), (%s, %s, %s, '', 0)",
            [c.pk, d("2020-03-01"), "80.00", c.pk, d("2020-04-01"), "40.00"],
        )
        assert summary(c) == (d("2020-04-01"), Decimal("40.00"), d("2020-03-01"), Decimal("80"))
        cursor.execute("UPDATE shelters_assessment SET percent = 99 WHERE resident_id = %s", [c.pk])
        cursor.execute("DELETE FROM shelters_assessment WHERE resident_id = %s", [a.pk])
    assert summary(c)[1::2] == (Decimal("99.00"), Decimal("99.00"))
    assert summary(a) is None
    assert_same_as_window()


def test_discharges_and_moves_between_facilities_follow(three, other_facility):
    a, b, c = three
    a.discharged_on, a.discharge_reason = d("2020-03-01"), "family"
    a.save()
    row = ResidentLatest.objects.get(resident=a)
    assert (row.discharged_on, row.discharge_reason, row.returned) == (d("2020-03-01"), "family", 1)
    Resident.objects.filter(pk=a.pk).update(facility=other_facility, discharge_reason="death")
    row = ResidentLatest.objects.get(resident=a)
    assert (row.facility_id, row.returned) == (other_facility.pk, 0)
    Resident.objects.filter(pk=a.pk).update(discharged_on=None, discharge_reason="")
    assert ResidentLatest.objects.get(resident=a).discharged_on is None
    assert_same_as_window()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and TRUNCATE: PostgreSQL")
def test_copy_and_truncate_on_postgresql(three):
    a, b, c = three
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            "COPY shelters_assessment (resident_id, assessed_on, percent, assessor) FROM STDIN"
        ) as copy:
            for i in range(40):
                copy.write_row((c.pk, dt.date(2018, 1, 1) + dt.timedelta(days=20 * i), 30 + i, ""))
                copy.write_row((a.pk, dt.date(2016, 1, 1) + dt.timedelta(days=i), 90, ""))
        assert summary(c) == (d("2020-02-20"), Decimal("69.00"), d("2020-01-31"), Decimal("68"))
        assert summary(a)[0] == d("2020-02-01")  # all older than the stored pair
        assert_same_as_window()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # (no TRUNCATE with pending checks)
        cursor.execute("TRUNCATE shelters_assessment")
    assert not ResidentLatest.objects.exists()


def test_the_summary_is_never_written_from_python(three):
    a, b, c = three
    row = ResidentLatest.objects.get(resident=a)
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()


def test_migrate_reinstalls_missing_triggers_and_rebuilds(three):
    a, b, c = three
    latest.uninstall(connection)
    Assessment.objects.filter(resident=a).delete()  # unseen: the triggers are gone
    assert latest.discrepancies(connection) != []
    call_command("migrate", "shelters", verbosity=0)  # post_migrate: install + rebuild
    assert latest.discrepancies(connection) == []
    Assessment.objects.create(resident=a, assessed_on=d("2020-05-01"), percent=50)
    assert summary(a) == (d("2020-05-01"), Decimal("50.00"), None, None)


def test_the_resident_foreign_key_has_no_index_of_its_own(db):
    """The composite indexes that start with resident_id serve the foreign key."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "shelters_assessment")
    indexes = [
        c["columns"]
        for c in constraints.values()
        if (c["index"] or c["unique"]) and not c["primary_key"] and not c["foreign_key"]
    ]
    assert ["resident_id"] not in indexes
    assert ["resident_id", "assessed_on", "percent"] in indexes
    assert ["resident_id", "assessed_on"] in indexes


def test_with_latest_reads_the_latest_assessment_overall(three):
    a, b, c = three
    rows = {
        r.pk: (r.latest_on, r.latest_percent, r.current_group)
        for r in Resident.objects.with_latest()
    }
    assert rows[a.pk] == (d("2020-02-01"), Decimal("85.00"), "A")
    assert rows[b.pk] == (d("2020-06-01"), Decimal("90.00"), "A")
    assert rows[c.pk] == (None, None, None)
    assert set(Resident.objects.with_latest().filter(current_group="A")) == {a, b}


# --- the figures equal the window's --------------------------------------------------------


def test_past_as_of_dates_corrections_and_discharges_match_the_window(
    make_resident, assess, other_facility
):
    people = [make_resident(other_facility if i % 3 else None) for i in range(9)]
    percents = [10, 40, "40.01", "79.99", 80, 100, 55, 25, 95]
    for i, person in enumerate(people):
        assess(
            person,
            *[
                (dt.date(2018, 6, 1) + dt.timedelta(days=70 * j + 11 * i), percents[(i + j) % 9])
                for j in range(i % 7 + 1)
            ],
        )
    for i, person in enumerate(people[::2]):
        person.discharged_on = dt.date(2019, 3, 1) + dt.timedelta(days=90 * i)
        person.discharge_reason = ["family", "employment", "death", "transfer", "other"][i]
        person.save()
    assert_same_as_window()
    # Corrections after the fact: a date moved across D, a percent across a boundary, a delete.
    moved = Assessment.objects.filter(resident=people[6]).order_by("-assessed_on").first()
    moved.assessed_on = dt.date(2019, 9, 29)
    moved.save()
    Assessment.objects.filter(resident=people[5]).update(percent=Decimal("79.99"))
    Assessment.objects.filter(resident=people[4]).order_by("assessed_on").first().delete()
    assert_same_as_window()


def test_the_facility_table_keeps_facilities_nobody_counts_in_this_year(
    make_resident, assess, other_facility
):
    """A facility whose residents were all assessed years ago shows zeros, as before."""
    old = make_resident(other_facility)
    assess(old, ("2016-01-01", 30), ("2016-06-01", 90))
    late = make_resident()
    assess(late, ("2016-01-01", 30), ("2021-01-01", 90), ("2021-02-01", 90))
    both = kpi.counts_per_facility_all(2563, FY63_END)
    assert both[kpi.IMPROVED] == {other_facility.pk: dict.fromkeys(OLD_CONDITIONS[kpi.IMPROVED], 0)}
    assert_same_as_window([(2563, FY63_END), (2564, dt.date(2020, 12, 31))])
