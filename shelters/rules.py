"""The rules of SPEC §3 for residents, IRP assessments and discharges, in one place.

The forms' ``clean`` and the import resources' ``resolve`` both ask these, so whatever the form
refuses a file refuses too, with the same Thai message (the import preview adds the row and the
column). Each rule returns the problems it finds, none when all is well, as ``Problem``s:
``field`` is the form field (and import column) the problem belongs to, ``None`` for the form as
a whole, and then ``column`` names the column an import points at.

What only one path can meet stays with it: a case number or assessment date already taken is a
form error, where a file updates the record it names (imports.engine); a national ID held by
someone else is asked of the database by the form and of the whole file by the import.
"""

import datetime as dt
from collections.abc import Collection, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.numbers import half_up
from core.rules import Problem  # noqa: F401 - rules.Problem, as the forms and resources name it
from core.thaidate import format_thai_date
from shelters.models import (
    ITEM_COUNT,
    ITEM_FIELDS,
    ITEM_MAX,
    PERCENT_MAX,
    PERCENT_MIN,
    percent_of_items,
)

# A percent typed or given beside its 14 items may differ from theirs by a rounding step.
PERCENT_TOLERANCE = Decimal("0.01")
ITEM_RANGE_TEXT = gettext_noop("ข้อ %(n)s: คะแนนต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10")


def resident(
    *,
    birth_date: dt.date | None,
    admitted_on: dt.date | None,
    today: dt.date,
    first_assessed_on: dt.date | None = None,
    discharged_on: dt.date | None = None,
) -> list[Problem]:
    """A resident's dates: none in the future, born no later than admitted, admitted no later
    than the first assessment (``first_assessed_on``: of a saved resident) and the discharge
    (``discharged_on``: the saved one, when the discharge itself is not being checked too)."""
    problems = []
    if admitted_on and admitted_on > today:
        problems.append(Problem("admitted_on", _("วันที่รับเข้าต้องไม่เป็นวันในอนาคต")))
    if birth_date and birth_date > today:
        problems.append(Problem("birth_date", _("วันเกิดต้องไม่เป็นวันในอนาคต")))
    if birth_date and admitted_on and birth_date > admitted_on:
        problems.append(Problem("birth_date", _("วันเกิดต้องไม่หลังวันที่รับเข้า")))
    if admitted_on and first_assessed_on and admitted_on > first_assessed_on:
        problems.append(
            Problem(
                "admitted_on",
                _("วันที่รับเข้าต้องไม่หลังการประเมินครั้งแรก (%(day)s)")
                % {"day": format_thai_date(first_assessed_on)},
            )
        )
    if admitted_on and discharged_on and admitted_on > discharged_on:
        problems.append(Problem("admitted_on", _("วันที่รับเข้าต้องไม่หลังวันที่จำหน่าย")))
    return problems


def discharge(
    *,
    discharged_on: dt.date,
    admitted_on: dt.date,
    today: dt.date,
    last_assessed_on: dt.date | None = None,
) -> list[Problem]:
    """A discharge: not in the future, not before the admission nor the latest assessment."""
    if discharged_on > today:
        return [Problem("discharged_on", _("วันที่จำหน่ายต้องไม่เป็นวันในอนาคต"))]
    if discharged_on < admitted_on:
        return [
            Problem(
                "discharged_on",
                _("วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า (%(day)s)") % {"day": format_thai_date(admitted_on)},
            )
        ]
    if last_assessed_on and discharged_on < last_assessed_on:
        return [
            Problem(
                "discharged_on",
                _("วันที่จำหน่ายต้องไม่ก่อนการประเมินครั้งล่าสุด (%(day)s)")
                % {"day": format_thai_date(last_assessed_on)},
            )
        ]
    return []


def discharge_pair(discharged_on: dt.date | None, reason: str | None) -> list[Problem]:
    """A discharge date and its reason go together (the discharge form requires both)."""
    if bool(discharged_on) == bool(reason):
        return []
    field = "discharge_reason" if discharged_on else "discharged_on"
    return [Problem(field, _("วันที่จำหน่ายและเหตุที่จำหน่ายต้องกรอกคู่กัน"))]


