"""Two decimals, rounded half up: the one rounding of every figure the app shows, compares with a
target, exports or reads from a file (9.385 → 9.39; 40.005 → 40.01). Python's round() and
Decimal's default context round half to even (0.125 → 0.12), which the department's published
figures do not."""

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


def half_up(value, places: int = 2) -> Decimal:
    """``value`` (a number, Decimal, Fraction-like via Decimal, or numeric text) to ``places``
    decimals, half up."""
    return Decimal(value if isinstance(value, Decimal) else str(value)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )


def two(value) -> Decimal | None:
    return None if value is None else half_up(value)


def two_text(value, *, grouped: bool = False) -> str:
    """Two decimals as text ("1,234.50" with ``grouped``)."""
    return f"{half_up(value):,}" if grouped else f"{half_up(value)}"


def percent_text(part, whole) -> str:
    """part / whole × 100 with two decimals; "-" for no whole."""
    if not whole:
        return "-"
    return two_text(Decimal(part) * 100 / Decimal(whole))


def json_number(value) -> float | int | None:
    """A figure for JSON: a whole number as an int, else two decimals (half up) as a float."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(half_up(value))


def json_two(value) -> float | None:
    """A score for JSON: two decimals, half up."""
    return None if value is None else float(half_up(value))


def count_text(value) -> str:
    """A numerator, denominator or count as text: whole numbers grouped (4,870), else two
    decimals grouped; "–" for none."""
    if value is None:
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return two_text(value, grouped=True)
