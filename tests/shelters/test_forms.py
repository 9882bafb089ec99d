"""Admit, edit, assess and discharge: what is refused, in Thai, with status 400 and the typed
values kept."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.thaidate import format_be_numeric
from shelters.models import Assessment, Resident


def be(day: dt.date) -> str:
    return format_be_numeric(day)


TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def client(client_for, staff):
    return client_for(staff)


def admit_data(**overrides) -> dict:
    data = {
        "case_number": "TYB-0100",
        "full_name": "บุญมี ทองคำ",
        "sex": "M",
        "birth_date": "",
        "national_id": "3-1005-00123-45-8",
        "target_group": "beggar",
        "admitted_on": "15/01/2563",
    }
    return {**data, **overrides}


def test_staff_admit_a_resident_into_their_own_facility(client, facility, other_facility):
    response = client.post(reverse("shelters:resident-add"), admit_data(facility=other_facility.pk))
    assert response.status_code == 302
    person = Resident.objects.get(case_number="TYB-0100")
    assert person.facility == facility  # the posted facility is not theirs: ignored
    assert person.national_id == "3100500123458"
    assert person.admitted_on == dt.date(2020, 1, 15)
    assert person.history.count() == 1  # audit trail


def test_a_national_id_is_optional(client):
    response = client.post(reverse("shelters:resident-add"), admit_data(national_id=""))
    assert response.status_code == 302
    assert Resident.objects.get().national_id == ""


@pytest.mark.parametrize(
    ("national_id", "message"),
    [
        ("3100500123457", "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)"),
        ("31005001234", "เลขประจำตัวประชาชนต้องมี 13 หลัก"),
    ],
)
def test_it_rejects_a_bad_national_id_and_keeps_what_was_typed(client, national_id, message):
    response = client.post(reverse("shelters:resident-add"), admit_data(national_id=national_id))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="บุญมี ทองคำ"' in html and 'value="15/01/2563"' in html
    assert not Resident.objects.exists()


def test_it_rejects_a_national_id_already_used(client, resident):
    response = client.post(
        reverse("shelters:resident-add"), admit_data(national_id=resident.national_id)
    )
    assert response.status_code == 400
    assert "เลขประจำตัวประชาชนนี้มีผู้รับบริการอื่นใช้อยู่แล้ว" in response.content.decode()


def test_a_case_number_is_unique_within_its_facility_only(
    client, resident, make_resident, other_facility
):
    response = client.post(
        reverse("shelters:resident-add"),
        admit_data(case_number=resident.case_number, national_id=""),
    )
    assert response.status_code == 400
    assert "เลขทะเบียนนี้มีอยู่แล้วในหน่วยงานนี้" in response.content.decode()
    make_resident(other_facility, case_number="TYB-0100")  # same number elsewhere: fine
    ok = client.post(reverse("shelters:resident-add"), admit_data(national_id=""))
    assert ok.status_code == 302


def test_it_rejects_an_admission_in_the_future(client):
    response = client.post(reverse("shelters:resident-add"), admit_data(admitted_on=be(TOMORROW)))
    assert response.status_code == 400
    assert "วันที่รับเข้าต้องไม่เป็นวันในอนาคต" in response.content.decode()


def test_staff_edit_a_resident(client, resident):
    url = reverse("shelters:resident-edit", args=[resident.pk])
    data = admit_data(case_number=resident.case_number, national_id=resident.national_id)
    data["full_name"] = "สมชาย ใจดีมาก"
    data["admitted_on"] = "01/06/2562"
    data["version"] = resident.version  # the form carries the version it was opened at
    assert client.post(url, data).status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == "สมชาย ใจดีมาก"
    assert resident.version == 1
    assert resident.history.count() == 2  # the audit trail still records the edit


# --- assessments -------------------------------------------------------------------------------


def items(*values) -> dict:
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def assess_url(resident) -> str:
    return reverse("shelters:assessment-add", args=[resident.pk])


def test_the_14_items_give_the_percent_and_group(client, resident):
    response = client.post(assess_url(resident), {"assessed_on": "10/02/2563", **items(*[8] * 14)})
    assert response.status_code == 302
    saved = Assessment.objects.get(resident=resident, assessed_on=dt.date(2020, 2, 10))
    assert saved.percent == Decimal("80.00") and saved.group == "A"
    assert saved.item_14 == 8 and saved.has_items


def test_a_percent_alone_is_accepted(client, resident):
    response = client.post(assess_url(resident), {"assessed_on": "10/02/2563", "percent": "40.01"})
    assert response.status_code == 302
    saved = Assessment.objects.get(resident=resident, assessed_on=dt.date(2020, 2, 10))
    assert saved.percent == Decimal("40.01") and saved.group == "B" and not saved.has_items


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"percent": "9.99"}, "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
        ({"percent": "100.01"}, "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
        ({"percent": "abc"}, "ร้อยละคะแนนต้องเป็นตัวเลข"),
        (items(5, 5, 11, *[5] * 11), "ข้อ 3: คะแนนต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10"),
        (items(0, *[5] * 13), "ข้อ 1: คะแนนต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10"),
        (items(*[5] * 13), "กรอกคะแนนให้ครบทั้ง 14 ข้อ (ยังขาดข้อ 14)"),
        ({}, "กรอกคะแนนรายข้อให้ครบ 14 ข้อ หรือกรอกร้อยละคะแนน"),
        ({**items(*[8] * 14), "percent": "50"}, "ร้อยละคะแนนไม่ตรงกับคะแนนรายข้อ"),
    ],
)
def test_it_rejects_bad_scores_in_thai(client, resident, data, message):
    response = client.post(assess_url(resident), {"assessed_on": "10/02/2563", **data})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'value="10/02/2563"' in html  # what was typed stays
    assert resident.assessments.count() == 2


def test_it_keeps_the_typed_items(client, resident):
    response = client.post(
        assess_url(resident), {"assessed_on": "10/02/2563", **items(7, 11, *[5] * 12)}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'name="item_1" value="7"' in html and 'name="item_2" value="11"' in html


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (be(TOMORROW), "วันที่ประเมินต้องไม่เป็นวันในอนาคต"),
        ("31/05/2562", "วันที่ประเมินต้องไม่ก่อนวันที่รับเข้า (1 มิ.ย. 2562)"),
        ("01/10/2562", "ผู้รับบริการรายนี้มีผลการประเมินวันที่ 1 ต.ค. 2562 แล้ว"),
        ("2562-13-01", "ไม่ใช่วันที่"),
    ],
)
def test_it_rejects_bad_assessment_dates(client, resident, day, message):
    response = client.post(assess_url(resident), {"assessed_on": day, "percent": "55"})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_rejects_an_assessment_after_the_discharge(client, resident):
    resident.discharged_on, resident.discharge_reason = dt.date(2019, 12, 1), "family"
    resident.save()
    response = client.post(assess_url(resident), {"assessed_on": "02/12/2562", "percent": "85"})
    assert response.status_code == 400
    assert "วันที่ประเมินต้องไม่หลังวันที่จำหน่าย (1 ธ.ค. 2562)" in response.content.decode()


def test_the_assessment_form_shows_the_items_by_domain(client, resident):
    html = client.get(assess_url(resident)).content.decode()
    for domain in ("ด้านร่างกาย", "ด้านจิตใจ/อารมณ์", "ด้านสติปัญญา", "ด้านศักยภาพในการดำรงชีพ"):
        assert domain in html
    assert html.count("data-irp-item=") == 14
    assert "shelters/assessment_form.js" in html


# --- discharge ---------------------------------------------------------------------------------


def discharge_url(resident) -> str:
    return reverse("shelters:resident-discharge", args=[resident.pk])


def test_staff_discharge_a_resident(client, resident):
    response = client.post(
        discharge_url(resident), {"discharged_on": "01/03/2563", "discharge_reason": "employment"}
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.discharged_on == dt.date(2020, 3, 1)
    assert resident.returned_to_society


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"discharged_on": "01/03/2563", "discharge_reason": ""}, "กรุณาเลือกเหตุที่จำหน่าย"),
        (
            {"discharged_on": "01/05/2562", "discharge_reason": "family"},
            "วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า",
        ),
        (
            {"discharged_on": "01/09/2562", "discharge_reason": "family"},
            "วันที่จำหน่ายต้องไม่ก่อนการประเมินครั้งล่าสุด (1 ต.ค. 2562)",
        ),
        (
            {"discharged_on": be(TOMORROW), "discharge_reason": "family"},
            "วันที่จำหน่ายต้องไม่เป็นวันในอนาคต",
        ),
    ],
)
def test_it_rejects_a_bad_discharge(client, resident, data, message):
    response = client.post(discharge_url(resident), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    resident.refresh_from_db()
    assert resident.discharged_on is None
