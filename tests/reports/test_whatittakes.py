from decimal import Decimal
from types import SimpleNamespace

import pytest

from reports.whatittakes import extra_needed, next_level_deliverables, ratio_steps


@pytest.mark.parametrize(
    ("numerator", "denominator", "target", "expected"),
    [
        (522, 4870, "10.72", 1),  # 522/4870 = 10.718… → one more makes 10.739
        (423, 4506, "10.72", 61),  # 10.72 % of 4,506 = 483.04 → 484
        (423, 4506, "13.38", 180),  # 602.90 → 603
        (403, 576, "69.97", 1),  # 403·100/576 = 69.965… < 69.97; 69.97 % of 576 = 403.03 → 404
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
    assert (numerator + k) * 100 / Decimal(denominator) >= Decimal(target)
    if k:
        assert (numerator + k - 1) * 100 / Decimal(denominator) < Decimal(target)


def test_it_is_exact_where_floats_would_round_wrong():
    # 0.29 × 100 = 28.999999999999996 in floating point; exactly 29 people are needed.
    assert extra_needed(0, 100, Decimal("29")) == 29
    assert extra_needed(0, 100, "0.29") == 1
    assert extra_needed(28, 9700, Decimal("0.29")) == 1  # 28.13 → 29


def test_it_says_none_when_the_population_cannot_reach_the_target():
    assert extra_needed(0, 0, Decimal("10")) is None
    assert extra_needed(5, 10, Decimal("100")) == 5
    assert extra_needed(5, 10, Decimal("100.01")) is None
    assert extra_needed(5, 10, None) is None


def test_ratio_steps_cover_every_level_above_the_current_one():
    targets = (Decimal("10.72"), Decimal("12.05"), Decimal("13.38"))
    labels = ("ขั้นต่ำ", "มาตรฐาน", "ขั้นสูง")
    steps = ratio_steps(522, 4870, targets, 0, labels)
    assert [(s.level, s.extra) for s in steps] == [(1, 1), (2, 65), (3, 130)]
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
