"""Password checks in Thai (Django's Thai catalog leaves the validators' messages untranslated)
and one-time passwords an admin can hand over."""

import secrets

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be mistaken for each other when read aloud or copied by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

ATTRIBUTE_LABELS = {
    "username": _("ชื่อผู้ใช้"),
    "first name": _("ชื่อ"),
    "last name": _("นามสกุล"),
    "email address": _("อีเมล"),
}


def generate_password() -> str:
    """Three groups of four, e.g. ``k7Qm-x9Pt-4wRz`` (about 71 bits), with a letter and a digit."""
    while True:
        raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
        if any(c.isalpha() for c in raw) and any(c.isdigit() for c in raw):
            return "-".join(raw[i : i + 4] for i in (0, 4, 8))


def _thai(error: ValidationError) -> str | Promise:
    params = error.params or {}
    if error.code == "password_too_short":
        return _("รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย %(min_length)s ตัวอักษร") % {
            "min_length": params.get("min_length", 8)
        }
    if error.code == "password_too_similar":
        name = str(params.get("verbose_name", ""))
        return _("รหัสผ่านคล้ายกับ%(name)sมากเกินไป") % {
            "name": ATTRIBUTE_LABELS.get(name, name or _("ข้อมูลของผู้ใช้"))
        }
    if error.code == "password_too_common":
        return _("รหัสผ่านนี้ใช้กันทั่วไปและเดาได้ง่าย กรุณาตั้งรหัสผ่านอื่น")
    if error.code == "password_entirely_numeric":
        return _("รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด")
    return " ".join(error.messages)


def validate_password_thai(password: str, user=None) -> None:
    """Django's AUTH_PASSWORD_VALIDATORS, raising their errors in Thai."""
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError([_thai(e) for e in exc.error_list]) from None
