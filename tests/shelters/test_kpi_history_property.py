"""Property: whatever residents and assessments, and whatever writes follow (insert, corrections
of date or percent, moves to another resident, deletes, ``QuerySet.update``/``delete``,
``bulk_create``, a resident deleted, discharged or moved), the summary equals a recomputation
and every KPI figure (totals in one shared pass, per facility, the residents behind each count,
on several as-of dates) equals the window over every assessment. SQLite and PostgreSQL."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shelters import latest
from shelters.models import Assessment, Resident
from tests.shelters.test_kpi_history import assert_same_as_window

AS_OF_DATES = [
    (2562, dt.date(2019, 9, 30)),
    (2563, dt.date(2020, 3, 31)),
    (2563, dt.date(2020, 9, 30)),
    (2564, dt.date(2021, 9, 30)),
]

DAY0 = dt.date(2018, 7, 1)
DAYS = 1000  # to March 2021: FY2561 to FY2564; the as-of dates before it have assessments
# after them (the probes), the last (30 Sep 2021) has none (the SQLite gate closed)
PERCENTS = [Decimal(p) for p in ("10", "40.00", "40.01", "55.50", "79.99", "80.00", "100")]

days = st.integers(0, DAYS).map(lambda n: DAY0 + dt.timedelta(days=n))
percents = st.sampled_from(PERCENTS) | st.decimals(10, 100, places=2)
reasons = st.sampled_from(["family", "employment", "transfer", "death", "absconded", "other"])
discharges = st.none() | st.tuples(days, reasons)

residents = st.lists(
    st.tuples(
        st.integers(0, 2),  # facility
        discharges,
        st.dictionaries(days, percents, max_size=6),  # assessments by date
    ),
    min_size=2,
    max_size=5,
)
pick = st.integers(0, 10_000)  # an index into whatever exists then
writes = st.lists(
    st.one_of(
        st.tuples(st.just("insert"), pick, days, percents),
        st.tuples(st.just("bulk_create"), st.lists(st.tuples(pick, days, percents), max_size=5)),
        st.tuples(st.just("redate"), pick, days),
        st.tuples(st.just("repercent"), pick, percents),
        st.tuples(st.just("move"), pick, pick),
        st.tuples(st.just("delete"), pick),
        st.tuples(st.just("qs_shift"), pick, st.integers(-200, 200)),
        st.tuples(st.just("qs_percent"), days, percents),
        st.tuples(st.just("qs_delete"), days, days),
        st.tuples(st.just("delete_resident"), pick),
        st.tuples(st.just("discharge"), pick, discharges),
        st.tuples(st.just("refacility"), pick, st.integers(0, 2)),
    ),
    min_size=1,
    max_size=10,
)


def apply(write, facilities) -> None:
    kind, *args = write
    people = list(Resident.objects.order_by("pk"))
    rows = list(Assessment.objects.order_by("pk"))
    if not people:
        return

    def person(i):
        return people[i % len(people)]

    def row(i):
        return rows[i % len(rows)] if rows else None

    if kind == "insert":
        Assessment.objects.create(resident=person(args[0]), assessed_on=args[1], percent=args[2])
    elif kind == "bulk_create":
        Assessment.objects.bulk_create(
            Assessment(resident=person(i), assessed_on=day, percent=p) for i, day, p in args[0]
        )
    elif kind == "redate" and row(args[0]):
        target = row(args[0])
        target.assessed_on = args[1]
        target.save()
    elif kind == "repercent" and row(args[0]):
        target = row(args[0])
        target.percent = args[1]
        target.save()
    elif kind == "move" and row(args[0]):
        target = row(args[0])
        target.resident = person(args[1])
        target.save()
    elif kind == "delete" and row(args[0]):
        row(args[0]).delete()
    elif kind == "qs_shift":
        Assessment.objects.filter(resident=person(args[0])).update(
            assessed_on=F("assessed_on") + dt.timedelta(days=args[1])
        )
    elif kind == "qs_percent":
        Assessment.objects.filter(assessed_on__gte=args[0]).update(percent=args[1])
    elif kind == "qs_delete":
        low, high = sorted(args)
        Assessment.objects.filter(assessed_on__gte=low, assessed_on__lte=high).delete()
    elif kind == "delete_resident":
        person(args[0]).delete()
    elif kind == "discharge":
        target = person(args[0])
        target.discharged_on, target.discharge_reason = args[1] or (None, "")
        target.save()
    elif kind == "refacility":
        Resident.objects.filter(pk=person(args[0]).pk).update(facility=facilities[args[1]])


@pytest.fixture
def facilities(facility, other_facility, fourteen_facilities):
    return [facility, other_facility, fourteen_facilities[0]]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(people=residents, changes=writes)
def test_the_summary_and_every_figure_equal_the_window(facilities, people, changes):
    with transaction.atomic():
        for n, (fac, discharge, assessments) in enumerate(people):
            resident = Resident.objects.create(
                facility=facilities[fac],
                case_number=f"P{n:03d}",
                full_name=f"ผู้รับบริการ {n}",
                target_group="destitute",
                admitted_on=dt.date(2018, 1, 1),
                discharged_on=discharge[0] if discharge else None,
                discharge_reason=discharge[1] if discharge else "",
            )
            Assessment.objects.bulk_create(
                Assessment(resident=resident, assessed_on=day, percent=p)
                for day, p in assessments.items()
            )
        assert_same_as_window(AS_OF_DATES)
        for write in changes:
            try:
                with transaction.atomic():  # a write refused (a date taken) changes nothing
                    apply(write, facilities)
            except IntegrityError:
                pass
            assert latest.discrepancies(connection) == [], write
        assert_same_as_window(AS_OF_DATES)
        transaction.set_rollback(True)
