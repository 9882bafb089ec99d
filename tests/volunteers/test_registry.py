"""The registry: national ID validation, duplicates refused with a link, masking by role,
and the audit history."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.nationalid import format_id, mask
from tests.volunteers.conftest import new_national_id
from volunteers.models import Volunteer


def form_data(province, **kwargs):
    data = {
        "national_id": new_national_id(),
        "title": "นาง",
        "first_name": "สมใจ",
        "last_name": "อาสาดี",
        "birth_date": "15/03/2510",
        "sex": "F",
        "phone": "0812345678",
        "province": province.pk,
        "district": "บางรัก",
        "sub_district": "สีลม",
        "kind": "bangkok",
        "status": "applicant",
    }
    data.update(kwargs)
    return data


def test_an_officer_adds_a_volunteer_with_a_be_birth_date(client_for, officer_bkk, bangkok):
    response = client_for(officer_bkk).post(reverse("volunteers:create"), form_data(bangkok))
    assert response.status_code == 302
    v = Volunteer.objects.get()
    assert v.birth_date.isoformat() == "1967-03-15"
    assert v.history.count() == 1
    assert v.history.first().history_user == officer_bkk


def test_specialties_are_saved(client_for, officer_bkk, bangkok):
    from volunteers.models import Specialty

    elderly = Specialty.objects.get(code="elderly")
    client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, specialties=[elderly.pk])
    )
    assert list(Volunteer.objects.get().specialties.all()) == [elderly]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123456789012", "เลขประจำตัวประชาชนต้องมี 13 หลัก"),
        ("1234567890123", "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)"),
        ("", "This field is required"),
    ],
)
def test_a_bad_national_id_is_refused_in_thai(client_for, officer_bkk, bangkok, value, message):
    response = client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, national_id=value)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert (
        message in body
        or (message == "This field is required" and "จำเป็น" in body)
        or message in body
    )
    assert not Volunteer.objects.exists()
    assert "อาสาดี" in body  # what was typed is kept


def test_thai_digits_and_dashes_are_accepted(client_for, officer_bkk, bangkok):
    nid = new_national_id()
    thai = format_id(nid).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    client_for(officer_bkk).post(reverse("volunteers:create"), form_data(bangkok, national_id=thai))
    assert Volunteer.objects.get().national_id == nid


def test_a_duplicate_is_refused_with_a_link_to_the_existing_record(
    client_for, officer_bkk, bangkok, bkk_volunteer
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, national_id=bkk_volunteer.national_id)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "เลขประจำตัวประชาชนนี้มีในทะเบียนแล้ว" in body
    assert f'<a href="{reverse("volunteers:detail", args=[bkk_volunteer.pk])}">' in body
    assert Volunteer.objects.count() == 1


def test_a_duplicate_from_another_province_is_refused_without_revealing_the_name(
    client_for, officer_bkk, bangkok, cm_volunteer
):
    from core.duplicates import OUT_OF_SCOPE_TEXT

    response = client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, national_id=cm_volunteer.national_id)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert OUT_OF_SCOPE_TEXT in body
    assert "เชียงใหม่ อาสา" not in body
    assert Volunteer.objects.count() == 1


def test_editing_keeps_the_own_national_id(client_for, officer_bkk, bangkok, bkk_volunteer):
    response = client_for(officer_bkk).post(
        reverse("volunteers:edit", args=[bkk_volunteer.pk]),
        form_data(
            bangkok,
            national_id=bkk_volunteer.national_id,
            first_name="ใหม่",
            version=bkk_volunteer.version,
        ),
    )
    assert response.status_code == 302
    bkk_volunteer.refresh_from_db()
    assert bkk_volunteer.first_name == "ใหม่"
    assert bkk_volunteer.history.count() == 2


def test_the_model_refuses_a_duplicate_national_id(make_volunteer, bangkok, bkk_volunteer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_volunteer(bangkok, national_id=bkk_volunteer.national_id)


def test_managers_see_national_ids_masked_in_list_page_and_export(
    client_for, manager, bkk_volunteer
):
    client = client_for(manager)
    full = format_id(bkk_volunteer.national_id)
    for url in (reverse("volunteers:list"), reverse("volunteers:detail", args=[bkk_volunteer.pk])):
        body = client.get(url).content.decode()
        assert mask(bkk_volunteer.national_id) in body
        assert full not in body
        assert bkk_volunteer.national_id not in body
    ws = load_workbook(io.BytesIO(client.get(reverse("volunteers:export")).content)).active
    row = next(ws.iter_rows(min_row=2, values_only=True))
    assert row[0] == mask(bkk_volunteer.national_id)


def test_officers_see_the_full_national_id(client_for, officer_bkk, bkk_volunteer):
    body = client_for(officer_bkk).get(reverse("volunteers:list")).content.decode()
    assert format_id(bkk_volunteer.national_id) in body


def test_the_list_filters_by_kind_status_district_specialty_path_and_card(
    client_for, officer_bkk, make_volunteer, bangkok
):
    import datetime as dt

    from volunteers.models import Specialty

    a = make_volunteer(bangkok, first_name="หนึ่ง", district="บางรัก", status="active")
    make_volunteer(bangkok, first_name="สอง", district="ดุสิต")
    a.specialties.set([Specialty.objects.get(code="children")])
    Volunteer.objects.filter(pk=a.pk).update(
        training_path="workshop", card_expires_on=dt.date.today() + dt.timedelta(days=10)
    )
    client = client_for(officer_bkk)
    spec = Specialty.objects.get(code="children").pk
    for query in (
        "district=บางรัก",
        "status=active",
        f"specialty={spec}",
        "training_path=workshop",
        "card=30",
        "q=หนึ่ง",
        "kind=bangkok&status=active",
    ):
        body = client.get(reverse("volunteers:list") + "?" + query).content.decode()
        assert "หนึ่ง" in body and "สอง ทดสอบ" not in body, query
    body = client.get(reverse("volunteers:expiring")).content.decode()
    assert "หนึ่ง" in body and "สอง ทดสอบ" not in body
