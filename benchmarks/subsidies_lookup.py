"""Benchmark of the public status lookup (KPI 3.2) behind gunicorn, beside its anchor.

Loads 150,000 subsidy applications (with their step history) into a separate PostgreSQL
database, starts gunicorn on 127.0.0.1 only with that database (sync workers, DEBUG=0) and the
benchmark-only settings ``benchmarks.lookup_anchor_settings`` (the project's settings and
middleware, plus one URL), then drives, with the same clients, one phase after the other:

- anchor: ``POST /bench/anchor/`` (benchmarks/lookup_anchor_urls.py), a minimal Django view
  doing the one indexed lookup by reference and answering a tiny JSON: the floor;
- json: ``POST /subsidies/api/status/``, the web service;
- form: the citizen's page as a browser sends it with the page's script (status.js):
  ``POST /subsidies/status/`` with the CSRF cookie and token and the header
  ``X-Status-Body: 1``, answered 200 with the page's body and the result: one request;
- nojs: the same page without the script, post/redirect/get: the ``POST`` answered 303 (the
  result kept in a signed cookie), then the ``GET`` of the result page. One lookup is these
  two requests; both the lookups/s and the requests/s are printed.

Each prints requests/s and p50/p95/p99 latency, then the ratios product ÷ anchor (throughput).
Goal (issue 16): json and form ≥ 60 % of the anchor, p95 ≤ 50 ms, with 20 clients
(--processes 4 --threads 5) and 3 workers.

    .venv/bin/python benchmarks/subsidies_lookup.py                 # load, run, keep the DB
    .venv/bin/python benchmarks/subsidies_lookup.py --reuse         # skip the load
    .venv/bin/python benchmarks/subsidies_lookup.py --drop          # drop the DB at the end

Only loopback is used; nothing listens on another interface. Every lookup is a right pair and
every pair is looked up once per run (so each lookup records its status check, the costly
path); the checks of the database are emptied at the start of each run (a benchmark database
only). The throttle of failed lookups never trips (the script checks it did not).
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
API_PATH = "/subsidies/api/status/"
FORM_PATH = "/subsidies/status/"
ANCHOR_PATH = "/bench/anchor/"
SETTINGS = "benchmarks.lookup_anchor_settings"
PHASES = ("anchor", "json", "form", "nojs")


def parse_args():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--server-url", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server"
    )
    p.add_argument("--db", default="kpi_lookup_bench", help="database to create and load")
    p.add_argument("--rows", type=int, default=150_000)
    p.add_argument("--requests", type=int, default=4000, help="lookups per phase (bounded)")
    p.add_argument("--processes", type=int, default=4, help="client processes")
    p.add_argument("--threads", type=int, default=5, help="threads per client process")
    p.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    p.add_argument("--port", type=int, default=0, help="0 = a free port")
    p.add_argument("--reuse", action="store_true", help="keep the loaded database, skip the load")
    p.add_argument("--drop", action="store_true", help="drop the database at the end")
    p.add_argument("--phases", default=",".join(PHASES), help="which phases, in this order")
    p.add_argument("--rounds", type=int, default=4, help="the phases take turns this many times")
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


def sample_pairs(n: int, seed: int) -> list[tuple[str, str]]:
    from subsidies.models import Application

    ids = list(Application.objects.values_list("id", flat=True))
    chosen = random.Random(seed).sample(ids, min(n, len(ids)))
    pairs = list(Application.objects.filter(id__in=chosen).values_list("reference", "national_id"))
    random.Random(seed).shuffle(pairs)
    return pairs


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


# The page's static files as production serves them (DEBUG=0: WhiteNoise's manifest), collected
# once, outside the checkout.
STATIC_ROOT = Path(os.getenv("TMPDIR", "/tmp")) / "kpi_lookup_bench_static"


def server_env(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + os.urandom(16).hex(),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "ERROR",
        "STATIC_ROOT": str(STATIC_ROOT),
    }


def start_gunicorn(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = server_env(database_url)
    if not (STATIC_ROOT / "staticfiles.json").exists():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env, cwd=ROOT, check=True,
        )  # fmt: skip
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), "kpitracker.wsgi:application",
        "--bind", f"{HOST}:{port}", "--workers", str(workers), "--worker-class", "sync",
        "--log-level", "warning", "--chdir", str(ROOT), "--backlog", "256",
        # gunicorn.conf.py (read from ROOT) recycles a worker every ~2,000 requests; its first
        # requests after a restart (imports, templates, connection) would fall in the few
        # thousand timed here, as noise on the tail: steady state only.
        "--max-requests", "0",
        # gunicorn.conf.py logs every request to stdout: here the lines would bury the figures
        # (each is still formatted and written, as in production, for every phase alike).
        "--access-logfile", "/dev/null",
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


def request(port, method, path, body=None, headers=None):
    """One request on a new connection (sync workers close it anyway): (seconds, response,
    body)."""
    t0 = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request(method, path, body, headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return time.perf_counter() - t0, response, data


def cookies_of(response, jar: dict) -> None:
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def cookie_header(jar: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in jar.items())


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Citizen:
    """One client thread: a browser for the form (its cookies), a plain client for JSON."""

    def __init__(self, port: int, phase: str):
        self.port, self.phase, self.jar, self.token = port, phase, {}, ""
        if phase in ("form", "nojs"):  # the empty page first: the CSRF cookie and the token
            _, response, data = request(port, "GET", FORM_PATH)
            cookies_of(response, self.jar)
            self.token = TOKEN.search(data).group(1).decode()

    def lookup(self, ref: str, nid: str) -> tuple[float, list[float], int]:
        """(seconds of the lookup, seconds of each request, status: 200 when all went right)."""
        if self.phase == "anchor":
            elapsed, response, _ = request(
                self.port, "POST", ANCHOR_PATH, json.dumps({"reference": ref}),
                {"Content-Type": "application/json"},
            )  # fmt: skip
            return elapsed, [elapsed], response.status
        if self.phase == "json":
            elapsed, response, _ = request(
                self.port, "POST", API_PATH, json.dumps({"reference": ref, "national_id": nid}),
                {"Content-Type": "application/json"},
            )  # fmt: skip
            return elapsed, [elapsed], response.status
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": self.token, "reference": ref, "national_id": nid}
        )
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": cookie_header(self.jar)}  # fmt: skip
        if self.phase == "form":
            headers["X-Status-Body"] = "1"
        posted, response, data = request(self.port, "POST", FORM_PATH, body, headers)
        cookies_of(response, self.jar)
        if self.phase == "form":
            status = response.status
            if status == 200 and b'id="status-result"' not in data:
                status = 0  # an answer without the result
            return posted, [posted], status
        if response.status != 303:
            return posted, [posted], response.status
        location = urllib.parse.urlsplit(response.getheader("Location")).path
        got, response, data = request(
            self.port, "GET", location, None, {"Cookie": cookie_header(self.jar)}
        )
        cookies_of(response, self.jar)
        status = response.status
        if status == 200 and b'id="status-result"' not in data:
            status = 0  # a page without the result
        return posted + got, [posted, got], status


def client_process(port: int, phase: str, pairs: list, threads: int, out: mp.Queue) -> None:
    lookups: list[float] = []
    requests: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    shares = [pairs[i::threads] for i in range(threads)]
    ready = threading.Barrier(threads)

    def run(mine: list) -> None:
        citizen = Citizen(port, phase)
        ready.wait()
        times, each, codes = [], [], {}
        for ref, nid in mine:
            elapsed, parts, status = citizen.lookup(ref, nid)
            times.append(elapsed)
            each.extend(parts)
            codes[status] = codes.get(status, 0) + 1
        with lock:
            lookups.extend(times)
            requests.extend(each)
            for k, v in codes.items():
                statuses[k] = statuses.get(k, 0) + v

    workers = [threading.Thread(target=run, args=(share,)) for share in shares]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    out.put((lookups, requests, statuses))


def drive(port: int, phase: str, pairs: list, processes: int, threads: int) -> dict:
    queue: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=client_process, args=(port, phase, pairs[i::processes], threads, queue))
        for i in range(processes)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    statuses: dict[int, int] = {}
    for *_, codes in results:
        for k, v in codes.items():
            statuses[k] = statuses.get(k, 0) + v
    return {
        "phase": phase,
        "wall": wall,
        "lookups": sorted(lat for lats, _, _ in results for lat in lats),
        "requests": sorted(lat for _, lats, _ in results for lat in lats),
        "statuses": statuses,
    }


def percentile(sorted_values: list[float], pct: float) -> float:
    index = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def latency(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50) * 1000:.1f} · p95 {percentile(values, 95) * 1000:.1f} · "
        f"p99 {percentile(values, 99) * 1000:.1f} · mean {statistics.fmean(values) * 1000:.1f}"
    )


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    args = parse_args()
    phases = [p for p in args.phases.split(",") if p]
    if any(p not in PHASES for p in phases):
        raise SystemExit(f"--phases: one or more of {', '.join(PHASES)}")
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

    from subsidies.models import Application, LookupThrottle, Rating, StatusCheck

    loaded = Application.objects.count()
    # Distinct pairs for every phase (warm-up included): each lookup records a new check.
    warm = min(200, args.requests)
    per_phase = args.requests + warm
    pairs = sample_pairs(per_phase * len(phases), seed=int(time.time()))
    with connection.cursor() as cursor:  # a benchmark database: start every run alike
        cursor.execute(f"TRUNCATE {Rating._meta.db_table}, {StatusCheck._meta.db_table}")
        cursor.execute(f"TRUNCATE {LookupThrottle._meta.db_table}")
        cursor.execute(f"VACUUM ANALYZE {StatusCheck._meta.db_table}")
    connection.close()

    port = args.port or free_port()
    clients = args.processes * args.threads
    print(f"gunicorn: {args.workers} sync workers on {HOST}:{port}; {clients} clients")
    print(f"load before: {loadavg()}")
    server = start_gunicorn(database_url, port, args.workers)
    runs = {phase: {"phase": phase, "wall": 0.0, "lookups": [], "requests": [], "statuses": {},
                    "load": []} for phase in phases}  # fmt: skip
    try:
        for i, phase in enumerate(phases):  # warm-up: connections, imports, caches
            drive(port, phase, pairs[i * per_phase : i * per_phase + warm], 1, 4)
        # The phases take turns, round after round: a change of the machine's load (other
        # work on the shared cores) falls on all of them alike.
        for r in range(args.rounds):
            for i, phase in enumerate(phases):
                mine = pairs[i * per_phase + warm : (i + 1) * per_phase][r :: args.rounds]
                part = drive(port, phase, mine, args.processes, args.threads)
                run = runs[phase]
                run["wall"] += part["wall"]
                run["lookups"] += part["lookups"]
                run["requests"] += part["requests"]
                for k, v in part["statuses"].items():
                    run["statuses"][k] = run["statuses"].get(k, 0) + v
                run["load"].append(loadavg().split()[0])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    for run in runs.values():
        run["lookups"].sort()
        run["requests"].sort()
        run["load"] = "1-min load after each round " + " ".join(run["load"])

    recorded = StatusCheck.objects.count()
    throttled = LookupThrottle.objects.count()
    print()
    print(f"applications in the database : {loaded:,}")
    print(f"lookups per phase            : {args.requests:,} ({args.processes} processes × "
          f"{args.threads} threads), each pair once")  # fmt: skip
    rates = {}
    for run in runs.values():
        n, wall = len(run["lookups"]), run["wall"]
        rates[run["phase"]] = n / wall
        print(f"{run['phase']:<6} status codes  : {dict(sorted(run['statuses'].items()))}"
              f"  ({run['load']})")  # fmt: skip
        print(f"{run['phase']:<6} lookups/s     : {n / wall:,.1f} over {wall:.2f} s · "
              f"latency ms {latency(run['lookups'])}")  # fmt: skip
        if run["phase"] == "nojs":
            m = len(run["requests"])
            print(f"{run['phase']:<6} requests/s    : {m / wall:,.1f} (POST 303 + GET 200) · "
                  f"per request ms {latency(run['requests'])}")  # fmt: skip
    if "anchor" in rates:
        for phase in ("json", "form", "nojs"):
            if phase in rates:
                print(f"ratio {phase:<6} ÷ anchor       : {rates[phase] / rates['anchor']:.1%}"
                      + (f" (requests: {2 * rates[phase] / rates['anchor']:.1%})"
                         if phase == "nojs" else ""))  # fmt: skip
    print(f"checks recorded              : {recorded:,} (warm-up included; lookups of json, "
          f"form, nojs {(args.requests + warm) * len([p for p in phases if p != 'anchor']):,}); "
          f"throttle rows: {throttled}")  # fmt: skip
    if args.drop:
        connection.close()
        drop_database(args.server_url, args.db)
        print(f"dropped database {args.db}")


if __name__ == "__main__":
    main()
