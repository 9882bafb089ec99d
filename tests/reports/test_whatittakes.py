from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indicators import scoring
from reports.whatittakes import extra_needed, next_level_deliverables, ratio_steps


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "expected"),
    [
        (522, 4870, "10.72", 0),  # 10.7187… is 10.72 at two decimals: FY2562 meets the minimum
        (521, 4870, "10.72", 1),  # 10.698… → 522 people
        (423, 4506, "10.72", 60),  # 483/4,506 = 10.7191… → 10.72
        (423, 4506, "13.38", 180),  # 602/4,506 = 13.3599…; 603 → 13.382…
        (403, 576, "69.97", 0),  # 69.9653… → 69.97 (FY2562's published 1.2)
        (402, 576, "69.97", 1),
        (0, 100, "10.72", 11),
        (50, 100, "50", 0),  # exactly at the target counts
        (50, 100, "49.99", 0),
        (99, 100, "100", 1),
    ],
)
def test_it_finds_the_smallest_number_that_reaches_the_target(
    numerator, denominator, target, expected
):
    assert extra_needed(numerator, denominator, Decimal(target)) == expected
    k = expected
    assert round_half_up((numerator + k) * 100 / Decimal(denominator)) >= Decimal(target)
    if k:
        assert round_half_up((numerator + k - 1) * 100 / Decimal(denominator)) < Decimal(target)


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_it_is_exact_where_floats_would_round_wrong():
    # 0.29 × 100 = 28.999999999999996 in floating point; exactly 29 people are needed.
    assert extra_needed(0, 100, Decimal("29")) == 29
    assert extra_needed(0, 100, "0.29") == 1
    assert extra_needed(27, 9700, Decimal("0.29")) == 1  # 0.2783… → 28 people make 0.2886… → 0.29
    assert extra_needed(10**6 - 1, 10**9, Decimal("0.1")) == 0  # 0.0999999 → 0.10


def test_it_says_none_when_the_population_cannot_reach_the_target():
    assert extra_needed(0, 0, Decimal("10")) is None
    assert extra_needed(5, 10, Decimal("100")) == 5
    assert extra_needed(5, 10, Decimal("100.01")) is None
    assert extra_needed(5, 10, None) is None


def test_ratio_steps_cover_every_level_above_the_current_one():
    targets = (Decimal("10.72"), Decimal("12.05"), Decimal("13.38"))
    labels = ("ขั้นต่ำ", "มาตรฐาน", "ขั้นสูง")
    steps = ratio_steps(522, 4870, targets, 0, labels)
    assert [(s.level, s.extra) for s in steps] == [(1, 0), (2, 65), (3, 130)]
    assert [s.level for s in ratio_steps(600, 4870, targets, 2, labels)] == [3]
    assert ratio_steps(700, 4870, targets, 3, labels) == []
    assert ratio_steps(None, None, targets, None, labels) == []


def _status(level, met):
    return SimpleNamespace(deliverable=SimpleNamespace(level=level), met=met)


def test_the_next_milestone_level_lists_what_is_not_met_yet():
    statuses = [_status(1, True), _status(2, False), _status(2, True), _status(3, False)]
    level, missing = next_level_deliverables(statuses, 1)
    assert level == 2 and missing == [statuses[1]]
    level, missing = next_level_deliverables(statuses, 0)
    assert level == 1 and missing == []
    assert next_level_deliverables(statuses, 3) == (None, [])
    level, missing = next_level_deliverables([_status(1, False)], None)
    assert level == 1 and len(missing) == 1


@given(
    denominator=st.integers(min_value=1, max_value=200_000),
    share=st.fractions(min_value=0, max_value=1),
    target=st.decimals(min_value="0.01", max_value="100", places=2),
)
def test_it_agrees_with_the_scoring_of_the_level(denominator, share, target):
    numerator = int(share * denominator)
    targets = (target, target, target)
    k = extra_needed(numerator, denominator, target)
    assert k is not None  # a target up to 100 % is always within reach of the whole population
    assert reaches_with(numerator + k, denominator, targets)
    if k:
        assert not reaches_with(numerator + k - 1, denominator, targets)


def reaches_with(numerator, denominator, targets) -> bool:
    return scoring.ratio_level(Decimal(numerator * 100) / Decimal(denominator), targets) == 3
