"""Benchmark of the public status lookup (KPI 3.2's JSON web service) behind gunicorn.

Loads 150,000 subsidy applications (with their step history) into a separate PostgreSQL
database, starts gunicorn on 127.0.0.1 only with that database, drives POST /subsidies/api/status/
with a bounded number of successful lookups from a few processes × threads, and prints
requests/s and latency percentiles. Goal: ≥ 300 lookups/s with p95 < 50 ms on 2 cores.

    .venv/bin/python benchmarks/subsidies_lookup.py                 # load, run, keep the DB
    .venv/bin/python benchmarks/subsidies_lookup.py --reuse         # skip the load
    .venv/bin/python benchmarks/subsidies_lookup.py --drop          # drop the DB at the end

Only loopback is used; nothing listens on another interface. Every lookup is a right pair, so
the throttle of failed lookups never trips (the script checks it did not).
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
PATH = "/subsidies/api/status/"


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--server-url", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server"
    )
    p.add_argument("--db", default="kpi_subsidies_bench", help="database to create and load")
    p.add_argument("--rows", type=int, default=150_000)
    p.add_argument("--requests", type=int, default=6000, help="total lookups (bounded)")
    p.add_argument("--processes", type=int, default=2, help="client processes")
    p.add_argument("--threads", type=int, default=2, help="threads per client process")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--reuse", action="store_true", help="keep the loaded database, skip the load")
    p.add_argument("--drop", action="store_true", help="drop the database at the end")
    return p.parse_args()


def admin_connect(server_url: str):
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(f"{server_url}/postgres")
    return psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
        dbname="postgres", autocommit=True,
    )  # fmt: skip


def database_exists(server_url: str, name: str) -> bool:
    with admin_connect(server_url) as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def recreate_database(server_url: str, name: str) -> None:
    with admin_connect(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(server_url: str, name: str) -> None:
    with admin_connect(server_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpitracker.settings")
    import django

    django.setup()


def load(rows: int) -> None:
    """Applications spread over FY2563 in every step, each with its history entries."""
    import datetime as dt

    from django.core.management import call_command
    from django.db import connection

    from core.models import Province
    from core.nationalid import make_valid
    from subsidies.models import Application, Decision, StepEntry, SubsidyType, new_reference

    call_command("migrate", verbosity=0)
    provinces = list(Province.objects.values_list("id", flat=True))
    rng = random.Random(2563)
    types = list(SubsidyType.values)
    start = dt.date(2019, 10, 1)
    batch = 10_000
    refs: set[str] = set()
    t0 = time.perf_counter()
    for offset in range(0, rows, batch):
        apps, plans = [], []
        for i in range(offset, min(offset + batch, rows)):
            ref = new_reference()
            while ref in refs:
                ref = new_reference()
            refs.add(ref)
            received = start + dt.timedelta(days=rng.randrange(0, 330))
            step = rng.choice([1, 2, 2, 3, 3, 4, 4, 5, 5, 5])
            decision = ""
            if step >= 4:
                decision = (
                    Decision.APPROVED if step == 5 or rng.random() < 0.8 else Decision.NOT_APPROVED
                )
            apps.append(
                Application(
                    reference=ref,
                    first_name=f"ผู้ยื่น{i}",
                    last_name="ทดสอบสมรรถนะ",
                    national_id=make_valid(f"5{i:011d}"),
                    province_id=rng.choice(provinces),
                    subsidy_type=rng.choice(types),
                    amount_requested=3000,
                    received_on=received,
                    step=step,
                    decision=decision,
                    step_on=received + dt.timedelta(days=3 * step),
                    is_demo=True,
                )  # fmt: skip
            )
            plans.append((received, step, decision))
        Application.objects.bulk_create(apps, batch_size=batch)
        entries = [
            StepEntry(
                application_id=app.pk,
                step=s,
                acted_on=received + dt.timedelta(days=3 * s),
                decision=decision if s == 4 else "",
                note="benchmark",
            )  # fmt: skip
            for app, (received, step, decision) in zip(apps, plans, strict=True)
            for s in range(1, step + 1)
        ]
        StepEntry.objects.bulk_create(entries, batch_size=batch)
        print(f"  loaded {offset + len(apps):,} applications", end="\r", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  loaded {rows:,} applications in {time.perf_counter() - t0:.1f} s" + " " * 10)


def sample_pairs(n: int) -> list[tuple[str, str]]:
    from subsidies.models import Application

    ids = list(Application.objects.values_list("id", flat=True))
    chosen = random.Random(1).sample(ids, min(n, len(ids)))
    return list(Application.objects.filter(id__in=chosen).values_list("reference", "national_id"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
    }
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "kpitracker.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--log-level", "warning", "--chdir", str(ROOT),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def one_lookup(port: int, ref: str, nid: str) -> tuple[float, int]:
    body = json.dumps({"reference": ref, "national_id": nid})
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("POST", PATH, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    conn.close()
    return time.perf_counter() - t0, response.status


def client_process(port: int, pairs: list, count: int, threads: int, out: mp.Queue) -> None:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    per_thread = [count // threads + (1 if i < count % threads else 0) for i in range(threads)]

    def run(n: int, seed: int) -> None:
        rng = random.Random(seed)
        mine, codes = [], {}
        for _ in range(n):
            ref, nid = rng.choice(pairs)
            elapsed, status = one_lookup(port, ref, nid)
            mine.append(elapsed)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    workers = [
        threading.Thread(target=run, args=(n, os.getpid() * 100 + i))
        for i, n in enumerate(per_thread)
    ]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    out.put((latencies, statuses))


def drive(port: int, pairs: list, total: int, processes: int, threads: int):
    queue: mp.Queue = mp.Queue()
    shares = [total // processes + (1 if i < total % processes else 0) for i in range(processes)]
    procs = [
        mp.Process(target=client_process, args=(port, pairs, n, threads, queue)) for n in shares
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    latencies = sorted(lat for lats, _ in results for lat in lats)
    statuses: dict[int, int] = {}
    for _, codes in results:
        for k, v in codes.items():
            statuses[k] = statuses.get(k, 0) + v
    return wall, latencies, statuses


def percentile(sorted_values: list[float], pct: float) -> float:
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> None:
    args = parse_args()
    database_url = f"{args.server_url}/{args.db}"
    if args.reuse and database_exists(args.server_url, args.db):
        print(f"reusing database {args.db}")
        django_setup(database_url)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        print(f"creating database {args.db} and loading {args.rows:,} applications")
        recreate_database(args.server_url, args.db)
        django_setup(database_url)
        load(args.rows)
    from django.db import connection

    from subsidies.models import Application, LookupThrottle, StatusCheck

    loaded = Application.objects.count()
    pairs = sample_pairs(5000)
    checks_before = StatusCheck.objects.count()
    connection.close()

    port = args.port or free_port()
    print(f"gunicorn: {args.workers} sync workers on {HOST}:{port}")
    server = start_gunicorn(database_url, port, args.workers)
    try:
        warm = min(200, args.requests)
        drive(port, pairs, warm, 1, 2)  # warm-up: connections, imports, caches
        wall, latencies, statuses = drive(port, pairs, args.requests, args.processes, args.threads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    recorded = StatusCheck.objects.count() - checks_before
    throttled = LookupThrottle.objects.count()
    n = len(latencies)
    print()
    print(f"applications in the database : {loaded:,}")
    print(
        f"lookups                      : {n:,} ({args.processes} processes × {args.threads} threads)"
    )
    print(f"status codes                 : {dict(sorted(statuses.items()))}")
    print(f"throughput                   : {n / wall:,.1f} requests/s over {wall:.2f} s")
    print(
        f"latency ms                   : p50 {percentile(latencies, 50) * 1000:.1f} · "
        f"p95 {percentile(latencies, 95) * 1000:.1f} · p99 {percentile(latencies, 99) * 1000:.1f} · "
        f"mean {statistics.fmean(latencies) * 1000:.1f}"
    )
    print(
        f"checks recorded              : {recorded:,} (warm-up included); throttle rows: {throttled}"
    )
    ok = n / wall >= 300 and percentile(latencies, 95) < 0.050 and statuses.get(200) == n
    print("goal (≥ 300/s, p95 < 50 ms, all 200): " + ("met" if ok else "NOT met"))
    if args.drop:
        connection.close()
        drop_database(args.server_url, args.db)
        print(f"dropped database {args.db}")


if __name__ == "__main__":
    main()
