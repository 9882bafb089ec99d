"""The assessments kind resolves its usual row quickly (issue 16: a known resident, a day within
the stay, a percent the rules have already kept) and every other row by the rules themselves:
either way each row gives what the rules give, the same key and values or the same Thai
problem naming the same column. The engine cleans a row at once and a row with a bad cell cell
by cell, naming every bad cell in row and column order as before."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports import engine
from imports.resources import RowProblem, first_problem, need
from shelters import rules
from shelters.models import ITEM_FIELDS, Resident
from shelters.resources import AssessmentResource
from tests.imports.conftest import csv_bytes

TODAY = timezone.localdate()


def _reference(row: dict, has_items: bool):
    """The assessments kind's resolve as it was before the quick path (the rules, row by row,
    the resident looked up by its facility and case number)."""
    from shelters.models import Facility

    code = need(row, "facility_code", "ต้องระบุรหัสหน่วยงาน")
    facility = Facility.objects.filter(code=code).first()
    if facility is None:
        raise RowProblem("facility_code", f"ไม่พบรหัสหน่วยงาน '{code}'")
    number = need(row, "case_number", "ต้องระบุเลขทะเบียนผู้รับบริการ")
    resident = Resident.objects.filter(facility=facility, case_number=number).first()
    if resident is None:
        raise RowProblem("case_number", f"ไม่พบเลขทะเบียน '{number}' ใน {facility.code}")
    day = need(row, "assessed_on", "ต้องระบุวันที่ประเมิน")
    first_problem(
        rules.assessment_date(
            assessed_on=day,
            admitted_on=resident.admitted_on,
            discharged_on=resident.discharged_on,
            today=TODAY,
        )
    )
    items = [row.get(f) for f in ITEM_FIELDS] if has_items else None
    percent, problems = rules.score(items, row.get("percent"))
    first_problem(problems)
    values = {"resident_id": resident.pk, "assessed_on": day, "percent": percent}
    if items is not None:
        values.update(zip(ITEM_FIELDS, items, strict=True))
    return (resident.pk, day), values


def _outcome(resolve, *args):
    try:
        key, values = resolve(*args)
    except RowProblem as problem:
        return ("problem", problem.column, str(problem.message))
    return ("row", key, values, [type(v) for v in values.values()], str(values["percent"]))


@pytest.fixture
def stays(residents):
    """63-0001 admitted 2019-01-01 and still here; 63-0002 discharged 2020-03-10; 63-0003
    admitted today."""
    Resident.objects.filter(pk=residents[1].pk).update(
        discharged_on=dt.date(2020, 3, 10), discharge_reason="family"
    )
    Resident.objects.filter(pk=residents[2].pk).update(admitted_on=TODAY)
    return residents


DAYS = [
    None, dt.date(2018, 12, 31), dt.date(2019, 1, 1), dt.date(2020, 3, 9), dt.date(2020, 3, 10),
    dt.date(2020, 3, 11), TODAY - dt.timedelta(days=1), TODAY, TODAY + dt.timedelta(days=1),
]  # fmt: skip
PERCENTS = [
    None, Decimal("9.9999999999"), Decimal("10"), Decimal("10.00"), Decimal("40.005"),
    Decimal("72.5"), Decimal("72.50"), Decimal("100"), Decimal("100.004"), Decimal("100.0049999999"),
    Decimal("100.005"), Decimal("-0"),
]  # fmt: skip
ROW = st.fixed_dictionaries(
    {
        "facility_code": st.sampled_from(["TYB-M", "NOPE", None]),
        "case_number": st.sampled_from(["63-0001", "63-0002", "63-0003", "63-9999", None]),
        "assessed_on": st.sampled_from(DAYS),
        "percent": st.sampled_from(PERCENTS),
    }
)
ITEMS = st.lists(st.one_of(st.none(), st.integers(0, 11)), min_size=14, max_size=14)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, min_size=1, max_size=25))
def test_every_row_gives_what_the_rules_give_quick_or_not(stays, rows):
    resource = AssessmentResource()
    ctx = resource.context(rows)
    assert not ctx["has_items"]
    for _ in range(2):  # the second time every percent kept before is taken quickly
        for row in rows:
            assert _outcome(resource.resolve, row, ctx) == _outcome(_reference, row, False), row


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(ROW, ITEMS), min_size=1, max_size=10))
def test_a_file_with_item_columns_gives_what_the_rules_give(stays, rows):
    rows = [{**row, **dict(zip(ITEM_FIELDS, items, strict=True))} for row, items in rows]
    resource = AssessmentResource()
    ctx = resource.context(rows)
    assert ctx["has_items"]
    for _ in range(2):
        for row in rows:
            assert _outcome(resource.resolve, row, ctx) == _outcome(_reference, row, True), row


def test_a_percent_refused_on_one_row_is_still_checked_on_the_next(stays):
    resource = AssessmentResource()
    rows = [
        {"facility_code": "TYB-M", "case_number": "63-0001", "assessed_on": dt.date(2018, 1, 1),
         "percent": Decimal("72.5")},  # before the admission: refused, the percent not kept
        {"facility_code": "TYB-M", "case_number": "63-0001", "assessed_on": dt.date(2020, 1, 1),
         "percent": Decimal("72.5")},
        {"facility_code": "TYB-M", "case_number": "63-0002", "assessed_on": dt.date(2020, 3, 11),
         "percent": Decimal("72.5")},  # after the discharge: refused though the percent is known
        {"facility_code": "TYB-M", "case_number": "63-0001", "assessed_on": dt.date(2020, 1, 2),
         "percent": Decimal("100.004")},
    ]  # fmt: skip
    ctx = resource.context(rows)
    with pytest.raises(RowProblem, match="ก่อนวันที่รับเข้า"):
        resource.resolve(rows[0], ctx)
    assert ctx["percents"] == {}
    assert resource.resolve(rows[1], ctx)[1]["percent"] == Decimal("72.50")
    assert ctx["percents"] == {Decimal("72.5"): Decimal("72.50")}
    with pytest.raises(RowProblem, match="หลังวันที่จำหน่าย"):
        resource.resolve(rows[2], ctx)
    with pytest.raises(RowProblem, match="ระหว่าง 10 ถึง 100"):
        resource.resolve(rows[3], ctx)
    with pytest.raises(RowProblem, match="ระหว่าง 10 ถึง 100"):
        resource.resolve(rows[3], ctx)  # a refused percent is never taken quickly


def test_the_usual_row_is_taken_quickly_on_either_database(stays, monkeypatch):
    """Each resident's dates arrive as dates (SQLite too): a valid row with a percent already
    kept never asks the rules again."""
    resource = AssessmentResource()
    row = {"facility_code": "TYB-M", "case_number": "63-0001", "assessed_on": dt.date(2020, 1, 1),
           "percent": Decimal("72.5")}  # fmt: skip
    ctx = resource.context([row])
    first = resource.resolve(row, ctx)
    checked = []
    monkeypatch.setattr(resource, "_resolve_checked", lambda *args: checked.append(args))
    assert resource.resolve(dict(row, assessed_on=dt.date(2020, 1, 2)), ctx) == (
        (first[0][0], dt.date(2020, 1, 2)),
        {
            "resident_id": first[0][0],
            "assessed_on": dt.date(2020, 1, 2),
            "percent": Decimal("72.50"),
        },
    )
    assert checked == []


# -- the engine's row cleaner ---------------------------------------------------------------------
def _one_cell_at_a_time(resource, body, names, display):
    """The engine's cleaning loop as it was: every cell of every row, in order."""
    errors, rows = [], []
    for number, raw in body:
        row, bad = {}, False
        for position, name in enumerate(names):
            try:
                row[name] = resource.cleaner(name)(raw[position])
            except (ValueError, TypeError) as exc:
                errors.append((number, display[name], str(exc)))
                bad = True
        if not bad:
            rows.append((number, row))
    return errors, rows


