"""Turning a result into a level and a score (SPEC §2), and weighting scores.

Knows nothing of shelters or volunteers: only numbers, targets, points and weights.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from core.numbers import half_up

LINEAR = "linear"
STEP = "step"
ZERO = Decimal(0)
# Results are compared with the targets at the targets' own precision: the document sets each
# minimum target to the previous year's result as published with two decimals (1.1: 522/4,870 =
# 10.7187… is published, and targeted, as 10.72), so reaching last year's result meets the minimum.


def as_compared(value) -> Decimal:
    """The result as it is compared with targets: two decimals, rounded half-up."""
    return half_up(value)


def ratio_level(value: Decimal, targets: Sequence[Decimal]) -> int:
    """0 below the minimum target, else 1, 2 or 3: the highest target reached (higher is better)."""
    value = as_compared(value)
    return sum(1 for target in targets if value >= target)


def ratio_score(
    value: Decimal | None,
    targets: Sequence[Decimal | None],
    points: Sequence[Decimal],
    rule: str = LINEAR,
) -> Decimal | None:
    """Score of a ratio result against its three targets.

    Below the minimum → 0; at a level → its points; above the highest → its points; between two
    levels → linear interpolation between their points (rule ``linear``) or the lower level's
    points (rule ``step``).
    """
    if value is None or any(t is None for t in targets):
        return None
    value = as_compared(value)
    figures = [Decimal(t) for t in targets if t is not None]
    points = [Decimal(p) for p in points]
    level = ratio_level(value, figures)
    if level == 0:
        return ZERO
    if level == len(figures) or rule == STEP:
        return points[level - 1]
    low, high = figures[level - 1], figures[level]
    p_low, p_high = points[level - 1], points[level]
    if high == low:
        return p_low
    return p_low + (p_high - p_low) * (value - low) / (high - low)


def milestone_score(level: int, points: Sequence[Decimal]) -> Decimal:
    """Points of the highest level met (1, 2 or 3), else 0."""
    return Decimal(points[level - 1]) if level > 0 else ZERO


def milestone_level(levels_met: Sequence[bool]) -> int:
    """A level counts only when it and every lower level are met."""
    reached = 0
    for met in levels_met:
        if not met:
            break
        reached += 1
    return reached


def group_score(children: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """Weight-averaged score of a group's children; a child without a score counts as 0."""
    children = list(children)
    total_weight = sum((Decimal(w) for _, w in children), ZERO)
    if not total_weight:
        return None
    return sum((Decimal(s or 0) * Decimal(w) for s, w in children), ZERO) / total_weight


def weighted(score: Decimal | None, weight: Decimal) -> Decimal:
    """A leaf's contribution to the set's total out of 100."""
    return Decimal(score or 0) * Decimal(weight) / Decimal(100)


def total_score(leaves: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal:
    """Σ (leaf score × leaf weight) / 100 over the leaves."""
    return sum((weighted(s, w) for s, w in leaves), ZERO)


def level_of_score(score: Decimal, points: Sequence[Decimal]) -> int:
    """Which level a score stands at (for the set's total): the highest whose points it reaches."""
    return sum(1 for p in points if score >= Decimal(p))
