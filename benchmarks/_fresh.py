"""Shared by the benchmark scripts: a fresh PostgreSQL database, migrated, with Django set up."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def fresh_database(database_url: str) -> None:
    """Drop and create the database named in ``database_url``, point Django at it, migrate."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(database_url)
    admin = psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip
    admin.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{cfg["NAME"]}"')
    admin.close()
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpitracker.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
