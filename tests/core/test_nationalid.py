import pytest
from django.core.exceptions import ValidationError

from core.nationalid import format_id, is_valid, make_valid, mask, normalize, validate_national_id

GOOD = make_valid("110170012345")


def test_it_accepts_a_valid_id_with_dashes_spaces_or_thai_digits():
    assert is_valid(GOOD)
    dashed = f"{GOOD[0]}-{GOOD[1:5]}-{GOOD[5:10]}-{GOOD[10:12]}-{GOOD[12]}"
    assert normalize(dashed) == GOOD
    assert is_valid(dashed)
    thai = GOOD.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    assert normalize(thai) == GOOD
    assert is_valid(" ".join(GOOD))


def test_it_rejects_a_bad_check_digit():
    bad = GOOD[:12] + str((int(GOOD[12]) + 1) % 10)
    with pytest.raises(ValidationError, match="เลขตรวจสอบ"):
        validate_national_id(bad)


@pytest.mark.parametrize("value", ["123", "12345678901234", "abcdefghijklm"])
def test_it_rejects_anything_but_13_digits(value):
    with pytest.raises(ValidationError, match="13 หลัก"):
        validate_national_id(value)


def test_it_masks_the_middle_digits():
    masked = mask(GOOD)
    assert masked.startswith(GOOD[0]) and masked.endswith(GOOD[12])
    assert GOOD[5:12] not in masked.replace("-", "")
    assert "xxxxx" in masked
    assert format_id(GOOD).count("-") == 4


@pytest.mark.parametrize(
    "digits",
    [
        "๐๑๒๓๔๕๖๗๘๙",  # Thai
        "٠١٢٣٤٥٦٧٨٩",  # Arabic-Indic
        "۰۱۲۳۴۵۶۷۸۹",  # Eastern Arabic-Indic (Persian)
        "０１２３４５６７８９",  # full-width
        "०१२३४५६७८९",  # Devanagari
    ],
)
def test_every_digit_form_becomes_ascii_in_one_place(digits):
    from core.thaidate import parse_date, to_arabic_digits

    assert to_arabic_digits(digits) == "0123456789"
    ascii_id = GOOD
    typed = "".join(digits[int(d)] for d in ascii_id)
    assert normalize(typed) == ascii_id and is_valid(typed)
    validate_national_id(typed)
    assert parse_date("".join(digits[int(d)] if d.isdigit() else d for d in "15/03/2563"))


def test_digits_that_are_not_decimal_are_refused_not_crashed():
    # "²" is isdigit() but not a decimal digit: int("²") raises.
    with pytest.raises(ValidationError):
        validate_national_id("²" * 13)
    assert not is_valid("²" * 13)


def test_dashes_and_spaces_of_any_kind_go():
    dashed = f"{GOOD[0]}－{GOOD[1:5]}–{GOOD[5:10]}‐{GOOD[10:12]}\u3000{GOOD[12]}"
    assert normalize(dashed) == GOOD and is_valid(dashed)
