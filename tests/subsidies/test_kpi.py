import datetime as dt

import pytest
from django.utils import timezone

from core.thaidate import fiscal_year_of
from indicators import evaluation, registry
from subsidies.kpi import distinct_citizens, status_checks
from subsidies.models import StatusCheck, citizen_key
from tests.subsidies.conftest import new_national_id


def check(national_id: str, day: dt.date) -> StatusCheck:
    return StatusCheck.objects.create(
        citizen_key=citizen_key(national_id),
        checked_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
        checked_on=day,
        fiscal_year=fiscal_year_of(day),
    )


END_2563 = dt.date(2020, 9, 30)


def test_the_same_citizen_twice_counts_once(db):
    a, b = new_national_id(), new_national_id()
    check(a, dt.date(2020, 1, 5))
    check(a, dt.date(2020, 3, 5))
    check(b, dt.date(2020, 3, 5))
    assert distinct_citizens(2563, END_2563) == 2


def test_a_citizen_in_two_fiscal_years_counts_in_each(db):
    a = new_national_id()
    check(a, dt.date(2020, 9, 30))  # the last day of FY2563
    check(a, dt.date(2020, 10, 1))  # the first day of FY2564
    assert distinct_citizens(2563, END_2563) == 1
    assert distinct_citizens(2564, dt.date(2021, 9, 30)) == 1
    assert distinct_citizens(2562, dt.date(2019, 9, 30)) == 0


def test_checks_after_the_as_of_date_do_not_count(db):
    check(new_national_id(), dt.date(2020, 6, 1))
    assert distinct_citizens(2563, dt.date(2020, 5, 31)) == 0
    assert distinct_citizens(2563, dt.date(2020, 6, 1)) == 1


def test_the_fact_is_met_at_3500_citizens(db):
    day = dt.date(2020, 5, 1)
    at = timezone.make_aware(dt.datetime(2020, 5, 1, 9))
    StatusCheck.objects.bulk_create(
        StatusCheck(citizen_key=f"{i:064d}", checked_at=at, checked_on=day, fiscal_year=2563)
        for i in range(3499)
    )
    fact = status_checks(2563, END_2563).facts["status_checks"]
    assert fact.met is False and fact.figure == "3,499 / 3,500 ราย"
    assert "/subsidies/report/?year=2563" in fact.url
    StatusCheck.objects.create(
        citizen_key="x" * 64, checked_at=at, checked_on=day, fiscal_year=2563
    )
    assert status_checks(2563, END_2563).facts["status_checks"].met is True


@pytest.mark.parametrize("citizens", [0, 50])
def test_the_count_is_one_query_whatever_the_data(db, citizens, django_assert_num_queries):
    for _ in range(citizens):
        check(new_national_id(), dt.date(2020, 2, 2))
    with django_assert_num_queries(2):  # the count, and the set's threshold
        status_checks(2563, END_2563)


def test_it_is_registered_and_shown_on_kpi_3_2(fy2563):
    assert registry.get("subsidies.status_checks").kind == "milestone"
    check(new_national_id(), dt.date(2020, 2, 2))
    result = evaluation.evaluate(fy2563, END_2563).by_code("3.2")
    facts = [s.fact for s in result.deliverables if s.deliverable.computed_key == "status_checks"]
    assert facts and facts[0].figure == "1 / 3,500 ราย" and facts[0].met is False


def test_the_threshold_comes_from_the_indicator_set(fy2563):
    """3,500 is the set's figure (Deliverable.threshold, set by a migration from the document),
    not a constant: a revised threshold moves the result, and a copied year carries it."""
    from indicators.models import Deliverable
    from indicators.services import copy_set, threshold_for
    from subsidies import report

    assert threshold_for("status_checks", 2563) == 3500
    assert threshold_for("status_checks", 2566) == 3500  # a year without its own set
    a, b = new_national_id(), new_national_id()
    check(a, dt.date(2020, 1, 5))
    check(b, dt.date(2020, 2, 5))
    fact = status_checks(2563, END_2563).facts["status_checks"]
    assert fact.met is False and "3,500" in fact.figure
    Deliverable.objects.filter(
        indicator__indicator_set=fy2563, computed_key="status_checks"
    ).update(threshold=2)
    fact = status_checks(2563, END_2563).facts["status_checks"]
    assert fact.met is True and fact.figure.endswith("/ 2 ราย")
    assert report.build(2563).target == 2 and report.build(2563).target_met
    copy_set(fy2563, 2564)
    assert threshold_for("status_checks", 2564) == 2
