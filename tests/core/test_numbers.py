"""One rounding for every figure (core.numbers): two decimals, half up, where Python's round()
and Decimal's default context round half to even."""

from decimal import Decimal

import pytest

from core import cells
from core.numbers import half_up, percent_text, two_text
from reports.dashboard import two as dashboard_two


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.125", "0.13"), ("9.385", "9.39"), ("40.005", "40.01"), ("2.675", "2.68"), (1, "1.00")],
)
def test_two_decimals_round_half_up(value, expected):
    assert str(half_up(value)) == expected
    assert two_text(value) == expected


def test_the_dashboard_rounds_as_the_rest_does():
    assert round(Decimal("0.125"), 2) == Decimal("0.12")  # what it did: half to even
    assert dashboard_two(Decimal("0.125")) == 0.13


def test_a_percent_read_from_a_file_rounds_half_up():
    """40.005 is group B (40.01), not C (40.00 after half-to-even)."""
    assert cells.decimal("40.005") == Decimal("40.01")
    assert cells.decimal("๔๐.๐๐๕") == Decimal("40.01")


def test_percent_text():
    assert percent_text(1, 8) == "12.50"
    assert percent_text(1, 0) == "-"
    assert two_text(Decimal("1234.5"), grouped=True) == "1,234.50"
