"""Load test on loopback: N concurrent users for 60 seconds through login, list pages, an
assessment save, an edit of a resident that four users share, the dashboard and public status
checks, against gunicorn (the production gunicorn.conf.py) on PostgreSQL.

Prints throughput, p50/p95 latency per step, errors, and checks that no write was lost: every
assessment the server acknowledged is in the database afterwards, every acknowledged edit of a
shared resident is in its history, and the history's versions climb by one (no save was made
over a version it had not seen; a stale edit is refused with 409 and counted, not lost).
Bounded: it stops by itself.

    .venv/bin/python benchmarks/load_test.py [--users 24] [--seconds 60]

Only 127.0.0.1 is ever contacted.
"""

import argparse
import datetime as dt
import html
import http.cookiejar
import json
import os
import runpy
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import fresh_database  # noqa: E402

HOST = "127.0.0.1"
BANGKOK = dt.timezone(dt.timedelta(hours=7))
PASSWORD = "load-Test-2563!"


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
    # Every fourth user shares one resident with three others (same facility) for the edits.
    plan = []
    for i in range(users):
        resident = in_care[i]
        shared = in_care[i - i % SHARED_BY]
        user = make_user(f"load{i}", "โหลด", str(i), roles.FACILITY_STAFF)
        user.set_password(PASSWORD)
        user.save()
        FacilityStaff.objects.update_or_create(user=user, defaults={"facility": resident.facility})
        if shared.facility_id != resident.facility_id:
            resident.facility = shared.facility
            resident.save(update_fields=["facility"])
            FacilityStaff.objects.filter(user=user).update(facility=shared.facility)
        plan.append((user.username, resident.pk, shared.pk))
    applications = [(a.reference, a.national_id) for a in Application.objects.all()[:50]]
    return plan, applications


SHARED_BY = 4


class FormValues(HTMLParser):
    """The values a browser would send from the page's ``<form method="post">``."""

    def __init__(self):
        super().__init__()
        self.values, self._select, self._in_form = {}, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "radio"):
            self.values[a["name"]] = html.unescape(a.get("value") or "")
        elif tag == "input" and a.get("name") and "checked" in a:
            self.values[a["name"]] = a.get("value") or "on"
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_values(page: str) -> dict:
    parser = FormValues()
    parser.feed(page)
    return parser.values


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

    def post(self, path: str, data: dict, referer: str, refused=()):
        """(status, final URL); a status in ``refused`` (e.g. 409) is an answer, not an error."""
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self._csrf()}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + referer}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.geturl()
        except urllib.error.HTTPError as exc:
            if exc.code in refused:
                return 200, f"refused {exc.code}"
            raise

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


def user_loop(base, person, applications, deadline, stats, saved, lock, index):
    username, resident_id, shared_id = person
    client = Client(base)

    def timed(step, func, *args):
        start = time.perf_counter()
        try:
            status, result = func(*args)
            ok = status < 400
        except Exception as exc:
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
    day = dt.datetime.now(BANGKOK).date() - dt.timedelta(days=1)
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
                saved["assessments"].append((resident_id, day))
        edit_path = f"/shelters/residents/{shared_id}/edit/"
        ok, page = timed("shared edit form", client.get, edit_path)
        if ok:
            form = form_values(page)
            seen = form.get("full_name", "")
            form["full_name"] = f"{seen.split(' [')[0]} [u{index}-{n}]"
            ok, url = timed("shared edit save", client.post, edit_path, form, edit_path, (409,))
            with lock:
                if ok and url.startswith("refused"):
                    saved["edits refused"].append(form["full_name"])
                elif ok and "/edit/" not in url:
                    saved["edits"].append((shared_id, seen, form["full_name"]))
        reference, national_id = applications[(n + index) % len(applications)]
        lookup = {"reference": reference, "national_id": national_id}
        timed("status check", client.post_json, "/subsidies/api/status/", lookup)
        day -= dt.timedelta(days=1)
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=24)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/kpi_load")
    args = parser.parse_args()
    plan, applications = prepare(args.database_url, args.users)
    env = dict(os.environ, DATABASE_URL=args.database_url, DEBUG="1", ALLOWED_HOSTS=HOST)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "kpitracker.wsgi", "-c", str(ROOT / "gunicorn.conf.py"),
         "--bind", f"{HOST}:{args.port}", "--log-level", "warning", "--access-logfile", os.devnull],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://{HOST}:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        stats, saved, lock = defaultdict(list), defaultdict(list), threading.Lock()
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=user_loop, args=(base, p, applications, deadline, stats, saved, lock, i)
            )
            for i, p in enumerate(plan)
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
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    workers, threads = conf["workers"], conf["threads"]
    from shelters.models import Assessment, Resident

    requests = sum(len(v) for k, v in stats.items() if k != "errors")
    print(
        f"{args.users} users, {wall:.0f} s, gunicorn.conf.py: {workers} workers × {threads}"
        f" threads, PostgreSQL, {os.cpu_count()} cores"
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
        for rid, day in saved["assessments"]
        if Assessment.objects.filter(resident_id=rid, assessed_on=day, assessor="load").exists()
    )
    acknowledged = len(saved["assessments"])
    print(f"assessments acknowledged: {acknowledged}, found afterwards: {found}, lost: {acknowledged - found}")  # fmt: skip
    edits = saved["edits"]
    # Each shared resident's history, oldest first: what each save replaced.
    # (Demo residents have no history row before their first edit: that edit has no
    # predecessor in the history, and is checked for presence only.)
    replaced, recorded = {}, set()
    for rid in {rid for rid, _, _ in edits}:
        rows = Resident.history.filter(id=rid).order_by("history_date", "history_id")
        names = [row.full_name for row in rows]
        recorded |= {(rid, name) for name in names}
        replaced |= {(rid, new): old for old, new in zip(names, names[1:], strict=False)}
    missing = sum(1 for rid, _, new in edits if (rid, new) not in recorded)
    # A save made over a state its form had not shown (someone else's save in between).
    overwritten = sum(
        1 for rid, seen, new in edits if (rid, new) in replaced and replaced[rid, new] != seen
    )
    print(
        f"shared edits acknowledged: {len(edits)}, refused as stale (409): "
        f"{len(saved['edits refused'])}, missing from history: {missing}, saved over an unseen"
        f" version: {overwritten}; lost updates: {missing + overwritten}"
    )


if __name__ == "__main__":
    main()
