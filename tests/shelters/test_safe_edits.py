"""Edits that arrive late or twice, one request at a time (both databases): a form opened before
someone else's save is refused with 409 and keeps what was typed; a resubmitted admission or
assessment makes no second record; a discharge happens once; a unique clash at write time is a
Thai form error, never a 500."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from core import once
from shelters.models import Assessment, Resident


@pytest.fixture
def client(client_for, staff):
    return client_for(staff)


def edit_url(resident) -> str:
    return reverse("shelters:resident-edit", args=[resident.pk])


def edit_data(resident, **changes) -> dict:
    data = {
        "case_number": resident.case_number,
        "full_name": resident.full_name,
        "sex": resident.sex,
        "birth_date": "",
        "national_id": resident.national_id,
        "target_group": resident.target_group,
        "admitted_on": "01/06/2562",
        "version": getattr(resident, "version", 0),  # (getattr: the test also runs on the old code)
    }
    return {**data, **changes}


def test_the_edit_form_carries_its_version_and_no_discharge_fields(client, resident):
    html = client.get(edit_url(resident)).content.decode()
    assert 'name="version" value="0"' in html
    assert 'name="discharged_on"' not in html and 'name="discharge_reason"' not in html


def test_a_stale_edit_is_refused_with_409_and_keeps_what_was_typed(client, client_for, resident):
    opened = edit_data(resident)  # the form as this user opened it (version 0)
    # Someone else saves first.
    other = client_for(resident.facility.staff.get().user)
    assert other.post(edit_url(resident), edit_data(resident, sex="F")).status_code == 302
    response = client.post(edit_url(resident), {**opened, "full_name": "สมชาย ที่พิมพ์ไว้"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in html
    assert 'value="สมชาย ที่พิมพ์ไว้"' in html  # what was typed is kept
    # The saved values are shown beside the form, those that differ from the typed ones marked.
    panel = html.split('data-testid="current-values"')[1].split("</section>")[0]
    assert "ข้อมูลล่าสุดที่บันทึกไว้" in panel and "หญิง" in panel
    assert "สมชาย ใจดี" in panel and "สมชาย ที่พิมพ์ไว้" not in panel
    assert panel.count("≠") == 2 + 1  # full name and sex differ (and the legend's mark)
    resident.refresh_from_db()
    assert resident.full_name == "สมชาย ใจดี" and resident.sex == "F"  # nothing overwritten
    # The refused form now carries the current version: saving it again goes through.
    assert 'name="version" value="1"' in html
    again = client.post(edit_url(resident), {**opened, "version": 1, "sex": "F"})
    assert again.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == "สมชาย ใจดี" and resident.version == 2


def test_an_edit_without_a_version_is_refused(client, resident):
    data = edit_data(resident, full_name="ไม่มีรุ่น")
    del data["version"]
    response = client.post(edit_url(resident), data)
    assert response.status_code == 400
    assert "โปรดเปิดหน้าแก้ไขใหม่" in response.content.decode()


def test_an_edit_saves_only_its_own_fields(client, resident):
    # The discharge is saved after the edit form was opened (same version: no conflict).
    Resident.objects.filter(pk=resident.pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="family"
    )
    response = client.post(
        edit_url(resident),
        edit_data(resident, full_name="ชื่อแก้ไข", discharged_on="", discharge_reason=""),
    )
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == "ชื่อแก้ไข"
    assert resident.discharged_on == dt.date(2020, 3, 1) and resident.discharge_reason == "family"
    assert resident.history.first().full_name == "ชื่อแก้ไข"  # audited


def discharge_url(resident) -> str:
    return reverse("shelters:resident-discharge", args=[resident.pk])


def test_discharging_a_discharged_resident_is_refused_in_thai(client, resident):
    first = {"discharged_on": "01/03/2563", "discharge_reason": "family"}
    assert client.post(discharge_url(resident), first).status_code == 302
    second = {"discharged_on": "05/03/2563", "discharge_reason": "death"}
    response = client.post(discharge_url(resident), second, follow=True)
    assert "จำหน่ายแล้วเมื่อ 1 มี.ค. 2563" in response.content.decode()
    resident.refresh_from_db()
    assert resident.discharged_on == dt.date(2020, 3, 1) and resident.discharge_reason == "family"
    # The form itself is not offered again.
    assert client.get(discharge_url(resident)).status_code == 302


def admit_data(**extra) -> dict:
    return {
        "case_number": "TYB-0700",
        "full_name": "บุญมี ทองคำ",
        "sex": "M",
        "national_id": "3-1005-00123-45-8",
        "target_group": "beggar",
        "admitted_on": "15/01/2563",
        **extra,
    }


def test_a_resent_admission_makes_one_resident_and_says_so(client, facility):
    html = client.get(reverse("shelters:resident-add")).content.decode()
    assert 'name="submission"' in html
    data = admit_data(submission=str(uuid.uuid4()))
    first = client.post(reverse("shelters:resident-add"), data)
    again = client.post(reverse("shelters:resident-add"), data, follow=True)
    person = Resident.objects.get()
    assert first["Location"] == reverse("shelters:resident-detail", args=[person.pk])
    assert again.redirect_chain[-1][0] == first["Location"]  # where the first went
    assert once.DUPLICATE_TEXT in again.content.decode()


def test_a_resent_assessment_makes_one_and_says_so(client, resident):
    url = reverse("shelters:assessment-add", args=[resident.pk])
    data = {"assessed_on": "01/03/2563", "percent": "72.50", "submission": str(uuid.uuid4())}
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert once.DUPLICATE_TEXT in again.content.decode()
    assert (
        Assessment.objects.filter(resident=resident, assessed_on=dt.date(2020, 3, 1)).count() == 1
    )


def test_a_rejected_form_keeps_its_token_and_can_be_sent_again(client, facility):
    token = str(uuid.uuid4())
    rejected = client.post(
        reverse("shelters:resident-add"), admit_data(full_name="", submission=token)
    )
    assert rejected.status_code == 400 and token in rejected.content.decode()
    assert (
        client.post(reverse("shelters:resident-add"), admit_data(submission=token)).status_code
        == 302
    )
    assert Resident.objects.count() == 1


def _another_request_wins(make):
    """Stand in for a request that commits between this form's checks and its write."""
    real = once.claim

    def claim(form, user=None):
        make()
        return real(form, user)

    return claim


