"""Which set and as-of date a page shows: ?year=2563&as_of=31/03/2563 (BE or CE, or ISO).

Every page that takes the period (the indicator pages, the executive dashboard, the KPI report)
reads it here, and shows the period box ``indicators/_period.html``: a date that is not
understood is never silently replaced. ``selected_set`` leaves on the request what was typed and
a Thai sentence saying which date is shown instead (``request.as_of_problem``), which the period
box shows beside the date box, keeping what was typed in it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.thaidate import (
    default_as_of,
    fiscal_year_bounds,
    fiscal_year_of,
    format_thai_date,
    parse_date,
    to_arabic_digits,
)
from indicators.models import IndicatorSet


def opening_year(*latest: dt.date | None) -> int:
    """The fiscal year a list or dashboard opens on without ?year=: that of the latest of the
    ``latest`` dates with data (each up to today, computed by the caller in its scope); without
    any, the latest indicator set's year up to this one; else this fiscal year."""
    dates = [d for d in latest if d is not None]
    if dates:
        return fiscal_year_of(max(dates))
    now = fiscal_year_of(timezone.localdate())
    year = (
        IndicatorSet.objects.filter(fiscal_year__lte=now)
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
        .first()
    )
    return year or now


@dataclass(frozen=True)
class AsOfProblem:
    typed: str
    shown: dt.date
    outside_year: int | None = None  # a real date, but outside this fiscal year (BE)

    @property
    def message(self) -> str:
        lang = "en" if (get_language() or "th").startswith("en") else "th"
        shown = format_thai_date(self.shown, long=True, lang=lang)
        if self.outside_year:
            return _(
                "วันที่ “%(typed)s” อยู่นอกปีงบประมาณ พ.ศ. %(year)s จึงแสดงข้อมูล ณ วันที่ %(shown)s แทน"
            ) % {"typed": self.typed, "year": self.outside_year, "shown": shown}
        return _(
            "ไม่เข้าใจวันที่ “%(typed)s” (ใช้รูปแบบ วว/ดด/ปปปป เช่น 31/03/2563) "
            "จึงแสดงข้อมูล ณ วันที่ %(shown)s แทน"
        ) % {"typed": self.typed, "shown": shown}


YEAR_MIN, YEAR_MAX = 2500, 2700  # the BE fiscal years a ?year= may name


def requested_year(request, default: Callable[[], int]) -> int:
    """?year=2563 (Thai digits too); without one, ``default()``; a year that is not a BE fiscal
    year is a 404 (a page for a year that cannot exist), on every page that takes a year."""
    text = to_arabic_digits(request.GET.get("year", "")).strip()
    if not text:
        return default()
    if not text.isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise Http404(_("ปีงบประมาณไม่ถูกต้อง"))
    return int(text)


def requested_as_of(request, fiscal_year: int) -> dt.date:
    """?as_of= (BE or CE, ISO, Thai digits), within ``fiscal_year``; without one, the year's
    default as-of date (today within the year, else its last day). A date not understood, or
    outside the year, is not silently replaced: the date shown instead and why are left on the
    request (``request.as_of_problem``) for the period box."""
    start, end = fiscal_year_bounds(fiscal_year)
    as_of = default_as_of(fiscal_year)
    as_of_text = request.GET.get("as_of", "").strip()
    request.as_of_problem = None
    if as_of_text:
        try:
            as_of = parse_date(as_of_text)
        except ValueError:
            as_of = default_as_of(fiscal_year)
            request.as_of_problem = AsOfProblem(as_of_text[:40], as_of)
        if not start <= as_of <= end:
            as_of = min(max(as_of, start), end)
            request.as_of_problem = AsOfProblem(as_of_text[:40], as_of, fiscal_year)
    return as_of


def year_and_as_of(request, default: Callable[[], int]) -> tuple[int, dt.date]:
    """The period of a page that is not one indicator set's (a domain app's dashboard or report):
    ``requested_year`` then ``requested_as_of``."""
    year = requested_year(request, default)
    return year, requested_as_of(request, year)


def selected_set(
    request, agency_code: str = "พส.", only_year: int | None = None
) -> tuple[IndicatorSet, dt.date, list]:
    """The chosen set, as-of date and every set of the agency. ``only_year``: a page that belongs
    to one year's set (an indicator's page) takes that year, and any other year is a 404."""
    sets = list(IndicatorSet.objects.filter(agency_code=agency_code).order_by("-fiscal_year"))
    if not sets:
        raise Http404(_("ยังไม่มีชุดตัวชี้วัด"))
    by_year = {s.fiscal_year: s for s in sets}

    def default() -> int:
        if only_year:
            return only_year
        return by_year.get(fiscal_year_of(timezone.localdate()), sets[0]).fiscal_year

    year = requested_year(request, default)
    if only_year and year != only_year:
        raise Http404(_("ตัวชี้วัดนี้เป็นของปีงบประมาณอื่น"))
    if year not in by_year:
        raise Http404(_("ไม่พบชุดตัวชี้วัดของปีงบประมาณนี้"))
    chosen = by_year[year]
    return chosen, requested_as_of(request, chosen.fiscal_year), sets
