"""The two .xlsx readers (issue 16): python-calamine for ordinary sheets, the streaming reader for
the rest, the same values from both; workbooks in the 1904 date system read with their dates;
rows and cells without an ``r`` attribute; hostile sheets never given to calamine (whose grid
from A1 to the last cell would not fit in memory, which aborts the process)."""

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from core import cells
from imports import engine, xlsx
from shelters.models import Assessment
from shelters.resources import AssessmentResource
from tests.imports.test_limits import SHEET, _with_sheet

TH = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่ประเมิน", "ร้อยละคะแนน"]
BE_DATE = "[$-107041E]dd/mm/yyyy"


def _book(rows, epoch=None, formats=None, write_only=False) -> bytes:
    book = Workbook(write_only=write_only)
    if epoch is not None:
        book.epoch = epoch
    sheet = book.create_sheet() if write_only else book.active
    for row in rows:
        sheet.append(row)
    for ref, number_format in (formats or {}).items():
        sheet[ref].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _edit_sheet(data: bytes, edit) -> bytes:
    """The workbook with its first sheet's XML passed through ``edit``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = edit(content)
            book.writestr(info, content)
    return out.getvalue()


def _without_r(data: bytes) -> bytes:
    def drop(xml: bytes) -> bytes:
        xml = re.sub(rb'(<row\b[^>]*?) r="\d+"', rb"\1", xml)
        return re.sub(rb'(<c\b[^>]*?) r="[A-Z]+\d+"', rb"\1", xml)

    return _edit_sheet(data, drop)


def _both(data: bytes):
    """(the fast reader's rows, the streaming reader's rows), the rows with values (calamine's
    grid starts at A1; the engine skips empty rows whichever reader)."""
    fast = xlsx.open_sheet(data)
    assert isinstance(fast, xlsx.FastSheet)
    return [r for r in fast if r[1]], [r for r in xlsx.Sheet(data) if r[1]]


def _alike(rows):
    """Rows as every parser sees them: whitespace-only text is no value (calamine gives it as
    empty), and a date-time's serial is the same to a billionth of a day (calamine turns the
    stored number into a date-time, given back as the number again)."""
    out = []
    for n, values in rows:
        values = [
            None if isinstance(v, str) and not v.strip()
            else round(v, 9) if type(v) is float else v
            for v in values
        ]  # fmt: skip
        while values and values[-1] is None:
            values.pop()
        out.append((n, tuple(values)))
    return out


@pytest.fixture
def no_calamine(monkeypatch):
    def refuse(*args):
        raise AssertionError("calamine was given this file")

    monkeypatch.setattr(xlsx, "_calamine_grid", refuse)


def test_both_readers_give_the_same_values():
    rows = [
        ["ชื่อ", "วันที่", "จำนวน", "ใช่ไหม", "หมายเหตุ"],
        ["นายสมชาย ใจดี", dt.date(2020, 3, 12), 72.5, True, None],
        ["ก ข ", dt.datetime(2020, 3, 12, 14, 30), 3, False, "  "],
        [None, dt.date(2019, 10, 1), 1101700230708, None, "=1+2"],
        ["๑๒๓", None, 0.1, None, "line 1\nline 2"],
        [],
        ["", dt.date(1900, 3, 1), -0.0, None, 1e20],
    ]
    data = _book(rows, formats={"B2": BE_DATE, "B3": BE_DATE + " hh:mm"})
    fast, streamed = _both(data)
    assert _alike(fast) == _alike(streamed)
    assert fast[1] == (2, ("นายสมชาย ใจดี", 43902, 72.5, True))
    assert fast[3][1][2] == 1101700230708 and isinstance(fast[3][1][2], int)


def test_cached_formula_values_and_inline_text_read_alike():
    def cached(xml: bytes) -> bytes:
        return xml.replace(b"<f>1+2</f><v />", b"<f>1+2</f><v>3</v>").replace(
            b'<f>B1&amp;"x"</f><v />', b'<f>B1&amp;"x"</f><v>ax</v>'
        )

    data = _edit_sheet(_book([["=1+2", "a"], ['=B1&"x"']]), cached)
    data = _edit_sheet(data, lambda xml: xml.replace(b'<c r="A2">', b'<c r="A2" t="str">'))
    fast, streamed = _both(data)
    assert fast == streamed == [(1, (3, "a")), (2, ("ax",))]
    inline = _book([["ก", "ข"], [1, "ค"]], write_only=True)
    assert _both(inline)[0] == _both(inline)[1] == [(1, ("ก", "ข")), (2, (1, "ค"))]


def test_an_assessments_workbook_imports_alike_by_both_readers(residents, monkeypatch):
    rows = [TH] + [
        ["TYB-M", f"63-000{n}", dt.date(2020, 3, 10 + n), 70 + n + 0.5] for n in (1, 2, 3)
    ]
    data = _book(rows, formats={"C2": BE_DATE})
    fast = engine.run(AssessmentResource(), data, "a.xlsx", dry_run=True)
    monkeypatch.setattr(xlsx, "DENSE_CELLS", 0)  # every sheet to the streaming reader
    streamed = engine.run(AssessmentResource(), data, "a.xlsx", dry_run=True)
    assert fast.counts() == streamed.counts() == {
        "rows": 3, "new": 3, "updated": 0, "unchanged": 0, "error_rows": 0, "errors": 0,
    }  # fmt: skip
    report = engine.run(AssessmentResource(), data, "a.xlsx", dry_run=False)
    assert report.applied
    assert sorted(Assessment.objects.values_list("assessed_on", "percent")) == [
        (dt.date(2020, 3, 11), Decimal("71.50")),
        (dt.date(2020, 3, 12), Decimal("72.50")),
        (dt.date(2020, 3, 13), Decimal("73.50")),
    ]


@pytest.mark.parametrize("reader", ["calamine", "streaming"])
def test_a_1904_workbook_gives_its_own_dates(residents, monkeypatch, reader):
    if reader == "streaming":
        monkeypatch.setattr(xlsx, "DENSE_CELLS", 0)
    rows = [TH, ["TYB-M", "63-0001", dt.date(2020, 3, 12), 72.5]]
    rows += [["TYB-M", "63-0002", dt.datetime(2020, 3, 13, 9, 0), 80]]
    data = _book(rows, epoch=CALENDAR_MAC_1904, formats={"C2": BE_DATE})
    assert b'date1904="1"' in zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml")
    sheet = xlsx.open_sheet(data)
    assert isinstance(sheet, xlsx.FastSheet if reader == "calamine" else xlsx.Sheet)
    # The serial as stored (1904 system), marked as such; any number of the book is.
    _, values = list(sheet)[1]
    assert values[2] == 42440 and isinstance(values[2], cells.Serial1904)
    assert isinstance(values[3], cells.Serial1904) and values[3] == 72.5
    report = engine.run(AssessmentResource(), data, "mac.xlsx", dry_run=False)
    assert report.applied, report.errors
    assert sorted(Assessment.objects.values_list("assessed_on", "percent")) == [
        (dt.date(2020, 3, 12), Decimal("72.50")),
        (dt.date(2020, 3, 13), Decimal("80.00")),
    ]


def test_rows_and_cells_without_r_are_read_in_order(residents):
    rows = [
        TH,
        ["TYB-M", "63-0001", "15/03/2563", 72.5],
        ["TYB-M", "63-0002", "31/02/2563", 80],  # no such day: its row number is in the error
        ["TYB-M", "63-0003", dt.date(2020, 3, 16), 90],
    ]
    data = _without_r(_book(rows, formats={"C4": BE_DATE}))
    assert b' r="' not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert isinstance(xlsx.open_sheet(data), xlsx.FastSheet)  # calamine reads it by position
    assert _both(data)[0] == _both(data)[1]
    report = engine.run(AssessmentResource(), data, "no-r.xlsx", dry_run=True)
    assert report.rows == 3 and report.new == 2
    assert [str(e) for e in report.errors] == ["แถว 3, วันที่ประเมิน: '31/02/2563' ไม่ใช่วันที่ที่มีอยู่จริง"]
    ok = _without_r(_book([rows[0], rows[1], rows[3]], formats={"C3": BE_DATE}))
    assert engine.run(AssessmentResource(), ok, "no-r.xlsx", dry_run=False).applied
    assert sorted(Assessment.objects.values_list("assessed_on", flat=True)) == [
        dt.date(2020, 3, 15), dt.date(2020, 3, 16),
    ]  # fmt: skip


def test_rows_without_r_after_numbered_rows_follow_them():
    cells_xml = (
        b'<row r="3"><c r="A3" t="inlineStr"><is><t>h</t></is></c></row>'
        b'<row><c r="A4"><v>1</v></c></row><row><c r="A5"><v>2</v></c></row>'
    )
    data = _with_sheet(SHEET % cells_xml)
    fast, streamed = _both(data)
    assert fast == streamed == [(3, ("h",)), (4, (1,)), (5, (2,))]
    without = _with_sheet(SHEET % re.sub(rb' r="A\d"', b"", cells_xml))
    assert _both(without)[0] == [(3, ("h",)), (4, (1,)), (5, (2,))]


HEADER = b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'


@pytest.mark.parametrize(
    "body",
    [
        b"".join(  # a stray cell at XFD on each of 300 rows: a grid of 4.9 million cells
            b'<row r="%d"><c r="A%d"><v>1</v></c><c r="XFD%d"><v>1</v></c></row>' % (n, n, n)
            for n in range(2, 302)
        ),
        b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>',  # the last row: far past the cap
        b'<row r="2"><c r="A2" r="XFD1048576"><v>1</v></c></row>',  # two references
        b'<row r="2"><c r ="XFD1048576"><v>1</v></c></row>',  # spaced
        b'<row r="2"><c s="0" r=\'XFD1048576\'><v>1</v></c></row>',  # not first, quoted '
        b'<row r="2"><c\nr="XFD1048576"><v>1</v></c></row>',  # a newline before it
        b'<row r="2"><c><v>1</v></c><c r="XFD1048576"><v>1</v></c></row>',  # one without
        b'<row r="2"><x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        b' r="XFD1048576"><x:v>1</x:v></x:c></row>',  # prefixed
        b'<row r="2"><c r="ZZZZZZZZZZ2"><v>1</v></c></row>',  # past Excel's last column
        b'<row r="2"><c r="a2"><v>1</v></c></row>',  # unreadable
        b'<row r="2"><c r="&#65;2"><v>1</v></c></row>',  # an entity
    ],
)
def test_hostile_sheets_go_to_the_streaming_reader(body, no_calamine):
    data = _with_sheet(SHEET % (HEADER + body))
    try:
        sheet = xlsx.open_sheet(data, max_rows=engine.max_rows())
    except xlsx.SheetProblem:
        return
    assert isinstance(sheet, xlsx.Sheet)


def test_the_scan_measures_the_grid_calamine_would_build():
    body = b'<row r="7"><c r="C7"><v>1</v></c></row><row r="9"><c s="1" r="AB9"><v>1</v></c></row>'
    assert xlsx._extent(SHEET % (HEADER + body)) == (9, 28)
    assert xlsx._extent(SHEET % b"") == (0, 0)
    assert (
        xlsx._extent(SHEET % (HEADER + b'<row r="2"><c r="A2" t="e"><v>#N/A</v></c></row>')) is None
    )


def test_error_cells_keep_their_text(residents, no_calamine):
    """calamine reads an error cell as empty; the streaming reader keeps "#N/A", so a formula
    that failed is an error on its row, not a silently empty cell."""
    data = _book([TH, ["TYB-M", "63-0001", "15/03/2563", "=NA()"]])
    data = _edit_sheet(
        data, lambda xml: xml.replace(b"<c r=\"D2\"><f>NA()</f><v /></c>",
                                      b'<c r="D2" t="e"><f>NA()</f><v>#N/A</v></c>')
    )  # fmt: skip
    report = engine.run(AssessmentResource(), data, "a.xlsx", dry_run=True)
    assert report.error_count == 1 and "#N/A" in str(report.errors[0])


def test_a_file_calamine_cannot_read_is_read_by_the_streaming_reader(monkeypatch):
    monkeypatch.setattr(xlsx, "_calamine_grid", lambda data, name: None)
    data = _book([["a", "b"], [1, 2]])
    sheet = xlsx.open_sheet(data)
    assert isinstance(sheet, xlsx.Sheet) and list(sheet) == [(1, ("a", "b")), (2, (1, 2))]


def test_an_xlsx_past_the_cap_is_refused_naming_it(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 1
    filler = b'<row r="%d"><c r="A%d"><v>1</v></c></row>'
    data = _with_sheet(SHEET % b"".join(filler % (n, n) for n in range(1, 40_000)))
    with pytest.raises(engine.FileProblem, match="1 MB"):
        engine.read_table(data, "big.xlsx")
