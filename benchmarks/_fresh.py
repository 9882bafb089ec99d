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


def ensure_database(server: str, name: str) -> None:
    """Create the PostgreSQL database ``name`` on ``server`` unless it exists (data are kept)."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def run_per_database(script: str, args, pg_server: str, pg_name: str, sqlite_url: str) -> None:
    """Run ``script --child`` once per chosen database: Django reads DATABASE_URL only once."""
    import subprocess

    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        if db == "postgres":
            ensure_database(pg_server, pg_name)
            url = f"{pg_server}/{pg_name}"
        else:
            url = sqlite_url
        cmd = [sys.executable, script, "--child", "--db", db, "--runs", str(args.runs)]
        if args.regenerate:
            cmd.append("--regenerate")
        subprocess.run(cmd, check=True, env={**os.environ, "DATABASE_URL": url, "DEBUG": "1"})
