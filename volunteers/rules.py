"""Pass or fail of a training (SPEC §4), in one place.

1. Workshop (อบรมเชิงปฏิบัติการ): attendance ≥ 80 % of the course hours (19.2 of 24) and a
   passed knowledge test.
2. E-learning: the 5 mandatory lessons done, the 1-day session attended and a passed test.

Everything is exact (Decimal, integers): 19.2 of 24 is exactly 80 % and passes.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from volunteers.models import MANDATORY_LESSONS, Path

ATTENDANCE_PERCENT = 80


@dataclass(frozen=True)
class Decision:
    passed: bool
    reasons: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def _num(value) -> str:
    """18 → "18", 19.1 → "19.1" (no trailing zeros)."""
    d = Decimal(str(value)).normalize()
    return format(d, "f")


def decide(
    path: str,
    *,
    course_hours=None,
    hours_attended=None,
    test_passed: bool | None,
    lessons_done=(),
    session_attended: bool = False,
) -> Decision:
    reasons: list[str] = []
    if path == Path.WORKSHOP:
        hours = Decimal(str(course_hours or 24))
        if hours_attended is None:
            reasons.append("ยังไม่ได้บันทึกชั่วโมงการเข้าอบรม")
        else:
            attended = Decimal(str(hours_attended))
            if attended * 100 < hours * ATTENDANCE_PERCENT:
                reasons.append(
                    f"เข้าอบรม {_num(attended)} จาก {_num(hours)} ชั่วโมง "
                    f"(ต้องไม่น้อยกว่าร้อยละ {ATTENDANCE_PERCENT})"
                )
    elif path == Path.ELEARNING:
        done = set(lessons_done)
        missing = [n for n in MANDATORY_LESSONS if n not in done]
        if missing:
            reasons.append(
                f"เรียนบทเรียนบังคับ {len(MANDATORY_LESSONS) - len(missing)} จาก "
                f"{len(MANDATORY_LESSONS)} เรื่อง (ยังไม่ได้เรียนเรื่องที่ "
                f"{', '.join(str(n) for n in missing)})"
            )
        if not session_attended:
            reasons.append("ยังไม่ได้เข้าอบรม 1 วัน")
    else:
        raise ValueError(f"unknown training path {path!r}")
    if test_passed is None:
        reasons.append("ยังไม่มีผลแบบทดสอบความรู้")
    elif not test_passed:
        reasons.append("ไม่ผ่านแบบทดสอบความรู้")
    return Decision(passed=not reasons, reasons=tuple(reasons))


def decide_enrolment(enrolment, lessons_done=None) -> Decision:
    """The decision for a saved enrolment (its course and lessons)."""
    course = enrolment.course
    if lessons_done is None:
        lessons_done = [lc.lesson for lc in enrolment.lessons.all()] if enrolment.pk else []
    return decide(
        course.kind,
        course_hours=course.hours,
        hours_attended=enrolment.hours_attended,
        test_passed=enrolment.test_passed,
        lessons_done=lessons_done,
        session_attended=enrolment.session_attended,
    )
