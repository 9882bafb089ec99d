"""A snapshot read back for pages and reports, without recomputing anything: the rows as stored
(``SnapshotIndicator``), their JSON with datetimes and decimals parsed back. Two queries: the
snapshot (with its round, set and closer) and its rows."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reporting.models import Snapshot, SnapshotIndicator

_MOMENTS = ("submitted_at", "reviewed_at", "updated_at")


def _moment(value):
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else value


def _parsed(item: dict) -> dict:
    return {k: _moment(v) if k in _MOMENTS else v for k, v in item.items()}


def _decimal(value):
    return None if value is None or value == "" else Decimal(value)


@dataclass
class Row:
    """A ``SnapshotIndicator`` with its JSON parsed; every column is reachable as on the model."""

    row: SnapshotIndicator

    def __getattr__(self, name):
        return getattr(self.row, name)

    @property
    def evidence_items(self) -> list[dict]:
        return [_parsed(item) for item in self.row.evidence]

    @property
    def narrative(self) -> dict | None:
        narrative = self.row.narrative
        return _parsed(narrative) if narrative else None

    @property
    def targets(self) -> list[dict]:
        return [
            {**t, "value": _decimal(t.get("value")), "original": _decimal(t.get("original"))}
            for t in self.row.targets
        ]

    @property
    def unit_items(self) -> list[dict]:
        items = (self.row.units or {}).get("items", [])
        return [
            {
                **u,
                "numerator": _decimal(u.get("numerator")),
                "denominator": _decimal(u.get("denominator")),
                "value": _decimal(u.get("value")),
            }
            for u in items
        ]

    @property
    def units_label(self) -> str:
        return (self.row.units or {}).get("label", "")

    @property
    def deliverables_by_level(self) -> list[dict]:
        return [
            {"level": lv, "items": [d for d in self.row.deliverables if d["level"] == lv]}
            for lv in (1, 2, 3)
            if any(d["level"] == lv for d in self.row.deliverables)
        ]


@dataclass
class SnapshotView:
    snapshot: Snapshot
    rows: list[Row]

    @property
    def total(self) -> Decimal:
        return self.snapshot.total

    @property
    def total_level(self) -> int:
        return self.snapshot.total_level

    def by_code(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)

    def by_indicator(self, indicator_id: int) -> Row | None:
        return next((r for r in self.rows if r.indicator_id == indicator_id), None)


def read(snapshot: Snapshot) -> SnapshotView:
    rows = [
        Row(r) for r in SnapshotIndicator.objects.filter(snapshot=snapshot).order_by("position")
    ]
    return SnapshotView(snapshot, rows)