def test_a_case_number_taken_at_write_time_is_a_thai_error(client, facility, monkeypatch):
    monkeypatch.setattr(
        "shelters.views.once.claim",
        _another_request_wins(
            lambda: Resident.objects.create(
                facility=facility,
                case_number="TYB-0700",
                full_name="คนอื่น",
                target_group="destitute",
                admitted_on=dt.date(2020, 1, 1),
            )  # fmt: skip
        ),
    )
    response = client.post(
        reverse("shelters:resident-add"), admit_data(submission=str(uuid.uuid4()))
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "เลขทะเบียนนี้มีอยู่แล้วในหน่วยงานนี้" in html and 'value="บุญมี ทองคำ"' in html
    assert not Resident.objects.filter(full_name="บุญมี ทองคำ").exists()


def test_an_assessment_date_taken_at_write_time_is_a_thai_error(client, resident, monkeypatch):
    monkeypatch.setattr(
        "shelters.views.once.claim",
        _another_request_wins(
            lambda: Assessment.objects.create(
                resident=resident, assessed_on=dt.date(2020, 3, 1), percent=50
            )
        ),
    )
    url = reverse("shelters:assessment-add", args=[resident.pk])
    response = client.post(
        url, {"assessed_on": "01/03/2563", "percent": "72.50", "assessor": "ผู้ประเมิน ก"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ผู้รับบริการรายนี้มีผลการประเมิน" in html and 'value="ผู้ประเมิน ก"' in html
