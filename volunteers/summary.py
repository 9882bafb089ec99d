"""The monthly service summary (``ServiceMonthly``): services count and people served per
province × month × service type × target group, kept exact in the same transaction as every
write to ``Service``, so the national pages read ≈ 40,000 summary rows a year instead of the
≈ 667,000 service records.

Writes (all inside the writer's transaction):

- ``Service.save`` / ``delete`` (and a queryset's ``delete``, through ``post_delete``):
  :func:`refresh_cells` recomputes the touched cell(s) — the old and the new one on a change —
  with one aggregate query over ``Service`` each, never an increment, so a cell cannot drift.
- ``Service.objects.bulk_create`` / ``update`` / ``bulk_update``, the bulk service form and the
  ``services`` import (``after_apply``): :func:`rebuild` of the touched months × provinces.
- ``manage.py rebuild_service_summary [--year BE]`` and migration 0003: :func:`rebuild`.

Concurrency (PostgreSQL): every refresh first takes one transaction-level advisory lock, then
aggregates. The lock is held to commit, so the next writer's aggregate (a new statement in READ
COMMITTED) sees the previous writer's rows: the last refresh of a cell always counts every
committed service of it. SQLite serialises writers anyway.

Reads: :func:`totals` — whole months from the summary, the part of a month up to the as-of
date (and before a start that is not the 1st) from ``Service``, in one ``UNION ALL`` query.
"""

import contextvars
import datetime as dt
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth

LOCK_KEY = 0x53564D31  # pg_advisory_xact_lock key of the service summary ("SVM1")
KEYS = ("province_id", "month", "service_type", "target_group")
# More touched cells than this (a batch) → rebuild the touched months × provinces at once.
CELL_LIMIT = 4

_pending: contextvars.ContextVar[set | None] = contextvars.ContextVar("svc_pending", default=None)


def month_of(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, 1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)


def cell_of(province_id, day, service_type, target_group) -> tuple:
    if isinstance(day, dt.datetime):
        day = day.date()
    elif isinstance(day, str):
        day = dt.date.fromisoformat(day)
    return (province_id, month_of(day), service_type, target_group)


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _months_q(months, field: str = "date") -> Q:
    """Services dated in any of the months (contiguous months merged into one range)."""
    q = Q(pk__in=[])
    months = sorted(set(months))
    i = 0
    while i < len(months):
        first = last = months[i]
        while i + 1 < len(months) and months[i + 1] == next_month(last):
            i += 1
            last = months[i]
        q |= Q(**{f"{field}__gte": first, f"{field}__lt": next_month(last)})
        i += 1
    return q


@contextmanager
def batch():
    """Collect the cells touched inside the block; refresh them once at its end, in the same
    transaction (a rebuild of the touched months × provinces when there are many)."""
    if _pending.get() is not None:  # nested: the outer batch refreshes
        yield
        return
    with transaction.atomic(savepoint=False):
        cells: set = set()
        token = _pending.set(cells)
        try:
            yield
        finally:
            _pending.reset(token)
        refresh_cells(cells)


def refresh_cells(cells) -> None:
    """Recompute the given cells ``(province_id, day or month, service_type, target_group)``
    from ``Service``: one aggregate query per cell, or one rebuild for many."""
    from volunteers.models import Service, ServiceMonthly

    cells = sorted({cell_of(*c) for c in cells}, key=repr)
    if not cells:
        return
    pending = _pending.get()
    if pending is not None:
        pending.update(cells)
        return
    if len(cells) > CELL_LIMIT:
        rebuild(months={c[1] for c in cells}, provinces={c[0] for c in cells})
        return
    with transaction.atomic(savepoint=False):
        _lock()
        for province_id, month, service_type, target_group in cells:
            where = {"province_id": province_id, "service_type": service_type}
            where["target_group"] = target_group
            got = Service.objects.filter(
                date__gte=month, date__lt=next_month(month), **where
            ).aggregate(n=Count("id"), p=Sum("people_served"))
            if got["n"]:
                ServiceMonthly.objects.bulk_create(
                    [ServiceMonthly(month=month, services=got["n"], people=got["p"] or 0, **where)],
                    update_conflicts=True,
                    unique_fields=["month", "province", "service_type", "target_group"],
                    update_fields=["services", "people"],
                )
            else:
                ServiceMonthly.objects.filter(month=month, **where).delete()


