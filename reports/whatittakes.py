"""“What it takes” to reach the next level: pure arithmetic, no database.

Ratio indicators (1.1, 1.2): with today's population (the denominator) fixed, how many more
people must count in the numerator (improve, return to society) for the result to reach a target.
Milestone indicators: which deliverables stand between today's level and the next.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil

from indicators import scoring


def reaches(numerator: int, denominator: int, target) -> bool:
    """Whether numerator × 100 / denominator reaches the target, compared as the scoring compares
    it (indicators.scoring.as_compared: two decimals, half-up), so that what this module says
    agrees with the level the dashboard shows."""
    value = Decimal(numerator * 100) / Decimal(denominator)
    return scoring.as_compared(value) >= Decimal(str(target))


def extra_needed(numerator: int, denominator: int, target) -> int | None:
    """The smallest k ≥ 0 with (numerator + k) × 100 / denominator ≥ target.

    Exact (fractions, no float). The result is compared at the targets' two decimals, rounded
    half-up, as the scoring does: 522 / 4,870 = 10.7187… counts as 10.72 and meets a 10.72 target.
    None when no k can do it with this population: nobody to count (denominator 0) or the
    target needs more people than the population holds (k > denominator − numerator).
    """
    if denominator <= 0 or target is None:
        return None
    target = Decimal(str(target))
    # Half-up at two decimals: a value reaches the target once it is ≥ target − 0.005.
    threshold = Fraction(target) - Fraction(1, 200)
    k = max(0, ceil(threshold * denominator / 100) - numerator)
    while k > 0 and reaches(numerator + k - 1, denominator, target):  # guards the rule above
        k -= 1
    while numerator + k <= denominator and not reaches(numerator + k, denominator, target):
        k += 1
    if numerator + k > denominator:
        return None
    return k


@dataclass(frozen=True)
class RatioStep:
    level: int  # 1, 2, 3
    label: str
    target: Decimal
    extra: int | None  # None: out of reach with today's population


def ratio_steps(numerator, denominator, targets, current_level, labels) -> list[RatioStep]:
    """For every level above the current one: its target and how many more must count."""
    if numerator is None or denominator is None:
        return []
    steps = []
    for level, (target, label) in enumerate(zip(targets, labels, strict=True), start=1):
        if target is None or (current_level or 0) >= level:
            continue
        steps.append(
            RatioStep(
                level,
                label,
                Decimal(target),
                extra_needed(int(numerator), int(denominator), target),
            )
        )
    return steps


def next_level_deliverables(statuses, current_level: int | None) -> tuple[int | None, list]:
    """The next level (current + 1, None when the top is reached) and its deliverables not met.

    ``statuses`` are objects with ``.deliverable.level`` and ``.met`` (evaluation's
    DeliverableStatus). A level counts only when it and every lower level are met, so the lower
    levels' unmet deliverables (none, when current_level is right) are included too.
    """
    current = current_level or 0
    if current >= 3:
        return None, []
    nxt = current + 1
    return nxt, [s for s in statuses if s.deliverable.level <= nxt and not s.met]
