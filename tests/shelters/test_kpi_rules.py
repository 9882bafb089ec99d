"""The edge cases of SPEC §3's definitions of KPI 1.1 and 1.2."""

import datetime as dt
from decimal import Decimal

import pytest

from shelters import kpi
from shelters.models import Resident, group_of, percent_of_items

FY63_END = dt.date(2020, 9, 30)


def counts(name, year=2563, as_of=FY63_END) -> dict:
    return kpi.totals(kpi.counts_per_facility(name, year, as_of), name)


def members(name, category, year=2563, as_of=FY63_END) -> set[int]:
    ids = kpi.resident_ids(name, category, year, as_of)
    return set(Resident.objects.filter(pk__in=ids).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("percent", "group"),
    [("10", "C"), ("40.00", "C"), ("40.01", "B"), ("79.99", "B"), ("80.00", "A"), ("100", "A")],
)
def test_the_group_boundaries(percent, group):
    assert group_of(Decimal(percent)) == group


@pytest.mark.parametrize(
    ("first", "last", "category"),
    [
        ("40.00", "80.00", "CA"),  # 40.00 is C, 80.00 is A
        ("40.00", "40.01", "CB"),
        ("79.99", "80.00", "BA"),
        ("40.01", "79.99", "not_improved"),  # B stays B
        ("80.00", "79.99", "not_improved"),
        ("80.00", "80.00", "AA"),
    ],
)
def test_the_boundaries_decide_the_transition(make_resident, assess, first, last, category):
    person = make_resident()
    assess(person, ("2019-12-01", first), ("2020-03-01", last))
    assert members(kpi.IMPROVED, category) == {person.pk}
    assert members(kpi.IMPROVED, "population") == {person.pk}


def test_the_percent_of_the_14_items_is_sum_over_140(db):
    assert percent_of_items([4] * 14) == Decimal("40.00")  # 56 / 140: C
    assert percent_of_items([8] * 14) == Decimal("80.00")  # 112 / 140: A
    assert percent_of_items([1] * 14) == Decimal("10.00")
    assert percent_of_items([10] * 14) == Decimal("100.00")
    assert percent_of_items([5] * 13 + [6]) == Decimal("50.71")  # 71 / 140, half-up


def test_only_the_last_two_assessments_as_of_the_date_matter(make_resident, assess):
    person = make_resident()
    # C long ago, then B, then A: B→A, not C→A.
    assess(person, ("2019-01-01", 20), ("2019-11-01", 60), ("2020-02-01", 90))
    assert members(kpi.IMPROVED, "BA") == {person.pk}
    assert members(kpi.IMPROVED, "CA") == set()


def test_assessments_after_the_as_of_date_are_ignored(make_resident, assess):
    person = make_resident()
    assess(person, ("2019-11-01", 30), ("2020-01-15", 50), ("2020-05-01", 90))
    as_of = dt.date(2020, 3, 31)
    assert members(kpi.IMPROVED, "CB", as_of=as_of) == {person.pk}
    assert members(kpi.IMPROVED, "BA") == {person.pk}  # at the year's end


def test_a_single_assessment_as_of_the_date_excludes_the_resident(make_resident, assess):
    person = make_resident(discharged_on=dt.date(2020, 6, 1), discharge_reason="family")
    assess(person, ("2020-01-15", 90))
    assert counts(kpi.IMPROVED)["population"] == 0
    assert counts(kpi.RETURNED)["population"] == 0
    # A second one after the as-of date does not help.
    assess(person, ("2020-05-01", 95))
    assert counts(kpi.IMPROVED, as_of=dt.date(2020, 4, 30))["population"] == 0
    assert counts(kpi.IMPROVED)["population"] == 1


def test_a_resident_last_assessed_in_an_earlier_year_is_not_in_the_population(
    make_resident, assess
):
    person = make_resident()
    assess(person, ("2019-03-01", 30), ("2019-06-01", 85))  # FY2562
    assert counts(kpi.IMPROVED)["population"] == 0
    assert members(kpi.IMPROVED, "CA", year=2562, as_of=dt.date(2019, 9, 30)) == {person.pk}


def test_the_as_of_date_is_capped_at_the_years_end(make_resident, assess):
    person = make_resident()
    assess(person, ("2020-03-01", 30), ("2020-06-01", 50), ("2020-11-01", 90))
    # As of a date in FY2564, FY2563 is still judged at 30 Sep 2563: C→B.
    assert members(kpi.IMPROVED, "CB", as_of=dt.date(2021, 1, 1)) == {person.pk}


def test_group_a_sent_home_early_next_year_counts_in_next_years_1_2(make_resident, assess):
    person = make_resident(discharged_on=dt.date(2019, 10, 20), discharge_reason="family")
    assess(person, ("2019-06-01", 60), ("2019-09-10", 85))  # A in FY2562's September
    # FY2562: in the population (latest A in the year), not returned within FY2562.
    fy62 = counts(kpi.RETURNED, 2562, dt.date(2019, 9, 30))
    assert (fy62["population"], fy62["returned"]) == (1, 0)
    # FY2563: the October discharge brings them in, and they returned.
    fy63 = counts(kpi.RETURNED)
    assert (fy63["population"], fy63["returned"]) == (1, 1)
    # Not in FY2563's 1.1: their latest assessment lies in FY2562.
    assert counts(kpi.IMPROVED)["population"] == 0
    # As of a date before the discharge, FY2563 has nobody.
    assert counts(kpi.RETURNED, as_of=dt.date(2019, 10, 19))["population"] == 0


@pytest.mark.parametrize(
    ("reason", "returned"),
    [
        ("family", 1),
        ("employment", 1),
        ("transfer", 0),
        ("death", 0),
        ("absconded", 0),
        ("other", 0),
    ],
)
def test_only_family_and_employment_count_as_returning(make_resident, assess, reason, returned):
    person = make_resident(discharged_on=dt.date(2020, 5, 1), discharge_reason=reason)
    assess(person, ("2019-11-01", 60), ("2020-03-01", 85))
    result = kpi.compute_returned(2563, FY63_END)
    assert (result.numerator, result.denominator) == (returned, 1)


def test_a_discharge_after_the_as_of_date_is_ignored(make_resident, assess):
    person = make_resident(discharged_on=dt.date(2020, 8, 1), discharge_reason="family")
    assess(person, ("2019-11-01", 60), ("2020-03-01", 85))
    before = kpi.compute_returned(2563, dt.date(2020, 7, 31))
    assert (before.numerator, before.denominator) == (0, 1)
    after = kpi.compute_returned(2563, FY63_END)
    assert (after.numerator, after.denominator) == (1, 1)


def test_returning_home_without_being_group_a_does_not_count(make_resident, assess):
    person = make_resident(discharged_on=dt.date(2020, 5, 1), discharge_reason="family")
    assess(person, ("2019-11-01", 60), ("2020-03-01", 79.99))
    assert counts(kpi.RETURNED) == {"population": 0, "returned": 0, "not_returned": 0}


def test_no_data_gives_no_result(db):
    result = kpi.compute_improved(2563, FY63_END)
    assert (result.numerator, result.denominator, result.value) == (0, 0, None)
