"""Which set and as-of date a page shows: ?year=2563&as_of=31/03/2563 (BE or CE, or ISO)."""

import datetime as dt

from django.http import Http404

from core.thaidate import default_as_of, fiscal_year_bounds, fiscal_year_of, parse_date
from indicators.models import IndicatorSet


def selected_set(
    request, agency_code: str = "พส.", only_year: int | None = None
) -> tuple[IndicatorSet, dt.date, list]:
    """The chosen set, as-of date and every set of the agency. ``only_year``: a page that belongs
    to one year's set (an indicator's page) takes that year, and any other year is a 404."""
    sets = list(IndicatorSet.objects.filter(agency_code=agency_code).order_by("-fiscal_year"))
    if not sets:
        raise Http404("ยังไม่มีชุดตัวชี้วัด")
    by_year = {s.fiscal_year: s for s in sets}
    year_text = request.GET.get("year", "") or (str(only_year) if only_year else "")
    if only_year and year_text != str(only_year):
        raise Http404("ตัวชี้วัดนี้เป็นของปีงบประมาณอื่น")
    if year_text.isdigit() and int(year_text) in by_year:
        chosen = by_year[int(year_text)]
    elif year_text:
        raise Http404("ไม่พบชุดตัวชี้วัดของปีงบประมาณนี้")
    else:
        chosen = by_year.get(fiscal_year_of(dt.date.today()), sets[0])
    start, end = fiscal_year_bounds(chosen.fiscal_year)
    as_of = default_as_of(chosen.fiscal_year)
    as_of_text = request.GET.get("as_of", "").strip()
    if as_of_text:
        try:
            as_of = parse_date(as_of_text)
        except ValueError:
            as_of = default_as_of(chosen.fiscal_year)
        as_of = min(max(as_of, start), end)
    return chosen, as_of, sets
