"""An import applied while someone else writes the same residents: PostgreSQL may roll it back
(a deadlock broken, a resident deleted meanwhile). Either way nothing of the file is written
and the report says so in Thai, instead of a server error. Both databases (tests/imports/)."""

import threading
import time

import psycopg
import pytest
from django.contrib import admin
from django.db import connection
from django.db.models.signals import post_delete

from imports import engine, writer
from shelters.models import Assessment, Resident
from shelters.resources import AssessmentResource
from tests.concurrency import on_postgresql
from tests.imports.conftest import csv_bytes

EN = ["facility_code", "case_number", "assessed_on", "percent"]
ROWS = [EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"], ["TYB-M", "63-0002", "16/03/2563", "85"]]


def _run():
    return engine.run(AssessmentResource(), csv_bytes(ROWS), "a.csv", dry_run=False)


def test_chosen_as_a_deadlock_victim_the_import_writes_nothing_and_says_so(residents, monkeypatch):
    create = writer.create

    def create_then_deadlock(*args, **kwargs):
        create(*args, **kwargs)
        raise psycopg.errors.DeadlockDetected("deadlock detected")  # as the COPY raises it

    monkeypatch.setattr(writer, "create", create_then_deadlock)
    report = _run()
    assert not report.applied
    assert [str(e.message) for e in report.errors] == [str(engine.CHANGED_WHILE_APPLYING)]
    assert Assessment.objects.count() == 0


def test_a_resident_deleted_while_the_file_is_applied_is_the_reports_error(residents, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: nobody deletes during an apply there")
    after_apply = AssessmentResource.after_apply

    def deleted_meanwhile(self, *args):
        after_apply(self, *args)
        with connection.cursor() as cursor:  # what another transaction's delete leaves
            cursor.execute("DELETE FROM shelters_resident WHERE id = %s", [residents[0].pk])

    monkeypatch.setattr(AssessmentResource, "after_apply", deleted_meanwhile)
    report = _run()
    assert not report.applied
    assert [str(e.message) for e in report.errors] == [str(engine.CHANGED_WHILE_APPLYING)]
    assert Assessment.objects.count() == 0


@on_postgresql
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_import_meeting_a_residents_delete_is_no_deadlock_and_no_server_error(residents):
    """The admin deletes a resident (their assessments first, then the resident) while a file
    of assessments for that resident is applied. Without the delete locking the resident first
    the two deadlocked (the summary's triggers hold the resident FOR SHARE and its summary row);
    now the import waits, then finds the resident gone: its report says so, nothing written."""
    target = residents[0]
    Assessment.objects.create(resident=target, assessed_on="2020-01-10", percent=50)
    deleting, errors, reports = threading.Event(), [], []
    deadlocks_before = _deadlocks()

    def slow_down(sender, instance, **kwargs):  # between the assessments and the resident
        if threading.current_thread().name == "delete":
            deleting.set()
            time.sleep(0.6)

    def delete():
        try:
            resident_admin = admin.site._registry[Resident]
            resident_admin.delete_model(None, Resident.objects.get(pk=target.pk))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            deleting.set()
            connection.close()

    def apply():
        try:
            deleting.wait(10)
            reports.append(_run())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    post_delete.connect(slow_down, sender=Assessment, dispatch_uid="slow_down")
    try:
        threads = [threading.Thread(target=delete, name="delete"), threading.Thread(target=apply)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    finally:
        post_delete.disconnect(dispatch_uid="slow_down", sender=Assessment)
    assert not errors, errors
    # The import's own report would look the same had it been a deadlock's victim: ask the
    # server whether it broke one.
    assert _deadlocks() == deadlocks_before
    (report,) = reports
    assert not report.applied
    assert [str(e.message) for e in report.errors] == [str(engine.CHANGED_WHILE_APPLYING)]
    assert not Resident.objects.filter(pk=target.pk).exists()
    assert not Assessment.objects.filter(resident_id__in=[r.pk for r in residents]).exists()


def _deadlocks() -> int:
    """Deadlocks PostgreSQL has broken in this database (its statistics, flushed when the
    threads' connections closed)."""
    time.sleep(0.2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]
