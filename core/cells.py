"""Parsers for spreadsheet cells, shared by every import: BE/CE dates and Excel date cells, Thai
digits, national IDs with dashes or spaces, coded columns given as code or Thai label.

Each parser takes the raw cell (str, int, float, date, datetime or None) and returns a Python
value, or None for an empty cell; bad input raises ValueError with a Thai message.
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


def text(value, max_length: int = MAX_CELL) -> str | None:
    if value is None:
        return None
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
    cleaned = text(value, max_length)
    return to_arabic_digits(cleaned) if cleaned else None


def date(value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel serial day number that reached us as a number.
        if 1 <= value < 2958466:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
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
    cleaned = to_arabic_digits(str(value)).strip().replace(",", "")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text(value, 40) or value}' ไม่ใช่ตัวเลข") from None
    if not number.is_finite():
        raise ValueError(f"'{cleaned}' ไม่ใช่ตัวเลข")
    if abs(number) >= 10**12:
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

    def __call__(self, value) -> str | None:
        cleaned = text(value, 200)
        if cleaned is None:
            return None
        found = self.lookup.get(_key(cleaned))
        if found is None:
            allowed = ", ".join(f"{code} ({label})" for code, label in self.choices.items())
            raise ValueError(f"'{cleaned}' ไม่ใช่ค่าที่รับได้ (รับ: {allowed})")
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