def test_bad_cells_are_named_in_row_then_column_order_and_good_rows_kept(residents):
    header = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่ประเมิน", "ร้อยละคะแนน"]
    data = [
        ["TYB-M", "63-0001", "15/03/2563", "72.5"],
        ["TYB-M", "63-0002", "31/02/2563", "abc"],  # two bad cells: both, date first
        ["X" * 40, "63-0003", "15/03/2563", "72.5"],  # a code longer than 32 characters
        ["", "", "", "๗๒.๕"],  # empty cells clean to None (the rules name them later)
        ["TYB-M", "63-0003", "15/03/2563", "1e1000000"],
        ["TYB-M", "63-0003", "16/03/2563", "70"],
    ]
    resource = AssessmentResource()
    report, display, cleaned = engine._clean(resource, csv_bytes([header, *data]), "a.csv")
    _, body = engine.read_table(csv_bytes([header, *data]), "a.csv")
    names = ["facility_code", "case_number", "assessed_on", "percent"]
    errors, rows = _one_cell_at_a_time(resource, body, names, display)
    assert [(e.row, e.column, e.message) for e in report.errors] == errors
    assert [e.row for e in report.errors] == [3, 3, 4, 6]
    assert [e.column for e in report.errors][:2] == ["วันที่ประเมิน", "ร้อยละคะแนน"]
    assert cleaned == rows
    assert [number for number, _ in cleaned] == [2, 5, 7]
    assert report.error_rows == 3 and report.error_count == 4


@pytest.mark.parametrize("names", [("a",), ("a", "b", "c"), tuple(f"c{n}" for n in range(18))])
def test_the_row_cleaner_of_any_width_cleans_what_the_loop_cleaned(names):
    def parse(value):
        if value == "bad":
            raise ValueError("bad cell")
        return value.upper()

    body = [
        (2, tuple("x" for _ in names)),
        (3, tuple("bad" for _ in names)),
        (4, ("y",) * len(names)),
    ]
    failed = []

    def one_by_one(number, raw, rows):
        failed.append((number, raw))

    rows = engine._row_cleaner(names)(body, one_by_one, *[parse] * len(names))
    assert rows == [(2, dict.fromkeys(names, "X")), (4, dict.fromkeys(names, "Y"))]
    assert failed == [(3, ("bad",) * len(names))]
    assert engine._row_cleaner(()) is engine._row_cleaner(())
    assert engine._row_cleaner(())([(2, ()), (3, ())], one_by_one) == [(2, {}), (3, {})]
