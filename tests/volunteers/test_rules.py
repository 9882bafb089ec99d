"""The pass/fail rules of SPEC §4 at their edges, and the Thai reason why not passed."""

from decimal import Decimal

import pytest

from volunteers.models import Path
from volunteers.rules import decide


def workshop(hours, test=True, course_hours=24):
    return decide(Path.WORKSHOP, course_hours=course_hours, hours_attended=hours, test_passed=test)


def elearning(lessons=(1, 2, 3, 4, 5), session=True, test=True):
    return decide(Path.ELEARNING, lessons_done=lessons, session_attended=session, test_passed=test)


def test_19_2_of_24_hours_passes():
    assert workshop(Decimal("19.2")).passed is True


def test_19_1_of_24_hours_fails_with_the_reason_in_thai():
    d = workshop(Decimal("19.1"))
    assert d.passed is False
    assert d.reason == "เข้าอบรม 19.1 จาก 24 ชั่วโมง (ต้องไม่น้อยกว่าร้อยละ 80)"


def test_the_reason_shows_whole_hours_without_decimals():
    assert workshop(18).reason == "เข้าอบรม 18 จาก 24 ชั่วโมง (ต้องไม่น้อยกว่าร้อยละ 80)"


def test_float_input_is_exact_at_the_edge():
    assert workshop(19.2).passed is True


def test_a_failed_knowledge_test_fails_even_with_full_attendance():
    d = workshop(24, test=False)
    assert d.passed is False
    assert d.reason == "ไม่ผ่านแบบทดสอบความรู้"


def test_no_test_result_yet_is_not_a_pass():
    d = workshop(24, test=None)
    assert d.passed is False
    assert "ยังไม่มีผลแบบทดสอบความรู้" in d.reasons


def test_missing_hours_is_not_a_pass():
    assert workshop(None).passed is False


def test_both_reasons_are_given():
    d = workshop(10, test=False)
    assert len(d.reasons) == 2


def test_attendance_is_relative_to_the_course_hours():
    assert workshop(Decimal("9.6"), course_hours=12).passed is True
    assert workshop(Decimal("9.5"), course_hours=12).passed is False


def test_elearning_passes_with_five_mandatory_lessons_session_and_test():
    assert elearning().passed is True


def test_elearning_supplementary_lessons_are_not_needed_and_do_not_replace_mandatory():
    assert elearning(lessons=(1, 2, 3, 4, 6, 7, 8, 9, 10)).passed is False


def test_four_of_five_mandatory_lessons_fails():
    d = elearning(lessons=(1, 2, 3, 5))
    assert d.passed is False
    assert d.reason == "เรียนบทเรียนบังคับ 4 จาก 5 เรื่อง (ยังไม่ได้เรียนเรื่องที่ 4)"


def test_no_one_day_session_fails():
    d = elearning(session=False)
    assert d.passed is False
    assert d.reason == "ยังไม่ได้เข้าอบรม 1 วัน"


def test_elearning_failed_test_fails():
    assert elearning(test=False).passed is False


def test_unknown_path_is_an_error():
    with pytest.raises(ValueError):
        decide("bogus", test_passed=True)
