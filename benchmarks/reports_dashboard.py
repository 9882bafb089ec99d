"""Benchmark of the managers' dashboard, the indicators page and the year's KPI report at scale
(not a test).

Uses the data generator of benchmarks/shelters_kpi.py (100,000 residents, 1,000,000 IRP
assessments over FY2561–FY2563) in a database of its own, then times, through the test client as
a manager, the dashboard (/reports/), the indicators page (/indicators/) and the report (page,
.xlsx, .pdf), beside the dashboard's data alone (``reports.dashboard.build``).

Each figure is printed with its anchor from the same run: the floor of the page, the same
indicators computed by calling the registered KPI functions directly, in one shared pass
(``registry.shared_results``; each computation the set names, once, for every set the page
evaluates: the dashboard also evaluates each earlier year's set at its year end). The product and
the anchor are timed in alternation (runs interleaved, so both see the same load); the line shows
both medians, their ratio, the difference (what the page costs above its computations), the
page's query count and the machine's load average.

    .venv/bin/python benchmarks/reports_dashboard.py                 # PostgreSQL
    .venv/bin/python benchmarks/reports_dashboard.py --db sqlite     # or SQLite, or --db both
    .venv/bin/python benchmarks/reports_dashboard.py --regenerate    # rebuild the data

PostgreSQL: database ``kpi_reports_bench`` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created when missing. SQLite: /tmp/kpi_reports_bench.sqlite3. The data stay between runs.
Goal (issue 16): /reports/ and /indicators/ ≤ 500 ms on SQLite (and on PostgreSQL).
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import count_queries, load, run_per_database, shelters_data  # noqa: E402

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kpi_reports_bench"
PG_URL = f"{PG_SERVER}/{DB_NAME}"
SQLITE_URL = "sqlite:////tmp/kpi_reports_bench.sqlite3"
GOAL_MS = 500
GOAL_PAGES = ("/reports/", "/indicators/")


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
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # no query log: time what production runs
    measure(args.runs, connection)


def anchor_for(evaluated: list[tuple]):
    """The floor of a page that evaluates ``evaluated`` [(set, as_of), …]: each computation the
    sets' indicators name, called directly once per (set, as_of), all in one shared pass."""
    from indicators import registry
    from indicators.models import Indicator

    calls = []
    for indicator_set, as_of in evaluated:
        keys = (
            Indicator.objects.filter(indicator_set=indicator_set)
            .exclude(computation="")
            .values_list("computation", flat=True)
        )
        for key in sorted(set(keys)):
            comp = registry.get(key)
            if comp is not None:
                calls.append((comp.compute, indicator_set.fiscal_year, as_of))

    def anchor():
        with registry.shared_results():
            return [compute(year, as_of) for compute, year, as_of in calls]

    return anchor


def interleaved(product, anchor, runs: int) -> tuple[float, float]:
    """Medians (ms) of ``runs`` alternated timings of product and anchor, after a warm-up."""
    product()
    anchor()
    times: dict[str, list[float]] = {"product": [], "anchor": []}
    for i in range(runs):
        order = [("product", product), ("anchor", anchor)]
        for name, func in order if i % 2 == 0 else order[::-1]:
            started = time.perf_counter()
            func()
            times[name].append((time.perf_counter() - started) * 1000)
    return statistics.median(times["product"]), statistics.median(times["anchor"])


