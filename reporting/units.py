"""Per-unit figures a round keeps beside an indicator's result: per facility (KPI 1.1, 1.2), per
province (KPI 2). The registry's ``RatioResult`` carries only the totals' breakdown; a domain app
that has the per-unit figures registers a function for them in its ``kpi.py``::

    from reporting import units

    units.register("shelters.improved", _("รายหน่วยงาน"), per_facility_improved)

``func(fiscal_year_be, as_of) -> list[Unit]`` runs in a fixed number of queries. It is called
when a round is closed, inside ``indicators.registry.shared_results()``, so that two
computations may share one pass (``registry.shared``). The reporting app imports no domain app.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

Label = object  # str or a lazily translated str


@dataclass(frozen=True)
class Unit:
    label: Label
    numerator: int | Decimal | None = None
    denominator: int | Decimal | None = None
    figure: str = ""  # a figure in words when it is not a ratio ("ร้อยละ 85.00")

    @property
    def value(self) -> Decimal | None:
        if self.numerator is None or not self.denominator:
            return None
        return Decimal(self.numerator) * 100 / Decimal(self.denominator)


@dataclass(frozen=True)
class UnitSource:
    computation: str
    label: Label
    func: Callable[[int, dt.date], list[Unit]]


_sources: dict[str, UnitSource] = {}


def register(computation: str, label: Label, func: Callable[[int, dt.date], list[Unit]]) -> None:
    _sources[computation] = UnitSource(computation, label, func)


def get(computation: str) -> UnitSource | None:
    return _sources.get(computation) if computation else None


def unregister(computation: str) -> None:
    _sources.pop(computation, None)
