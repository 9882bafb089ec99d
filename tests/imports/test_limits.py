"""Crafted uploads meet limits with Thai messages, in bounded time and memory.

A cell reference past Excel's last cell, a sheet that inflates to gigabytes, more rows than the
cap, a CSV field past 131,072 characters: each is a FileProblem naming the limit. Many rows
looking things up stay within SQLite's limit on SQL variables (lookups go in chunks).
"""

import datetime as dt
import io
import sqlite3
import time
import tracemalloc
import zipfile

import pytest
from django.db import connection
from openpyxl import Workbook

from core.nationalid import make_valid
from imports import engine, xlsx
from imports.resources import chunk_size, chunks
from shelters.models import Resident
from shelters.resources import AssessmentResource, ResidentResource
from tests.imports.conftest import csv_bytes

HEADER = ["facility_code", "case_number", "assessed_on", "percent"]
RES = ["facility_code", "case_number", "full_name", "national_id", "target_group", "admitted_on"]


def _xlsx(rows) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _with_sheet(sheet_xml: bytes, compress=zipfile.ZIP_DEFLATED) -> bytes:
    """A minimal valid .xlsx whose first sheet is ``sheet_xml``."""
    base = zipfile.ZipFile(io.BytesIO(_xlsx([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compress) as book:
        for info in base.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else base.read(info)
            book.writestr(info.filename, data)
    return out.getvalue()


SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b"%s</sheetData></worksheet>"
)


HEADER_XML = b'<row r="1">%s</row>' % b"".join(
    b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (col, name.encode())
    for col, name in zip((b"A", b"B", b"C", b"D"), HEADER, strict=True)
)


def _bounded(call):
    """Run ``call``; return (result or exception, seconds, peak MB allocated by Python)."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        outcome = call()
    except Exception as exc:
        outcome = exc
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return outcome, seconds, peak


def test_a_cell_reference_past_excels_last_column_is_refused_quickly(facility):
    header = HEADER_XML
    bomb = b'<row r="2"><c r="ZZZZZZZZZZ2"><v>1</v></c></row>'
    data = _with_sheet(SHEET % (header + bomb))
    assert len(data) < 6000  # a few KB
    outcome, seconds, peak = _bounded(
        lambda: engine.run(AssessmentResource(), data, "tiny.xlsx", dry_run=True)
    )
    assert isinstance(outcome, engine.FileProblem), outcome
    assert "ZZZZZZZZZZ2" in str(outcome) and "XFD1048576" in str(outcome)
    assert seconds < 2 and peak < 20


def test_a_row_number_past_excels_last_row_is_refused(facility):
    header = HEADER_XML
    data = _with_sheet(SHEET % (header + b'<row r="99999999"><c r="A99999999"><v>1</v></c></row>'))
    with pytest.raises(engine.FileProblem, match="1,048,576"):
        engine.run(AssessmentResource(), data, "far.xlsx", dry_run=True)


def test_a_sheet_that_inflates_past_the_cap_is_refused_before_it_is_read(facility, settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    filler = b"<row><c><v>1</v></c></row>" * 400_000  # ~10 MB of XML, compresses to ~20 KB
    data = _with_sheet(SHEET % filler)
    assert len(data) < 200_000
    outcome, seconds, peak = _bounded(
        lambda: engine.run(AssessmentResource(), data, "bomb.xlsx", dry_run=True)
    )
    assert isinstance(outcome, engine.FileProblem), outcome
    assert "5 MB" in str(outcome)
    assert seconds < 2 and peak < 20


def test_the_default_uncompressed_cap_is_stated(facility):
    assert engine.max_uncompressed_bytes() == 200 * 2**20


def test_more_xlsx_rows_than_the_cap_are_refused_naming_the_cap(facility, settings):
    settings.IMPORT_MAX_ROWS = 50
    rows = [HEADER] + [["TYB-M", f"63-{n:04d}", "15/03/2563", "72.5"] for n in range(60)]
    with pytest.raises(engine.FileProblem, match="50 แถว"):
        engine.run(AssessmentResource(), _xlsx(rows), "many.xlsx", dry_run=True)


def test_more_csv_rows_than_the_cap_are_refused_naming_the_cap(facility, settings):
    settings.IMPORT_MAX_ROWS = 1000
    rows = [HEADER] + [["TYB-M", f"63-{n:04d}", "15/03/2563", "72.5"] for n in range(1001)]
    with pytest.raises(engine.FileProblem, match="1,000 แถว"):
        engine.run(AssessmentResource(), csv_bytes(rows), "many.csv", dry_run=True)
    # At the cap exactly, the file is read.
    report = engine.run(AssessmentResource(), csv_bytes(rows[:1001]), "ok.csv", dry_run=True)
    assert report.rows == 1000


def test_the_default_row_cap_is_two_hundred_thousand():
    assert engine.max_rows() == 200_000


def test_a_csv_field_past_the_field_limit_is_a_thai_message_with_its_row(facility):
    rows = [HEADER, ["TYB-M", "63-0001", "15/03/2563", "72.5"], ["TYB-M", "x" * 140_000, "", ""]]
    with pytest.raises(engine.FileProblem) as caught:
        engine.run(AssessmentResource(), csv_bytes(rows), "wide.csv", dry_run=True)
    message = str(caught.value)
    assert "แถว 3" in message and "131,072" in message and "case_number" in message


def test_a_long_xlsx_cell_is_a_cell_error_not_a_crash(facility):
    rows = [HEADER, ["TYB-M", "x" * 140_000, "15/03/2563", "72.5"]]
    report = engine.run(AssessmentResource(), _xlsx(rows), "wide.xlsx", dry_run=True)
    assert report.error_count == 1 and "ยาวเกิน" in str(report.errors[0])


def test_a_header_with_too_many_columns_is_refused(facility):
    rows = [HEADER + [f"extra{n}" for n in range(300)], ["TYB-M", "63-0001", "15/03/2563", "72.5"]]
    with pytest.raises(engine.FileProblem, match="256 คอลัมน์"):
        engine.run(AssessmentResource(), csv_bytes(rows), "cols.csv", dry_run=True)


def test_cells_beyond_the_header_are_not_kept(facility):
    """A sparse cell at column XFD on every row must not make each row 16,384 cells wide."""
    header = HEADER_XML
    body = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>TYB-M</t></is></c><c r="XFD%d"><v>1</v></c>'
        b"</row>" % (n, n, n)
        for n in range(2, 3002)
    )
    data = _with_sheet(SHEET % (header + body))
    sheet = xlsx.Sheet(data)
    numbered = iter(sheet)
    next(numbered)
    sheet.width = 1
    widths = {len(values) for _, values in numbered}
    assert widths == {1}


def test_rows_without_a_row_number_are_numbered_in_order(facility):
    cells = b"".join(
        b'<row><c t="inlineStr"><is><t>%s</t></is></c></row>' % v for v in (b"a", b"b", b"c")
    )
    assert [(n, v) for n, v in xlsx.rows(_with_sheet(SHEET % cells))] == [
        (1, ("a",)),
        (2, ("b",)),
        (3, ("c",)),
    ]


# -- lookups in chunks ---------------------------------------------------------------------------
@pytest.fixture
def low_variable_limit(db):
    """SQLite with a lower limit on a statement's variables than this build's 250,000 (999
    before 3.32, 32,766 since): here 4,000, so that 5,000-value lookups would bite."""
    if connection.vendor != "sqlite":
        yield None
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 4000)
    yield 4000
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_chunks_fit_the_databases_variable_limit(low_variable_limit):
    size = chunk_size()
    if low_variable_limit:
        assert size < 4000
    else:
        assert size == 5000
    assert sum(len(c) for c in chunks(range(12_345))) == 12_345


def test_many_rows_with_lookups_stay_within_the_variable_limit(facility, low_variable_limit):
    n = 4500
    rows = [RES] + [
        ["TYB-M", f"63-{i:05d}", f"ผู้รับบริการ {i}", make_valid(f"3{i:011d}"), "destitute",
         "01/10/2562"]
        for i in range(n)
    ]  # fmt: skip
    report = engine.run(ResidentResource(), csv_bytes(rows), "many.csv", dry_run=False)
    assert report.ok and report.new == n, [str(e) for e in report.errors[:3]]
    for row in rows[1:]:
        row[2] += " (แก้ไข)"
    report = engine.run(ResidentResource(), csv_bytes(rows), "many.csv", dry_run=False)
    assert report.ok and report.updated == n, [str(e) for e in report.errors[:3]]
    assert Resident.objects.filter(full_name__endswith="(แก้ไข)").count() == n


def test_an_import_at_the_row_cap_stays_within_the_stated_memory(facility, settings):
    """docs/imports.md states the bound: the reading side of an upload holds the file, its text
    and the mapped cells; here 5,000 rows with 40 unknown columns keep only the 4 mapped ones."""
    extra = ["อื่นๆ"] * 40
    rows = [HEADER + [f"x{n}" for n in range(40)]] + [
        ["TYB-M", f"63-{n:05d}", "15/03/2563", "72.5", *extra] for n in range(5_000)
    ]
    data = csv_bytes(rows)
    outcome, seconds, peak = _bounded(
        lambda: engine.read_table(data, "wide.csv", keep=lambda headers: [0, 1, 2, 3])
    )
    assert not isinstance(outcome, Exception), outcome
    _, body = outcome
    assert len(body) == 5_000 and all(len(r) == 4 for _, r in body)
    # The file itself is ~ len(data); its decoded text and the kept cells add about as much again.
    assert peak < 4 * len(data) / 2**20 + 30, (peak, len(data) / 2**20)


def test_dates_in_the_future_are_still_cell_errors(facility):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    rows = [HEADER, ["TYB-M", "63-0001", tomorrow.isoformat(), "72.5"]]
    report = engine.run(AssessmentResource(), csv_bytes(rows), "f.csv", dry_run=True)
    assert report.error_count == 1
