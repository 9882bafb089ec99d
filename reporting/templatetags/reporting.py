"""Includes for other apps' pages (the dashboard, the managers' page, the indicator page)::

{% load reporting %}
{% open_round_banner indicator_set %}
{% indicator_rounds indicator current as_of %}
"""

from django import template
from django.utils import timezone

from reporting import corrections, services
from reporting.models import Snapshot, SnapshotIndicator

register = template.Library()


@register.inclusion_tag("reporting/_open_round.html", takes_context=True)
def open_round_banner(context, indicator_set):
    """Which round of ``indicator_set`` is open, its due date and the days left (three
    queries); nothing when every round is closed, or for a role that does not report."""
    from reporting.permissions import can_view_rounds

    user = context.get("user")
    shown = (
        services.open_round(indicator_set, timezone.localdate()) if can_view_rounds(user) else None
    )
    return {"open_round": shown, "user": user}


@register.inclusion_tag("reporting/_indicator_rounds.html", takes_context=True)
def indicator_rounds(context, indicator, current=None, as_of=None):
    """The indicator in the set's closed rounds: what each reported; beside it, the figure as
    computed today when the page is shown as of that round's date (``current``: the page's own
    ``IndicatorResult``, nothing recomputed here); the number of changes to its records since
    closing. Queries: the snapshots' rows (1), and per closed round the changes (2 per source)."""
    from reporting.permissions import can_view_rounds

    user = context.get("user")
    if not can_view_rounds(user):
        return {"items": [], "user": user}
    rows = list(
        SnapshotIndicator.objects.filter(
            indicator=indicator,
            snapshot__superseded_at__isnull=True,
            snapshot__round__state="closed",
        )
        .select_related("snapshot__round")
        .order_by("snapshot__as_of")
    )
    items = []
    for row in rows:
        snapshot: Snapshot = row.snapshot
        same_date = as_of is not None and as_of == snapshot.as_of
        changes = corrections.since_closing(
            indicator.computation, snapshot.fiscal_year, snapshot.as_of, snapshot.closed_at, limit=5
        )
        items.append(
            {
                "round": snapshot.round,
                "snapshot": snapshot,
                "reported": row,
                "today": current if same_date else None,
                "changed": same_date and current is not None and _differs(row, current),
                "changes": changes,
            }
        )
    return {"items": items, "indicator": indicator, "user": user}


def _differs(row, current) -> bool:
    return (row.numerator, row.denominator, row.level) != (
        current.numerator,
        current.denominator,
        current.level,
    )