def rebuild(months=None, provinces=None, service_model=None, summary_model=None) -> int:
    """Rebuild the summary (optionally only some months and/or provinces) from ``Service``
    with one grouped query; returns the number of summary rows written. The models can be
    given (a migration's historical models)."""
    if service_model is None:
        from volunteers.models import Service as service_model
        from volunteers.models import ServiceMonthly as summary_model
    if months is not None and not months or provinces is not None and not provinces:
        return 0
    with transaction.atomic(savepoint=False):
        _lock()
        old = summary_model.objects.all()
        new = service_model.objects.all()
        if months is not None:
            old = old.filter(month__in=sorted(set(months)))
            new = new.filter(_months_q(months))
        if provinces is not None:
            old = old.filter(province_id__in=sorted(set(provinces)))
            new = new.filter(province_id__in=sorted(set(provinces)))
        old.delete()
        rows = (
            new.annotate(m=TruncMonth("date"))
            .values("province_id", "m", "service_type", "target_group")
            .annotate(n=Count("id"), p=Sum("people_served"))
            .order_by()
        )
        objs = (
            summary_model(
                province_id=r["province_id"],
                month=r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"],
                service_type=r["service_type"],
                target_group=r["target_group"],
                services=r["n"],
                people=r["p"] or 0,
            )
            for r in rows.iterator(chunk_size=5000)
        )
        written = 0
        chunk = []
        for obj in objs:
            chunk.append(obj)
            if len(chunk) == 5000:
                summary_model.objects.bulk_create(chunk)
                written += len(chunk)
                chunk = []
        summary_model.objects.bulk_create(chunk)
        return written + len(chunk)


def totals(keys, start: dt.date, end: dt.date, province=None) -> dict[tuple, list[int]]:
    """Services and people served dated ``start``..``end`` (inclusive), grouped by ``keys``
    (some of :data:`KEYS`), optionally in one province: ``{key values: [services, people]}``.
    One query: the whole months from the summary UNION ALL the rest from ``Service``."""
    from volunteers.models import Service, ServiceMonthly

    assert keys and set(keys) <= set(KEYS), keys
    full_from = start if start.day == 1 else next_month(start)
    full_to = next_month(end) if next_month(end) - dt.timedelta(days=1) == end else month_of(end)
    only = {"province": province} if province is not None else {}
    if full_from < full_to:
        summary = ServiceMonthly.objects.filter(month__gte=full_from, month__lt=full_to, **only)
        raw = Service.objects.filter(
            Q(date__gte=start, date__lt=full_from) | Q(date__gte=full_to, date__lte=end), **only
        )
    else:  # no whole month in the range
        summary = ServiceMonthly.objects.filter(pk__in=[])
        raw = Service.objects.filter(date__gte=start, date__lte=end, **only)
    names = [f"k{i}" for i in range(len(keys))]
    from_summary = {n: F(k) for n, k in zip(names, keys, strict=True)}
    from_raw = {
        n: TruncMonth("date") if k == "month" else F(k) for n, k in zip(names, keys, strict=True)
    }
    rows = (
        summary.order_by()
        .values(**from_summary)
        .annotate(n=Sum("services"), p=Sum("people"))
        .union(
            raw.order_by().values(**from_raw).annotate(n=Count("id"), p=Sum("people_served")),
            all=True,
        )
    )
    out: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        key = tuple(row[n].date() if isinstance(row[n], dt.datetime) else row[n] for n in names)
        got = out[key]
        got[0] += row["n"] or 0
        got[1] += row["p"] or 0
    return dict(out)
