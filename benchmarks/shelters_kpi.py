"""Benchmark of KPI 1.1 + 1.2 and of the resident list at scale (not a test).

Generates 100,000 residents with 1,000,000 IRP assessments over FY2561–FY2563 in a database of
its own, then prints the median time of KPI 1.1 + 1.2 as the app runs them (both indicators in
one ``registry.shared`` pass of an evaluation) beside hand-written anchors from the same run,
and the ratio product / anchor; then the KPI page and resident list pages.

    .venv/bin/python benchmarks/shelters_kpi.py                 # PostgreSQL, then SQLite
    .venv/bin/python benchmarks/shelters_kpi.py --db postgres   # or --db sqlite
    .venv/bin/python benchmarks/shelters_kpi.py --regenerate    # rebuild the data
    .venv/bin/python benchmarks/shelters_kpi.py --years 10      # + 10 years at the same volume

Anchors: PostgreSQL, one hand-written window query over every assessment on or before D (both
indicators' counts); SQLite, per-resident top-2 index probes; on both, a hand-written query of
the summary table (``ResidentLatest``), the floor for any SQL reading it.

PostgreSQL: database ``kpi_shelters_bench`` (``kpi_shelters_bench10`` for 10 years) on $BENCH_PG
(default postgres://postgres@127.0.0.1:5432), created when missing, loaded with COPY. SQLite:
/tmp/kpi_shelters_bench.sqlite3 (…bench10…), loaded with executemany. The data stay between
runs, so a second run only times. The triggers keep the summary during the load.
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

from _fresh import load, run_per_database, shelters_users  # noqa: E402

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_URL = f"{PG_SERVER}/kpi_shelters_bench"
SQLITE_URL = "sqlite:////tmp/kpi_shelters_bench.sqlite3"
RESIDENTS = 100_000
ASSESSMENTS = 1_000_000
FIRST_DAY = dt.date(2017, 10, 1)  # FY2561
LAST_DAY = dt.date(2020, 9, 30)  # FY2563
YEARS = 3


def scale(years: int) -> tuple[int, int, dt.date]:
    """Residents, assessments and first day for ``years`` fiscal years ending FY2563, at the
    3-year data set's yearly volume."""
    return (
        RESIDENTS * years // YEARS,
        ASSESSMENTS * years // YEARS,
        dt.date(LAST_DAY.year - years, 10, 1),
    )


