"""Benchmark of the shelters list pages at scale, each beside hand-written SQL (not a test).

Uses the data generator of benchmarks/shelters_kpi.py (100,000 residents in 14 facilities,
1,000,000 IRP assessments over FY2561–FY2563) in a database of its own, then times through
Django's test client (full request: session, view, template) the resident list pages, a KPI
drill-down list and the per-facility KPI page. Beside each it times an anchor from the same
process and data: the hand-written SQL that fetches the same 25 rows with the count the page
shows (for the KPI page: the same per-facility counts), checks that the page lists exactly the
anchor's rows in the anchor's order, and prints the ratio page ÷ anchor. Median of --runs after
a warm-up; the machine's load (/proc/loadavg) before and after.

    .venv/bin/python benchmarks/shelters_pages.py                 # PostgreSQL
    .venv/bin/python benchmarks/shelters_pages.py --db sqlite     # or SQLite, or --db both
    .venv/bin/python benchmarks/shelters_pages.py --regenerate    # rebuild the data

PostgreSQL: database ``kpi_shelters_pages`` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
created when missing. SQLite: /tmp/kpi_shelters_pages.sqlite3. The data stay between runs.
Goal (issue 16): page 2,000, the drill-down and the KPI page each ≤ 50 ms on PostgreSQL.
"""

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import (  # noqa: E402
    count_queries,
    load,
    run_per_database,
    shelters_bench,
    shelters_data,
    shelters_users,
)

PG_SERVER = os.getenv("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "kpi_shelters_pages"
SQLITE_URL = "sqlite:////tmp/kpi_shelters_pages.sqlite3"
GOAL_MS = 50
PER_PAGE = 25
AS_OF = dt.date(2020, 9, 30)
YEAR_START = dt.date(2019, 10, 1)  # FY2563
RETURNED_REASONS = "('family', 'employment')"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["postgres", "sqlite", "both"], default="postgres")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        shelters_data(args.regenerate)
        measure(args.runs)
        return
    run_per_database(__file__, args, PG_SERVER, DB_NAME, SQLITE_URL)


# --- the anchors: hand-written SQL, the same on both databases -----------------------------------

# The latest assessment of resident r: from the summary the triggers keep when the schema has
# it (shelters_residentlatest, one row per resident), else from the assessments' index.
SUMMARY = {
    "join": "LEFT JOIN shelters_residentlatest l ON l.resident_id = r.id",
    "on": "l.last_on",
    "percent": "l.last_percent",
}
NO_SUMMARY = {
    "join": "",
    **{
        name: f"(SELECT a.{column} FROM shelters_assessment a WHERE a.resident_id = r.id"
        " ORDER BY a.assessed_on DESC LIMIT 1)"
        for name, column in (("on", "assessed_on"), ("percent", "percent"))
    },
}
LATEST = dict(NO_SUMMARY)  # set by measure()
DEFAULT_ORDER = "r.facility_id, r.case_number"

# The residents behind "B→A" of KPI 1.1 (FY2563 as of 30 Sep 2563): their latest assessment on
# or before D lies in the year and is group A, the one before it group B.
B_TO_A = f"""r.id IN (
    SELECT resident_id FROM (
        SELECT resident_id, assessed_on, percent,
               ROW_NUMBER() OVER w AS rn, LEAD(percent) OVER w AS prev
        FROM shelters_assessment WHERE assessed_on <= '{AS_OF}'
        WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)
    ) x
    WHERE rn = 1 AND prev IS NOT NULL AND assessed_on >= '{YEAR_START}'
          AND percent >= 80 AND prev > 40 AND prev < 80)"""


def anchor_page(where="1 = 1", params=(), order=DEFAULT_ORDER, page=1, one_pass=False):
    """(count, [(id, case number, name, facility code and name, national ID, target group,
    admitted, discharged, reason, latest date, latest percent)]) of one page: the count, then
    the page's ids and its 25 rows with their latest assessment. ``one_pass``: the count from
    the same query as the ids (COUNT(*) OVER ()), for a condition costly to evaluate twice."""
    from django.db import connection

    offset = (page - 1) * PER_PAGE
    where, order = where.format(**LATEST), order.format(**LATEST)
    residents = f"shelters_resident r {LATEST['join']}"
    # The default order is a unique key with its own index: page the key (an index-only
    # scan), then join the rows on it; any other order breaks ties by id and pages the ids.
    if order == DEFAULT_ORDER:
        key, tie, on = (
            "r.facility_id AS fid, r.case_number AS cn",
            "",
            "r.facility_id = p.fid AND r.case_number = p.cn",
        )
    else:
        key, tie, on = "r.id", ", r.id", "r.id = p.id"
    with connection.cursor() as cursor:
        if one_pass:
            ids = (
                f"SELECT {key}, COUNT(*) OVER () AS total FROM {residents} WHERE {where}"
                f" ORDER BY {order}{tie} LIMIT {PER_PAGE} OFFSET {offset}"
            )
        else:
            cursor.execute(f"SELECT COUNT(*) FROM {residents} WHERE {where}", params)
            count = cursor.fetchone()[0]
            ids = (
                f"SELECT {key} FROM {residents} WHERE {where}"
                f" ORDER BY {order}{tie} LIMIT {PER_PAGE} OFFSET {offset}"
            )
        cursor.execute(
            f"""SELECT r.id, r.case_number, r.full_name, f.code, f.name, r.national_id,
                       r.target_group, r.admitted_on, r.discharged_on, r.discharge_reason,
                       {LATEST["on"]}, {LATEST["percent"]}{", p.total" if one_pass else ""}
                FROM ({ids}) p
                JOIN shelters_resident r ON {on} {LATEST["join"]}
                JOIN shelters_facility f ON f.id = r.facility_id
                ORDER BY {order}{tie}""",
            params,
        )
        rows = cursor.fetchall()
    if one_pass:
        count = rows[0][-1] if rows else 0
    return count, rows


