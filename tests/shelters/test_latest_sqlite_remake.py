"""On SQLite a later migration remaking the residents' or assessments' table (most AlterField
and AddField do) works with the resident summary's triggers in place (shelters/latest.py:
pre_migrate drops them, post_migrate puts them back and rebuilds). SQLite only: PostgreSQL
alters tables in place, so the PostgreSQL pass does not select this file."""

import datetime as dt

import pytest
from django.apps import apps
from django.db import connection

from shelters import latest
from shelters.models import Assessment, Resident


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_later_migration_remaking_the_residents_table_works_on_sqlite(make_resident, assess):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters tables in place; only SQLite remakes them")
    resident = make_resident()
    assess(resident, ("2019-11-01", 35), ("2020-02-01", 85))
    config = apps.get_app_config("shelters")
    plan = [("a migration", False)]
    # What migrate does around a migration that remakes the table (AlterField, AddField).
    latest._before_migrate(config, using="default", plan=plan)
    with connection.schema_editor() as editor:
        editor._remake_table(Resident)
        editor._remake_table(Assessment)
    latest._ensure(config, using="default")
    assert latest.discrepancies(connection) == []
    Assessment.objects.create(resident=resident, assessed_on=dt.date(2020, 5, 1), percent=50)
    assert latest.discrepancies(connection) == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_pre_migrate_step_the_remake_fails_on_sqlite(make_resident):
    """The reason for the pre_migrate step: the assessments' triggers name the residents'
    table, which a remake drops and renames."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL alters tables in place; only SQLite remakes them")
    make_resident()
    with pytest.raises(Exception, match="shelters_resident"), connection.schema_editor() as ed:
        ed._remake_table(Resident)
    latest._ensure(apps.get_app_config("shelters"), using="default")
