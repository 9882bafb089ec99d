"""The registry of indicator computations.

Domain apps register a computation under a key in their ``AppConfig.ready`` (for example
``shelters.improved`` for KPI 1.1); an indicator names the key in ``Indicator.computation``. The
indicators app never imports a domain app: it only looks computations up here.

A computation takes (fiscal year in BE, as-of date) and returns a :class:`RatioResult` (ratio
indicators) or :class:`MilestoneFacts` (per-deliverable facts, keyed by
``Deliverable.computed_key``). It runs in the database in a fixed number of queries.
"""

import datetime as dt
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.functional import Promise

# A label: text, or a lazily translated text (gettext_lazy).
Label = str | Promise


@dataclass(frozen=True)
class BreakdownItem:
    label: Label
    count: int
    url: str = ""


@dataclass(frozen=True)
class RatioResult:
    numerator: int
    denominator: int
    breakdown: tuple[BreakdownItem, ...] = ()

    @property
    def value(self) -> Decimal | None:
        """Exact percent; rounding happens only for display."""
        if not self.denominator:
            return None
        return Decimal(self.numerator * 100) / Decimal(self.denominator)


@dataclass(frozen=True)
class Fact:
    """A deliverable's figure from the records. ``met`` True/False decides the deliverable;
    None shows the figure beside the evidence, which still decides."""

    met: bool | None
    figure: str
    url: str = ""


@dataclass(frozen=True)
class MilestoneFacts:
    facts: dict[str, Fact] = field(default_factory=dict)


Result = RatioResult | MilestoneFacts


@dataclass(frozen=True)
class Computation:
    key: str
    label: Label
    compute: Callable[[int, dt.date], Result]
    # A page of the domain app with the full breakdown (per facility, per province, …).
    detail_url: Callable[[int, dt.date], str] | None = None
    # The Deliverable.computed_key facts a milestone computation answers: those it decides
    # (met True/False) and those it only shows beside the evidence (met None).
    decides: frozenset[str] = frozenset()
    shows: frozenset[str] = frozenset()
    # How the dashboard speaks of it: the dimension of its detail page ("per facility"), and
    # what the people in a ratio's numerator do (the what-it-takes sentences).
    detail_label: Label = ""
    numerator_verb: Label = ""

    @property
    def deliverable_keys(self) -> frozenset[str]:
        return self.decides | self.shows

    @property
    def kind(self) -> str:
        """ "milestone" when it answers deliverable keys (``MilestoneFacts``), else "ratio"
        (``RatioResult``): what the indicator naming it must be (indicators.E003)."""
        return "milestone" if self.deliverable_keys else "ratio"


_computations: dict[str, Computation] = {}


def register(
    key: str,
    label: Label,
    *,
    detail_url: Callable[[int, dt.date], str] | None = None,
    decides=(),
    shows=(),
    detail_label: Label = "",
    numerator_verb: Label = "",
) -> Callable:
    """Register a computation with everything about it: its key, label, detail page and, for a
    milestone, the deliverable keys it answers (``decides`` / ``shows``; a computation that
    answers none is a ratio). A system check (indicators/checks.py) fails when an indicator or
    deliverable names a key nobody answers, or a ratio indicator a milestone computation."""

    def decorator(func: Callable[[int, dt.date], Result]) -> Callable:
        computation = Computation(
            key, label, func, detail_url, frozenset(decides), frozenset(shows),
            detail_label, numerator_verb,
        )  # fmt: skip
        _computations[key] = computation
        return func

    return decorator


def get(key: str) -> Computation | None:
    return _computations.get(key) if key else None


def registered() -> dict[str, Computation]:
    return dict(_computations)


def deciding_keys() -> frozenset[str]:
    """Every deliverable key some computation decides from the records (no evidence needed)."""
    return frozenset().union(*(c.decides for c in _computations.values()))


def unregister(key: str) -> None:
    """For tests that plug in a computation of their own."""
    _computations.pop(key, None)


# Work that several computations of one evaluation share (e.g. KPI 1.1 and 1.2 rank the same
# assessments): computed once per evaluation, never kept beyond it.
_shared: ContextVar[dict | None] = ContextVar("kpi_shared_results", default=None)


@contextmanager
def shared_results():
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key, compute: Callable):
    """``compute()`` once per evaluation for ``key`` (outside an evaluation: every time)."""
    memo = _shared.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
