"""Where the records behind an indicator can be corrected: the registry domain apps fill.

The reporting app imports no domain app. A domain app says, in its ``kpi.py`` (imported in its
``AppConfig.ready``), which of its records an indicator's computation counts, by the record's own
date::

    from reporting import corrections

    corrections.register(
        "shelters.improved", Assessment, "assessed_on",
        lambda record: reverse("shelters:resident-detail", args=[record.resident_id]),
        label=_("ผลการประเมิน IRP"),
    )

``model`` has django-simple-history (``model.history``); ``date_field`` is the record's date that
places it in a round (an assessment's ``assessed_on``, a discharge's ``discharged_on``);
``url_of(historical_record)`` is the record's page; ``fields`` (optional) are the fields whose
change matters (a resident's discharge, not their name): other edits are not listed.

:func:`since_closing` lists, for a closed round and a computation, every change made after the
round was closed to a record dated inside the round (from the fiscal year's first day to the
round's date): corrections (with their reasons), deletions and records added late. A record
moved out of the round (or a discharge undone) counts by the date it had before the change.
Queries: two per registered source (the page of changes and their number), whatever the data.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from core.thaidate import fiscal_year_bounds

Label = object  # str or a lazily translated str


@dataclass(frozen=True)
class Source:
    computation: str
    model: type[models.Model]
    date_field: str
    url_of: Callable[[Any], str]
    label: Label
    fields: tuple[str, ...] = ()


_sources: dict[str, list[Source]] = {}


def register(
    computation: str,
    model: type[models.Model],
    date_field: str,
    url_of: Callable[[Any], str],
    *,
    label: Label = "",
    fields=(),
) -> None:
    """Declare that ``computation``'s figure is counted from ``model``'s records by
    ``date_field``. Registering the same (computation, model, date field) again replaces it."""
    sources = [
        s for s in _sources.get(computation, []) if (s.model, s.date_field) != (model, date_field)
    ]
    sources.append(
        Source(
            computation, model, date_field, url_of, label or model._meta.verbose_name, tuple(fields)
        )
    )
    _sources[computation] = sources


def sources_for(computation: str) -> list[Source]:
    return list(_sources.get(computation, [])) if computation else []


def registered() -> dict[str, list[Source]]:
    return {key: list(value) for key, value in _sources.items()}


def unregister(computation: str) -> None:
    """For tests that plug in a source of their own."""
    _sources.pop(computation, None)


KIND_LABELS = {
    "~": _("แก้ไข"),
    "-": _("ลบ"),
    "+": _("บันทึกเพิ่มภายหลัง"),
}


@dataclass(frozen=True)
class Correction:
    when: dt.datetime
    who: object  # a user, or None (the system, an import without a user)
    kind: str  # "~", "-" or "+"
    reason: str
    label: Label  # what kind of record (ผลการประเมิน IRP)
    record_date: dt.date | None
    url: str

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)


@dataclass
class Changes:
    items: list[Correction]
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.items))


def _changes(source: Source, start: dt.date, end: dt.date, since: dt.datetime):
    history = source.model.history.model  # type: ignore[attr-defined]
    previous = history.objects.filter(
        id=OuterRef("id"), history_id__lt=OuterRef("history_id")
    ).order_by("-history_id")
    rows = history.objects.filter(history_date__gt=since).annotate(
        _previous_date=Subquery(previous.values(source.date_field)[:1])
    )
    inside = Q(**{f"{source.date_field}__gte": start, f"{source.date_field}__lte": end})
    was_inside = Q(_previous_date__gte=start, _previous_date__lte=end)
    rows = rows.filter(inside | was_inside)
    if source.fields:
        changed = Q(history_type__in=["+", "-"])
        for name in source.fields:
            field = source.model._meta.get_field(name)
            column = getattr(field, "attname", name)
            before = Subquery(previous.values(column)[:1])
            rows = rows.annotate(**{f"_previous_{column}": before})
            changed |= ~Q(**{column: models.F(f"_previous_{column}")})
            changed |= Q(**{f"{column}__isnull": True}) & Q(
                **{f"_previous_{column}__isnull": False}
            )
            changed |= Q(**{f"{column}__isnull": False}) & Q(
                **{f"_previous_{column}__isnull": True}
            )
        rows = rows.filter(changed)
    return rows


def since_closing(computation: str, fiscal_year: int, as_of: dt.date, since: dt.datetime,
                  limit: int = 50) -> Changes:  # fmt: skip
    """The changes after ``since`` to ``computation``'s records dated in the fiscal year up to
    ``as_of``, newest first (at most ``limit``), and how many there are in all."""
    start, year_end = fiscal_year_bounds(fiscal_year)
    end = min(as_of, year_end)
    items: list[Correction] = []
    total = 0
    for source in sources_for(computation):
        rows = _changes(source, start, end, since)
        total += rows.count()
        for record in rows.select_related("history_user").order_by("-history_date")[:limit]:
            record_date = getattr(record, source.date_field) or record._previous_date
            items.append(
                Correction(
                    when=record.history_date,
                    who=record.history_user,
                    kind=record.history_type,
                    reason=record.history_change_reason or "",
                    label=source.label,
                    record_date=record_date,
                    url=source.url_of(record),
                )
            )
    items.sort(key=lambda c: c.when, reverse=True)
    return Changes(items[:limit], total)