def anchor_kpi_counts():
    """{facility_id: (the ten counts of the KPI page)}: one grouped window query."""
    from django.db import connection

    pop11 = f"x.assessed_on >= '{YEAR_START}'"
    improved = "(x.percent >= 80 OR (x.percent > 40 AND x.prev <= 40))"
    in_year = f"r.discharged_on >= '{YEAR_START}' AND r.discharged_on <= '{AS_OF}'"
    pop12 = f"x.percent >= 80 AND ({pop11} OR ({in_year}))"
    returned = f"{in_year} AND r.discharge_reason IN {RETURNED_REASONS}"
    conditions = [
        pop11,
        f"{pop11} AND x.percent >= 80 AND x.prev >= 80",
        f"{pop11} AND x.percent >= 80 AND x.prev > 40 AND x.prev < 80",
        f"{pop11} AND x.percent >= 80 AND x.prev <= 40",
        f"{pop11} AND x.percent > 40 AND x.percent < 80 AND x.prev <= 40",
        f"{pop11} AND {improved}",
        f"{pop11} AND NOT {improved}",
        pop12,
        f"{pop12} AND {returned}",
        f"{pop12} AND NOT ({returned})",
    ]
    sums = ", ".join(f"SUM(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in conditions)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT r.facility_id, {sums}
                FROM (SELECT resident_id, assessed_on, percent,
                             ROW_NUMBER() OVER w AS rn, LEAD(percent) OVER w AS prev
                      FROM shelters_assessment WHERE assessed_on <= '{AS_OF}'
                      WINDOW w AS (PARTITION BY resident_id ORDER BY assessed_on DESC)) x
                JOIN shelters_resident r ON r.id = x.resident_id
                WHERE x.rn = 1 AND x.prev IS NOT NULL
                GROUP BY r.facility_id"""
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT id, code, name, is_demo FROM shelters_facility ORDER BY code")
        cursor.fetchall()
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


# --- the product -------------------------------------------------------------------------------

ROW_LINK = re.compile(r'<a href="/shelters/residents/(\d+)/">')
FOUND = re.compile(r"พบ ([\d,]+) คน")


def page_ids(html: str) -> tuple[int | None, list[int]]:
    found = FOUND.search(html)
    count = int(found.group(1).replace(",", "")) if found else None
    return count, [int(pk) for pk in ROW_LINK.findall(html)]


def paired(product, anchor, runs: int):
    """Medians of ``runs`` alternate runs of both after a warm-up of each (the load the machine
    carries then weighs on both alike): (product ms, product CPU ms of this process, anchor ms,
    product's result, anchor's result)."""
    results = [product(), anchor()]
    walls, cpus, anchors = [], [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        results[0] = product()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
        started = time.perf_counter()
        results[1] = anchor()
        anchors.append((time.perf_counter() - started) * 1000)
    median = statistics.median
    return median(walls), median(cpus), median(anchors), results[0], results[1]


def measure(runs: int) -> None:
    from django.db import connection
    from django.test import Client

    from shelters import kpi

    bench = shelters_bench()
    summary = "shelters_residentlatest" in connection.introspection.table_names()
    LATEST.update(SUMMARY if summary else NO_SUMMARY)
    manager, staff, facility = shelters_users()
    clients = {}
    for who, user in (("manager", manager), ("staff", staff)):
        clients[who] = Client()
        clients[who].force_login(user)
    like = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    search = f"(r.full_name {like} %s OR r.case_number {like} %s)"
    drill = kpi.list_url(kpi.IMPROVED, "BA", 2563, AS_OF)
    cases = [
        ("list, page 1", "manager", "/shelters/", {}),
        ("list, page 2000", "manager", "/shelters/?page=2000", {"page": 2000}),
        (
            "list, by admission date, page 40",
            "manager",
            "/shelters/?sort=-admitted_on&page=40",
            {"order": "r.admitted_on DESC", "page": 40},
        ),
        (
            "list, search by name",
            "manager",
            "/shelters/?q=ทดสอบ12345",
            {"where": search, "params": ["%ทดสอบ12345%"] * 2, "one_pass": True},
        ),
        (
            "list, in care + beggar, page 100",
            "manager",
            "/shelters/?status=in_care&target_group=beggar&page=100",
            {"where": "r.discharged_on IS NULL AND r.target_group = 'beggar'", "page": 100},
        ),
        (
            "list, current group A",
            "manager",
            "/shelters/?group=A",
            {"where": "{percent} >= 80", "one_pass": True},
        ),
        (
            "list, sorted by current group",
            "manager",
            "/shelters/?sort=current_group",
            {"order": "{percent}"},
        ),
        (
            "list, group A sorted by group, p. 50",
            "manager",
            "/shelters/?group=A&sort=-current_group&page=50",
            {
                "where": "{percent} >= 80",
                "order": "{percent} DESC",
                "page": 50,
                "one_pass": True,
            },
        ),
        ("list, drill-down B→A", "manager", drill, {"where": B_TO_A, "one_pass": True}),
        (
            "list, drill-down B→A, page 20",
            "manager",
            f"{drill}&page=20",
            {"where": B_TO_A, "one_pass": True, "page": 20},
        ),
        (
            "list, one facility's staff, page 100",
            "staff",
            "/shelters/?page=100",
            {"where": "r.facility_id = %s", "params": [facility.pk], "page": 100},
        ),
    ]
    print(f"load before: {load()}", flush=True)
    print(
        "anchors read the latest assessment from "
        + ("the summary table (shelters_residentlatest)" if summary else "the assessments"),
        flush=True,
    )
    print(
        f"{'page':<40} {'product':>9} {'(CPU)':>9} {'anchor':>9} {'ratio':>6} {'queries':>7}"
        "  same rows",
        flush=True,
    )
    for label, who, url, anchor in cases:
        client = clients[who]

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        def hand(anchor=anchor):
            return anchor_page(**anchor)

        queries = count_queries(get)
        ms, cpu, anchor_ms, response, (count, rows) = paired(get, hand, runs)
        shown_count, shown = page_ids(response.content.decode())
        same = shown_count == count and shown == [row[0] for row in rows]
        flag = "" if same else f"  DIFFERENT: page {shown_count} {shown[:3]}…, SQL {count}"
        print(
            f"{label:<40} {ms:6.1f} ms {cpu:6.1f} ms {anchor_ms:6.1f} ms {ms / anchor_ms:5.2f}×"
            f" {queries:7d}"
            f"  {'yes' if same else 'no'} ({count:,} found){flag}",
            flush=True,
        )

    # The KPI condition alone (helper "kpi"'s SQL): what the drill-down pays for it.
    raw = kpi.resident_ids(kpi.IMPROVED, "BA", 2563, AS_OF)

    def kpi_ids():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({raw.sql}) ids", raw.params)
            return cursor.fetchone()[0]

    ms, found = bench.timed(kpi_ids, runs)
    print(f"{'  of which kpi.resident_ids once (B→A)':<40} {ms:6.1f} ms  ({found:,} ids)")

    # The per-facility KPI page: the counts are kpi.counts_per_facility_all; the rest is the view.
    url = "/shelters/kpi/?year=2563&as_of=2020-09-30"

    def kpi_page():
        response = clients["manager"].get(url)
        assert response.status_code == 200
        return response

    queries = count_queries(kpi_page)
    ms, cpu, anchor_ms, _, anchor = paired(kpi_page, anchor_kpi_counts, runs)
    counts_ms, counts = bench.timed(lambda: kpi.counts_per_facility_all(2563, AS_OF), runs)
    product = {
        pk: tuple(counts[kpi.IMPROVED][pk][c] for c in kpi.CONDITIONS[kpi.IMPROVED])
        + tuple(counts[kpi.RETURNED][pk][c] for c in kpi.CONDITIONS[kpi.RETURNED])
        for pk in counts[kpi.IMPROVED]
    }
    same = product == anchor
    print(
        f"{'KPI page per facility':<40} {ms:6.1f} ms {cpu:6.1f} ms {anchor_ms:6.1f} ms"
        f" {ms / anchor_ms:5.2f}× {queries:7d}  {'yes' if same else 'NO: counts differ'}",
        flush=True,
    )
    print(f"{'  of which counts_per_facility_all':<40} {counts_ms:6.1f} ms")
    # The view's own part (facility rows, links, template): the page with the counts given.
    with mock.patch.object(kpi, "counts_per_facility_all", lambda year, as_of: counts):
        view_ms, view_cpu, _, _, _ = paired(kpi_page, lambda: None, runs)
        view_queries = count_queries(kpi_page)
    print(
        f"{'  the page with the counts given':<40} {view_ms:6.1f} ms {view_cpu:6.1f} ms"
        f" {'':>9} {'':>6} {view_queries:7d}",
        flush=True,
    )
    print(f"load after: {load()}", flush=True)


if __name__ == "__main__":
    main()
