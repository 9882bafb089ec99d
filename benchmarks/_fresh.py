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


def shelters_bench():
    """benchmarks/shelters_kpi.py as a module (its generator: rows(), generate())."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent / "shelters_kpi.py"
    spec = importlib.util.spec_from_file_location("shelters_kpi", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shelters_data(regenerate: bool):
    """Django set up on this process's database, migrated, holding benchmarks/shelters_kpi.py's
    100,000 residents and 1,000,000 assessments (generated when missing or asked to); returns
    the generator module."""
    import time

    bench = shelters_bench()
    bench.setup_django()
    from django.core.management import call_command
    from django.db import connection

    print(f"\n== {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    from shelters.models import Assessment, Resident

    have = (Resident.objects.count(), Assessment.objects.count())
    if regenerate or have != (bench.RESIDENTS, bench.ASSESSMENTS):
        started = time.perf_counter()
        bench.generate(connection)
        print(
            f"generated {bench.RESIDENTS:,} residents, {bench.ASSESSMENTS:,} assessments "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    else:
        print(f"reusing {have[0]:,} residents, {have[1]:,} assessments", flush=True)
    return bench


def shelters_users():
    """The benchmark's manager and the staff of facility BENCH-01: (manager, staff, facility)."""
    from django.contrib.auth.models import Group, User

    from core.models import Profile
    from shelters.models import Facility, FacilityStaff

    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.set([Group.objects.get(name="manager")])
    staff, _ = User.objects.get_or_create(username="bench-staff")
    staff.groups.set([Group.objects.get(name="facility_staff")])
    for user in (manager, staff):
        Profile.objects.get_or_create(user=user)
    facility = Facility.objects.get(code="BENCH-01")
    FacilityStaff.objects.update_or_create(user=staff, defaults={"facility": facility})
    return manager, staff, facility


def load() -> str:
    """The machine's load average (1, 5, 15 min), printed beside every figure."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


def count_queries(func) -> int:
    """How many statements ``func()`` sends to the default database."""
    from django.db import connection

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        func()
    return len(seen)
