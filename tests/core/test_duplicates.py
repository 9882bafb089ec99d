# ruff: noqa: F811 - the shelters fixtures are imported from tests/shelters/conftest
"""A national ID that belongs to a resident of another facility: staff are told no more than
their scope allows (never whose or where), the case goes to the admins, and the admins' page lists
the reports, shows which records hold the ID, and resolves them with a note (audited)."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from core import duplicates
from core.models import DuplicateReport
from core.nationalid import make_valid
from shelters.models import Resident
from tests.shelters.conftest import (  # noqa: F401 - fixtures
    facility,
    make_resident,
    other_facility,
    other_staff,
    pathum_thani,
    staff,
)

NID = make_valid("170050012345")


@pytest.fixture
def patient(make_resident, other_facility) -> Resident:
    """A psychiatric patient of the other facility."""
    return make_resident(
        other_facility,
        case_number="MTT-0042",
        full_name="สมหญิง ลับเฉพาะ",
        national_id=NID,
        target_group="psychiatric",
        admitted_on=dt.date(2019, 6, 1),
    )


def admit_data(**extra) -> dict:
    return {
        "case_number": "TYB-0800",
        "full_name": "บุญมี ทองคำ",
        "sex": "M",
        "target_group": "beggar",
        "admitted_on": "15/01/2563",
        "national_id": NID,
        **extra,
    }


def _says_nothing_about(html: str, patient: Resident) -> None:
    for secret in (
        patient.full_name,
        patient.case_number,
        patient.facility.name,
        patient.facility.code,
        "มีผู้รับบริการอื่นใช้อยู่แล้ว",
        reverse("shelters:resident-detail", args=[patient.pk]),
    ):
        assert secret not in html, secret


def test_another_facilitys_id_gets_a_neutral_message_and_a_report(
    client_for, staff, patient, settings
):
    settings.ADMINS = [("ผู้ดูแล", "admin@example.org")]
    response = client_for(staff).post(reverse("shelters:resident-add"), admit_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert duplicates.OUT_OF_SCOPE_TEXT in html
    assert 'value="บุญมี ทองคำ"' in html  # what was typed is kept
    _says_nothing_about(html, patient)
    report = DuplicateReport.objects.get()
    assert (report.kind, report.national_id, report.reported_by) == ("resident", NID, staff)
    assert report.resolved_at is None
    assert len(mail.outbox) == 1
    assert patient.full_name not in mail.outbox[0].body and NID not in mail.outbox[0].body
    # Typing it again does not pile up reports.
    client_for(staff).post(reverse("shelters:resident-add"), admit_data())
    assert DuplicateReport.objects.count() == 1
    assert not Resident.objects.filter(case_number="TYB-0800").exists()


def test_the_edit_form_is_as_discreet(client_for, staff, patient, make_resident):
    mine = make_resident(case_number="TYB-0009", admitted_on=dt.date(2019, 6, 1))
    data = {**admit_data(case_number=mine.case_number), "admitted_on": "01/06/2562", "version": 0}
    response = client_for(staff).post(reverse("shelters:resident-edit", args=[mine.pk]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert duplicates.OUT_OF_SCOPE_TEXT in html
    _says_nothing_about(html, patient)
    assert DuplicateReport.objects.filter(reported_by=staff).count() == 1


def test_within_the_facility_the_message_names_and_links_the_resident(
    client_for, staff, make_resident
):
    mine = make_resident(case_number="TYB-0001", full_name="สมชาย ใจดี", national_id=NID)
    response = client_for(staff).post(reverse("shelters:resident-add"), admit_data())
    assert response.status_code == 400
    html = response.content.decode()
    assert "เลขประจำตัวประชาชนนี้มีผู้รับบริการอื่นใช้อยู่แล้ว" in html
    assert reverse("shelters:resident-detail", args=[mine.pk]) in html
    assert not DuplicateReport.objects.exists()


@pytest.fixture
def report(staff, patient) -> DuplicateReport:
    return duplicates.report("resident", NID, staff, where="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี")


def test_admins_see_the_open_reports_with_the_records_that_hold_the_id(
    client_for, kpi_admin, report, patient
):
    response = client_for(kpi_admin).get(reverse("duplicates"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1-7005-00123-45" in html  # the ID in full, formatted
    assert reverse("shelters:resident-detail", args=[patient.pk]) in html
    assert patient.full_name in html and patient.facility.name in html
    assert "staff-tyb" in html  # who found it
    assert f"{report.created_at.year + 543}" in html  # BE date
    assert reverse("duplicate-resolve", args=[report.pk]) in html
    # And the admins' menu leads there.
    assert f'href="{reverse("duplicates")}"' in html


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_nobody_else_opens_the_page(client_for, request, who, report):
    user = request.getfixturevalue(who)
    assert client_for(user).get(reverse("duplicates")).status_code == 403
    url = reverse("duplicate-resolve", args=[report.pk])
    assert client_for(user).post(url, {f"r{report.pk}-resolution": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.resolved_at is None


def test_resolving_needs_a_note(client_for, kpi_admin, report):
    url = reverse("duplicate-resolve", args=[report.pk])
    response = client_for(kpi_admin).post(url, {f"r{report.pk}-resolution": "  "})
    assert response.status_code == 400
    assert "กรุณาบันทึกผลการดำเนินการ" in response.content.decode()
    report.refresh_from_db()
    assert report.resolved_at is None


def test_resolving_closes_the_report_and_is_audited(client_for, kpi_admin, report):
    c = client_for(kpi_admin)
    url = reverse("duplicate-resolve", args=[report.pk])
    note = "ตรวจแล้ว: เจ้าหน้าที่พิมพ์เลขผิด แจ้งให้แก้ไขแล้ว"
    response = c.post(url, {f"r{report.pk}-resolution": note}, follow=True)
    assert "ปิดเรื่องแล้ว" in response.content.decode()
    report.refresh_from_db()
    assert report.resolved_by == kpi_admin and report.resolved_at and report.resolution == note
    latest = report.history.order_by("-history_id").first()
    assert latest.history_user == kpi_admin and latest.resolution == note
    assert (
        reverse("duplicate-resolve", args=[report.pk])
        not in c.get(reverse("duplicates")).content.decode()
    )
    resolved = c.get(reverse("duplicates"), {"show": "resolved"}).content.decode()
    assert note in resolved
    # A second resolve (another admin, a resend) changes nothing.
    again = c.post(url, {f"r{report.pk}-resolution": "อีกครั้ง"}, follow=True)
    assert "ปิดไปแล้ว" in again.content.decode()
    report.refresh_from_db()
    assert report.resolution == note


def test_the_page_takes_a_fixed_number_of_queries(
    client_for,
    kpi_admin,
    staff,
    other_staff,
    make_resident,
    other_facility,
    django_assert_max_num_queries,
):
    c = client_for(kpi_admin)
    c.get(reverse("duplicates"))
    for n in range(10):
        nid = make_valid(f"3100900{n:05d}")
        make_resident(other_facility, national_id=nid)
        duplicates.report("resident", nid, staff)
    with django_assert_max_num_queries(12):
        assert (
            c.get(reverse("duplicates")).content.decode().count('data-testid="duplicate-report"')
            == 10
        )
