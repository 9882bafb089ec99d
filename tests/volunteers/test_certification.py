"""A pass leads to certificate, registration and card; numbers are unique and never reused;
the card and certificate print as Thai PDFs."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from volunteers import services
from volunteers.models import Counter, Enrolment, Path, Status, Volunteer


def _text(pdf_bytes: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf_bytes)).pages)


def test_recording_a_pass_issues_certificate_registration_and_card(
    client_for, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok), bkk_volunteer)
    response = client_for(officer_bkk).post(
        reverse("volunteers:enrolment-result", args=[e.pk]),
        {"hours_attended": "19.2", "test_passed": "1", "version": e.version},
    )
    assert response.status_code == 302
    e.refresh_from_db()
    assert e.passed is True and e.reason == ""
    v = Volunteer.objects.get(pk=bkk_volunteer.pk)
    assert v.status == Status.ACTIVE
    assert v.training_path == Path.WORKSHOP
    assert v.trained_on == dt.date(2020, 1, 16)
    assert v.registration_number == "10-2563-000001"
    assert v.certificate_number == "ว10-2563-000001"
    assert v.card_number == "บ10-2563-000001"
    assert v.card_issued_on == dt.date(2020, 1, 16)
    assert v.card_expires_on == dt.date(2024, 1, 15)


def test_recording_19_1_hours_stores_the_reason_and_issues_nothing(
    client_for, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok), bkk_volunteer)
    client_for(officer_bkk).post(
        reverse("volunteers:enrolment-result", args=[e.pk]),
        {"hours_attended": "19.1", "test_passed": "1", "version": e.version},
    )
    e.refresh_from_db()
    assert e.passed is False
    assert e.reason == "เข้าอบรม 19.1 จาก 24 ชั่วโมง (ต้องไม่น้อยกว่าร้อยละ 80)"
    v = Volunteer.objects.get(pk=bkk_volunteer.pk)
    assert v.registration_number is None and v.card_number is None
    assert v.status == Status.TRAINING
    page = client_for(officer_bkk).get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    assert "เข้าอบรม 19.1 จาก 24 ชั่วโมง" in page


def test_elearning_result_with_lessons_and_session(
    client_for, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok, kind=Path.ELEARNING), bkk_volunteer)
    url = reverse("volunteers:enrolment-result", args=[e.pk])
    client = client_for(officer_bkk)
    client.post(
        url,
        {
            "lessons": [1, 2, 3, 4, 6],
            "session_attended": "on",
            "test_passed": "1",
            "version": e.version,
        },
    )
    e.refresh_from_db()
    assert e.passed is False and "4 จาก 5" in e.reason
    client.post(url, {"lessons": [1, 2, 3, 4, 5], "test_passed": "1", "version": e.version})
    e.refresh_from_db()
    assert e.passed is False and e.reason == "ยังไม่ได้เข้าอบรม 1 วัน"
    client.post(
        url,
        {
            "lessons": [1, 2, 3, 4, 5],
            "session_attended": "on",
            "test_passed": "1",
            "version": e.version,
        },
    )
    e.refresh_from_db()
    assert e.passed is True
    assert sorted(e.lessons.values_list("lesson", flat=True)) == [1, 2, 3, 4, 5]
    assert Volunteer.objects.get(pk=bkk_volunteer.pk).training_path == Path.ELEARNING


def test_hours_above_the_course_are_refused(
    client_for, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok), bkk_volunteer)
    response = client_for(officer_bkk).post(
        reverse("volunteers:enrolment-result", args=[e.pk]),
        {"hours_attended": "30", "test_passed": "1", "version": e.version},
    )
    assert response.status_code == 400


def test_registration_numbers_are_unique_and_never_reused(make_volunteer, bangkok):
    day = dt.date(2020, 2, 1)
    first = [services.certify(make_volunteer(bangkok), day, Path.WORKSHOP) for _ in range(5)]
    numbers = [v.registration_number for v in first]
    assert len(set(numbers)) == 5
    # a registered volunteer removed: the number is not given again
    last = first[-1]
    Volunteer.objects.filter(pk=last.pk).delete()
    again = services.certify(make_volunteer(bangkok), day, Path.WORKSHOP)
    assert again.registration_number not in numbers
    assert again.registration_number == "10-2563-000006"
    assert Counter.objects.get(name="reg:10:2563").value == 6


def test_certifying_twice_keeps_the_numbers(make_volunteer, bangkok):
    v = services.certify(make_volunteer(bangkok), dt.date(2020, 2, 1), Path.WORKSHOP)
    again = services.certify(v, dt.date(2020, 5, 1), Path.ELEARNING)
    assert again.registration_number == v.registration_number
    assert again.training_path == Path.WORKSHOP


def test_renewing_a_card_gives_a_new_number(client_for, officer_bkk, make_volunteer, bangkok):
    v = services.certify(make_volunteer(bangkok), dt.date(2020, 2, 1), Path.WORKSHOP)
    client_for(officer_bkk).post(
        reverse("volunteers:card-renew", args=[v.pk]), {"card": v.card_number}
    )
    renewed = Volunteer.objects.get(pk=v.pk)
    assert renewed.card_number != v.card_number
    assert renewed.card_issued_on == dt.date.today()


@pytest.mark.parametrize("name", ["volunteers:card-pdf", "volunteers:certificate-pdf"])
def test_the_pdf_carries_the_volunteers_thai_name(
    client_for, officer_bkk, make_volunteer, bangkok, name
):
    v = make_volunteer(bangkok, title="นางสาว", first_name="สมหญิง", last_name="ใจงาม")
    v = services.certify(v, dt.date(2020, 2, 1), Path.WORKSHOP)
    response = client_for(officer_bkk).get(reverse(name, args=[v.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "สมหญิง" in text and "ใจงาม" in text
    assert v.registration_number in text


def test_no_card_before_a_pass_is_a_404(client_for, officer_bkk, bkk_volunteer):
    response = client_for(officer_bkk).get(reverse("volunteers:card-pdf", args=[bkk_volunteer.pk]))
    assert response.status_code == 404


def test_enrolling_by_national_id(client_for, officer_bkk, bangkok, make_course, bkk_volunteer):
    from tests.volunteers.test_enrolling import confirmed

    course = make_course(bangkok)
    client, url = client_for(officer_bkk), reverse("volunteers:course-enrol", args=[course.pk])
    response = client.post(url, confirmed(client, url, national_ids=bkk_volunteer.national_id))
    assert response.status_code == 302
    assert Enrolment.objects.filter(course=course, volunteer=bkk_volunteer).exists()
    assert Volunteer.objects.get(pk=bkk_volunteer.pk).status == Status.TRAINING


def test_an_officer_creates_a_course(client_for, officer_bkk, bangkok):
    response = client_for(officer_bkk).post(
        reverse("volunteers:course-create"),
        {
            "kind": "workshop",
            "title": "รุ่นที่ 2/2563",
            "province": bangkok.pk,
            "start_date": "14/01/2563",
            "end_date": "16/01/2563",
            "hours": "24",
        },
    )
    assert response.status_code == 302