def assessment_date(
    *,
    assessed_on: dt.date,
    admitted_on: dt.date,
    discharged_on: dt.date | None,
    today: dt.date,
) -> list[Problem]:
    """An assessment falls between the admission and the discharge (or today)."""
    if assessed_on > today:
        return [Problem("assessed_on", _("วันที่ประเมินต้องไม่เป็นวันในอนาคต"))]
    if assessed_on < admitted_on:
        return [
            Problem(
                "assessed_on",
                _("วันที่ประเมินต้องไม่ก่อนวันที่รับเข้า (%(day)s)") % {"day": format_thai_date(admitted_on)},
            )
        ]
    if discharged_on and assessed_on > discharged_on:
        return [
            Problem(
                "assessed_on",
                _("วันที่ประเมินต้องไม่หลังวันที่จำหน่าย (%(day)s)")
                % {"day": format_thai_date(discharged_on)},
            )
        ]
    return []


def score(
    items: Sequence[int | None] | None,
    percent: Decimal | None,
    *,
    refused: Collection[str] = (),
) -> tuple[Decimal | None, list[Problem]]:
    """The percent an assessment keeps, and what is wrong with its scores.

    ``items``: the 14 item scores (``None`` where empty; ``items=None``: no item at all, a file
    without item columns); ``percent``: the percent as given, exactly (not yet rounded);
    ``refused``: fields the caller has already refused (a form field that is not a whole
    number), left out. The 14 items, each 1–10, give the percent (sum / 140 × 100, half up); a
    percent given beside them must agree (within 0.01), else it is refused; some items but not
    all are refused; a percent alone must be 10–100 as given, and is kept rounded half up to two
    decimals (40.005 → 40.01, group B; 100.004 is over 100: refused)."""
    pairs = () if items is None else zip(ITEM_FIELDS, items, strict=True)
    given = [(name, value) for name, value in pairs if value is not None]
    if not given:  # the percent alone (the import's usual case: kept quick)
        if percent is None:
            if "percent" in refused:
                return None, []
            text = _("กรอกคะแนนรายข้อให้ครบ 14 ข้อ หรือกรอกร้อยละคะแนน")
            return None, [Problem(None, text, column="percent")]
        if not PERCENT_MIN <= percent <= PERCENT_MAX:
            return None, [Problem("percent", _("ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"))]
        return half_up(percent), []
    problems = [
        Problem(name, _(ITEM_RANGE_TEXT) % {"n": ITEM_FIELDS.index(name) + 1})
        for name, value in given
        if not 1 <= value <= ITEM_MAX
    ]
    if problems or any(name in refused for name in ITEM_FIELDS):
        pass  # the items are wrong already: nothing to count or compare them with
    elif len(given) < ITEM_COUNT:
        assert items is not None
        missing = [name for name, value in zip(ITEM_FIELDS, items, strict=True) if value is None]
        problems.append(
            Problem(
                None,
                _("กรอกคะแนนให้ครบทั้ง 14 ข้อ (ยังขาดข้อ %(missing)s) หรือกรอกร้อยละคะแนนอย่างเดียว")
                % {"missing": ", ".join(str(ITEM_FIELDS.index(n) + 1) for n in missing)},
                column=missing[0],
            )
        )
    else:
        computed = percent_of_items(value for _name, value in given)
        if percent is not None and abs(percent - computed) > PERCENT_TOLERANCE:
            problems.append(
                Problem(
                    "percent",
                    _("ร้อยละคะแนนไม่ตรงกับคะแนนรายข้อ (คำนวณได้ %(computed)s) ลบร้อยละออกหรือแก้ให้ตรง")
                    % {"computed": computed},
                )
            )
        return computed, problems
    if percent is not None and not PERCENT_MIN <= percent <= PERCENT_MAX:
        problems.append(Problem("percent", _("ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100")))
    return None, problems
