"""“What it takes” to reach the next level: pure arithmetic, no database.

Ratio indicators (1.1, 1.2): with today's population (the denominator) fixed, how many more
people must count in the numerator (improve, return to society) for the result to reach a target.
Milestone indicators: which deliverables stand between today's level and the next.
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import ceil


def extra_needed(numerator: int, denominator: int, target) -> int | None:
    """The smallest k ≥ 0 with (numerator + k) × 100 / denominator ≥ target.

    Exact (fractions, no float): a target of 10.72 % of 4,870 needs 522.064 → 523 people.
    None when no k can do it with this population: nobody to count (denominator 0) or the
    target needs more people than the population holds (k > denominator − numerator).
    """
    if denominator <= 0 or target is None:
        return None
    needed = ceil(Fraction(Decimal(str(target))) * denominator / 100)
    k = max(0, needed - numerator)
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
