"""Query counts are fixed: they do not grow with residents or assessments."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shelters import kpi

FY63_END = dt.date(2020, 9, 30)


def queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


@pytest.fixture
def grow(make_resident, assess, facility, other_facility):
    """Adds ``n`` residents (half in each facility) with three assessments each."""

    def add(n: int):
        for i in range(n):
            person = make_resident(facility if i % 2 else other_facility)
            assess(person, ("2019-08-01", 30), ("2019-12-01", 50 + i % 40), ("2020-03-01", 85))

    return add


def test_each_kpi_is_one_query_whatever_the_data(grow, django_assert_num_queries):
    grow(2)
    for compute in (kpi.compute_improved, kpi.compute_returned):
        with django_assert_num_queries(1):
            compute(2563, FY63_END)
    grow(40)
    for compute in (kpi.compute_improved, kpi.compute_returned):
        with django_assert_num_queries(1):
            result = compute(2563, FY63_END)
        assert result.denominator == 42 or compute is kpi.compute_returned


@pytest.mark.parametrize("who", ["manager", "staff"])
def test_the_resident_list_does_not_grow_with_residents(request, client_for, grow, who):
    client = client_for(request.getfixturevalue(who))
    url = reverse("shelters:resident-list")
    grow(2)
    client.get(url)  # warm the session
    few = queries(lambda: client.get(url))
    grow(60)
    assert queries(lambda: client.get(url)) == few
    filtered = {"group": "A", "status": "in_care", "q": "ทดสอบ", "target_group": "destitute"}
    assert queries(lambda: client.get(url, filtered)) == few
    drill = kpi.list_url(kpi.IMPROVED, "BA", 2563, FY63_END)
    assert queries(lambda: client.get(drill)) == few
    assert queries(lambda: client.get(url, {"sort": "current_group"})) == few


def test_the_resident_page_does_not_grow_with_assessments(client_for, staff, resident, assess):
    client = client_for(staff)
    url = reverse("shelters:resident-detail", args=[resident.pk])
    client.get(url)
    few = queries(lambda: client.get(url))
    assess(resident, *[(dt.date(2020, 1, 1) + dt.timedelta(days=7 * i), 60) for i in range(30)])
    assert queries(lambda: client.get(url)) == few


def test_the_kpi_page_does_not_grow_with_data(client_for, manager, grow, fourteen_facilities):
    client = client_for(manager)
    url = reverse("shelters:kpi") + "?year=2563"
    grow(2)
    client.get(url)
    few = queries(lambda: client.get(url))
    grow(40)
    assert queries(lambda: client.get(url)) == few
    assert few <= 8
