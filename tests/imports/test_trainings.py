# ruff: noqa: F811 - the shared fixtures are imported from test_volunteers_support
import datetime as dt
from decimal import Decimal

from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_volunteers_support import (  # noqa: F401 - fixtures
    bad_check_digit,
    dashed,
    elearning,
    messages,
    new_national_id,
    run,
    volunteer,
    volunteer2,
    workshop,
)
from volunteers.models import Enrolment, Volunteer
from volunteers.resources import TrainingResource

EN = ["course_id", "national_id", "hours_attended", "test_passed"]
TH = ["เลขที่หลักสูตร", "เลขประจำตัวประชาชน", "ชั่วโมงที่เข้าอบรม", "ผลแบบทดสอบความรู้"]
EL = ["course_id", "national_id", "lessons", "session_attended", "test_passed"]


def _run(data, name="t.csv", dry_run=False):
    return run(TrainingResource(), data, name, dry_run)


def test_a_pass_issues_certificate_registration_and_card_as_the_browser_does(
    workshop, volunteer, volunteer2
):
    rows = [
        EN,
        [workshop.pk, volunteer.national_id, "19.2", "ผ่าน"],
        [workshop.pk, volunteer2.national_id, "18", "ผ่าน"],
    ]
    report = _run(csv_bytes(rows))
    assert report.ok and report.applied and report.new == 2, messages(report)
    passed = Enrolment.objects.get(volunteer=volunteer)
    assert passed.passed is True and passed.decided_on == dt.date.today()
    volunteer.refresh_from_db()
    assert volunteer.status == "active" and volunteer.trained_on == workshop.end_date
    assert volunteer.training_path == "workshop"
    assert volunteer.registration_number == "50-2563-000001"
    assert volunteer.certificate_number == "ว50-2563-000001"
    assert volunteer.card_number == "บ50-2563-000001"
    failed = Enrolment.objects.get(volunteer=volunteer2)
    assert failed.passed is False and "เข้าอบรม 18 จาก 24 ชั่วโมง" in failed.reason
    volunteer2.refresh_from_db()
    assert volunteer2.status == "training" and volunteer2.registration_number is None


