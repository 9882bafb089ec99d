"""Thai national ID numbers (เลขประจำตัวประชาชน): 13 digits, the last a check digit."""

import re
import unicodedata

from django.core.exceptions import ValidationError

from core.thaidate import to_arabic_digits


def check_digit(first12: str) -> int:
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def normalize(text: str) -> str:
    """Digits only: every script's digits become ASCII (core.thaidate.to_arabic_digits), and
    spaces and dashes of any kind (-, ‐, –, full-width －) go."""
    text = to_arabic_digits(str(text))
    if text.isascii():
        return re.sub(r"[\s\-]", "", text)
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch) == "Pd"))


def is_valid(value: str) -> bool:
    value = normalize(value)
    return bool(re.fullmatch(r"[0-9]{13}", value)) and check_digit(value[:12]) == int(value[12])


def validate_national_id(value: str) -> None:
    value = normalize(value)
    if not re.fullmatch(r"[0-9]{13}", value):
        raise ValidationError("เลขประจำตัวประชาชนต้องมี 13 หลัก", code="length")
    if check_digit(value[:12]) != int(value[12]):
        raise ValidationError("เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)", code="check_digit")


def mask(value: str | None) -> str:
    """1-2345-xxxxx-xx-3 style: the first five digits and the last one stay."""
    if not value:
        return ""
    v = normalize(value)
    if len(v) != 13:
        return "x" * len(v)
    return f"{v[0]}-{v[1:5]}-xxxxx-xx-{v[12]}"


def format_id(value: str | None) -> str:
    if not value:
        return ""
    v = normalize(value)
    if len(v) != 13:
        return v
    return f"{v[0]}-{v[1:5]}-{v[5:10]}-{v[10:12]}-{v[12]}"


def make_valid(first12: str) -> str:
    """Complete 12 digits with their check digit (for demo data and tests)."""
    return first12 + str(check_digit(first12))
