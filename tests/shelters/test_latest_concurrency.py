"""Two transactions writing the same resident's assessments at once (real concurrency: threads,
each with its own database connection, PostgreSQL) leave ``ResidentLatest`` exact: the second
writer waits for the first and builds on what it committed."""

import datetime as dt
import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from shelters import latest
from shelters.models import Assessment, Resident, ResidentLatest
from tests.concurrency import on_postgresql

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def overlapping(first, second, hold: float = 0.4) -> None:
    """``first`` writes in its transaction and holds it open while ``second`` writes in its own
    (which must wait on the first, or pass it); both then commit."""
    wrote = threading.Event()
    errors: list[BaseException] = []

    def one():
        try:
            with transaction.atomic():
                first()
                wrote.set()
                time.sleep(hold)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            wrote.set()
        finally:
            connection.close()

    def two():
        try:
            wrote.wait(10)
            with transaction.atomic():
                second()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one), threading.Thread(target=two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors


def pair(resident) -> tuple | None:
    row = ResidentLatest.objects.filter(resident=resident).values_list(
        "last_on", "last_percent", "prev_on", "prev_percent"
    )
    return row[0] if row else None


def add(resident, day: str, percent) -> None:
    Assessment.objects.create(resident=resident, assessed_on=d(day), percent=Decimal(percent))


def remove(resident, day: str) -> None:
    Assessment.objects.filter(resident=resident, assessed_on=d(day)).delete()


@pytest.fixture
def person(make_resident, assess):
    someone = make_resident()
    assess(someone, ("2019-11-01", 35), ("2020-02-01", 85))
    return someone


@pytest.fixture
def nobody(make_resident):
    return make_resident()


def test_two_inserts_for_the_same_resident_both_land(person):
    overlapping(lambda: add(person, "2020-05-01", 50), lambda: add(person, "2020-04-01", 60))
    assert pair(person) == (d("2020-05-01"), Decimal("50.00"), d("2020-04-01"), Decimal("60.00"))
    overlapping(lambda: add(person, "2020-06-01", 70), lambda: add(person, "2020-07-01", 80))
    assert pair(person) == (d("2020-07-01"), Decimal("80.00"), d("2020-06-01"), Decimal("70.00"))
    assert latest.discrepancies(connection) == []


def test_a_delete_meeting_an_insert(person):
    overlapping(lambda: remove(person, "2020-02-01"), lambda: add(person, "2020-03-01", 55))
    assert pair(person) == (d("2020-03-01"), Decimal("55.00"), d("2019-11-01"), Decimal("35.00"))
    overlapping(lambda: add(person, "2020-04-01", 90), lambda: remove(person, "2020-03-01"))
    assert pair(person) == (d("2020-04-01"), Decimal("90.00"), d("2019-11-01"), Decimal("35.00"))
    assert latest.discrepancies(connection) == []


def test_two_deletes_of_the_pair(person, assess):
    assess(person, ("2019-01-01", 15))
    overlapping(lambda: remove(person, "2020-02-01"), lambda: remove(person, "2019-11-01"))
    assert pair(person) == (d("2019-01-01"), Decimal("15.00"), None, None)
    assert latest.discrepancies(connection) == []


def test_first_assessments_and_the_last_one_going(nobody):
    overlapping(lambda: add(nobody, "2020-01-01", 20), lambda: add(nobody, "2020-02-01", 30))
    assert pair(nobody) == (d("2020-02-01"), Decimal("30.00"), d("2020-01-01"), Decimal("20.00"))
    Assessment.objects.filter(resident=nobody, assessed_on=d("2020-01-01")).delete()
    # The only assessment deleted while another transaction adds one: the row goes, then
    # comes back with the new one.
    overlapping(lambda: remove(nobody, "2020-02-01"), lambda: add(nobody, "2020-03-01", 40))
    assert pair(nobody) == (d("2020-03-01"), Decimal("40.00"), None, None)
    assert latest.discrepancies(connection) == []


def test_a_move_meeting_a_first_insert(person, nobody):
    def move():
        Assessment.objects.filter(resident=person, assessed_on=d("2020-02-01")).update(
            resident=nobody
        )

    overlapping(lambda: add(nobody, "2020-01-15", 45), move)
    assert pair(nobody) == (d("2020-02-01"), Decimal("85.00"), d("2020-01-15"), Decimal("45.00"))
    assert pair(person) == (d("2019-11-01"), Decimal("35.00"), None, None)
    assert latest.discrepancies(connection) == []


@pytest.mark.parametrize("resident_first", [True, False])
def test_a_discharge_meeting_a_first_assessment(nobody, other_facility, resident_first):
    def discharge():
        Resident.objects.filter(pk=nobody.pk).update(
            discharged_on=d("2020-06-01"), discharge_reason="family", facility=other_facility
        )

    def first_assessment():
        add(nobody, "2020-05-01", 90)

    if resident_first:
        overlapping(discharge, first_assessment)
    else:
        overlapping(first_assessment, discharge)
    row = ResidentLatest.objects.get(resident=nobody)
    assert (row.facility_id, row.discharged_on, row.returned) == (
        other_facility.pk,
        d("2020-06-01"),
        1,
    )
    assert latest.discrepancies(connection) == []


def test_many_writers_released_together(make_resident, assess):
    """Four threads, twelve rounds, random inserts, corrections, moves and deletes on the same
    two residents, released by a barrier: the summary stays exact."""
    people = [make_resident(), make_resident()]
    for person in people:
        assess(person, *[(dt.date(2019, 1, 1) + dt.timedelta(days=30 * i), 50) for i in range(5)])
    rounds, workers = 12, 4
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def worker(seed: int):
        rng = random.Random(seed)
        try:
            for _ in range(rounds):
                barrier.wait(20)
                try:
                    with transaction.atomic():
                        who = rng.choice(people)
                        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(400))
                        kind = rng.randrange(4)
                        rows = Assessment.objects.filter(resident=who)
                        if kind == 0:
                            add(who, day.isoformat(), rng.randint(10, 100))
                        elif kind == 1:
                            target = rows.filter(assessed_on__gte=day).order_by("assessed_on")
                            if target.first():
                                target.first().delete()
                        elif kind == 2:
                            target = rows.order_by("-assessed_on").first()
                            if target:
                                target.assessed_on = day
                                target.save()
                        else:
                            rows.filter(assessed_on__lte=day).update(resident=rng.choice(people))
                        time.sleep(rng.random() * 0.05)
                except IntegrityError:
                    pass  # a date already taken: refused, nothing written
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert latest.discrepancies(connection) == []
