"""The rules of SPEC §5 for subsidy applications and their steps, in one place.

The forms (``ApplicationForm``'s clean, the notes of moves and corrections), the services that
judge a move or a correction on the locked row (``services.check_move``) and the import
resources (``subsidies.resources``) all ask these, so whatever a form refuses a file refuses
too, with the same Thai message (the import preview adds the row and the column). Each rule
returns the problems it finds, none when all is well, as ``Problem``s: ``field`` is the form
field the problem belongs to (``None``: the form as a whole), ``column`` the import column when
it is named otherwise (a move's ``to_step`` is the file's ``step``).

What only one path can meet stays with it: a file names an application by its reference or by
the same person, type and date (an upload repeated changes nothing), where the form makes a new
one (``core.once`` stops a double submit); a step already recorded may only have its note
changed by a file, where the page corrects it with a reason.
"""

import datetime as dt
from decimal import Decimal
from typing import Protocol, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import cells
from core.nationalid import normalize, validate_national_id
from core.rules import Problem  # noqa: F401 - rules.Problem, as the forms and resources name it
from subsidies.models import Decision, Step, SubsidyType

MAX_AMOUNT = Decimal(10_000_000)
AMOUNT_PLACES = 2
NOTE_MAX = 1000
# What may be typed for a national ID (dashes and spaces included) before it is judged.
NATIONAL_ID_TYPED_MAX = 40

# The subsidy types by code, label or the shorter names the offices' spreadsheets use: the
# application form and the import take the same spellings (spaces and case ignored).
SUBSIDY_TYPE_SPELLINGS = {
    "ครอบครัวผู้มีรายได้น้อยและผู้ไร้ที่พึ่ง": SubsidyType.LOW_INCOME,
    "ผู้มีรายได้น้อย": SubsidyType.LOW_INCOME,
    "ผู้ติดเชื้อเอชไอวีและครอบครัว": SubsidyType.HIV,
    "เอชไอวี": SubsidyType.HIV,
    "เงินทุนประกอบอาชีพ": SubsidyType.OCCUPATION,
    "ประกอบอาชีพ": SubsidyType.OCCUPATION,
    "เยียวยา": SubsidyType.HUMANITARIAN,
    "มนุษยธรรม": SubsidyType.HUMANITARIAN,
}
subsidy_type = cells.Coded(
    cast(dict[str, str], dict(SubsidyType.choices)),
    {label: str(code) for label, code in SUBSIDY_TYPE_SPELLINGS.items()},
)


class StepState(Protocol):
    """Where an application stands: an ``Application``, or the state a file's earlier rows
    leave it in (``subsidies.resources``)."""

    step: int
    decision: str
    step_on: dt.date | None


def amount(value: Decimal | None) -> list[Problem]:
    """The amount requested: more than 0, at most ``MAX_AMOUNT`` baht, in whole satang."""
    if value is None:
        return []
    if not 0 < value <= MAX_AMOUNT:
        text = _("จำนวนเงินต้องมากกว่า 0 และไม่เกิน %(max)s บาท") % {"max": f"{MAX_AMOUNT:,}"}
        return [Problem("amount_requested", text)]
    if value != round(value, AMOUNT_PLACES):
        text = _("จำนวนเงินมีทศนิยมได้ไม่เกิน %(places)s ตำแหน่ง (สตางค์)") % {"places": AMOUNT_PLACES}
        return [Problem("amount_requested", text)]
    return []


def received_on(
    day: dt.date | None, *, today: dt.date, first_later: dt.date | None = None
) -> list[Problem]:
    """The date received: not after today, nor after the date of the application's next step
    (``first_later``: the earliest step after step 1 recorded, when it has moved on)."""
    if day is None:
        return []
    if day > today:
        return [Problem("received_on", _("วันที่รับคำขอต้องไม่เกินวันนี้"))]
    if first_later and day > first_later:
        return [Problem("received_on", _("วันที่รับคำขอต้องไม่หลังวันที่ของขั้นตอนถัดไป"))]
    return []


def national_id(value: str | None) -> list[Problem]:
    """13 digits (dashes, spaces and Thai digits aside) with a right check digit
    (``core.nationalid``: the message the form's ``NationalIdField`` gives)."""
    if not value:
        return []
    try:
        validate_national_id(normalize(value))
    except ValidationError as error:
        return [Problem("national_id", error.messages[0])]
    return []


def note(text: str | None) -> list[Problem]:
    """A step's note: at most ``NOTE_MAX`` characters."""
    if text and len(text) > NOTE_MAX:
        return [Problem("note", _("หมายเหตุยาวได้ไม่เกิน %(max)s ตัวอักษร") % {"max": f"{NOTE_MAX:,}"})]
    return []


def move(
    state: StepState, to_step: int, acted_on: dt.date | None, decision: str, *, today: dt.date
) -> list[Problem]:
    """A move of an application at ``state`` to ``to_step`` (SPEC §5): only to the next step,
    nothing after "not approved" at step 4 or after step 5; a decision at step 4 and only
    there; the date not before the previous step's nor after today. The first problem found."""
    if state.step == Step.DECIDED and state.decision == Decision.NOT_APPROVED:
        text = _("คำขอนี้ไม่ได้รับการอนุมัติ กระบวนการสิ้นสุดที่ขั้นตอนที่ 4 แล้ว")
        return [Problem(None, text, column="step")]
    if state.step == Step.ASSISTED:
        return [Problem(None, _("คำขอนี้ดำเนินการครบทั้ง 5 ขั้นตอนแล้ว"), column="step")]
    expected = state.step + 1
    if to_step != expected:
        text = _(
            "เปลี่ยนได้เฉพาะขั้นตอนถัดไปเท่านั้น (ขั้นตอนที่ %(expected)s %(Step)s) ข้อมูลอาจถูกแก้ไขโดยผู้อื่น โปรดเปิดหน้านี้ใหม่"
        ) % {"expected": expected, "Step": Step(expected).label}
        return [Problem("to_step", text, column="step")]
    if to_step == Step.DECIDED and decision not in Decision.values:
        return [Problem("decision", _("ขั้นตอนที่ 4 ต้องระบุผลการพิจารณา (อนุมัติ หรือ ไม่อนุมัติ)"))]
    if to_step != Step.DECIDED and decision:
        return [Problem("decision", _("ผลการพิจารณาบันทึกได้เฉพาะขั้นตอนที่ 4"))]
    if acted_on is None:
        return [Problem("acted_on", _("โปรดระบุวันที่"))]
    if state.step_on and acted_on < state.step_on:
        return [Problem("acted_on", _("วันที่ต้องไม่ก่อนวันที่ของขั้นตอนก่อนหน้า"))]
    if acted_on > today:
        return [Problem("acted_on", _("วันที่ต้องไม่เกินวันนี้"))]
    return []
