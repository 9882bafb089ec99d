"""Every export holds plain values (core.exports): no HTML in a cell, dates as date cells shown in
the Buddhist era (xlsx) or ISO text (csv), numbers as numbers, a would-be formula as a text cell
with Excel's quote prefix and no apostrophe added (xlsx) or an apostrophe (csv, which has no
types). The walk below opens the export of every list that has one, with the drill-down lists the
indicator pages link to, and reads every cell."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import django_tables2 as tables
import pytest
from django.urls import reverse
from django.utils.html import format_html
from openpyxl import load_workbook

from catalog.models import Dataset
from core import roles
from core.exports import BE_DATE, BE_DATETIME, Book, csv_bytes, rows_response, table_rows
from core.models import Province
from core.nationalid import make_valid
from core.templatetags.thai import with_query
from core.thaidate import MONTHS_SHORT, format_thai_date
from indicators import registry
from shelters.models import Assessment, Facility, FacilityKind, Resident
from subsidies import services as subsidy_services
from subsidies.models import Application, SubsidyType
from volunteers.models import Course, Kind, Path, Plan, Service, Volunteer

MONTHS = "|".join(re.escape(m) for m in MONTHS_SHORT)
THAI_DATE_TEXT = re.compile(rf"\d{{1,2}} ({MONTHS}) \d{{4}}")
MARKUP = re.compile(r"<[a-zA-Z/!]|&(amp|lt|gt|quot|#\d+);")


def _book(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


# --- the writer --------------------------------------------------------------------------------


class _Linked(tables.Table):
    """A table written the way every list is: a render_* that returns HTML, a date the page shows
    as Thai text, a number it shows with separators; no value_* methods at all."""

    code = tables.Column("รหัส")
    day = tables.Column("วันที่")
    amount = tables.Column("จำนวน")

    def render_code(self, value):
        return format_html(
            '<a href="/x/{}">{}</a> <span class="badge">ใหม่ &amp; ดี</span>', value, value
        )

    def render_day(self, value):
        return format_thai_date(value)

    def render_amount(self, value):
        return f"{value:,.2f}"


def test_a_table_without_value_methods_exports_plain_text_dates_and_numbers():
    table = _Linked([{"code": "A<1>", "day": dt.date(2020, 3, 12), "amount": Decimal("3000.5")}])
    header, row = list(table_rows(table))
    assert header == ["รหัส", "วันที่", "จำนวน"]
    # The link's text (its escaped "<" decoded back), the badge's text; the raw date and number.
    assert row == ["A<1> ใหม่ & ดี", dt.date(2020, 3, 12), Decimal("3000.5")]


@pytest.mark.parametrize("write_only", [True, False])
def test_the_xlsx_writer_types_every_cell(write_only):
    aware = dt.datetime(2020, 3, 11, 18, 30, tzinfo=dt.UTC)
    values = [
        '=HYPERLINK("http://x","y")', "- ข้อ 1", "#N/A", "ข้อความ", 3000, Decimal("72.50"),
        dt.date(2020, 3, 12), aware, None, "end",
    ]  # fmt: skip
    book = Book(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    sheet.append(values)
    if not write_only:
        sheet["A2"] = "=1+1"
    loaded = load_workbook(io.BytesIO(book.to_bytes()))
    ws = loaded["x"] if write_only else loaded.active
    formula, dash, error, text, number, decimal, day, moment, empty, _ = ws[1]
    for cell, value in ((formula, values[0]), (dash, "- ข้อ 1"), (error, "#N/A")):
        # Text as typed (no apostrophe), a text cell (no formula, no error value), quote prefix
        # on what a spreadsheet would run as a formula.
        assert (cell.value, cell.data_type) == (value, "s")
    assert formula.quotePrefix and dash.quotePrefix and not text.quotePrefix
    assert (number.value, number.data_type, decimal.value) == (3000, "n", 72.5)
    assert day.is_date and day.value == dt.datetime(2020, 3, 12) and day.number_format == BE_DATE
    # 18:30 UTC on the 11th is 01:30 on the 12th in Bangkok: the cell holds Bangkok's time.
    assert moment.value == dt.datetime(2020, 3, 12, 1, 30) and moment.number_format == BE_DATETIME
    assert empty.value is None
    if not write_only:
        assert (ws["A2"].value, ws["A2"].data_type, ws["A2"].quotePrefix) == ("=1+1", "s", True)


def test_the_be_number_format_is_thai_excels_buddhist_calendar_code():
    # [$-107041E]: Western digits (01), the Thai Buddhist calendar (07), the Thai locale (041E).
    assert BE_DATE.startswith("[$-107041E]") and BE_DATETIME.startswith("[$-107041E]")


def test_the_csv_writer_writes_iso_dates_bangkok_times_plain_numbers_and_neutralises_formulas():
    aware = dt.datetime(2020, 3, 11, 18, 30, tzinfo=dt.UTC)
    body = csv_bytes([["=1+1", "- ข้อ", dt.date(2020, 3, 12), aware, Decimal("3000.50"), 5, None]])
    (row,) = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert row == ["'=1+1", "'- ข้อ", "2020-03-12", "2020-03-12 01:30", "3000.50", "5", ""]


def test_rows_response_keeps_html_out_of_a_cell_built_with_format_html():
    response = rows_response(["h"], [[format_html("<b>{}</b>", "ตัวหนา")]], "x", "xlsx")
    assert _book(response).active["A2"].value == "ตัวหนา"


# --- every list that exports ------------------------------------------------------------------


@pytest.fixture
def world(db, make_user, bangkok, chiang_mai):
    """One record of each kind a list exports, with every date column filled."""
    facility = Facility.objects.create(
        code="TYB-M", name="สถานคุ้มครองทดสอบ", kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )  # fmt: skip
    improved = Resident.objects.create(
        facility=facility, case_number="TYB-M-0001", full_name="ดีขึ้น ทดสอบ",
        national_id=make_valid("110000000011"), target_group="destitute",
        admitted_on=dt.date(2019, 1, 10),
    )  # fmt: skip
    Resident.objects.create(
        facility=facility, case_number="TYB-M-0002", full_name="จำหน่าย ทดสอบ",
        target_group="destitute", admitted_on=dt.date(2019, 2, 1),
        discharged_on=dt.date(2020, 3, 12), discharge_reason="family",
    )  # fmt: skip
    Assessment.objects.create(resident=improved, assessed_on=dt.date(2019, 11, 1), percent=35)
    Assessment.objects.create(resident=improved, assessed_on=dt.date(2020, 2, 1), percent=55)
    volunteer = Volunteer.objects.create(
        province=bangkok, national_id=make_valid("310000000011"), first_name="อาสา",
        last_name="ทดสอบ", sex="F", kind=Kind.BANGKOK, birth_date=dt.date(1980, 5, 1),
        trained_on=dt.date(2020, 1, 16), card_expires_on=dt.date(2025, 1, 16),
    )  # fmt: skip
    Course.objects.create(
        kind=Path.WORKSHOP, province=bangkok, title="รุ่นทดสอบ",
        start_date=dt.date(2020, 1, 14), end_date=dt.date(2020, 1, 16), hours=24,
    )  # fmt: skip
    Service.objects.create(
        volunteer=volunteer, province=bangkok, date=dt.date(2020, 3, 1), service_type="survey",
        target_group="elderly", people_served=3,
    )  # fmt: skip
    Plan.objects.create(title="แผนทดสอบ", approved_on=dt.date(2020, 1, 10))
    officer = make_user(roles.SUBSIDY_OFFICER, username="exports-officer")
    subsidy_services.create_application(
        Application(
            first_name="คำขอ", last_name="ทดสอบ", national_id=make_valid("110000000022"),
            province=bangkok, subsidy_type=SubsidyType.LOW_INCOME, amount_requested=3000,
            received_on=dt.date(2020, 1, 6),
        ),
        officer,
    )  # fmt: skip
    Dataset.objects.filter(pk=Dataset.objects.order_by("pk").values("pk")[:1]).update(
        linked_to_center=True, linked_since=dt.date(2020, 6, 1)
    )
    # Logged in at 00:30 on 12 March, Bangkok (11 March in UTC).
    seen = make_user(roles.MANAGER, username="exports-manager")
    seen.last_login = dt.datetime(2020, 3, 11, 17, 30, tzinfo=dt.UTC)
    seen.save(update_fields=["last_login"])
    return make_user(roles.ADMIN, username="exports-admin")


def _drilldowns() -> list[str]:
    """The lists an indicator page links to with "(Excel)", as the page builds the links."""
    urls = []
    for key in ("shelters.improved", "shelters.returned"):
        result = registry.get(key).compute(2563, dt.date(2020, 9, 30))
        urls += [item.url for item in result.breakdown if item.url]
    assert urls
    return urls


# Each list: its address, and the headers of its date columns (each must be a date cell).
LISTS = [
    ("shelters:resident-list", ["วันที่รับเข้า", "ประเมินล่าสุด", "จำหน่าย"]),
    ("volunteers:list", ["บัตรหมดอายุ"]),
    ("volunteers:expiring", []),
    ("volunteers:export", ["วันเกิด", "วันที่ผ่านการอบรม", "บัตรหมดอายุ"]),
    ("volunteers:course-list", ["วันเริ่ม", "วันสิ้นสุด"]),
    ("volunteers:service-list", ["วันที่"]),
    ("volunteers:plan-list", ["เห็นชอบเมื่อ"]),
    ("subsidies:list", ["รับคำขอ"]),
    ("catalog:list", ["เชื่อมโยงตั้งแต่"]),
    ("accounts:list", ["เข้าสู่ระบบล่าสุด", "สร้างเมื่อ"]),
]


def _assert_plain(book, where: str) -> list:
    """No cell holds markup or a date written as Thai text; every date cell shows BE."""
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    for cell in cells:
        if isinstance(cell.value, str):
            assert not MARKUP.search(cell.value), (where, cell.coordinate, cell.value)
            assert not THAI_DATE_TEXT.search(cell.value), (where, cell.coordinate, cell.value)
            assert cell.data_type == "s", (where, cell.coordinate)
        if isinstance(cell.value, dt.datetime):
            assert cell.number_format in (BE_DATE, BE_DATETIME), (where, cell.coordinate)
    return cells


def test_every_list_export_holds_plain_values_and_date_cells(client_for, world):
    client = client_for(world)
    for name, date_columns in LISTS:
        url = reverse(name)
        url = with_query(url, "export=xlsx") if name != "volunteers:export" else url
        book = _book(client.get(url))
        _assert_plain(book, name)
        sheet = book.active
        header = [c.value for c in sheet[1]]
        assert sheet.max_row >= 2 or name == "volunteers:expiring", name
        for column in date_columns:
            col = header.index(column) + 1
            values = [sheet.cell(r, col) for r in range(2, sheet.max_row + 1)]
            dates = [c for c in values if c.value is not None]
            assert dates, (name, column)
            assert all(c.is_date for c in dates), (name, column, [c.value for c in dates])
        body = client.get(with_query(reverse(name), "export=csv")).content.decode("utf-8-sig")
        assert not MARKUP.search(body) and not THAI_DATE_TEXT.search(body), name


def test_the_drilldown_lists_export_plain_values(client_for, world):
    client = client_for(world)
    rows = 0
    for url in _drilldowns():
        book = _book(client.get(with_query(url, "export=xlsx")))
        cells = _assert_plain(book, url)
        if book.active.max_row > 1:
            rows += book.active.max_row - 1
            assert any(c.is_date for c in cells), url
    assert rows  # the improved resident is in one of them


def test_the_resident_export_has_the_case_number_as_text_and_the_reason_in_its_own_column(
    client_for, world
):
    rows = list(
        _book(
            client_for(world).get(reverse("shelters:resident-list") + "?export=xlsx")
        ).active.iter_rows(values_only=True)
    )
    header = rows[0]
    by_case = {r[0]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    gone = by_case["TYB-M-0002"]
    assert gone["จำหน่าย"] == dt.datetime(2020, 3, 12)
    assert gone["เหตุที่จำหน่าย"] == "กลับสู่ครอบครัว"
    assert by_case["TYB-M-0001"]["หน่วยงาน"] == "TYB-M"
    assert by_case["TYB-M-0001"]["ประเมินล่าสุด"] == dt.datetime(2020, 2, 1)
    csv_rows = _csv(client_for(world).get(reverse("shelters:resident-list") + "?export=csv"))
    assert "2020-03-12" in {cell for row in csv_rows for cell in row}


def test_the_user_export_dates_logins_in_bangkok(client_for, world):
    sheet = _book(client_for(world).get(reverse("accounts:list") + "?export=xlsx")).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "exports-manager")
    login = row[header.index("เข้าสู่ระบบล่าสุด")]
    assert login.value == dt.datetime(2020, 3, 12, 0, 30) and login.number_format == BE_DATETIME