REASONS = ["family", "employment", "transfer", "death", "absconded", "other"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--years", type=int, default=YEARS, choices=[YEARS, 10])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args)
        return
    run_years(args, YEARS)
    if args.years != YEARS:
        run_years(args, args.years)
        print_years(args)


def _results_path(db: str, years: int) -> Path:
    return Path(f"/tmp/kpi_shelters_bench_{db}_{years}y.json")


def run_years(args, years: int) -> None:
    suffix = "" if years == YEARS else str(years)
    os.environ["BENCH_YEARS"] = str(years)
    run_per_database(
        __file__, args, PG_SERVER, f"kpi_shelters_bench{suffix}",
        f"sqlite:////tmp/kpi_shelters_bench{suffix}.sqlite3",
    )  # fmt: skip


def print_years(args) -> None:
    import json

    print(f"\n== the latest year beside the archive (FY2563 as of 30 Sep 2563), load {load()}")
    for db in ["postgres", "sqlite"] if args.db == "both" else [args.db]:
        three = json.loads(_results_path(db, YEARS).read_text())
        ten = json.loads(_results_path(db, args.years).read_text())
        for label in ("KPI 1.1 + 1.2 (FY2563)", "KPI page per facility", "list, drill-down B→A"):
            if label in three and label in ten:
                print(
                    f"{db:<9} {label:<28} {YEARS} years {three[label]:8.1f} ms   "
                    f"{args.years} years {ten[label]:8.1f} ms   ratio {ten[label] / three[label]:.2f}"
                )


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

    years = int(os.environ.get("BENCH_YEARS", YEARS))
    residents, assessments, _first = scale(years)
    print(
        f"\n== {connection.vendor} ({connection.settings_dict['NAME']}), {years} years",
        flush=True,
    )
    call_command("migrate", verbosity=0)
    from shelters.models import Assessment, Resident

    have = (Resident.objects.count(), Assessment.objects.count())
    if args.regenerate or have != (residents, assessments):
        started = time.perf_counter()
        generate(connection, years)
        print(
            f"generated {residents:,} residents, {assessments:,} assessments "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
    else:
        print(f"reusing {have[0]:,} residents, {have[1]:,} assessments", flush=True)
    results = measure(args.runs)
    import json

    _results_path(args.db, years).write_text(json.dumps(results))


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


def rows(years: int = YEARS):
    """Residents and exactly their number of assessments, ~every 100 days from admission."""
    RESIDENTS, ASSESSMENTS, FIRST_DAY = scale(years)  # noqa: N806 - the module's names, scaled
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


def generate(connection, years: int = YEARS) -> None:
    """Load the data; the triggers on the assessments fill the summary (ResidentLatest) as the
    rows arrive (one set-based step for the COPY on PostgreSQL, row triggers on SQLite)."""
    residents, assessments = rows(years)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM shelters_assessment")
        cursor.execute(
            "DELETE FROM shelters_resident WHERE facility_id IN "
            "(SELECT id FROM shelters_facility WHERE code LIKE 'BENCH-%%')"
        )
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cur:
            cur.execute("SET statement_timeout = 0")  # the 10-year COPY outlasts the app's limit
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
            cursor.execute("VACUUM ANALYZE shelters_residentlatest")
    else:
        from django.db import transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO shelters_resident ({RES_COLS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                residents,
            )
            for start in range(0, len(assessments), 100_000):  # fires the row triggers
                cursor.executemany(
                    f"INSERT INTO shelters_assessment ({ASS_COLS}) VALUES (%s,%s,%s,%s,'')",
                    [(i, r, d, f"{p:.2f}") for i, r, d, p in assessments[start : start + 100_000]],
                )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def alternated(funcs: list, runs: int) -> list[tuple[float, object]]:
    """(median ms, result) of each of ``funcs``, run in turn ``runs`` times after a warm-up of
    each: on a shared machine a product and its anchors then see the same load."""
    results = [func() for func in funcs]
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(runs):
        for i, func in enumerate(funcs):
            started = time.perf_counter()
            results[i] = func()
            times[i].append((time.perf_counter() - started) * 1000)
    return [(statistics.median(t), r) for t, r in zip(times, results, strict=True)]


def timed(func, runs: int) -> tuple[float, object]:
    """(median ms, result) of ``func`` after a warm-up."""
    return alternated([func], runs)[0]


REASONS_SQL = "('family', 'employment')"


def _counts_sql(last: str, prev: str, last_on: str, discharged_on: str, reason: str) -> str:
    """Both indicators' population and numerator (4 counts) over rows naming the latest
    percent, the previous percent, the latest date and the discharge (hand-written)."""
    in_year = f"{discharged_on} >= %(start)s AND {discharged_on} <= %(d)s"
    pop12 = f"{last} >= 80 AND ({last_on} >= %(start)s OR ({in_year}))"
    return f"""
        SUM(CASE WHEN {last_on} >= %(start)s THEN 1 ELSE 0 END),
        SUM(CASE WHEN {last_on} >= %(start)s AND ({last} >= 80 OR ({last} > 40 AND {prev} <= 40))
                 THEN 1 ELSE 0 END),
        SUM(CASE WHEN {pop12} THEN 1 ELSE 0 END),
        SUM(CASE WHEN {pop12} AND {in_year} AND {reason} IN {REASONS_SQL} THEN 1 ELSE 0 END)"""


# The window over every assessment on or before D, both indicators in one query (the issue's
# PostgreSQL anchor).
WINDOW_ANCHOR = f"""
    SELECT {
    _counts_sql(
        "x.percent", "x.prev_percent", "x.assessed_on", "r.discharged_on", "r.discharge_reason"
    )
}
    FROM (SELECT resident_id, assessed_on, percent,
                 ROW_NUMBER() OVER w AS rn, LEAD(percent) OVER w AS prev_percent
          FROM shelters_assessment WHERE assessed_on <= %(d)s
          WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)) x
    JOIN shelters_resident r ON r.id = x.resident_id
    WHERE x.rn = 1 AND x.prev_percent IS NOT NULL"""

# Per resident, the top two on or before D by index probes (the SQLite anchor).
_PROBE = (
    "(SELECT a.{col} FROM shelters_assessment a WHERE a.resident_id = r.id "
    "AND a.assessed_on <= %(d)s ORDER BY a.assessed_on DESC LIMIT 1 OFFSET {n})"
)
PROBES_ANCHOR = f"""
    SELECT {_counts_sql("p1", "p2", "d1", "discharged_on", "discharge_reason")}
    FROM (SELECT r.id, r.discharged_on, r.discharge_reason,
                 {_PROBE.format(col="assessed_on", n=0)} AS d1,
                 {_PROBE.format(col="percent", n=0)} AS p1,
                 {_PROBE.format(col="percent", n=1)} AS p2
          FROM shelters_resident r) t
    WHERE p2 IS NOT NULL"""

# The summary read by hand: valid as of a D on or after every assessment (the floor of any SQL
# reading the summary; it does not handle a D in the past).
SUMMARY_ANCHOR = f"""
    SELECT {
    _counts_sql("last_percent", "prev_percent", "last_on", "discharged_on", "discharge_reason")
}
    FROM shelters_residentlatest
    WHERE prev_on IS NOT NULL AND last_on <= %(d)s
      AND (last_on >= %(start)s OR (discharged_on >= %(start)s AND discharged_on <= %(d)s))"""


def _sql(query: str, start: dt.date, d: dt.date):
    from django.db import connection

    def run_it():
        with connection.cursor() as cursor:
            cursor.execute(query, {"start": start, "d": d})
            return tuple(int(v or 0) for v in cursor.fetchone())

    return run_it


def measure(runs: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    from indicators import registry
    from shelters import kpi

    results: dict[str, float] = {}
    start = dt.date(2019, 10, 1)

    def both(as_of):
        def evaluation():
            # As an evaluation runs them (the dashboard, a round's closing): one shared pass.
            with registry.shared_results():
                a = kpi.compute_improved(2563, as_of)
                b = kpi.compute_returned(2563, as_of)
            return (a.denominator, a.numerator, b.denominator, b.numerator)

        return evaluation

    summary_anchor = SUMMARY_ANCHOR
    if connection.vendor == "sqlite":  # a scan in table order beats the index there
        for column in ("AND last_on", "(last_on", "(discharged_on"):
            summary_anchor = summary_anchor.replace(
                column, column.replace("(", "(+").replace(" l", " +l")
            )
    anchors = [("summary table, by hand", summary_anchor)]
    if connection.vendor == "postgresql":
        anchors.insert(0, ("window over assessments <= D", WINDOW_ANCHOR))
    else:
        anchors.insert(0, ("top-2 index probes per resident", PROBES_ANCHOR))
    print(f"load {load()}", flush=True)
    for label, as_of in [
        ("KPI 1.1 + 1.2 (FY2563)", dt.date(2020, 9, 30)),
        ("KPI 1.1 + 1.2 as of 31 Mar 2563", dt.date(2020, 3, 31)),
    ]:
        # The by-hand summary read is right only for a D after every assessment.
        these = [
            (anchor_label, query)
            for anchor_label, query in anchors
            if query is not summary_anchor or as_of == dt.date(2020, 9, 30)
        ]
        (ms, counts), *anchor_runs = alternated(
            [both(as_of)] + [_sql(query, start, as_of) for _, query in these], runs
        )
        results[label] = ms
        print(f"{label:<38} {ms:8.1f} ms   (1.1 {counts[1]:,}/{counts[0]:,}, "
              f"1.2 {counts[3]:,}/{counts[2]:,})", flush=True)  # fmt: skip
        for (anchor_label, _query), (anchor_ms, anchor_counts) in zip(
            these, anchor_runs, strict=True
        ):
            assert anchor_counts == counts, (anchor_label, anchor_counts, counts)
            print(
                f"  anchor: {anchor_label:<30} {anchor_ms:8.1f} ms   ratio {ms / anchor_ms:5.2f}",
                flush=True,
            )
    print(f"load {load()}", flush=True)

    manager, staff, _facility = shelters_users()
    as_of = dt.date(2020, 9, 30)
    pages = [
        ("manager", "/shelters/kpi/?year=2563", "KPI page per facility"),
        ("manager", kpi.list_url(kpi.IMPROVED, "BA", 2563, as_of), "list, drill-down B→A"),
        (
            "manager",
            kpi.list_url(kpi.RETURNED, "returned", 2563, as_of),
            "list, drill-down returned",
        ),
        ("manager", "/shelters/", "list, page 1"),
        ("manager", "/shelters/?page=2000", "list, page 2000"),
        ("manager", "/shelters/?sort=-admitted_on", "list, by admission date"),
        ("manager", "/shelters/?q=ทดสอบ12345", "list, search by name"),
        ("manager", "/shelters/?status=in_care&target_group=beggar", "list, in care + beggar"),
        ("manager", "/shelters/?group=A", "list, current group A"),
        ("manager", "/shelters/?sort=current_group", "list, sorted by current group"),
        ("staff", "/shelters/", "list, one facility's staff"),
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
        results[label] = ms
        print(f"{label:<38} {ms:8.1f} ms", flush=True)
    # The page's own query, apart from the request around it.
    ms, _ = timed(lambda: kpi.counts_per_facility_all(2563, as_of), runs)
    print(f"{'  (its query: counts_per_facility_all)':<38} {ms:8.1f} ms", flush=True)
    print(f"load {load()}", flush=True)
    return results


if __name__ == "__main__":
    main()
