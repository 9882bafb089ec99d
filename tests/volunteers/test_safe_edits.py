"""Edits that cannot overwrite each other, submissions that make one record, duplicates told
no more than the user's scope allows, and the status "registered" that follows certification
only (both databases; the concurrent requests are in test_concurrency.py)."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from core import once
from core.duplicates import OUT_OF_SCOPE_TEXT
from core.models import DuplicateReport
from tests.volunteers.test_registry import form_data
from volunteers import services
from volunteers.forms import ACTIVE_NEEDS_CERTIFICATION
from volunteers.models import Counter, Enrolment, Path, Service, ServiceMonthly, Status, Volunteer


def edit_data(volunteer, **changes):
    data = form_data(
        volunteer.province,
        national_id=volunteer.national_id,
        first_name=volunteer.first_name,
        last_name=volunteer.last_name,
        district=volunteer.district,
        kind=volunteer.kind,
        status=volunteer.status,
        version=volunteer.version,
    )
    data.update(changes)
    return data


# --- stale edits ----------------------------------------------------------------------------


def test_a_stale_edit_is_refused_with_409_and_keeps_what_was_typed(
    client_for, officer_bkk, bkk_volunteer
):
    client = client_for(officer_bkk)
    url = reverse("volunteers:edit", args=[bkk_volunteer.pk])
    opened = edit_data(bkk_volunteer)  # the form as it was opened
    assert client.post(url, opened | {"phone": "0811111111"}).status_code == 302
    response = client.post(url, opened | {"district": "เขตที่พิมพ์ไว้"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in body
    assert "เขตที่พิมพ์ไว้" in body  # what was typed is kept
    assert "ในระบบขณะนี้" in body and "0811111111" in body  # and what differs in the record
    v = Volunteer.objects.get()
    assert (v.phone, v.district) == ("0811111111", "เมือง")  # the first edit stands
    # the refused form now carries the current version: saving it again is a choice
    again = opened | {"district": "เขตที่พิมพ์ไว้", "phone": "0811111111", "version": v.version}
    assert client.post(url, again).status_code == 302
    v.refresh_from_db()
    assert (v.phone, v.district) == ("0811111111", "เขตที่พิมพ์ไว้")
    assert v.history.count() == 3


def test_an_edit_without_its_version_is_refused(client_for, officer_bkk, bkk_volunteer):
    data = edit_data(bkk_volunteer, first_name="ใหม่")
    del data["version"]
    url = reverse("volunteers:edit", args=[bkk_volunteer.pk])
    assert client_for(officer_bkk).post(url, data).status_code == 409
    assert Volunteer.objects.get().first_name == bkk_volunteer.first_name


def test_certification_meanwhile_makes_an_open_form_stale(client_for, officer_bkk, bkk_volunteer):
    opened = edit_data(bkk_volunteer, status="training")
    services.certify(bkk_volunteer, dt.date(2020, 2, 1), Path.WORKSHOP)
    url = reverse("volunteers:edit", args=[bkk_volunteer.pk])
    assert client_for(officer_bkk).post(url, opened).status_code == 409
    assert Volunteer.objects.get().status == Status.ACTIVE


def test_an_edit_writes_only_its_own_fields_and_keeps_a_renewed_card(
    client_for, officer_bkk, bkk_volunteer
):
    v = services.certify(bkk_volunteer, dt.date(2020, 2, 1), Path.WORKSHOP)
    opened = edit_data(v)
    renewed = services.renew_card(v.pk, v.card_number, dt.date(2021, 2, 1))  # meanwhile
    url = reverse("volunteers:edit", args=[v.pk])
    assert client_for(officer_bkk).post(url, opened | {"phone": "0822222222"}).status_code == 302
    now = Volunteer.objects.get()
    assert now.phone == "0822222222"
    assert (now.card_number, now.card_issued_on) == (renewed.card_number, dt.date(2021, 2, 1))
    assert now.history.first().phone == "0822222222"  # simple-history records the edit


def test_the_edit_form_has_no_card_registration_or_certificate_field(
    client_for, officer_bkk, bkk_volunteer
):
    body = client_for(officer_bkk).get(reverse("volunteers:edit", args=[bkk_volunteer.pk]))
    html = body.content.decode()
    for name in ("card_number", "card_expires_on", "registration_number", "certificate_number"):
        assert f'name="{name}"' not in html
    assert f'name="version" value="{bkk_volunteer.version}"' in html


# --- card renewal ---------------------------------------------------------------------------


def test_a_stale_renewal_is_refused_and_draws_no_number(client_for, officer_bkk, bkk_volunteer):
    v = services.certify(bkk_volunteer, dt.date(2020, 2, 1), Path.WORKSHOP)
    client = client_for(officer_bkk)
    url = reverse("volunteers:card-renew", args=[v.pk])
    client.post(url, {"card": v.card_number})
    first = Volunteer.objects.get()
    series = f"card:10:{dt.date.today().year + 543}"
    drawn = Counter.objects.get(name=series).value
    response = client.post(url, {"card": v.card_number}, follow=True)  # the same page again
    assert "ได้ออกใหม่ไปแล้ว" in response.content.decode()
    assert Volunteer.objects.get().card_number == first.card_number
    assert Counter.objects.get(name=series).value == drawn


# --- one submission, one record -------------------------------------------------------------


def test_a_new_volunteer_sent_twice_is_one_record_with_a_thai_notice(
    client_for, officer_bkk, bangkok
):
    client = client_for(officer_bkk)
    data = form_data(bangkok, submission=str(uuid.uuid4()))
    first = client.post(reverse("volunteers:create"), data)
    again = client.post(reverse("volunteers:create"), data, follow=True)
    v = Volunteer.objects.get()
    assert first["Location"] == v.get_absolute_url()
    assert again.redirect_chain[-1][0] == v.get_absolute_url()
    assert once.DUPLICATE_TEXT in again.content.decode()


def test_a_service_sent_twice_is_one_service(client_for, officer_bkk, bkk_volunteer):
    client = client_for(officer_bkk)
    data = {
        "submission": str(uuid.uuid4()), "volunteer_national_id": bkk_volunteer.national_id,
        "date": "01/03/2563", "service_type": "survey", "target_group": "elderly",
        "people_served": "2",
    }  # fmt: skip
    client.post(reverse("volunteers:service-create"), data)
    again = client.post(reverse("volunteers:service-create"), data, follow=True)
    assert once.DUPLICATE_TEXT in again.content.decode()
    assert Service.objects.count() == 1
    assert ServiceMonthly.objects.get().people == 2


def test_a_bulk_paste_sent_twice_is_saved_once(client_for, officer_bkk, bkk_volunteer):
    client = client_for(officer_bkk)
    rows = f"{bkk_volunteer.national_id}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t1\t"
    data = {"submission": str(uuid.uuid4()), "rows": rows}
    client.post(reverse("volunteers:service-bulk"), data)
    again = client.post(reverse("volunteers:service-bulk"), data, follow=True)
    assert once.DUPLICATE_TEXT in again.content.decode()
    assert Service.objects.count() == 1


def test_a_course_and_an_enrolment_sent_twice_are_made_once(
    client_for, officer_bkk, bangkok, bkk_volunteer
):
    from volunteers.models import Course

    client = client_for(officer_bkk)
    course = {
        "submission": str(uuid.uuid4()), "kind": "workshop", "title": "รุ่นส่งซ้ำ",
        "province": bangkok.pk, "start_date": "14/01/2563", "end_date": "16/01/2563",
        "hours": "24",
    }  # fmt: skip
    client.post(reverse("volunteers:course-create"), course)
    again = client.post(reverse("volunteers:course-create"), course, follow=True)
    assert once.DUPLICATE_TEXT in again.content.decode()
    made = Course.objects.get()
    from tests.volunteers.test_enrolling import confirmed

    url = reverse("volunteers:course-enrol", args=[made.pk])
    enrol = confirmed(client, url, national_ids=bkk_volunteer.national_id)
    client.post(url, enrol)
    again = client.post(url, enrol, follow=True)
    assert again.status_code == 200 and once.DUPLICATE_TEXT in again.content.decode()
    assert Enrolment.objects.count() == 1


def test_a_national_id_taken_meanwhile_is_a_thai_form_error_not_a_500(
    client_for, officer_bkk, bangkok, cm_volunteer, monkeypatch
):
    """Another province saves the same national ID after this form's check and before its
    write (the check is made to miss it here): the unique index refuses the write and the
    officer gets the neutral message (400, typed values kept), never a 500."""
    from volunteers.forms import VolunteerForm

    monkeypatch.setattr(VolunteerForm, "clean_national_id", lambda f: f.cleaned_data["national_id"])
    monkeypatch.setattr(VolunteerForm, "validate_unique", lambda f: None)
    client = client_for(officer_bkk)
    client.raise_request_exception = False
    data = form_data(bangkok, national_id=cm_volunteer.national_id, last_name="ที่พิมพ์ไว้")
    response = client.post(reverse("volunteers:create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert OUT_OF_SCOPE_TEXT in body and "ที่พิมพ์ไว้" in body
    assert cm_volunteer.first_name not in body
    assert Volunteer.objects.count() == 1 and DuplicateReport.objects.count() == 1


def test_a_national_id_saved_between_the_check_and_djangos_unique_check_gets_the_forms_message(
    client_for, officer_bkk, bangkok, bkk_volunteer, monkeypatch
):
    """Another officer's save lands after clean_national_id looked but before Django's own
    unique check (CI caught it under load): the officer gets this form's message with the link,
    never Django's generic "อพม. และ เลขประจำตัวประชาชน มีอยู่แล้ว"."""
    from volunteers.forms import VolunteerForm

    monkeypatch.setattr(VolunteerForm, "clean_national_id", lambda f: f.cleaned_data["national_id"])
    data = form_data(bangkok, national_id=bkk_volunteer.national_id, last_name="ที่พิมพ์ไว้")
    response = client_for(officer_bkk).post(reverse("volunteers:create"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "เลขประจำตัวประชาชนนี้มีในทะเบียนแล้ว" in body
    assert reverse("volunteers:detail", args=[bkk_volunteer.pk]) in body
    assert "มีอยู่แล้ว" not in body and "ที่พิมพ์ไว้" in body
    assert Volunteer.objects.count() == 1


# --- duplicates outside the officer's scope -------------------------------------------------


def test_another_provinces_national_id_gets_the_neutral_message_and_a_report(
    client_for, officer_bkk, bangkok, cm_volunteer
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, national_id=cm_volunteer.national_id)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert OUT_OF_SCOPE_TEXT in body
    for leak in (
        cm_volunteer.first_name, "เชียงใหม่", f"/volunteers/{cm_volunteer.pk}/", "จังหวัดอื่น",
    ):  # fmt: skip
        assert leak not in body, leak
    report = DuplicateReport.objects.get()
    assert (report.kind, report.national_id, report.reported_by, report.where) == (
        "volunteer", cm_volunteer.national_id, officer_bkk, bangkok.name,
    )  # fmt: skip
    assert Volunteer.objects.count() == 1


def test_a_duplicate_in_the_own_province_keeps_its_link_and_reports_nothing(
    client_for, officer_bkk, bangkok, bkk_volunteer
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:create"), form_data(bangkok, national_id=bkk_volunteer.national_id)
    )
    assert response.status_code == 400
    assert f'href="/volunteers/{bkk_volunteer.pk}/"' in response.content.decode()
    assert not DuplicateReport.objects.exists()


# --- registered (active) follows certification only -----------------------------------------


def test_a_new_volunteer_cannot_be_saved_as_registered(client_for, officer_bkk, bangkok):
    client = client_for(officer_bkk)
    page = client.get(reverse("volunteers:create")).content.decode()
    assert 'value="active"' not in page
    response = client.post(reverse("volunteers:create"), form_data(bangkok, status="active"))
    assert response.status_code == 400
    assert str(ACTIVE_NEEDS_CERTIFICATION) in response.content.decode()
    assert not Volunteer.objects.exists()


def test_an_uncertified_volunteer_cannot_be_edited_to_registered(
    client_for, officer_bkk, bkk_volunteer
):
    url = reverse("volunteers:edit", args=[bkk_volunteer.pk])
    response = client_for(officer_bkk).post(url, edit_data(bkk_volunteer, status="active"))
    assert response.status_code == 400
    assert str(ACTIVE_NEEDS_CERTIFICATION) in response.content.decode()
    assert Volunteer.objects.get().status == Status.APPLICANT


@pytest.mark.parametrize("status", ["inactive", "active"])
def test_a_certified_volunteer_may_leave_and_come_back(
    client_for, officer_bkk, bkk_volunteer, status
):
    v = services.certify(bkk_volunteer, dt.date(2020, 2, 1), Path.WORKSHOP)
    Volunteer.objects.filter(pk=v.pk).update(status=Status.INACTIVE)
    v.refresh_from_db()
    url = reverse("volunteers:edit", args=[v.pk])
    assert client_for(officer_bkk).post(url, edit_data(v, status=status)).status_code == 302
    assert Volunteer.objects.get().status == status


def test_certification_is_what_makes_a_volunteer_registered(
    client_for, officer_bkk, bkk_volunteer, make_course, enrol, bangkok
):
    course = make_course(bangkok)
    e = enrol(course, bkk_volunteer)
    url = reverse("volunteers:enrolment-result", args=[e.pk])
    client_for(officer_bkk).post(
        url, {"hours_attended": "24", "test_passed": "1", "version": e.version}
    )
    v = Volunteer.objects.get()
    assert v.status == Status.ACTIVE and v.registration_number
