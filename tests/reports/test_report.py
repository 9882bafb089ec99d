import io
import re

from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator

PERIOD = "?year=2563&as_of=2020-09-30"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _evidence(fy2563, kpi_admin, approver):
    d = Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code="3.1").first()
    return Evidence.objects.create(
        deliverable=d, title="รายงานการศึกษาความต้องการผู้ใช้", url="https://example.org/study",
        status=EvidenceStatus.APPROVED, created_by=kpi_admin, reviewed_by=approver,
    )  # fmt: skip


def test_the_report_page_has_the_summary_and_one_section_per_indicator(
    client_for, manager, fy2563, residents, kpi_admin, approver
):
    residents(7, 43)
    _evidence(fy2563, kpi_admin, approver)
    response = client_for(manager).get(reverse("reports:report") + PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="report-total">20.00<' in html
    for ind in Indicator.objects.filter(indicator_set=fy2563):
        assert f'id="page-{ind.code}"' in html
    one_one = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    assert one_one.formula in html
    assert "ร้อยละ 14.00 (7 / 50)" in html
    assert "รายงานการศึกษาความต้องการผู้ใช้" in html and "อนุมัติแล้ว" in html


def test_the_xlsx_has_the_summary_and_a_sheet_per_indicator(
    client_for, manager, fy2563, residents, kpi_admin, approver
):
    residents(7, 43)
    _evidence(fy2563, kpi_admin, approver)
    response = client_for(manager).get(reverse("reports:report-xlsx") + PERIOD)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    summary = book["สรุป"]
    rows = [r for r in summary.iter_rows(values_only=True) if r and r[0]]
    assert rows[-1][0] == "รวม" and rows[-1][-1] == 20.0
    one_one = next(r for r in rows if r[0] == "1.1")
    assert one_one[5] == 100.0 and one_one[6] == 20.0
    assert {"ตัวชี้วัด 1.1", "ตัวชี้วัด 1.2", "ตัวชี้วัด 2", "ตัวชี้วัด 3.1", "ตัวชี้วัด 3.2"} <= set(book.sheetnames)
    cells = [c for row in book["ตัวชี้วัด 3.1"].iter_rows(values_only=True) for c in row if c]
    assert any("รายงานการศึกษาความต้องการผู้ใช้" in str(c) for c in cells)


def test_the_pdf_carries_the_thai_indicator_names_and_the_total(
    client_for, manager, fy2563, residents, kpi_admin, approver
):
    residents(7, 43)
    _evidence(fy2563, kpi_admin, approver)
    response = client_for(manager).get(reverse("reports:report-pdf") + PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Sarabun" in f for f in fonts)  # embedded subsets
    text = _squash("".join(page.extract_text() for page in reader.pages))
    for ind in Indicator.objects.filter(indicator_set=fy2563):
        assert _squash(ind.name) in text, ind.code
    assert "คะแนนรวม20.00จาก100" in text
    assert len(reader.pages) >= 1 + Indicator.objects.filter(indicator_set=fy2563).count()


def test_a_user_without_a_role_gets_no_report(client_for, no_role_user, fy2563):
    for name in ("reports:report", "reports:report-xlsx", "reports:report-pdf"):
        assert client_for(no_role_user).get(reverse(name)).status_code == 403


def test_the_report_and_the_dashboard_name_the_levels_alike(client_for, manager, fy2563, residents):
    """One set of level names (reports.dashboard.LEVEL_NAMES, as the level badge): a total below
    the minimum is "ต่ำกว่าขั้นต่ำ" in the report too (it said "ต่ำกว่าเป้าหมายขั้นต่ำ" there while
    the badge and the chart said "ต่ำกว่าขั้นต่ำ"), and the total's legend names the set's points."""
    residents(7, 43)  # 1.1 = 14.00: its top level; the total 20.00 is below the 50-point level
    client = client_for(manager)
    report = client.get(reverse("reports:report") + PERIOD).context["report"]
    assert str(report.total_level_text) == "ต่ำกว่าขั้นต่ำ"
    levels = {row["code"]: str(row["level"]) for row in report.summary_rows()}
    assert levels["1.1"] == "ขั้นสูง" and levels["1.2"] == ""
    board = client.get(reverse("reports:dashboard") + PERIOD).content.decode()
    assert "ขั้นต่ำ 50 · มาตรฐาน 75 · ขั้นสูง 100" in board
    assert 'data-below="ต่ำกว่าขั้นต่ำ"' in board
