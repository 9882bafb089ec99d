"""The rules of the volunteers app (SPEC §4), in one place: what the forms' ``clean`` and the
import resources' ``resolve`` both ask, so that a value one path refuses the other refuses too,
with the same Thai message (an import preview adds the row and the column).

Pass or fail of a training (``decide``):

1. Workshop (อบรมเชิงปฏิบัติการ): attendance ≥ 80 % of the course hours (19.2 of 24) and a
   passed knowledge test.
2. E-learning: the 5 mandatory lessons done, the 1-day session attended and a passed test.

Everything is exact (Decimal, integers): 19.2 of 24 is exactly 80 % and passes.

Records (each returns the ``Problem``s it finds, none when all is well; ``field`` is the form
field and import column the problem belongs to):

- ``volunteer``: the birth date neither in the future nor before 1900; the status
  ``ขึ้นทะเบียนแล้ว`` only for a certified volunteer, or one already recorded so
  (``may_be_active``, ``ACTIVE_NEEDS_CERTIFICATION``).
- ``result``: hours attended 0 to the course's hours, a test score 0–100, each with at most one
  decimal (a file's 19.15 is refused, not rounded to a pass at 19.2).
- ``service``: a date neither in the future nor before 2000; 1 to 100,000 people served (an
  empty count is 1).
- ``plan_target``: a BE fiscal year (``be_year``) within the plan; a specialty only on the specialists
  measure, a service type only on the service measures; 1 to 10,000,000 planned.

Coded words (``SERVICE_TYPE``, ``TARGET_GROUP``, ``MEASURE``, ``SEX``, ``KIND``, ``STATUS``):
the one parser each of the import and the pasted-table form: the code, the Thai label, the
English label or a shorter label the spreadsheets use, spaces and case ignored
("ค้นหา/ สำรวจ", "ค้นหา", "Screening").
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import cells
from core.rules import Problem  # noqa: F401 - rules.Problem, as the forms and resources name it
from core.thaidate import format_thai_date
from volunteers.models import (
    MANDATORY_LESSONS,
    Kind,
    Measure,
    Path,
    ServiceType,
    Sex,
    Status,
    TargetGroup,
)

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


# -- what the forms and the imports share ------------------------------------------------------
class Words(cells.Coded):
    """A coded column or cell (``core.cells.Coded``) over a model's choices: the code, the Thai
    label, the English label and the spreadsheets' shorter ``aliases``, spaces and case ignored;
    anything else is refused with the choices listed. The labels are read on first use (in Thai
    and in English, whatever the language of the request)."""

    def __init__(self, choices: type[models.Choices], aliases: dict[str, str] | None = None):
        self.choices_class = choices
        self.aliases = dict(aliases or {})
        self._built = False

    def _build(self) -> None:
        labels: dict[str, str] = {}
        for language in ("th", "en"):
            with translation.override(language):
                labels |= {str(c.label): c.value for c in self.choices_class}
        super().__init__(dict(self.choices_class.choices), labels | self.aliases)
        self._built = True

    def __call__(self, value) -> str | None:
        if not self._built:
            self._build()
        return super().__call__(value)


SEX = Words(Sex)
KIND = Words(
    Kind,
    {"อพม.จังหวัด": "province", "อพม.กรุงเทพมหานคร": "bangkok", "อพม.กทม.": "bangkok", "อื่นๆ": "other"},
)
STATUS = Words(Status, {"ขึ้นทะเบียน": "active", "พ้นสภาพ": "inactive"})
SERVICE_TYPE = Words(
    ServiceType,
    {
        "ค้นหา": "survey",
        "สำรวจ": "survey",
        "ช่วยเหลือ": "help",
        "ส่งต่อ": "referral",
        "ติดตาม": "follow_up",
        "ประชาสัมพันธ์": "publicity",
        "รณรงค์": "publicity",
    },
)
TARGET_GROUP = Words(
    TargetGroup, {"คนไร้ที่พึ่ง": "destitute", "ผู้ทำการขอทาน": "destitute", "อื่นๆ": "other"}
)
MEASURE = Words(
    Measure,
    {
        "ผ่านการพัฒนาศักยภาพ": "trained",
        "มีความเชี่ยวชาญเฉพาะด้าน": "specialists",
        "ครั้งการให้บริการ": "services",
        "ผู้ได้รับบริการ": "people",
    },
)

# -- volunteers --------------------------------------------------------------------------------
OLDEST_BIRTH = dt.date(1900, 1, 1)
ACTIVE_NEEDS_CERTIFICATION = gettext_lazy(
    "สถานะ “ขึ้นทะเบียนแล้ว” ตั้งได้เมื่อ อพม. ผ่านการอบรมและได้รับเลขทะเบียนแล้วเท่านั้น"
    " (ระบบตั้งให้เองเมื่อบันทึกผลการอบรมว่าผ่าน)"
)


def volunteer(*, birth_date: dt.date | None, today: dt.date) -> list[Problem]:
    """A birth date neither in the future nor before 1900."""
    if birth_date is None:
        return []
    if birth_date > today:
        return [Problem("birth_date", _("วันเกิดต้องไม่เป็นวันในอนาคต"))]
    if birth_date < OLDEST_BIRTH:
        return [
            Problem(
                "birth_date",
                _("วันเกิดต้องไม่ก่อน %(day)s") % {"day": format_thai_date(OLDEST_BIRTH)},
            )
        ]
    return []


def may_be_active(*, registered: bool, status: str | None) -> bool:
    """The status ``ขึ้นทะเบียนแล้ว`` follows certification only (services.certify): a
    registered volunteer, or one already recorded as active (a form or a file repeating what is
    there)."""
    return registered or status == Status.ACTIVE


# -- training results --------------------------------------------------------------------------
SCORE_MAX = Decimal(100)
RESULT_PLACES = 1
TENTH = Decimal("0.1")


def decimals(value: Decimal) -> int:
    """Decimal places of ``value`` as a number (19.20 has one, 24 none)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def result(
    *, hours_attended: Decimal | None, test_score: Decimal | None, course_hours: Decimal
) -> list[Problem]:
    """Hours attended from 0 to the course's hours, a test score from 0 to 100, each with at
    most one decimal: a value read exactly (a file's 19.15) is refused rather than rounded."""
    problems = []
    if hours_attended is not None:
        if hours_attended < 0:
            problems.append(Problem("hours_attended", _("ชั่วโมงที่เข้าอบรมต้องไม่น้อยกว่า 0")))
        elif hours_attended > course_hours:
            problems.append(
                Problem(
                    "hours_attended",
                    _("ชั่วโมงที่เข้าอบรมต้องไม่เกิน %(hours)s ชั่วโมงของหลักสูตร") % {"hours": course_hours},
                )
            )
        elif decimals(hours_attended) > RESULT_PLACES:
            problems.append(Problem("hours_attended", _("ชั่วโมงที่เข้าอบรมมีทศนิยมได้ไม่เกิน 1 ตำแหน่ง")))
    if test_score is not None:
        if not 0 <= test_score <= SCORE_MAX:
            problems.append(Problem("test_score", _("คะแนนแบบทดสอบต้องอยู่ระหว่าง 0 ถึง 100")))
        elif decimals(test_score) > RESULT_PLACES:
            problems.append(Problem("test_score", _("คะแนนแบบทดสอบมีทศนิยมได้ไม่เกิน 1 ตำแหน่ง")))
    return problems