def measure(runs: int, connection) -> None:
    from django.contrib.auth.models import Group, User
    from django.db import transaction
    from django.test import Client

    from core.models import Profile
    from core.thaidate import default_as_of
    from indicators.models import IndicatorSet
    from indicators.services import copy_set
    from reports import dashboard

    manager, _ = User.objects.get_or_create(username="bench-manager")
    manager.groups.set([Group.objects.get(name="manager")])
    Profile.objects.get_or_create(user=manager)
    client = Client()
    client.force_login(manager)
    fy2563 = IndicatorSet.objects.get(agency_code="พส.", fiscal_year=2563)
    sets = list(IndicatorSet.objects.filter(agency_code="พส."))
    as_of, march = dt.date(2020, 9, 30), dt.date(2020, 3, 31)
    period = "?year=2563&as_of=2020-09-30"

    def get(url):
        def fetch():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        return fetch

    def dashboard_sets(day):
        """What the dashboard evaluates: the year as of ``day``, each earlier year at its end."""
        earlier = [
            (s, default_as_of(s.fiscal_year))
            for s in sorted(sets, key=lambda s: s.fiscal_year)
            if s.fiscal_year < fy2563.fiscal_year and s.agency_code == fy2563.agency_code
        ]
        return [*earlier, (fy2563, day)]

    board = dashboard.build(fy2563, as_of, sets)
    one, two = board.result.by_code("1.1"), board.result.by_code("1.2")
    print(
        f"KPI 1.1 = {one.numerator:,} / {one.denominator:,}, KPI 1.2 = {two.numerator:,} / "
        f"{two.denominator:,}; total {board.result.total:.2f}; sets evaluated by the dashboard: "
        f"{', '.join(str(s.fiscal_year) for s, _ in dashboard_sets(as_of))}",
        flush=True,
    )
    year_only = anchor_for([(fy2563, as_of)])
    cases = [
        ("dashboard data (build)", lambda: dashboard.build(fy2563, as_of, sets), None),
        ("/reports/", get(f"/reports/{period}"), anchor_for(dashboard_sets(as_of))),
        ("/reports/ as of 31 Mar 2563", get("/reports/?year=2563&as_of=31/03/2563"), None),
        ("/indicators/", get(f"/indicators/{period}"), year_only),
        ("/indicators/ as of 31 Mar 2563", get("/indicators/?year=2563&as_of=31/03/2563"), None),
        ("/reports/kpi-report/", get(f"/reports/kpi-report/{period}"), year_only),
        ("report .xlsx", get(f"/reports/kpi-report.xlsx{period}"), year_only),
        ("report .pdf", get(f"/reports/kpi-report.pdf{period}"), year_only),
    ]
    anchors = {
        "dashboard data (build)": anchor_for(dashboard_sets(as_of)),
        "/reports/ as of 31 Mar 2563": anchor_for(dashboard_sets(march)),
        "/indicators/ as of 31 Mar 2563": anchor_for([(fy2563, march)]),
    }
    print(
        f"{'':<32} {'product':>9} {'anchor':>9} {'ratio':>6} {'above':>8} {'queries':>7}  load",
        flush=True,
    )
    for label, func, anchor in cases:
        anchor = anchor or anchors[label]
        count = count_queries(func)
        product_ms, anchor_ms = interleaved(func, anchor, runs)
        flag = ""
        if label in GOAL_PAGES:
            flag = f"  {'OK' if product_ms <= GOAL_MS else 'ABOVE'} (goal ≤ {GOAL_MS} ms)"
        line(label, product_ms, anchor_ms, count, flag)
    # A later year's dashboard also evaluates the years before it (FY2564 shows FY2563's
    # result in its trend): the same page with FY2562's set held (a copy, rolled back).
    with transaction.atomic():
        if not any(s.fiscal_year == 2562 for s in sets):
            copy_set(fy2563, 2562)
        sets[:] = list(IndicatorSet.objects.filter(agency_code="พส."))
        label = "/reports/ with FY2562 held"
        func = get(f"/reports/{period}")
        count = count_queries(func)
        product_ms, anchor_ms = interleaved(func, anchor_for(dashboard_sets(as_of)), runs)
        line(label, product_ms, anchor_ms, count)
        transaction.set_rollback(True)


def line(label: str, product_ms: float, anchor_ms: float, count: int, flag: str = "") -> None:
    print(
        f"{label:<32} {product_ms:6.1f} ms {anchor_ms:6.1f} ms {product_ms / anchor_ms:5.2f}× "
        f"{product_ms - anchor_ms:5.1f} ms {count:7d}  {load()}{flag}",
        flush=True,
    )


if __name__ == "__main__":
    main()
