"""``migrate`` and the resident summary's triggers (shelters/latest.py), outside a test
transaction as in production: a missing trigger is re-created and the summary rebuilt in one
transaction (PostgreSQL's LOCK TABLE needs one). Both databases (SQLite's table
remakes: test_latest_sqlite_remake.py)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from shelters import latest
from shelters.models import Resident


def _drop_one_trigger() -> None:
    with connection.cursor() as cursor:
        on = f" ON {latest.RESIDENT}" if connection.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER shelters_latest_res{on}")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_missing_trigger_is_put_back_by_migrate_with_the_summary_rebuilt(
    make_resident, assess, other_facility
):
    residents = [make_resident() for _ in range(3)]
    for resident in residents:
        assess(resident, ("2019-11-01", 35), ("2020-02-01", 85))
    _drop_one_trigger()
    # Unseen by the summary: its copy of the facility goes stale.
    Resident.objects.filter(pk__in=[r.pk for r in residents]).update(facility=other_facility)
    assert len(latest.discrepancies(connection)) == 3
    call_command("migrate", verbosity=0)  # outside any transaction, as `manage.py migrate`
    assert latest.discrepancies(connection) == []
    # The trigger is back: the next change is followed.
    Resident.objects.filter(pk=residents[0].pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="family"
    )
    assert latest.discrepancies(connection) == []
