"""Correcting IRP assessments and discharges in headless Chromium, and the assessment form's
read-only percent, which follows the items: never a figure from items since changed."""

import datetime as dt
from decimal import Decimal

import pytest

from core import roles
from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def resident(db) -> Resident:
    facility = Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )
    person = Resident.objects.create(
        facility=facility, case_number="63-0001", full_name="สมชาย ใจดี",
        target_group="destitute", admitted_on=dt.date(2019, 6, 1),
        discharged_on=dt.date(2020, 3, 1), discharge_reason="death",
    )  # fmt: skip
    Assessment.objects.create(resident=person, assessed_on=dt.date(2019, 8, 1), percent=35)
    Assessment.objects.create(resident=person, assessed_on=dt.date(2020, 2, 1), percent=85)
    return person


@pytest.fixture
def staff(make_user, resident):
    user = make_user(roles.FACILITY_STAFF, username="staff-tyb")
    FacilityStaff.objects.create(user=user, facility=resident.facility)
    return user


def _items(page):
    return [page.locator(f"#id_item_{n}") for n in range(1, 15)]


def test_the_percent_is_cleared_when_an_item_becomes_invalid_and_back_when_fixed(
    page, live_server, login, staff, resident
):
    login(page, staff)
    page.goto(f"{live_server.url}/shelters/residents/{resident.pk}/assess/")
    percent = page.locator("#id_percent")
    for box in _items(page):
        box.fill("5")
    assert percent.input_value() == "50.00"
    assert percent.evaluate("e => e.readOnly")
    assert page.locator("#irp-percent").inner_text().strip() == "50.00"

    _items(page)[2].fill("11")  # ข้อ 3: out of range
    assert percent.input_value() == ""  # not the 50.00 of the items before
    assert page.locator("#irp-percent").inner_text().strip() == "–"
    assert "ข้อ 3" in page.locator("#irp-warning").inner_text()

    _items(page)[2].fill("7")
    assert percent.input_value() == "51.43"  # 72 / 140
    _items(page)[13].fill("")  # 13 items: no percent either
    assert percent.input_value() == ""
    assert page.locator("#irp-percent").inner_text().strip() == "–"

    # No items at all: the box is for a percent alone again, typed by hand.
    for box in _items(page):
        box.fill("")
    assert not percent.evaluate("e => e.readOnly")
    percent.fill("72.5")
    assert page.locator("#irp-group").inner_text().strip() == "กลุ่ม B"
    # Typing items sets the typed percent aside; emptying them brings it back.
    _items(page)[0].fill("9")
    assert percent.input_value() == ""
    _items(page)[0].fill("")
    assert percent.input_value() == "72.5"


def test_the_items_percent_of_a_rejected_form_is_not_kept_when_an_item_is_invalid(
    page, live_server, login, staff, resident
):
    """The server re-shows a rejected form with the percent that was sent: the script must not
    keep it beside an invalid item."""
    login(page, staff)
    page.goto(f"{live_server.url}/shelters/residents/{resident.pk}/assess/")
    for box in _items(page):
        box.fill("5")
    page.fill("#id_assessed_on", "01/01/2600")  # refused by the server: in the future
    page.click("#irp-form button.btn-primary")
    page.wait_for_load_state()
    assert "วันที่ประเมินต้องไม่เป็นวันในอนาคต" in page.content()
    assert page.locator("#id_percent").input_value() == "50.00"
    _items(page)[0].fill("0")
    assert page.locator("#id_percent").input_value() == ""


def test_staff_correct_an_assessment_with_a_reason_and_see_it_in_the_history(
    phone, live_server, login, staff, resident
):
    page = phone
    login(page, staff)
    page.goto(f"{live_server.url}/shelters/residents/{resident.pk}/")
    target = resident.assessments.get(assessed_on=dt.date(2020, 2, 1))
    page.locator(f'tr[data-assessment="{target.pk}"] a', has_text="แก้ไข").click()
    page.wait_for_load_state()
    assert page.locator("#id_percent").input_value() == "85.00"
    page.fill("#id_percent", "78")
    page.click("#irp-form button.btn-primary")
    page.wait_for_load_state()
    assert "กรุณาระบุเหตุผลที่แก้ไข" in page.content()  # the reason is required
    assert page.locator("#id_percent").input_value() == "78"  # what was typed is kept
    page.fill("#id_reason", "พิมพ์ร้อยละผิดจากแบบประเมิน")
    page.click("#irp-form button.btn-primary")
    page.wait_for_load_state()
    assert page.url.endswith(f"/shelters/residents/{resident.pk}/")
    assert "แก้ไขผลการประเมินวันที่ 1 ก.พ. 2563 แล้ว" in page.content()
    history = page.get_by_test_id("assessment-history").inner_text()
    assert "พิมพ์ร้อยละผิดจากแบบประเมิน" in history
    target.refresh_from_db()
    assert target.percent == Decimal("78.00")


def test_staff_undo_a_discharge_with_a_reason(page, live_server, login, staff, resident):
    login(page, staff)
    page.goto(f"{live_server.url}/shelters/residents/{resident.pk}/")
    page.get_by_role("link", name="ยกเลิกการจำหน่าย").click()
    page.wait_for_load_state()
    assert "1 มี.ค. 2563" in page.get_by_test_id("undo-summary").inner_text()
    page.fill("#id_reason", "บันทึกจำหน่ายผิดคน")
    page.get_by_role("button", name="ยืนยันยกเลิกการจำหน่าย").click()
    page.wait_for_load_state()
    assert "กลับมาอยู่ในความดูแล" in page.content()
    assert "บันทึกจำหน่ายผิดคน" in page.content()  # the resident's history
    resident.refresh_from_db()
    assert resident.in_care