def tenths(value: Decimal | None) -> Decimal | None:
    """A result that passed ``result``, as it is stored (one decimal)."""
    return None if value is None else value.quantize(TENTH)


# -- services ----------------------------------------------------------------------------------
OLDEST_SERVICE = dt.date(2000, 1, 1)
PEOPLE_MAX = 100_000
PEOPLE_DEFAULT = 1  # an empty count of people served: the volunteer served one person
SERVICE_NEEDS = {
    "national_id": gettext_lazy("ต้องระบุเลขประจำตัวประชาชนของ อพม."),
    "date": gettext_lazy("ต้องระบุวันที่ให้บริการ"),
    "service_type": gettext_lazy("ต้องระบุประเภทบริการ"),
    "target_group": gettext_lazy("ต้องระบุกลุ่มเป้าหมาย"),
}


def service(*, day: dt.date | None, people_served: int | None, today: dt.date) -> list[Problem]:
    """A service date neither in the future nor before 2000, and 1 to 100,000 people served."""
    problems = []
    if day is not None and day > today:
        problems.append(Problem("date", _("วันที่ให้บริการต้องไม่เป็นวันในอนาคต")))
    elif day is not None and day < OLDEST_SERVICE:
        problems.append(
            Problem(
                "date",
                _("วันที่ให้บริการต้องไม่ก่อน %(day)s") % {"day": format_thai_date(OLDEST_SERVICE)},
            )
        )
    if people_served is not None and not 1 <= people_served <= PEOPLE_MAX:
        problems.append(Problem("people_served", _("จำนวนผู้รับบริการต้องอยู่ระหว่าง 1 ถึง 100,000 คน")))
    return problems


# -- plan targets ------------------------------------------------------------------------------
BE_YEARS = (2500, 2700)
PLANNED_MAX = 10_000_000
SERVICE_MEASURES = (Measure.SERVICES, Measure.PEOPLE_SERVED)


def be_year(year: int) -> list[Problem]:
    """A fiscal year is a BE year (2563, not 2020)."""
    if not BE_YEARS[0] <= year <= BE_YEARS[1]:
        return [Problem("fiscal_year", _("ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2563"))]
    return []


def plan_target(
    *,
    plan=None,
    fiscal_year: int | None,
    measure: str | None,
    specialty=None,
    service_type: str | None = "",
    planned: int | None,
) -> list[Problem]:
    """A target's year is a BE year within its plan (``plan``: when known); a specialty goes
    only with the specialists measure, a service type only with the service measures; 1 to
    10,000,000 planned."""
    problems = []
    if fiscal_year is not None:
        not_be = be_year(fiscal_year)
        if not_be:
            problems += not_be
        elif plan is not None and not plan.first_year <= fiscal_year <= plan.last_year:
            problems.append(
                Problem(
                    "fiscal_year",
                    _("ปีต้องอยู่ในช่วงของแผน %(first_year)s–%(last_year)s")
                    % {"first_year": plan.first_year, "last_year": plan.last_year},
                )
            )
    if specialty and measure and measure != Measure.SPECIALISTS:
        problems.append(Problem("specialty", _("ระบุความเชี่ยวชาญได้เฉพาะตัววัดความเชี่ยวชาญเฉพาะด้าน")))
    if service_type and measure and measure not in SERVICE_MEASURES:
        problems.append(Problem("service_type", _("ระบุประเภทบริการได้เฉพาะตัววัดการให้บริการ")))
    if planned is not None and not 1 <= planned <= PLANNED_MAX:
        problems.append(Problem("planned", _("ค่าเป้าหมายต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 10,000,000")))
    return problems