def test_elearning_with_thai_headers_thai_digits_and_a_dashed_id(elearning, volunteer):
    header = ["เลขที่หลักสูตร", "เลขประจำตัวประชาชน", "บทเรียนออนไลน์ที่เรียนจบ", "เข้าอบรม 1 วัน",
              "ผลแบบทดสอบความรู้"]  # fmt: skip
    rows = [header, [str(elearning.pk), dashed(volunteer.national_id), "๑-๕, ๗", "ใช่", "ผ่าน"]]
    report = _run(xlsx_bytes(rows), "t.xlsx")
    assert report.ok and report.new == 1, messages(report)
    e = Enrolment.objects.get()
    assert e.passed is True and sorted(e.lessons.values_list("lesson", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        7,
    ]
    volunteer.refresh_from_db()
    assert volunteer.training_path == "elearning" and volunteer.card_number


def test_elearning_missing_a_mandatory_lesson_fails_with_the_apps_reason(elearning, volunteer):
    report = _run(csv_bytes([EL, [elearning.pk, volunteer.national_id, "1,2,3,4", "yes", "1"]]))
    assert report.ok
    e = Enrolment.objects.get()
    assert e.passed is False and "ยังไม่ได้เรียนเรื่องที่ 5" in e.reason


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(
    workshop, elearning, volunteer, volunteer2
):
    rows = [
        TH,
        [workshop.pk, bad_check_digit(volunteer.national_id), "24", "ผ่าน"],  # 2: check digit
        [9999, volunteer.national_id, "24", "ผ่าน"],  # 3: unknown course
        [workshop.pk, new_national_id(), "24", "ผ่าน"],  # 4: unknown volunteer
        [workshop.pk, volunteer.national_id, "30", "ผ่าน"],  # 5: out of range
        [workshop.pk, volunteer2.national_id, "24", "บางที"],  # 6: unknown code
        [elearning.pk, volunteer2.national_id, "", "ผ่าน"],  # fine
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 5, found
    assert found[0].startswith("แถว 2, เลขประจำตัวประชาชน:") and "เลขตรวจสอบ" in found[0]
    assert "แถว 3, เลขที่หลักสูตร: ไม่พบหลักสูตรเลขที่ 9999" in found
    assert any(m.startswith("แถว 4, เลขประจำตัวประชาชน: ไม่พบ อพม.") for m in found)
    # The result form's words (volunteers.rules.result, issue 14).
    assert "แถว 5, ชั่วโมงที่เข้าอบรม: ชั่วโมงที่เข้าอบรมต้องไม่เกิน 24.0 ชั่วโมงของหลักสูตร" in found
    assert any(m.startswith("แถว 6, ผลแบบทดสอบความรู้: 'บางที'") for m in found)
    assert not Enrolment.objects.exists()
    assert not Volunteer.objects.exclude(registration_number=None).exists()


def test_lessons_out_of_range_and_a_mismatched_course_title_are_refused(elearning, volunteer):
    header = ["course_id", "course_title", "national_id", "lessons"]
    rows = [
        header,
        [elearning.pk, "", volunteer.national_id, "1-11"],
        [elearning.pk, "รุ่นอื่น", volunteer.national_id, "1-5"],
    ]
    found = messages(_run(csv_bytes(rows)))
    assert found[0] == "แถว 2, lessons: บทเรียนที่ 11 ไม่มี (บทเรียนมี 1 ถึง 10)"
    assert found[1].startswith("แถว 3, course_title: หลักสูตรเลขที่")


def test_an_error_in_the_last_row_writes_nothing(workshop, volunteer, volunteer2):
    rows = [
        EN,
        [workshop.pk, volunteer.national_id, "24", "ผ่าน"],
        [workshop.pk, volunteer2.national_id, "24", "ผ่านไหม"],
    ]
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 3
    assert not Enrolment.objects.exists()
    volunteer.refresh_from_db()
    assert volunteer.registration_number is None and volunteer.status == "applicant"


def test_uploading_the_same_file_twice_changes_nothing(workshop, elearning, volunteer, volunteer2):
    data = csv_bytes(
        [
            ["course_id", "national_id", "hours_attended", "lessons", "session_attended",
             "test_passed", "test_score"],
            [workshop.pk, volunteer.national_id, "24", "", "", "ผ่าน", "80"],
            [elearning.pk, volunteer2.national_id, "", "1-5", "ใช่", "ไม่ผ่าน", "40"],
        ]
    )  # fmt: skip
    first = _run(data)
    assert first.ok and first.new == 2, messages(first)
    volunteer.refresh_from_db()
    card, histories = volunteer.card_number, Enrolment.history.count()
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    volunteer.refresh_from_db()
    assert volunteer.card_number == card and Enrolment.history.count() == histories


def test_a_later_file_with_a_passed_test_certifies(workshop, volunteer):
    assert _run(csv_bytes([EN, [workshop.pk, volunteer.national_id, "24", ""]])).ok
    assert Enrolment.objects.get().passed is False
    report = _run(csv_bytes([["course_id", "national_id", "test_passed"],
                             [workshop.pk, volunteer.national_id, "ผ่าน"]]))  # fmt: skip
    assert (report.new, report.updated) == (0, 1), messages(report)
    e = Enrolment.objects.get()
    assert e.passed is True and e.hours_attended == Decimal("24.0")
    volunteer.refresh_from_db()
    assert volunteer.status == "active" and volunteer.registration_number


def test_an_enrolment_without_results_puts_an_applicant_in_training(workshop, volunteer):
    report = _run(csv_bytes([["course_id", "national_id"], [workshop.pk, volunteer.national_id]]))
    assert report.ok and report.new == 1
    assert Enrolment.objects.get().passed is None
    volunteer.refresh_from_db()
    assert volunteer.status == "training"
