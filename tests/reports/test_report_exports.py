"""The KPI report's .xlsx and PDF: texts as written (no apostrophe), each target said once,
figures as numbers with number formats, evidence dated on Bangkok's day."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core.exports import BE_DATE
from indicators.models import Deliverable, Evidence, EvidenceStatus
from reports.report import PERCENT, SCORE, note_without_target

PERIOD = "?year=2563&as_of=2020-09-30"
# 18:30 UTC on 11 March is 01:30 on 12 March in Bangkok.
SENT = dt.datetime(2020, 3, 11, 18, 30, tzinfo=dt.UTC)
REVIEWED = dt.datetime(2020, 3, 12, 17, 5, tzinfo=dt.UTC)  # 00:05 on 13 March in Bangkok


@pytest.fixture
def report(fy2563, residents, kpi_admin, approver, owner):
    residents(7, 43)
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, indicator__code="3.1"
    ).first()
    Evidence.objects.create(
        deliverable=deliverable, title="รายงานที่ส่งหลังเที่ยงคืน", url="https://example.org/r",
        status=EvidenceStatus.APPROVED, created_by=owner, submitted_by=owner, submitted_at=SENT,
        reviewed_by=approver, reviewed_at=REVIEWED,
    )  # fmt: skip
    return fy2563


def _xlsx(client):
    response = client.get(reverse("reports:report-xlsx") + PERIOD)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def test_no_text_gets_an_apostrophe_and_every_string_is_a_text_cell(client_for, manager, report):
    book = _xlsx(client_for(manager))
    texts = [
        c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert texts and not [c.value for c in texts if c.value.startswith("'")]
    assert all(c.data_type == "s" for c in texts)
    # The descriptions open with "- " (a list): kept as written, a text cell.
    description = next(r[1] for r in book["ตัวชี้วัด 1.1"].iter_rows() if r[0].value == "คำอธิบาย")
    assert description.value.startswith("- การวัด") and description.quotePrefix


def test_the_summary_holds_percentages_scores_and_weights_as_numbers(client_for, manager, report):
    summary = _xlsx(client_for(manager))["สรุป"]
    row = next(r for r in summary.iter_rows() if r[0].value == "1.1")
    code, name, weight, result, level, score, weighted = row
    assert (weight.value, weight.data_type) == (20, "n")
    assert (result.value, result.data_type, result.number_format) == (14, "n", PERCENT)
    assert (score.value, score.number_format) == (100, SCORE)
    assert (weighted.value, weighted.number_format) == (20, SCORE)
    total = next(r for r in summary.iter_rows() if r[0].value == "รวม")
    assert total[6].data_type == "n" and total[6].number_format == SCORE


def test_each_target_is_said_once(client_for, manager, report):
    sheet = _xlsx(client_for(manager))["ตัวชี้วัด 1.1"]
    minimum = next(r for r in sheet.iter_rows() if str(r[0].value).startswith("เป้าหมายขั้นต่ำ"))
    assert (minimum[1].value, minimum[1].number_format) == (10.72, PERCENT)
    assert minimum[2].value == "(ผลการดำเนินงานปี 62)"
    html = client_for(manager).get(reverse("reports:report") + PERIOD).content.decode()
    assert "ร้อยละ 10.72" in html and not re.search(
        r"ร้อยละ 10\.72\s*(<[^>]+>\s*)*ร้อยละ 10\.72", html
    )


@pytest.mark.parametrize(
    ("target", "note", "expected"),
    [
        (10.72, "ร้อยละ 10.72 (ผลการดำเนินงานปี 62)", "(ผลการดำเนินงานปี 62)"),
        (80, "ร้อยละ 80.00", ""),
        (80, "ร้อยละ 75 ของปีก่อน", "ร้อยละ 75 ของปีก่อน"),  # another figure: kept
        (None, "แผนได้รับความเห็นชอบ", "แผนได้รับความเห็นชอบ"),
    ],
)
def test_a_note_loses_only_the_target_it_repeats(target, note, expected):
    assert note_without_target(target, note) == expected


def test_evidence_is_dated_on_bangkoks_day_in_the_xlsx(client_for, manager, report):
    sheet = _xlsx(client_for(manager))["ตัวชี้วัด 3.1"]
    rows = list(sheet.iter_rows())
    header = next(r for r in rows if r[0].value == "ระดับ" and r[2].value == "หลักฐาน")
    names = [c.value for c in header]
    line = next(r for r in rows if r[2].value == "รายงานที่ส่งหลังเที่ยงคืน")
    sent = line[names.index("วันที่ส่ง")]
    reviewed = line[names.index("วันที่พิจารณา")]
    assert sent.value == dt.datetime(2020, 3, 12) and sent.number_format == BE_DATE
    assert reviewed.value == dt.datetime(2020, 3, 13) and reviewed.number_format == BE_DATE
    assert line[names.index("ลิงก์")].value == "https://example.org/r"


def test_evidence_is_dated_on_bangkoks_day_in_the_pdf_and_the_page(client_for, manager, report):
    client = client_for(manager)
    response = client.get(reverse("reports:report-pdf") + PERIOD)
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pages))
    assert "12มี.ค.2563" in text and "13มี.ค.2563" in text
    assert "11มี.ค.2563" not in text
    html = client.get(reverse("reports:report") + PERIOD).content.decode()
    assert "12 มี.ค. 2563" in html and "11 มี.ค. 2563" not in html
