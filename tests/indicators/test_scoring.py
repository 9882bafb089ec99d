"""The scoring rule of SPEC §2, as a table."""

from decimal import Decimal as D

import pytest

from indicators import scoring

T11 = (D("10.72"), D("12.05"), D("13.38"))
P = (D(50), D(75), D(100))
P70 = (D(50), D(70), D(100))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("0"), D("0")),
        (D("10.71"), D("0")),  # just below the minimum
        (D("10.72"), D("50")),  # exactly at each level
        (D("12.05"), D("75")),
        (D("13.38"), D("100")),
        (D("20"), D("100")),  # above the advanced level
        (D("12.71"), D("87.41")),  # SPEC's example: 75 + 25 × 0.66 / 1.33
        (D("11.72"), D("68.80")),  # 50 + 25 × 1.00 / 1.33 between minimum and standard
    ],
)
def test_it_scores_ratios_linearly(value, expected):
    score = scoring.ratio_score(value, T11, P, scoring.LINEAR)
    assert score.quantize(D("0.01")) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(D("10.71"), 0), (D("10.72"), 50), (D("12.04"), 50), (D("12.71"), 75), (D("13.38"), 100)],
)
def test_it_scores_ratios_as_steps_when_the_set_says_so(value, expected):
    assert scoring.ratio_score(value, T11, P, scoring.STEP) == expected


def test_it_uses_the_sets_level_points():
    # 50/70/100: 50 + 20 × 1.00 / 1.33.
    score = scoring.ratio_score(D("11.72"), T11, P70, scoring.LINEAR)
    assert score.quantize(D("0.01")) == D("65.04")
    assert scoring.ratio_score(D("12.05"), T11, P70) == D(70)


def test_it_has_no_score_without_a_result_or_targets():
    assert scoring.ratio_score(None, T11, P) is None
    assert scoring.ratio_score(D(5), (None, D(1), D(2)), P) is None


@pytest.mark.parametrize(
    ("levels_met", "level", "score"),
    [
        ([False, False, False], 0, 0),
        ([True, False, False], 1, 50),
        ([True, True, False], 2, 75),
        ([True, True, True], 3, 100),
        ([False, True, True], 0, 0),  # higher levels count only over the lower ones
        ([True, False, True], 1, 50),
    ],
)
def test_it_scores_milestones_by_the_highest_level_met_with_all_below(levels_met, level, score):
    reached = scoring.milestone_level(levels_met)
    assert reached == level
    assert scoring.milestone_score(reached, P) == score


def test_it_weights_groups_and_totals():
    # Group 1 = (1.1 at 87.41, w20) and (1.2 at 50, w20) → 68.705.
    children = [(D("87.41"), D(20)), (D(50), D(20))]
    assert scoring.group_score(children) == D("68.705")
    leaves = children + [(D(75), D(35)), (D(100), D(15)), (D(0), D(10))]
    # (87.41×20 + 50×20 + 75×35 + 100×15 + 0×10) / 100
    assert scoring.total_score(leaves) == D("17.482") + D(10) + D("26.25") + D(15)


def test_a_missing_score_counts_as_zero_in_the_total():
    assert scoring.total_score([(None, D(40)), (D(100), D(60))]) == D(60)


@pytest.mark.parametrize(("total", "level"), [(D(49.99), 0), (D(50), 1), (D(80), 2), (D(100), 3)])
def test_it_places_a_total_at_a_level(total, level):
    assert scoring.level_of_score(total, P) == level


def test_last_years_published_result_meets_this_years_minimum():
    # FY2562 1.1 = 522/4,870 = 10.7187…, published as 10.72, which is FY2563's minimum target.
    value = D(522 * 100) / D(4870)
    assert value < D("10.72")
    assert scoring.ratio_level(value, T11) == 1
    assert scoring.ratio_score(value, T11, P) == 50
    # FY2562 1.2 = 403/576 = 69.965…, published as 69.97 = FY2563's minimum.
    assert scoring.ratio_score(D(403 * 100) / D(576), (D("69.97"), D("71.36"), D("72.75")), P) == 50


def test_a_result_just_below_the_minimum_at_two_decimals_scores_zero():
    assert scoring.ratio_score(D("10.714999"), T11, P) == 0  # 10.71
