"""What the dashboard, the indicators page and the report cost (issue 16): each registered
computation runs once per page for each (set, as-of date) the page shows, and work that
computations share (``registry.shared``) runs once per evaluation; the pages' query counts do not
grow with the years held or the data. Nothing is kept beyond a request: a correction, or another
as-of date, gives what the rules give."""

import dataclasses
import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import registry
from indicators.services import copy_set
from shelters.models import Assessment

Y2563 = "?year=2563&as_of=2020-09-30"
PAGES = [
    reverse("reports:dashboard") + Y2563,
    reverse("indicators:dashboard") + Y2563,
    reverse("indicators:dashboard") + Y2563 + "&format=json",
    reverse("reports:report") + Y2563,
    reverse("reports:report-xlsx") + Y2563,
]


@pytest.fixture
def counted(monkeypatch):
    """Counters of the computations run ((key, year, as_of) → n) and of the shared work actually
    computed (shared key → n), over every registered computation."""
    runs: Counter = Counter()
    shared_runs: Counter = Counter()
    for key, comp in registry.registered().items():

        def compute(year, as_of, key=key, inner=comp.compute):
            runs[(key, year, as_of)] += 1
            return inner(year, as_of)

        monkeypatch.setitem(registry._computations, key, dataclasses.replace(comp, compute=compute))
    original = registry.shared

    def shared(key, compute):
        def counting():
            shared_runs[key] += 1
            return compute()

        return original(key, counting)

    monkeypatch.setattr(registry, "shared", shared)
    return runs, shared_runs


@pytest.mark.parametrize("url", PAGES)
def test_each_computation_runs_once_per_page(url, client_for, manager, fy2563, residents, counted):
    copy_set(fy2563, 2562)  # an earlier year the dashboard evaluates at its year end
    residents(3, 4)
    c = client_for(manager)
    c.get(url)  # warm-up: session, content types
    runs, shared_runs = counted
    runs.clear()
    shared_runs.clear()
    assert c.get(url).status_code == 200
    assert runs, "the page evaluates the set's computations"
    assert set(runs.values()) == {1}, runs
    assert set(shared_runs.values()) == {1}, shared_runs
    years = {year for _key, year, _as_of in runs}
    on_dashboard = url.split("?")[0] == reverse("reports:dashboard")
    assert years == ({2562, 2563} if on_dashboard else {2563})
    assert {as_of for _key, year, as_of in runs if year == 2563} == {dt.date(2020, 9, 30)}


@pytest.mark.parametrize("url", PAGES[:2])
def test_the_query_count_does_not_grow_with_the_years_or_the_data(
    url, client_for, manager, fy2563, residents
):
    c = client_for(manager)
    residents(2, 3)
    c.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    residents(40, 60)
    assert queries() == small
    copy_set(fy2563, 2562)
    with_earlier = queries()
    copy_set(fy2563, 2561)
    # One more evaluation per earlier year on the dashboard, a fixed number; none elsewhere.
    assert queries() - with_earlier == with_earlier - small


def test_nothing_is_kept_beyond_a_request(client_for, manager, fy2563, residents):
    """A correction shows at once; another as-of date is computed for that date."""
    made = residents(3, 2)  # 1.1 = 3 / 5
    c = client_for(manager)
    url = reverse("reports:dashboard") + Y2563

    def figure(response, code="1.1"):
        res = response.context["board"].result.by_code(code)
        return res.numerator, res.denominator

    assert figure(c.get(url)) == (3, 5)
    latest = Assessment.objects.filter(resident=made[0]).order_by("-assessed_on").first()
    latest.percent = Decimal(30)  # C → C: not improved any more
    latest.save()
    assert figure(c.get(url)) == (2, 5)
    # As of a date before the second assessments: nobody has two yet.
    assert figure(c.get(reverse("reports:dashboard") + "?year=2563&as_of=2020-01-31")) == (0, 0)
    assert figure(c.get(url)) == (2, 5)
    page = c.get(reverse("indicators:dashboard") + Y2563)
    assert page.context["result"].by_code("1.1").numerator == 2
