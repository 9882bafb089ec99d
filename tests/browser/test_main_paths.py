"""The main paths, end to end in headless Chromium."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from core import roles
from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def facility(db) -> Facility:
    return Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )


def _resident(facility, case_number, first, last):
    person = Resident.objects.create(
        facility=facility, case_number=case_number, full_name=f"ผู้รับบริการ {case_number}",
        target_group="destitute", admitted_on=dt.date(2019, 6, 1),
    )  # fmt: skip
    Assessment.objects.bulk_create(
        [
            Assessment(resident=person, assessed_on=dt.date(2019, 8, 1), percent=Decimal(first)),
            Assessment(resident=person, assessed_on=dt.date(2020, 2, 1), percent=Decimal(last)),
        ]
    )
    return person


def test_facility_staff_adds_a_resident_and_two_assessments_and_kpi_1_1_moves(
    page, live_server, login, make_user, facility
):
    _resident(facility, "63-0001", 55, 35)  # B→C: not improved → 1.1 = 0.00 (0 / 1)
    staff = make_user(roles.FACILITY_STAFF, username="staff-tyb")
    FacilityStaff.objects.create(user=staff, facility=facility)
    login(page, staff)

    dashboard = f"{live_server.url}/reports/?year=2563&as_of=30/09/2563"
    page.goto(dashboard)
    assert page.get_by_test_id("result-1.1").inner_text().strip() == "0.00"

    page.goto(f"{live_server.url}/shelters/residents/new/")
    page.fill("#id_case_number", "63-0002")
    page.fill("#id_full_name", "สมชาย ใจดี")
    page.select_option("#id_target_group", "destitute")
    page.fill("#id_admitted_on", "01/06/2562")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/shelters/residents/\d+/$"))

    for day, percent in (("01/11/2562", "35"), ("01/03/2563", "85")):  # C → A
        page.get_by_role("link", name=re.compile("บันทึกผลการประเมิน IRP")).click()
        page.fill("#id_assessed_on", day)
        page.fill("#id_percent", percent)
        page.get_by_role("button", name="บันทึกผลการประเมิน").click()
        page.wait_for_url(re.compile(r"/shelters/residents/\d+/$"))
    assert page.locator("table[aria-label='ประวัติการประเมิน'] tbody tr").count() == 2

    page.goto(dashboard)
    assert page.get_by_test_id("result-1.1").inner_text().strip() == "50.00"  # 1 / 2
    assert "1 / 2" in page.locator("[data-code='1.1']").inner_text()
    page.wait_for_function("document.documentElement.dataset.chartsReady === '1'")


def _csv(rows) -> bytes:
    return ("\ufeff" + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def test_admin_uploads_assessments_sees_an_error_fixes_the_file_and_confirms(
    page, live_server, login, make_user, facility
):
    Resident.objects.create(
        facility=facility, case_number="63-0001", full_name="ผู้รับบริการ 1",
        target_group="destitute", admitted_on=dt.date(2019, 1, 1),
    )  # fmt: skip
    admin = make_user(roles.ADMIN, username="kpi-admin")
    login(page, admin)
    header = ["facility_code", "case_number", "assessed_on", "percent"]
    bad = _csv(
        [
            header,
            ["TYB-M", "63-0001", "15/03/2563", "72.5"],
            ["TYB-M", "63-0001", "31/02/2563", "80"],
        ]
    )
    good = _csv(
        [
            header,
            ["TYB-M", "63-0001", "15/03/2563", "72.5"],
            ["TYB-M", "63-0001", "28/02/2563", "80"],
        ]
    )

    def upload(data: bytes):
        page.goto(f"{live_server.url}/imports/")
        page.select_option("#id_kind", "assessments")
        page.set_input_files(
            "#id_file", {"name": "irp.csv", "mimeType": "text/csv", "buffer": data}
        )
        page.get_by_role("button", name="ตรวจสอบไฟล์").click()
        page.wait_for_url(re.compile(r"/imports/\d+/$"))

    upload(bad)
    assert page.get_by_test_id("count-errors").inner_text().strip() == "1"
    errors = page.locator("table[aria-label='ข้อผิดพลาด']")
    assert "31/02/2563" in errors.inner_text() and "ไม่ใช่วันที่ที่มีอยู่จริง" in errors.inner_text()
    assert page.get_by_role("button", name=re.compile("ยืนยันนำเข้า")).count() == 0
    assert not Assessment.objects.exists()

    upload(good)
    assert page.get_by_test_id("count-errors").inner_text().strip() == "0"
    assert page.get_by_test_id("count-new").inner_text().strip() == "2"
    page.get_by_role("button", name="ยืนยันนำเข้า 2 แถว").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("upload-status").inner_text().strip() == "นำเข้าแล้ว"
    assert Assessment.objects.filter(resident__case_number="63-0001").count() == 2


def test_a_citizen_checks_an_application_status_on_a_phone(phone, live_server, make_user):
    from subsidies import services
    from subsidies.models import Application, SubsidyType

    officer = make_user(roles.SUBSIDY_OFFICER, username="subsidy-officer")
    application = services.create_application(
        Application(
            first_name="สมหญิง", last_name="ใจดี", national_id="1101700203450",
            province=Province.objects.get(code="10"), subsidy_type=SubsidyType.LOW_INCOME,
            amount_requested=3000, received_on=dt.date(2020, 1, 6),
        ),
        officer,
    )  # fmt: skip
    page = phone
    page.goto(f"{live_server.url}/subsidies/status/")
    page.fill("#id_reference", application.formatted_reference)
    page.fill("#id_national_id", "1101700203450")
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()  # the page's script sends it
    result = page.locator("#status-result")
    result.wait_for()
    assert application.formatted_reference in result.inner_text()
    assert "สมหญิง" in result.inner_text()
    assert "ใจดี" not in result.inner_text()  # nothing beyond the first name
    # Fits the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A wrong national ID reveals nothing.
    page.fill("#id_reference", application.formatted_reference)
    page.fill("#id_national_id", "1101700203468")
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#lookup-error").wait_for()
    assert page.locator("#status-result").count() == 0


def test_a_manager_downloads_the_pdf_report(page, live_server, login, make_user, facility):
    for n in range(7):
        _resident(facility, f"63-{n:04d}", 35, 55)  # C→B: improved
    for n in range(7, 50):
        _resident(facility, f"63-{n:04d}", 55, 35)  # 1.1 = 14.00 → 20 weighted points
    manager = make_user(roles.MANAGER, username="manager")
    login(page, manager)
    page.get_by_role("link", name="แดชบอร์ดผู้บริหาร").first.click()  # the main menu
    page.wait_for_url(re.compile(r"/reports/"))
    page.get_by_role("link", name="รายงานตัวชี้วัดประจำปี").click()
    page.wait_for_url(re.compile(r"/reports/kpi-report/"))
    page.fill("#as_of", "30/09/2563")
    page.get_by_role("button", name="แสดง").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("report-total").inner_text().strip() == "20.00"
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf").click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"%PDF")
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))
    assert "คะแนนรวม20.00จาก100" in text
    assert "ร้อยละของกลุ่มเป้าหมายที่ได้รับการพัฒนาศักยภาพ" in text
