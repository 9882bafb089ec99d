"""Benchmark of the managers' dashboard and the year's KPI report at scale (not a test).

Uses the data generator of benchmarks/shelters_kpi.py (100,000 residents, 1,000,000 IRP
assessments over FY2561–FY2563) in a database of its own, then prints the median time of the
dashboard page (/reports/), of its data alone (reports.dashboard.build) and of the report
downloads, with the number of queries each takes.

    .venv/bin/python benchmarks/reports_dashboard.py                 # PostgreSQL
    .venv/bin/python benchmarks/reports_dashboard.py --db sqlite     # or SQLite
    .venv/bin/python benchmarks/reports_dashboard.py --regenerate    # rebuild the data

PostgreSQL: database ``kpi_reports_bench`` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created when missing. SQLite: /tmp/kpi_reports_bench.sqlite3. The data stay between runs.
Goal: the dashboard under 500 ms on PostgreSQL.
"""

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import run_per_database, shelters_bench, shelters_data  # noqa: E402

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kpi_reports_bench"
PG_URL = f"{PG_SERVER}/{DB_NAME}"
SQLITE_URL = "sqlite:////tmp/kpi_reports_bench.sqlite3"
GOAL_MS = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args)
        return
    run_per_database(__file__, args, PG_SERVER, DB_NAME, SQLITE_URL)


def run(args) -> None:
    shelters_data(args.regenerate)
    from django.db import connection

    measure(args.runs, connection)


def measure(runs: int, connection) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from core.models import Profile
    from indicators.models import IndicatorSet
    from reports import dashboard

    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.set([Group.objects.get(name="manager")])
    Profile.objects.get_or_create(user=manager)
    client = Client()
    client.force_login(manager)
    fy2563 = IndicatorSet.objects.get(agency_code="พส.", fiscal_year=2563)
    sets = list(IndicatorSet.objects.filter(agency_code="พส."))
    as_of = dt.date(2020, 9, 30)
    period = "?year=2563&as_of=2020-09-30"

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    board = dashboard.build(fy2563, as_of, sets)
    one = board.result.by_code("1.1")
    two = board.result.by_code("1.2")
    print(
        f"KPI 1.1 = {one.numerator:,} / {one.denominator:,}, KPI 1.2 = {two.numerator:,} / "
        f"{two.denominator:,}; total {board.result.total:.2f}",
        flush=True,
    )
    bench = shelters_bench()
    cases = [
        ("dashboard data (build)", lambda: dashboard.build(fy2563, as_of, sets)),
        ("dashboard page /reports/", get(f"/reports/{period}")),
        ("dashboard page, as of 31 Mar 2563", get("/reports/?year=2563&as_of=31/03/2563")),
        ("report page /reports/kpi-report/", get(f"/reports/kpi-report/{period}")),
        ("report .xlsx", get(f"/reports/kpi-report.xlsx{period}")),
        ("report .pdf", get(f"/reports/kpi-report.pdf{period}")),
    ]
    for label, func in cases:
        count = count_queries(connection, func)
        ms, _ = bench.timed(func, runs)
        flag = ""
        if label.startswith("dashboard page /reports/"):
            flag = "  OK (< 500 ms)" if ms < GOAL_MS else "  ABOVE the 500 ms goal"
        print(f"{label:<38} {ms:8.1f} ms  {count:3d} queries{flag}", flush=True)


def count_queries(connection, func) -> int:
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        func()
    return len(seen)


if __name__ == "__main__":
    main()
