"""The named queries of the volunteers pages: whose records a page aggregates (:class:`Scope`,
from ``Province.objects.visible_to``), the year it opens on, and the dashboard's figures.

Each figure is one grouped query (or reads one the page already made), whatever the number of
volunteers or services: the dashboard stays at a fixed number of queries (tests/volunteers/
test_pages.py pins it).
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext

from core.models import Province
from core.thaidate import MONTHS_EN, MONTHS_SHORT, be_year, current_lang
from volunteers import permissions, summary
from volunteers.models import Course, Service, ServiceType, Specialty, Status, Volunteer

Counts = list[tuple[str | Promise, int]]  # (label, count): a label may be a lazy translation

# --- scope and period -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose records a dashboard or report aggregates, out of ``Province.objects.visible_to``.

    ``province``: one province, or None for every province the user sees; ``nothing``: the
    user sees no province at all (an officer without one in their profile), so every figure is
    empty; ``choices``: the provinces the user may pick from (only those who see every
    province pick; an officer's pages are their own province's)."""

    province: Province | None
    nothing: bool
    choices: list[Province]

    @property
    def label(self) -> str:
        """The scope as a report names it: ทั้งประเทศ, จังหวัด…, or "-" (nothing)."""
        if self.province is not None:
            return gettext("จังหวัด%(name)s") % {"name": self.province}
        return "-" if self.nothing else gettext("ทั้งประเทศ")


def scope_of(user, code: str = "") -> Scope:
    """The scope of ``user``'s pages: for those who see every province, the whole country or
    the province picked by its ``code`` (404 for a code that is none of theirs); for an
    officer, their own province. One query (the provinces visible to the user)."""
    visible = list(Province.objects.visible_to(user))
    if permissions.sees_every_province(user):
        picked = None
        if code:
            picked = next((p for p in visible if p.code == code), None)
            if picked is None:
                raise Http404
        return Scope(picked, False, visible)
    return Scope(visible[0] if visible else None, not visible, [])


def default_year(user) -> int:
    """The latest fiscal year (up to this one) with volunteer data the user may see (services,
    trainings, courses); without any, the active indicator set's year (the latest up to this
    one); else this fiscal year. Three indexed MAX queries (and one for the set)."""
    from indicators.period import opening_year

    today = timezone.localdate()
    return opening_year(
        Service.objects.visible_to(user).filter(date__lte=today).aggregate(d=Max("date"))["d"],
        Volunteer.objects.visible_to(user)
        .filter(trained_on__lte=today)
        .aggregate(d=Max("trained_on"))["d"],
        Course.objects.visible_to(user)
        .filter(start_date__lte=today)
        .aggregate(d=Max("start_date"))["d"],
    )


# --- the dashboard's figures ------------------------------------------------------------------


def volunteers_in(user, scope: Scope):
    """The volunteers the dashboard counts: those visible to the user, in the picked province."""
    volunteers = Volunteer.objects.visible_to(user)
    if scope.province is not None:
        volunteers = volunteers.filter(province=scope.province)
    return volunteers


def volunteers_by_status(volunteers) -> Counts:
    """(status label, count) for every status, in the choices' order (zero included): one
    grouped query."""
    counts = dict(
        volunteers.values_list("status")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("status", "n")
    )
    return [(label, counts.get(value, 0)) for value, label in Status.choices]


def volunteers_by_specialty(links: dict[tuple[int, int, bool], int]) -> Counts:
    """(specialty, active volunteers holding it, since any date) for every specialty, from the
    plan's ``specialty_links`` (the grouped query the plan's specialists measure shares): one
    query, for the specialties' names."""
    counts: dict[int, int] = {}
    for (_province_id, specialty_id, _within), n in links.items():
        counts[specialty_id] = counts.get(specialty_id, 0) + n
    return [(s.name, counts.get(s.pk, 0)) for s in Specialty.objects.all()]


def trained_between(volunteers, start: dt.date, end: dt.date) -> int:
    """Volunteers who passed their training between ``start`` and ``end``: one count."""
    return volunteers.filter(trained_on__gte=start, trained_on__lte=end).count()


@dataclass(frozen=True)
class MonthlyServices:
    """Services per type and month of a fiscal year (every type × month, zero included)."""

    months: list[tuple[int, int]]  # (CE year, month), October first
    counts: dict[tuple[str, tuple[int, int]], int]  # (service type, month) → services

    def by_type(self) -> Counts:
        """(type label, services in the year) for every type, in the choices' order."""
        return [
            (label, sum(self.counts[(value, ym)] for ym in self.months))
            for value, label in ServiceType.choices
        ]

    def month_labels(self) -> list[str]:
        """ "ต.ค. 62" … (or "Oct 62" in English): the chart's axis."""
        names = MONTHS_EN if current_lang() == "en" else MONTHS_SHORT
        return [f"{names[m - 1]} {str(be_year(y))[2:]}" for y, m in self.months]

    def series(self) -> list[dict]:
        """One chart series per type: its label and its twelve monthly counts."""
        return [
            {"label": label, "data": [self.counts[(value, ym)] for ym in self.months]}
            for value, label in ServiceType.choices
        ]


def services_by_month(start: dt.date, end: dt.date, scope: Scope) -> MonthlyServices:
    """The services of the twelve months from ``start`` (a fiscal year's first day) to
    ``end``, by type, in the scope (that of ``Service.visible_to``): one query on the monthly
    summary (``summary.totals``), none for a user who sees nothing."""
    months = []
    y, m = start.year, start.month
    for _i in range(12):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    counts = {(st, ym): 0 for st in ServiceType.values for ym in months}
    if not scope.nothing:
        rows = summary.totals(("month", "service_type"), start, end, scope.province)
        for (month, service_type), (n, _people) in rows.items():
            counts[(service_type, (month.year, month.month))] = n
    return MonthlyServices(months, counts)
