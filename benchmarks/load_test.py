"""Load test on loopback: 20 concurrent users for 60 seconds through login, list pages, an
assessment save, the dashboard and public status checks, against gunicorn on PostgreSQL.

Prints throughput, p50/p95 latency per step, errors, and checks that no write was lost (every
assessment the server acknowledged is in the database afterwards). Bounded: it stops by itself.

    .venv/bin/python benchmarks/load_test.py [--users 20] [--seconds 60] [--workers 3]

Only 127.0.0.1 is ever contacted.
"""

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import fresh_database  # noqa: E402

HOST = "127.0.0.1"
PASSWORD = "load-Test-2563!"  # noqa: S105


def prepare(database_url: str, users: int):
    fresh_database(database_url)
    from django.core.management import call_command

    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from core import roles
    from core.demo import make_user
    from shelters.models import FacilityStaff, Resident
    from subsidies.models import Application

    in_care = list(
        Resident.objects.filter(discharged_on__isnull=True).select_related("facility")[: users * 3]
    )
    plan = []
    for i in range(users):
        resident = in_care[i]
        user = make_user(f"load{i}", "โหลด", str(i), roles.FACILITY_STAFF)
        user.set_password(PASSWORD)
        user.save()
        FacilityStaff.objects.update_or_create(user=user, defaults={"facility": resident.facility})
        plan.append((user.username, resident.pk))
    applications = [(a.reference, a.national_id) for a in Application.objects.all()[:50]]
    return plan, applications


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def _csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def get(self, path: str):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def post(self, path: str, data: dict, referer: str):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + referer}
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl()

    def post_json(self, path: str, payload: dict):
        request = urllib.request.Request(
            self.base + path,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


def user_loop(base, username, resident_id, applications, deadline, stats, saved, lock, index):
    client = Client(base)

    def timed(step, func, *args):
        start = time.perf_counter()
        try:
            status, result = func(*args)
            ok = status < 400
        except Exception as exc:  # noqa: BLE001 - every failure is counted
            ok, result = False, str(exc)
        elapsed = time.perf_counter() - start
        with lock:
            stats[step].append(elapsed)
            if not ok:
                stats["errors"].append((step, str(result)[:120]))
        return ok, result

    timed("login page", client.get, "/accounts/login/")
    ok, _ = timed(
        "login",
        lambda: client.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}, "/accounts/login/"
        ),
    )
    if not ok:
        return
    day = dt.date.today() - dt.timedelta(days=1)
    n = 0
    while time.monotonic() < deadline:
        timed("resident list", client.get, "/shelters/?page=1")
        timed("dashboard", client.get, "/indicators/")
        assess_path = f"/shelters/residents/{resident_id}/assess/"
        timed("assessment form", client.get, assess_path)
        date_text = f"{day.day:02d}/{day.month:02d}/{day.year + 543}"
        percent = f"{40 + (n * 7 + index) % 60}.50"
        form = {"assessed_on": date_text, "percent": percent, "assessor": "load"}
        ok, url = timed("assessment save", client.post, assess_path, form, assess_path)
        if ok and "/assess/" not in url:
            with lock:
                saved.append((resident_id, day))
        reference, national_id = applications[(n + index) % len(applications)]
        lookup = {"reference": reference, "national_id": national_id}
        timed("status check", client.post_json, "/subsidies/api/status/", lookup)
        day -= dt.timedelta(days=1)
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kpi_load")
    args = parser.parse_args()
    plan, applications = prepare(args.database_url, args.users)
    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="1", ALLOWED_HOSTS=HOST)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "kpitracker.wsgi", "--bind", f"{HOST}:{args.port}",
         "--workers", str(args.workers), "--threads", "2", "--timeout", "60", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://{HOST}:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        stats, saved, lock = defaultdict(list), [], threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop, args=(base, u, r, applications, deadline, stats, saved, lock, i)
            )
            for i, (u, r) in enumerate(plan)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    from shelters.models import Assessment

    requests = sum(len(v) for k, v in stats.items() if k != "errors")
    print(
        f"{args.users} users, {wall:.0f} s, {args.workers} gunicorn workers × 2 threads, PostgreSQL"
    )
    print(
        f"requests: {requests}, throughput {requests / wall:.1f} req/s, errors {len(stats['errors'])}"
    )
    print(f"{'step':<18}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}")
    for step, times in stats.items():
        if step == "errors" or not times:
            continue
        times = sorted(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(f"{step:<18}{len(times):>7}{statistics.median(times) * 1000:>9.0f}{p95 * 1000:>9.0f}")
    for step, error in stats["errors"][:10]:
        print("error:", step, error)
    found = sum(
        1
        for rid, day in saved
        if Assessment.objects.filter(resident_id=rid, assessed_on=day, assessor="load").exists()
    )
    print(
        f"assessments acknowledged: {len(saved)}, found afterwards: {found}, lost: {len(saved) - found}"
    )


if __name__ == "__main__":
    main()
