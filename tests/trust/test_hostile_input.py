"""Hostile spreadsheets: the importer never crashes, never writes part of a file, and exports
never hand a spreadsheet a formula to run."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import cells
from core.exports import rows_response
from core.models import Province
from imports import engine
from shelters.models import Assessment, Facility, Resident
from shelters.resources import AssessmentResource, ResidentResource

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from([
        "=HYPERLINK(\"http://evil.test\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0",
        "\x00\x01\x02", "31/02/2562", "2563-13-45", "๓๑/๐๒/๒๕๖๒", "99999999999", "-5", "1e309",
        "NaN", "inf", "10.000000000000000001", " ", "\u202e", "ＴＹＢ", "0/0/0", "29/02/2562",
    ]),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2200, 1, 1)),
    st.booleans(),
    st.none(),
)  # fmt: skip


@given(value=HOSTILE)
def test_every_cell_parser_returns_a_value_or_a_thai_value_error(value):
    for parser in (cells.text, cells.code_text, cells.date, cells.decimal, cells.integer,
                   cells.national_id, cells.boolean):  # fmt: skip
        try:
            parser(value)
        except ValueError as exc:
            assert str(exc)  # a message, never an empty one


def test_a_one_megabyte_cell_is_refused_not_stored():
    with pytest.raises(ValueError, match="ยาวเกิน"):
        cells.text("ก" * 1_000_000)


@pytest.fixture
def facility(db):
    facility = Facility.objects.create(
        code="TYB-M", name="ทดสอบ", kind="shelter", province=Province.objects.get(code="13")
    )
    for n in range(1, 4):
        Resident.objects.create(
            facility=facility, case_number=f"63-{n:04d}", full_name=f"ผู้รับบริการ {n}",
            target_group="destitute", admitted_on=dt.date(2019, 1, 1),
        )  # fmt: skip
    return facility


def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([[("" if c is None else c) for c in row] for row in rows])
    return out.getvalue().encode()


GOOD_ROW = ["TYB-M", "63-0001", "15/03/2563", "72.5"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(HOSTILE, min_size=0, max_size=6), min_size=1, max_size=6))
def test_the_importer_never_crashes_and_never_writes_part_of_a_file(facility, rows):
    header = ["facility_code", "case_number", "assessed_on", "percent"]
    data = _csv([header, GOOD_ROW, *rows])
    before = Assessment.objects.count()
    try:
        report = engine.run(AssessmentResource(), data, "hostile.csv", dry_run=False)
    except engine.FileProblem:
        assert Assessment.objects.count() == before
        return
    if report.ok:
        assert Assessment.objects.count() >= before
    else:
        assert not report.applied
        assert Assessment.objects.count() == before  # all or nothing
        assert all(e.row >= 2 and e.message for e in report.errors)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=HOSTILE, national_id=HOSTILE, admitted=HOSTILE)
def test_resident_rows_with_hostile_cells_are_refused_or_stored_exactly(
    facility, name, national_id, admitted
):
    header = [
        "facility_code",
        "case_number",
        "full_name",
        "national_id",
        "target_group",
        "admitted_on",
    ]
    data = _csv([header, ["TYB-M", "X-1", name, national_id, "destitute", admitted]])
    before = Resident.objects.count()
    try:
        report = engine.run(ResidentResource(), data, "r.csv", dry_run=False)
    except engine.FileProblem:
        return
    if not report.ok:
        assert Resident.objects.count() == before
    else:
        stored = Resident.objects.get(facility=facility, case_number="X-1")
        assert "\x00" not in stored.full_name and len(stored.full_name) <= 200
        Resident.objects.filter(pk=stored.pk).delete()


def test_a_garbage_xlsx_is_a_clear_file_problem(facility):
    for junk in (
        b"",
        b"PK\x03\x04garbage",
        b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x>&a;</x>",
    ):
        with pytest.raises(engine.FileProblem, match="Excel"):
            engine.run(AssessmentResource(), junk, "x.xlsx", dry_run=True)


@given(value=st.text(max_size=30))
def test_exported_cells_never_start_a_formula(value):
    response = rows_response(["h"], [[value]], "x", "csv")
    body = response.content.decode("utf-8-sig").splitlines()
    cell = next(csv.reader(io.StringIO("\n".join(body[1:])))) if len(body) > 1 else [""]
    first = (cell[0] if cell else "")[:1]
    assert first not in ("=", "+", "-", "@")
