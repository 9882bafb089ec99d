"""Benchmark of KPI 1.1 + 1.2 and of the resident list at scale (not a test).

Generates 100,000 residents with 1,000,000 IRP assessments over FY2561–FY2563 in a database of
its own, then prints the median time of KPI 1.1 + 1.2 and of resident list pages.

    .venv/bin/python benchmarks/shelters_kpi.py                 # PostgreSQL, then SQLite
    .venv/bin/python benchmarks/shelters_kpi.py --db postgres   # or --db sqlite
    .venv/bin/python benchmarks/shelters_kpi.py --regenerate    # rebuild the data

PostgreSQL: database ``kpi_shelters_bench`` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created when missing, loaded with COPY. SQLite: /tmp/kpi_shelters_bench.sqlite3, loaded with
executemany. The data stay between runs, so a second run only times.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import run_per_database  # noqa: E402

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_URL = f"{PG_SERVER}/kpi_shelters_bench"
SQLITE_URL = "sqlite:////tmp/kpi_shelters_bench.sqlite3"
RESIDENTS = 100_000
ASSESSMENTS = 1_000_000
FIRST_DAY = dt.date(2017, 10, 1)  # FY2561
LAST_DAY = dt.date(2020, 9, 30)  # FY2563
REASONS = ["family", "employment", "transfer", "death", "absconded", "other"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args)
        return
    run_per_database(__file__, args, PG_SERVER, "kpi_shelters_bench", SQLITE_URL)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpitracker.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: time what production runs


def run(args) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    print(f"\n== {connection.vendor} ({connection.settings_dict['NAME']})", flush=True)
    call_command("migrate", verbosity=0)
    from shelters.models import Assessment, Resident

    have = (Resident.objects.count(), Assessment.objects.count())
    if args.regenerate or have != (RESIDENTS, ASSESSMENTS):
        started = time.perf_counter()
        generate(connection)
        print(
            f"generated {RESIDENTS:,} residents, {ASSESSMENTS:,} assessments "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    else:
        print(f"reusing {have[0]:,} residents, {have[1]:,} assessments", flush=True)
    measure(args.runs)


def facilities():
    from core.models import Province
    from shelters.models import Facility

    province = Province.objects.get(code="13")
    made = []
    for n in range(1, 15):
        facility, _ = Facility.objects.get_or_create(
            code=f"BENCH-{n:02d}",
            defaults={
                "name": f"หน่วยงานทดสอบประสิทธิภาพ {n}",
                "kind": "shelter" if n <= 11 else "life_skills",
                "province": province,
                "is_demo": True,
            },
        )
        made.append(facility.pk)
    return made


def rows():
    """Residents and exactly ASSESSMENTS assessments, ~every 100 days from admission."""
    rng = random.Random(2563)
    facility_ids = facilities()
    span = (LAST_DAY - FIRST_DAY).days
    per_resident = [ASSESSMENTS // RESIDENTS] * RESIDENTS
    for i in rng.sample(range(RESIDENTS), ASSESSMENTS % RESIDENTS):
        per_resident[i] += 1
    # Vary the counts (2–18) while keeping the total.
    for _ in range(RESIDENTS // 2):
        a, b = rng.randrange(RESIDENTS), rng.randrange(RESIDENTS)
        shift = rng.randint(0, 8)
        if per_resident[a] - shift >= 2:
            per_resident[a] -= shift
            per_resident[b] += shift
    residents, assessments = [], []
    assessment_id = 0
    for rid in range(1, RESIDENTS + 1):
        count = per_resident[rid - 1]
        gap = max(7, min(100, span // (count + 1)))
        admitted = FIRST_DAY + dt.timedelta(days=rng.randint(0, max(0, span - gap * count - 1)))
        level = rng.uniform(10, 90)
        day = admitted
        for _ in range(count):
            day += dt.timedelta(days=rng.randint(max(1, gap - 5), gap))
            level = min(100.0, max(10.0, level + rng.gauss(2, 10)))
            assessment_id += 1
            assessments.append((assessment_id, rid, day, round(level, 2)))
        discharged = reason = None
        if rng.random() < 0.4 and day < LAST_DAY:
            discharged = min(LAST_DAY, day + dt.timedelta(days=rng.randint(1, 60)))
            reason = rng.choice(REASONS)
        residents.append(
            (
                rid,
                facility_ids[rid % len(facility_ids)],
                f"B{rid:07d}",
                f"ผู้รับบริการ ทดสอบ{rid}",
                "MF"[rid % 2],
                "",
                ("destitute", "beggar", "psychiatric")[rid % 3],
                admitted,
                discharged,
                reason or "",
            )
        )
    assert len(assessments) == ASSESSMENTS
    return residents, assessments


RES_COLS = (
    "id, facility_id, case_number, full_name, sex, national_id, target_group, admitted_on,"
    " discharged_on, discharge_reason"
)
ASS_COLS = "id, resident_id, assessed_on, percent, assessor"


def generate(connection) -> None:
    residents, assessments = rows()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM shelters_assessment")
        cursor.execute(
            "DELETE FROM shelters_resident WHERE facility_id IN "
            "(SELECT id FROM shelters_facility WHERE code LIKE 'BENCH-%%')"
        )
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cur:
            with cur.copy(f"COPY shelters_resident ({RES_COLS}) FROM STDIN") as copy:
                for row in residents:
                    copy.write_row(row)
            with cur.copy(f"COPY shelters_assessment ({ASS_COLS}) FROM STDIN") as copy:
                for row in assessments:
                    copy.write_row((*row, ""))
            for table in ("shelters_resident", "shelters_assessment"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE shelters_resident")
            cursor.execute("VACUUM ANALYZE shelters_assessment")
    else:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO shelters_resident ({RES_COLS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                residents,
            )
            for start in range(0, len(assessments), 100_000):
                cursor.executemany(
                    f"INSERT INTO shelters_assessment ({ASS_COLS}) VALUES (%s,%s,%s,%s,'')",
                    [(i, r, d, f"{p:.2f}") for i, r, d, p in assessments[start : start + 100_000]],
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def timed(func, runs: int) -> tuple[float, object]:
    result = func()  # warm-up (caches, plans)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def measure(runs: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from core.models import Profile
    from shelters import kpi
    from shelters.models import Facility, FacilityStaff

    as_of = dt.date(2020, 9, 30)

    def both():
        return kpi.compute_improved(2563, as_of), kpi.compute_returned(2563, as_of)

    for name, func in [
        ("KPI 1.1", lambda: kpi.compute_improved(2563, as_of)),
        ("KPI 1.2", lambda: kpi.compute_returned(2563, as_of)),
    ]:
        ms, result = timed(func, runs)
        print(f"{name:<38} {ms:8.1f} ms   ({result.numerator:,} / {result.denominator:,})")
    ms, _ = timed(both, runs)
    print(f"{'KPI 1.1 + 1.2 (FY2563)':<38} {ms:8.1f} ms", flush=True)
    ms, _ = timed(lambda: kpi.compute_improved(2563, dt.date(2020, 3, 31)), runs)
    print(f"{'KPI 1.1 as of 31 Mar 2563':<38} {ms:8.1f} ms", flush=True)

    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.set([Group.objects.get(name="manager")])
    staff, _ = User.objects.get_or_create(username="bench-staff")
    staff.groups.set([Group.objects.get(name="facility_staff")])
    for user in (manager, staff):
        Profile.objects.get_or_create(user=user)
    FacilityStaff.objects.update_or_create(
        user=staff, defaults={"facility": Facility.objects.get(code="BENCH-01")}
    )
    pages = [
        ("manager", "/shelters/", "list, page 1"),
        ("manager", "/shelters/?page=2000", "list, page 2000"),
        ("manager", "/shelters/?sort=-admitted_on", "list, by admission date"),
        ("manager", "/shelters/?q=ทดสอบ12345", "list, search by name"),
        ("manager", "/shelters/?status=in_care&target_group=beggar", "list, in care + beggar"),
        ("manager", "/shelters/?group=A", "list, current group A"),
        ("manager", "/shelters/?sort=current_group", "list, sorted by current group"),
        ("manager", kpi.list_url(kpi.IMPROVED, "BA", 2563, as_of), "list, drill-down B→A"),
        ("staff", "/shelters/", "list, one facility's staff"),
        ("manager", "/shelters/kpi/?year=2563", "KPI page per facility"),
    ]
    clients = {}
    for who, user in (("manager", manager), ("staff", staff)):
        clients[who] = Client()
        clients[who].force_login(user)
    for who, url, label in pages:
        client = clients[who]

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        ms, _ = timed(get, runs)
        print(f"{label:<38} {ms:8.1f} ms", flush=True)


if __name__ == "__main__":
    main()
