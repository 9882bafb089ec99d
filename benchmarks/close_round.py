"""Benchmark of closing a reporting round at scale (not a test).

Uses the data generator of benchmarks/shelters_kpi.py (100,000 residents, 1,000,000 IRP
assessments over FY2561–FY2563) in a database of its own, writes a submitted narrative for every
FY2563 indicator, then closes the 12-month round (as of 30 Sep 2563) and the 6-month round
(31 Mar 2563) several times — reopening in between, as an admin would — and prints the median
time of ``reporting.services.close_round`` (the evaluation, the per-facility figures, the
snapshot's writes, in one transaction), the query count, and the time of the closed round's page.

Beside it, from the same run, its anchor: the floor of closing, the same figures computed by
calling the registered KPI functions and per-unit sources (``reporting.units``) directly, each
once, in one shared pass (``registry.shared_results``); product and anchor are timed in
alternation, and the line shows both medians, the ratio and the machine's load average.

    .venv/bin/python benchmarks/close_round.py                 # PostgreSQL
    .venv/bin/python benchmarks/close_round.py --db sqlite     # or SQLite
    .venv/bin/python benchmarks/close_round.py --regenerate    # rebuild the data

PostgreSQL: database ``kpi_rounds_bench`` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created when missing. SQLite: /tmp/kpi_rounds_bench.sqlite3. The data stay between runs.
Goal (issue 16): closing ≤ 5 s at 1,000,000 assessments, on PostgreSQL and on SQLite.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import load, run_per_database, shelters_data  # noqa: E402

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kpi_rounds_bench"
SQLITE_URL = "sqlite:////tmp/kpi_rounds_bench.sqlite3"
GOAL_MS = 5000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run(args)
        return
    run_per_database(__file__, args, PG_SERVER, DB_NAME, SQLITE_URL)


def run(args) -> None:
    shelters_data(args.regenerate)
    measure(args.runs)


def _prepare():
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from core.models import Profile
    from indicators.models import IndicatorSet
    from reporting import services
    from reporting.models import Narrative, NarrativeStatus, Round

    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"first_name": "ผู้ดูแล"})
    admin.groups.set([Group.objects.get(name="admin")])
    Profile.objects.get_or_create(user=admin)
    indicator_set = IndicatorSet.objects.get(agency_code="พส.", fiscal_year=2563)
    rounds = list(Round.objects.filter(indicator_set=indicator_set).order_by("-as_of"))
    for round_ in rounds:
        for indicator in services.reporting_indicators(indicator_set):
            Narrative.objects.update_or_create(
                round=round_,
                indicator=indicator,
                defaults={
                    "result_text": "ผลการดำเนินงาน (ทดสอบประสิทธิภาพ)",
                    "status": NarrativeStatus.SUBMITTED,
                    "created_by": admin,
                    "updated_by": admin,
                    "submitted_by": admin,
                    "submitted_at": timezone.now(),
                },
            )
    return admin, rounds


def anchor_for(indicator_set, as_of):
    """Closing's floor: each computation the set names and each per-unit source, called once."""
    from indicators import registry
    from reporting import units

    keys = sorted({i.computation for i in indicator_set.indicators.all() if i.computation})
    computations = [registry.get(k).compute for k in keys if registry.get(k)]
    sources = [units.get(k).func for k in keys if units.get(k)]
    year = indicator_set.fiscal_year

    def anchor():
        with registry.shared_results():
            return [func(year, as_of) for func in [*computations, *sources]]

    return anchor


def _reopen(round_, admin) -> None:
    from django.db import transaction

    from reporting import services
    from reporting.models import Round

    with transaction.atomic():
        locked = Round.objects.select_for_update().get(pk=round_.pk)
        if locked.is_closed:
            services.reopen_round(locked, admin, "ทดสอบประสิทธิภาพ")


def measure(runs: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from reporting import services
    from reporting.models import Snapshot

    admin, rounds = _prepare()
    client = Client()
    client.force_login(admin)
    for round_ in rounds:
        _reopen(round_, admin)
        Snapshot.objects.filter(round=round_).delete()  # the benchmark's own, from earlier runs
        anchor = anchor_for(round_.indicator_set, round_.as_of)
        anchor()  # warm-up
        times, anchor_times = [], []
        snapshot = None
        for i in range(runs + 1):  # the first one warms up
            if i % 2:
                anchor_times.append(_timed(anchor))
            started = time.perf_counter()
            snapshot = services.close_round(round_.pk, admin)
            times.append((time.perf_counter() - started) * 1000)
            _reopen(round_, admin)
            if i and not i % 2:
                anchor_times.append(_timed(anchor))
        median = statistics.median(times[1:])
        anchor_ms = statistics.median(anchor_times)
        with CaptureQueriesContext(connection) as queries:
            snapshot = services.close_round(round_.pk, admin)
        row = snapshot.rows.get(code="1.1")
        verdict = "OK" if median <= GOAL_MS else "ABOVE"
        print(
            f"close {round_.name} (as of {round_.as_of}): median {median:,.0f} ms of {runs} "
            f"(min {min(times[1:]):,.0f}, max {max(times[1:]):,.0f}), anchor {anchor_ms:,.0f} ms, "
            f"ratio {median / anchor_ms:.2f}×, {len(queries)} queries, load {load()}; "
            f"1.1 = {row.numerator:,.0f} / {row.denominator:,.0f}, "
            f"{len(row.units.get('items', []))} facilities  [{verdict}: goal ≤ {GOAL_MS:,} ms]",
            flush=True,
        )
        page_times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(f"/reporting/rounds/{round_.pk}/")
            page_times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"closed round page {round_.name}: median {statistics.median(page_times):,.0f} ms, "
            f"load {load()}",
            flush=True,
        )
    for round_ in rounds:  # leave the rounds open, their snapshots superseded
        _reopen(round_, admin)


def _timed(func) -> float:
    started = time.perf_counter()
    func()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
