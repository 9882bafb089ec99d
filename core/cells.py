"""Parsers for spreadsheet cells, shared by every import: BE/CE dates and Excel date cells, Thai
digits, national IDs with dashes or spaces, coded columns given as code or Thai label.

Each parser takes the raw cell (str, int, float, date, datetime or None) and returns a Python
value, or None for an empty cell; bad input raises ValueError with a Thai message.

Speed: an upload has 100,000s of cells but few distinct dates, percents or codes, so the parsers
whose result depends only on the text remember their successful results (``_Memo``, bounded;
errors are always worked out again, as their messages follow the language). The results are the
same objects the parsers would build (dates, Decimals, str are immutable).
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from core import nationalid
from core.numbers import half_up
from core.thaidate import parse_date, to_arabic_digits

# Control characters other than tab/newline never belong in a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CELL = 1000
# Excel's day 1 in each date system: 1899-12-30 + n (1900 system, the default), 1904-01-01 + n.
EPOCH_1900 = dt.date(1899, 12, 30)
EPOCH_1904 = dt.date(1904, 1, 1)
# 9999-12-31, Excel's last day, is serial 2,958,465 (1900 system) and 2,957,003 (1904 system).
_LAST_1900 = 2958466
_LAST_1904 = _LAST_1900 - (EPOCH_1904 - EPOCH_1900).days


class Serial1904(float):
    """A number from a workbook in the 1904 date system (old Mac Excel): as a date, day
    ``value`` after 1904-01-01; as anything else, the plain number it is."""

    __slots__ = ()


class _Memo(dict):
    """Successful results by key, forgotten all at once past ``limit`` entries."""

    limit = 50_000

    def keep(self, key, value):
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value


_MISSING = object()
_dates = _Memo()
_decimals: dict[int, _Memo] = {}  # by places: the text's value


def text(value, max_length: int = MAX_CELL) -> str | None:
    if value is None:
        return None
    if type(value) is str:
        # isprintable(): no control character (nor tab, newline, odd spaces), so nothing to strip
        # out but the ends.
        cleaned = value.strip() if value.isprintable() else _CONTROL.sub("", value).strip()
        if not cleaned:
            return None
        if len(cleaned) > max_length:
            raise ValueError(f"ข้อความยาวเกิน {max_length} ตัวอักษร")
        return cleaned
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = _CONTROL.sub("", str(value)).strip()
    if not cleaned:
        return None
    if len(cleaned) > max_length:
        raise ValueError(f"ข้อความยาวเกิน {max_length} ตัวอักษร")
    return cleaned


def code_text(value, max_length: int = 32) -> str | None:
    """An identifier cell (facility code, case number): Thai digits become Arabic."""
    if type(value) is str and value.isascii() and value.isprintable():
        # The usual cell: no control character to strip out, no digit to turn (what ``text``
        # and ``to_arabic_digits`` would do with it, without the calls).
        stripped = value.strip()
        if stripped and len(stripped) <= max_length:
            return stripped
    cleaned = text(value, max_length)
    return to_arabic_digits(cleaned) if cleaned else None


def date(value) -> dt.date | None:
    if type(value) is str:
        found = _dates.get(value, _MISSING)
        if found is not _MISSING:
            return found
        cleaned = text(value, 40)
        return _dates.keep(value, None if cleaned is None else parse_date(cleaned))
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Serial1904):
        if 0 <= value < _LAST_1904:
            return EPOCH_1904 + dt.timedelta(days=int(value))
        raise ValueError(f"'{value}' ไม่ใช่วันที่")
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number that reached us as a number.
        if 1 <= value < _LAST_1900:
            return EPOCH_1900 + dt.timedelta(days=int(value))
        raise ValueError(f"'{value}' ไม่ใช่วันที่")
    cleaned = text(value, 40)
    if cleaned is None:
        return None
    return parse_date(cleaned)


def decimal(value, places: int = 2) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"'{value}' ไม่ใช่ตัวเลข")
    # The result depends on str(value) and places alone (1 and "1" give the same 1.00).
    memo = _decimals.get(places)
    if memo is None:
        memo = _decimals.setdefault(places, _Memo())
    key = value if type(value) is str else str(value)
    found = memo.get(key)
    if found is not None:
        return found
    return memo.keep(key, _decimal(value, places))


def _decimal(value, places: int) -> Decimal | None:
    cleaned = to_arabic_digits(str(value)).strip().replace(",", "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text(value, 40) or value}' ไม่ใช่ตัวเลข") from None
    if not number.is_finite():
        raise ValueError(f"'{cleaned}' ไม่ใช่ตัวเลข")
    if number and number.adjusted() >= 12:  # abs(number) >= 10**12, without the arithmetic
        # that overflowed (decimal.Overflow, a crash) for an exponent past the context's
        raise ValueError(f"'{cleaned}' ใหญ่เกินไป")
    return half_up(number, places)  # as every figure is rounded (core.numbers)


def integer(value) -> int | None:
    number = decimal(value, places=6)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueError(f"'{value}' ต้องเป็นจำนวนเต็ม")
    return int(number)


def national_id(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    cleaned = nationalid.normalize(text(value, 40) or "")
    if not cleaned:
        return None
    if not re.fullmatch(r"\d{13}", cleaned):
        raise ValueError(f"'{value}' เลขประจำตัวประชาชนต้องมี 13 หลัก")
    if not nationalid.is_valid(cleaned):
        raise ValueError(f"'{value}' เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)")
    return cleaned


class Coded:
    """A coded column: the English code or a Thai label, spaces and case ignored.

    ``choices``: code → Thai label; ``aliases``: more accepted labels → code (the spreadsheets'
    shorter labels, e.g. ผู้ป่วยจิตเวช for psychiatric).
    """

    def __init__(self, choices: dict[str, str], aliases: dict[str, str] | None = None):
        self.choices = dict(choices)
        self.lookup = {_key(code): code for code in choices}
        self.lookup.update({_key(label): code for code, label in choices.items()})
        self.lookup.update({_key(label): code for label, code in (aliases or {}).items()})
        self._memo = _Memo()

    def __call__(self, value) -> str | None:
        if type(value) is str:
            found = self._memo.get(value)
            if found is not None:
                return found
        cleaned = text(value, 200)
        if cleaned is None:
            return None
        found = self.lookup.get(_key(cleaned))
        if found is None:
            allowed = ", ".join(f"{code} ({label})" for code, label in self.choices.items())
            raise ValueError(f"'{cleaned}' ไม่ใช่ค่าที่รับได้ (รับ: {allowed})")
        if type(value) is str:
            self._memo.keep(value, found)
        return found


def _key(label: str) -> str:
    return "".join(str(label).split()).lower()


def boolean(value) -> bool | None:
    cleaned = text(value, 20)
    if cleaned is None:
        return None
    lowered = cleaned.lower()
    if lowered in {"1", "true", "yes", "y", "ใช่", "ผ่าน", "มี", "x", "✓"}:
        return True
    if lowered in {"0", "false", "no", "n", "ไม่ใช่", "ไม่ผ่าน", "ไม่มี", "-"}:
        return False
    raise ValueError(f"'{cleaned}' ต้องเป็น ใช่/ไม่ใช่")


def neutralise_formula(value):
    """For exports: text as ``core.exports.clean_cell`` writes it (control characters stripped,
    a would-be formula written as text); other values unchanged."""
    if isinstance(value, str):
        from core.exports import clean_text

        return clean_text(value)
    return value
