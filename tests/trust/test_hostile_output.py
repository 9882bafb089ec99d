"""Hostile text on its way out and hostile parameters on their way in.

A citizen's comment, a resident's name or an evidence title may start with ``=`` or hold a control
character (``\\x0b``, ``\\x01``): every spreadsheet the site writes (lists, the usage report, the
KPI report, the field report) answers 200 with that cell as plain text, the control characters
gone, numbers still numbers and dates still date cells. Forms refuse control characters with a
Thai message; a NUL or control character in a query parameter is a 400; per_page and page are
bounded, whatever they say.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import roles
from core.exports import BE_DATE, clean_cell, clean_text
from core.models import Province
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator
from shelters.models import Facility, FacilityStaff, Resident
from subsidies.models import Rating, StatusCheck, citizen_key
from tests.subsidies.conftest import new_national_id

FORMULA = '=HYPERLINK("http://x","y")'
CONTROL = "\x0b\x01"
CONTROLS = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def _workbook(response):
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def _cells(book):
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_safe(book, marker: str) -> list:
    """Every cell is safe; the cells holding ``marker`` are returned (text, no formula)."""
    found = []
    for cell in _cells(book):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if isinstance(cell.value, str):
            # A would-be formula is a text cell with Excel's quote prefix (no apostrophe added).
            if cell.value.startswith(("=", "+", "-", "@")):
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
            assert not CONTROLS & set(cell.value), repr(cell.value)
            if marker in cell.value:
                assert cell.data_type == "s"
                found.append(cell)
    assert found, f"{marker!r} is not in the workbook"
    return found


# -- the writer itself ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a\x0bb\x01c\x00d\x7fe", "abcde"),
        ("\x01=1", "'=1"),  # stripped first, then neutralised: no formula hides behind a control
        ("line\none\ttab", "line\none\ttab"),
        ("ชื่อ\ufffe", "ชื่อ"),
        (5, 5),
        (Decimal("3000.50"), Decimal("3000.50")),
        (-2.5, -2.5),
        (True, True),
        (None, None),
        (dt.date(2020, 3, 1), dt.date(2020, 3, 1)),
    ],
)
def test_the_writer_neutralises_formulas_strips_controls_and_keeps_numbers_and_dates(
    value, expected
):
    # CSV's rule for text (an .xlsx keeps the text and types the cell: see the next test).
    assert (clean_text(value) if isinstance(value, str) else clean_cell(value)) == expected


def test_a_list_export_keeps_numbers_numeric_and_dates_as_date_cells():
    from core.exports import rows_response

    rows = [[FORMULA, 3000, Decimal("72.50"), dt.date(2020, 3, 1), f"a{CONTROL}b", None]]
    response = rows_response(["h1", "h2", "h3", "h4", "h5", "h6"], rows, "x", "xlsx")
    sheet = _workbook(response).active
    text, number, decimal, day, stripped, empty = sheet[2]
    assert (text.data_type, text.value, text.quotePrefix) == ("s", FORMULA, True)
    assert (number.data_type, number.value) == ("n", 3000)
    assert (decimal.data_type, decimal.value) == ("n", 72.5)
    assert day.is_date and day.value == dt.datetime(2020, 3, 1) and day.number_format == BE_DATE
    assert stripped.value == "ab" and empty.value is None
    body = rows_response(["h"], [[f"{CONTROL}=1"], [-5], ["-5"]], "x", "csv").content
    assert body.decode("utf-8-sig").splitlines() == ["h", "'=1", "-5", "'-5"]


def test_an_aware_datetime_becomes_a_local_date_cell():
    aware = timezone.make_aware(dt.datetime(2020, 3, 1, 23, 30))
    assert clean_cell(aware) == dt.datetime(2020, 3, 1, 23, 30)


# -- the resident list export --------------------------------------------------------------------
@pytest.fixture
def facility(db):
    return Facility.objects.create(
        code="TYB-M", name="ทดสอบ", kind="shelter", province=Province.objects.get(code="13")
    )


@pytest.fixture
def staff(make_user, facility):
    user = make_user(roles.FACILITY_STAFF, username="staff-hostile")
    FacilityStaff.objects.create(user=user, facility=facility)
    return user


@pytest.mark.parametrize("name", [FORMULA, f"สมชาย{CONTROL}ใจดี", f"{CONTROL}=1+2"])
def test_the_resident_list_xlsx_holds_a_hostile_name_as_text(client_for, staff, facility, name):
    Resident.objects.create(
        facility=facility, case_number="63-0001", full_name=name, target_group="destitute",
        admitted_on=dt.date(2019, 10, 1),
    )  # fmt: skip
    response = client_for(staff).get(reverse("shelters:resident-list") + "?export=xlsx")
    book = _workbook(response)
    marker = "HYPERLINK" if "HYPERLINK" in name else ("ใจดี" if "ใจดี" in name else "1+2")
    (cell,) = _assert_safe(book, marker)
    assert cell.value in (FORMULA, "สมชายใจดี", "=1+2")
    # The admission date is a date cell (shown in BE through its number format).
    assert dt.datetime(2019, 10, 1) in [c.value for c in book.active[cell.row]]
    csv_body = client_for(staff).get(reverse("shelters:resident-list") + "?export=csv")
    assert csv_body.status_code == 200
    text = csv_body.content.decode("utf-8-sig")
    assert not CONTROLS & set(text) and "\n=" not in text and ",=" not in text


# -- the usage report (a citizen's comment) ------------------------------------------------------
@pytest.mark.parametrize("comment", [FORMULA, f"ดีมาก{CONTROL}ครับ"])
def test_the_usage_report_xlsx_holds_a_hostile_comment_as_text(client_for, manager, comment):
    day = dt.date(2020, 3, 3)
    check = StatusCheck.objects.create(
        citizen_key=citizen_key(new_national_id()),
        checked_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        checked_on=day,
        fiscal_year=2563,
    )
    Rating.objects.create(check_record=check, score=4, comment=comment)
    response = client_for(manager).get(
        reverse("subsidies:report"), {"year": 2563, "format": "xlsx"}
    )
    book = _workbook(response)
    (cell,) = _assert_safe(book, "HYPERLINK" if "HYPERLINK" in comment else "ครับ")
    assert cell.value in (FORMULA, "ดีมากครับ")
    sheet = book["ข้อเสนอแนะ"]
    assert sheet.cell(cell.row, 2).value == 4 and sheet.cell(cell.row, 2).data_type == "n"
    months = book["รายเดือน"]
    assert [c.data_type for c in months[months.max_row]][1:] == ["n", "n"]


# -- the KPI report (an evidence title, an indicator's name) -------------------------------------
def test_the_kpi_report_xlsx_holds_hostile_titles_as_text(client_for, manager, fy2563, kpi_admin):
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, indicator__code="3.1"
    ).first()
    Evidence.objects.create(
        deliverable=deliverable, title=f"{FORMULA}{CONTROL}", url="https://example.org/x",
        status=EvidenceStatus.APPROVED, created_by=kpi_admin, reviewed_by=kpi_admin,
    )  # fmt: skip
    Indicator.objects.filter(indicator_set=fy2563, code="1.1").update(
        name=f"ร้อยละ{CONTROL}ของผู้รับบริการ"
    )
    response = client_for(manager).get(
        reverse("reports:report-xlsx") + "?year=2563&as_of=2020-09-30"
    )
    book = _workbook(response)
    _assert_safe(book, "HYPERLINK")
    names = _assert_safe(book, "ร้อยละของผู้รับบริการ")
    summary = book["สรุป"]
    row = next(c.row for c in names if c.parent.title == "สรุป")
    assert summary.cell(row, 3).data_type == "n"  # the weight stays a number


# -- the field report (a province's name, the one free text in it) -------------------------------
def test_the_field_report_xlsx_holds_a_hostile_scope_label_as_text(make_user, client_for):
    bangkok = Province.objects.get(code="10")
    Province.objects.filter(pk=bangkok.pk).update(name=f"=กรุงเทพ{CONTROL}มหานคร")
    officer = make_user(roles.PROVINCIAL_OFFICER, province=bangkok)
    response = client_for(officer).get(
        reverse("volunteers:report"), {"year": 2563, "format": "xlsx"}
    )
    book = _workbook(response)
    (cell,) = _assert_safe(book, "กรุงเทพมหานคร")
    totals = next(r for r in book.active.iter_rows() if r[0].value == "รวมทั้งสิ้น")
    assert [c.data_type for c in totals[1:3]] == ["n", "n"]


# -- forms ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("char", ["\x0b", "\x01", "\x1f", "\x7f"])
def test_a_form_refuses_a_control_character_with_a_thai_message(client_for, staff, facility, char):
    response = client_for(staff).post(
        reverse("shelters:resident-add"),
        {
            "facility": facility.pk, "case_number": "63-0009", "full_name": f"สมชาย{char}ใจดี",
            "sex": "male", "target_group": "destitute", "admitted_on": "01/10/2562",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "อักขระควบคุม" in response.content.decode()
    assert not Resident.objects.filter(case_number="63-0009").exists()


def test_every_project_form_text_field_carries_the_validator():
    from django import forms as django_forms

    from core.forms import BootstrapMixin, refuse_control_characters

    class Sample(BootstrapMixin, django_forms.Form):
        name = django_forms.CharField()
        note = django_forms.CharField(widget=django_forms.Textarea)

    form = Sample({"name": "a\x0bb", "note": "line one\nline two\ttab"})
    assert not form.is_valid()
    assert "name" in form.errors and "note" not in form.errors
    assert refuse_control_characters in form.fields["name"].validators
    # The validator lives on the form's copy of the field, not on the class's.
    assert refuse_control_characters not in Sample.base_fields["name"].validators


# -- parameters ----------------------------------------------------------------------------------
LISTS = {
    "residents": ("shelters:resident-list", "staff"),
    "volunteers": ("volunteers:list", "kpi_admin"),
    "applications": ("subsidies:list", "subsidy_officer"),
    "users": ("accounts:list", "kpi_admin"),
    "catalog": ("catalog:list", "kpi_admin"),
    "courses": ("volunteers:course-list", "kpi_admin"),
    "services": ("volunteers:service-list", "kpi_admin"),
}


@pytest.fixture
def subsidy_officer(make_user):
    return make_user(roles.SUBSIDY_OFFICER, username="subsidy-hostile")


QUERIES = [
    "per_page=-1",
    "per_page=0",
    "per_page=100000000",
    "per_page=abc",
    "per_page=99999999999999999999999999",
    "page=abc",
    "page=999999",
    "page=-3",
    "sort=nonexistent",
    "sort=-nonexistent&page=2&per_page=1",
    "q=%00",
    "q=a%01b",
    "%00=1",
]


@pytest.mark.parametrize("list_name", sorted(LISTS))
def test_list_parameters_never_make_a_server_error(db, request, client_for, list_name):
    url_name, user_fixture = LISTS[list_name]
    client = client_for(request.getfixturevalue(user_fixture))
    for query in QUERIES:
        response = client.get(reverse(url_name) + "?" + query)
        if "%0" in query:
            assert response.status_code == 400, query
            continue
        assert response.status_code == 200, query
        page = response.context["table"].page
        assert len(page.object_list) <= 200, query
        assert 1 <= page.paginator.per_page <= 200, query


def test_per_page_is_bounded_to_two_hundred(client_for, kpi_admin, make_user):
    for n in range(210):
        make_user(username=f"bulk{n:03d}")
    client = client_for(kpi_admin)
    assert (
        len(
            client.get(reverse("accounts:list") + "?per_page=100000000")
            .context["table"]
            .page.object_list
        )
        == 200
    )
    assert (
        len(client.get(reverse("accounts:list") + "?per_page=3").context["table"].page.object_list)
        == 3
    )
    default = client.get(reverse("accounts:list") + "?per_page=-1").context["table"]
    assert (
        default.paginator.per_page
        == client.get(reverse("accounts:list")).context["table"].paginator.per_page
    )


def test_a_nul_in_a_posted_field_is_a_400_and_writes_nothing(client_for, staff, facility):
    response = client_for(staff).post(
        reverse("shelters:resident-add"),
        {"facility": facility.pk, "case_number": "63-0010", "full_name": "a\x00b",
         "target_group": "destitute", "admitted_on": "01/10/2562"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Resident.objects.filter(case_number="63-0010").exists()


def test_a_nul_on_the_public_status_page_is_a_400(db, client):
    assert client.get(reverse("subsidies:status") + "?reference=%00").status_code == 400
