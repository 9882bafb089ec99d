"""The self-assessment report as .xlsx: a summary sheet and a sheet per indicator, figures as
numbers with number formats (never text), dates as Buddhist-era date cells, texts as text cells
without HTML; an open round's workbook says it is not yet reported."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.exports import BE_DATE, BE_DATETIME
from reporting import services
from reporting.models import Narrative, NarrativeStatus


@pytest.fixture
def reported_six(six, write_narratives, kpi_admin, add_residents, approved_evidence):
    add_residents(3, last=85)
    add_residents(1, last=30)
    approved_evidence.reviewed_at = dt.datetime(2020, 3, 19, 18, 30, tzinfo=dt.UTC)
    approved_evidence.save()
    write_narratives(six)
    Narrative.objects.filter(round=six, indicator__code="1.1").update(
        obstacles="<b>ผู้รับบริการ</b> บางกลุ่มใช้เวลาฟื้นฟูนาน", actions="=เพิ่มกิจกรรม"
    )
    Narrative.objects.get(round=six, indicator__code="2").evidence.add(approved_evidence)
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    return six


def _book(client, round_):
    response = client.get(reverse("reporting:round-report-xlsx", args=[round_.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="self-assessment-2563-{round_.as_of.isoformat()}'
        + ("" if round_.is_closed else "-live")
        + '.xlsx"'
    )
    return load_workbook(io.BytesIO(response.content))


def _cells_by_label(sheet) -> dict:
    """Column A's label → the row's cells (the first occurrence)."""
    found: dict = {}
    for row in sheet.iter_rows():
        if row[0].value is not None and row[0].value not in found:
            found[row[0].value] = row
    return found


def test_the_summary_sheet_has_the_header_and_typed_figures(client_for, manager, reported_six):
    book = _book(client_for(manager), reported_six)
    assert book.sheetnames == [
        "สรุป", "ตัวชี้วัด 1.1", "ตัวชี้วัด 1.2", "ตัวชี้วัด 2", "ตัวชี้วัด 3.1", "ตัวชี้วัด 3.2",
    ]  # fmt: skip
    summary = book["สรุป"]
    assert summary["A1"].value == "รายงานผลการประเมินตนเอง"
    head = _cells_by_label(summary)
    assert head["ส่วนราชการ"][1].value == "กรมพัฒนาสังคมและสวัสดิการ"
    assert head["ปีงบประมาณ (พ.ศ.)"][1].value == 2563
    assert head["รอบการรายงาน"][1].value == "รอบ 6 เดือน"
    as_of = head["ข้อมูล ณ วันที่"][1]
    assert as_of.is_date and as_of.value.date() == dt.date(2020, 3, 31)
    assert as_of.number_format == BE_DATE
    closed_at = head["ปิดรอบเมื่อ"][1]
    assert closed_at.is_date and closed_at.number_format == BE_DATETIME
    assert head["บันทึกผลครั้งที่"][1].value == 1
    one_one = head["1.1"]
    weight, result, numerator, denominator = (c for c in one_one[2:6])
    assert (weight.value, weight.data_type, weight.number_format) == (20, "n", '"("0")"')
    assert (result.value, result.data_type) == (75, "n")
    assert result.number_format == '"ร้อยละ "0.00'
    assert (numerator.value, denominator.value) == (3, 4)
    assert numerator.number_format == "#,##0"
    level, score, weighted = one_one[6:9]
    assert level.value == "ขั้นสูง" and level.data_type == "s"
    assert (score.value, score.data_type, score.number_format) == (100, "n", "0.00")
    assert (weighted.value, weighted.number_format) == (20, "0.00")
    assert head["2"][3].value == "ผ่านระดับ 1"
    total = head["รวม"]
    snapshot = reported_six.snapshots.get()
    assert total[8].data_type == "n" and total[8].number_format == "0.00"
    assert Decimal(str(total[8].value)) == snapshot.total.quantize(Decimal("0.01"))
    levels = {0: "ต่ำกว่าขั้นต่ำ", 1: "ขั้นต่ำ", 2: "มาตรฐาน", 3: "ขั้นสูง"}
    assert total[6].value == levels[snapshot.total_level]


def test_each_indicator_sheet_has_targets_result_narrative_and_evidence(
    client_for, manager, reported_six, approved_evidence
):
    book = _book(client_for(manager), reported_six)
    one_one = _cells_by_label(book["ตัวชี้วัด 1.1"])
    assert one_one["น้ำหนัก (ร้อยละ)"][1].value == 20
    minimum = one_one["เป้าหมายขั้นต่ำ"]
    assert minimum[1].value == 50 and minimum[2].value == 10.72
    assert minimum[2].number_format == '"ร้อยละ "0.00'
    assert one_one["ผลการดำเนินงาน"][1].value == 75 and one_one["ตัวตั้ง"][1].value == 3
    assert one_one["ตัวหาร"][1].value == 4 and one_one["คะแนน"][1].value == 100
    # The narrative: texts as typed, no HTML taken for markup, a formula-looking text stays text.
    obstacles = one_one["ปัญหาอุปสรรค"][1]
    assert obstacles.value == "<b>ผู้รับบริการ</b> บางกลุ่มใช้เวลาฟื้นฟูนาน" and obstacles.data_type == "s"
    actions = one_one["แนวทางแก้ไขปัญหาอุปสรรค"][1]
    assert actions.value == "=เพิ่มกิจกรรม" and actions.data_type == "s" and actions.quotePrefix
    submitted = one_one["ส่งคำบรรยายโดย"]
    assert submitted[2].is_date and submitted[2].number_format == BE_DATETIME
    # A ratio has no deliverables: its sheet has no evidence list.
    assert "อนุมัติโดย" not in [c.value for row in book["ตัวชี้วัด 1.1"].iter_rows() for c in row]
    # KPI 2: the milestone's level and the approved evidence with the day it was approved.
    kpi2 = book["ตัวชี้วัด 2"]
    cells = _cells_by_label(kpi2)
    assert cells["ผลการดำเนินงาน"][1].value == "ผ่านระดับ 1"
    assert cells["ระดับที่ผ่าน"][1].value == 1 and cells["ระดับที่ผ่าน"][1].data_type == "n"
    evidence = next(r for r in kpi2.iter_rows() if r[2].value == approved_evidence.title)
    assert evidence[0].value == "เป้าหมายขั้นต่ำ"
    assert evidence[3].value == approved_evidence.url
    assert evidence[4].value == approved_evidence.reviewed_by.get_full_name()
    approved_on = evidence[5]
    assert approved_on.is_date and approved_on.number_format == BE_DATE
    assert approved_on.value.date() == dt.date(2020, 3, 20)  # the day in Bangkok, not UTC's 19th
    assert evidence[6].value == "ใช่"
    texts = [c.value for row in kpi2.iter_rows() for c in row if isinstance(c.value, str)]
    assert "ร่างแผนยังไม่ส่ง" not in texts


def test_an_open_rounds_workbook_says_it_is_not_yet_reported(
    client_for, owner, six, write_narratives
):
    write_narratives(six, status=NarrativeStatus.DRAFT)
    book = _book(client_for(owner), six)
    head = _cells_by_label(book["สรุป"])
    assert head["สถานะ"][1].value == "ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)"
    assert "ปิดรอบโดย" not in head
    assert _cells_by_label(book["ตัวชี้วัด 1.1"])["สถานะคำบรรยาย"][1].value == "ร่าง (ยังไม่ได้ส่ง)"
