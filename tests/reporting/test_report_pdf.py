"""The self-assessment report as PDF, through the documents' Thai engine (core.pdf): its text
carries the Thai headings, the figures and the narratives; dates are BE and on one line; only
Sarabun is embedded; nothing runs off the page; an open round's pages each say it is not yet
reported. Needs poppler (pdftotext, pdffonts, pdftoppm): without it these tests fail."""

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from core import pdf
from reporting import services
from reporting.models import Narrative, NarrativeStatus


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (poppler-utils) is missing: run scripts/system-deps test")
    return path


def _run(tool: str, *args) -> str:
    return subprocess.run([_tool(tool), *args], capture_output=True, text=True, check=True).stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.replace(pdf.NBSP, " "))


@pytest.fixture
def reported_six(six, write_narratives, kpi_admin, add_residents, approved_evidence):
    add_residents(3, last=85)
    add_residents(1, last=30)
    approved_evidence.reviewed_at = dt.datetime(2020, 3, 19, 18, 30, tzinfo=dt.UTC)
    approved_evidence.save()
    write_narratives(six)
    Narrative.objects.filter(round=six, indicator__code="1.1").update(
        supporting_factors="ทีมสหวิชาชีพประจำหน่วยงานและแบบประเมินมาตรฐานเดียวกันทุกแห่ง"
    )
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    return six


def _pdf(client, round_, tmp_path: Path) -> Path:
    response = client.get(reverse("reporting:round-report-pdf", args=[round_.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    return path


def test_the_pdf_carries_the_thai_headings_figures_and_narratives(
    client_for, manager, reported_six, approved_evidence, tmp_path
):
    path = _pdf(client_for(manager), reported_six, tmp_path)
    text = _run("pdftotext", "-raw", str(path), "-")  # content order, a printed line a line
    flat = _squash(text)
    for heading in (
        "รายงานผลการประเมินตนเอง", "สรุปผลคะแนน", "ค่าเป้าหมาย", "ผลการประเมิน",
        "คำบรรยายผลการดำเนินงาน", "ผลการดำเนินงาน", "ปัจจัยสนับสนุน", "ปัญหาอุปสรรค",
        "แนวทางแก้ไขปัญหาอุปสรรค", "หลักฐานที่ได้รับอนุมัติ", "คะแนนถ่วงน้ำหนัก", "น้ำหนัก",
    ):  # fmt: skip
        assert _squash(heading) in flat, heading
    assert _squash("กรมพัฒนาสังคมและสวัสดิการ ปีงบประมาณ พ.ศ. 2563 รอบ 6 เดือน") in flat
    assert _squash("ร้อยละ 75.00 (3 / 4)") in flat and _squash("ร้อยละ 10.72") in flat
    total = reported_six.snapshots.get().total
    assert _squash(f"คะแนนรวม {total:.2f} จาก 100") in flat
    assert _squash("ทีมสหวิชาชีพประจำหน่วยงานและแบบประเมินมาตรฐานเดียวกันทุกแห่ง") in flat
    assert _squash(approved_evidence.title) in flat
    assert "20มี.ค.2563" in flat  # the approval's day in Bangkok, BE
    assert "ยังไม่ได้รายงาน" not in flat
    # Dates on one line each, BE years only.
    lines = [line.replace(pdf.NBSP, " ") for line in text.splitlines()]
    assert any("31 มีนาคม 2563" in line for line in lines)
    assert any("30 เมษายน 2563" in line for line in lines)
    assert not re.search(r"\b20[12]\d\b", text)  # no CE year
    # Only Sarabun is embedded.
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all("Sarabun" in f for f in fonts)
    # Page count: the summary, then a page (or more) per indicator; "หน้า n/N" on each.
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    assert len(pages) >= 6
    for number in range(1, len(pages) + 1):
        assert f"หน้า{number}/{len(pages)}" in flat


def test_nothing_runs_off_the_page_and_every_page_has_ink(
    client_for, manager, reported_six, tmp_path
):
    path = _pdf(client_for(manager), reported_six, tmp_path)
    boxes = _run("pdftotext", "-bbox", str(path), "-")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    assert pages
    for width, height, body in pages:
        for x0, y0, x1, y1 in re.findall(
            r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', body
        ):
            assert float(x0) >= 0 and float(x1) <= float(width), (x0, x1)
            assert float(y0) >= 0 and float(y1) <= float(height), (y0, y1)
    _run("pdftoppm", "-r", "50", "-png", str(path), str(tmp_path / "page"))
    images = sorted(tmp_path.glob("page*.png"))
    assert len(images) == len(pages)
    for image in images:
        grey = Image.open(image).convert("L")
        assert grey.point(lambda p: 255 if p < 128 else 0).getbbox() is not None


def test_an_open_rounds_pdf_says_on_every_page_it_is_not_yet_reported(
    client_for, owner, six, write_narratives, tmp_path
):
    write_narratives(six, status=NarrativeStatus.DRAFT)
    path = _pdf(client_for(owner), six, tmp_path)
    pages = PdfReader(io.BytesIO(path.read_bytes())).pages
    assert len(pages) >= 6
    for number in range(1, len(pages) + 1):
        page = _run("pdftotext", "-raw", "-f", str(number), "-l", str(number), str(path), "-")
        assert _squash("ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)") in _squash(page), number
    assert _squash("ร่าง (ยังไม่ได้ส่ง)") in _squash(_run("pdftotext", "-raw", str(path), "-"))
