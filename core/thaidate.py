"""Buddhist-era dates and Thai digits: formatting for the UI and parsing of what people type.

The UI shows dates as ``12 มี.ค. 2563``; people and spreadsheets give BE or CE years, in Thai or
Arabic digits, as dd/mm/yyyy or yyyy-mm-dd.

English mode keeps the Buddhist era, the year every figure, fiscal year and typed date of the
site is in, and says so: ``12 Mar 2563 BE`` (long or not), inputs take
dd/mm/yyyy (BE) as in Thai. A date shown in English is the same year a Thai user sees and types.
"""

import datetime as dt
import re
import unicodedata

from django.utils import timezone

BE_OFFSET = 543
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
MONTHS_SHORT = [
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
]  # fmt: skip
MONTHS_LONG = [
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

# A year above this is taken as BE (2400 BE = 1857 CE; nothing here is that old).
_BE_THRESHOLD = 2400


def to_arabic_digits(text: str) -> str:
    """Every decimal digit as ASCII: Thai (๑๒๓), Arabic-Indic (١٢٣), full-width (１２３) and
    any other script's. The one place digits are normalised: IDs, dates, numbers, references
    all pass through here, so "๑๒๓" and "123" are the same key."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch
        for ch in text.translate(THAI_DIGITS)
    )


def be_year(ce_year: int) -> int:
    return ce_year + BE_OFFSET


def ce_year(year: int) -> int:
    """A BE or CE year as CE."""
    return year - BE_OFFSET if year > _BE_THRESHOLD else year


def current_lang() -> str:
    """ "en" when the request is in English mode, else "th"."""
    from django.utils.translation import get_language

    return "en" if (get_language() or "th").startswith("en") else "th"


def format_thai_date(value: dt.date | None, long: bool = False, lang: str | None = None) -> str:
    """``12 มี.ค. 2563`` (long: ``12 มีนาคม 2563``); in English mode ``12 Mar 2563 BE``.
    ``lang`` defaults to the current language."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        # an aware time is dated in Asia/Bangkok (01:30 on the 12th is the 12th, not the 11th)
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if (lang or current_lang()) == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {be_year(value.year)} BE"
    months = MONTHS_LONG if long else MONTHS_SHORT
    return f"{value.day} {months[value.month - 1]} {be_year(value.year)}"


def format_be_numeric(value: dt.date | None) -> str:
    """dd/mm/yyyy with a BE year: the format of the date inputs."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{be_year(value.year)}"


_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YMD = re.compile(r"^(\d{4})[/.\-](\d{1,2})[/.\-](\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """Parse dd/mm/yyyy or yyyy-mm-dd, BE or CE, Thai or Arabic digits.

    Raises ValueError with a message in the current language (Thai by default) when the text is
    no date or the date does not exist.
    """
    cleaned = to_arabic_digits(str(text)).strip()
    # Fast path for the common dd/mm/yyyy (spreadsheets carry thousands of these).
    if len(cleaned) == 10 and cleaned[2] == "/" and cleaned[5] == "/":
        day, month, year = cleaned[:2], cleaned[3:5], cleaned[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            try:
                return dt.date(ce_year(int(year)), int(month), int(day))
            except ValueError:
                raise ValueError(_no_such_day(text)) from None
    cleaned = cleaned.split(" ")[0] if _YMD.match(cleaned.split(" ")[0] or "") else cleaned
    match = _DMY.match(cleaned)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.match(cleaned)
        if not match:
            raise ValueError(_not_a_date(text))
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(ce_year(year), month, day)
    except ValueError:
        raise ValueError(_no_such_day(text)) from None


def _not_a_date(text) -> str:
    from django.utils.translation import gettext as _

    return _("'%(text)s' ไม่ใช่วันที่ (ใช้รูปแบบ วว/ดด/ปปปป)") % {"text": text}


def _no_such_day(text) -> str:
    from django.utils.translation import gettext as _

    return _("'%(text)s' ไม่ใช่วันที่ที่มีอยู่จริง") % {"text": text}


def fiscal_year_of(day: dt.date) -> int:
    """The Thai fiscal year (BE) that a date falls in: October starts the next year."""
    return be_year(day.year + (1 if day.month >= 10 else 0))


def fiscal_year_bounds(fiscal_year_be: int) -> tuple[dt.date, dt.date]:
    """First and last day of a BE fiscal year: FY2563 = 2019-10-01 … 2020-09-30."""
    end_ce = fiscal_year_be - BE_OFFSET
    return dt.date(end_ce - 1, 10, 1), dt.date(end_ce, 9, 30)


def default_as_of(fiscal_year_be: int, today: dt.date | None = None) -> dt.date:
    """The year's last day, or today if the year has not ended yet."""
    today = today or timezone.localdate()
    _, end = fiscal_year_bounds(fiscal_year_be)
    return min(end, today)
