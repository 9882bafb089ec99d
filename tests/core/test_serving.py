"""Production as the README says it: the README's Production block, run line by line on a fresh
database (migrate, collectstatic into a temporary STATIC_ROOT with DEBUG=0, check --deploy,
gunicorn with gunicorn.conf.py), then real HTTP requests on loopback, as the reverse proxy sends
them (X-Forwarded-Proto: https).

On the suite's SQLite pass the server runs on a temporary SQLite file, on the PostgreSQL pass on
a fresh PostgreSQL database. The slow-table test always runs on PostgreSQL (it is about
PostgreSQL's lock timeout), on a server of its own.
"""

import http.client
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import dj_database_url
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kpitracker")
PASSWORD = "serve-Test-pass-2563"


def readme_production_block() -> tuple[list[str], list[str]]:
    """(variables the block exports, the commands after the export), from README.md."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Production") :]
    block = section[section.index("```sh\n") + 6 : section.index("\n```", section.index("```sh"))]
    lines = block.replace("\\\n", " ").splitlines()
    exports = [line for line in lines if line.startswith("export ")]
    assert len(exports) == 1, "the Production block starts with one export line"
    names = [word.split("=", 1)[0] for word in shlex.split(exports[0])[1:]]
    commands = [line for line in lines if line.strip() and not line.startswith("export ")]
    return names, commands


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_admin(cfg):
    return psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres",
        autocommit=True,
    )  # fmt: skip


class Server:
    def __init__(self, tmp: Path, database_url: str):
        self.port = _free_port()
        self.database_url = database_url
        self.static_root = tmp / "static"
        self.env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE")
        } | {
            "DEBUG": "0",
            "SECRET_KEY": "serving-test-" + "x9Y8z7" * 10,
            "ALLOWED_HOSTS": "127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://127.0.0.1:{self.port}",
            "DATABASE_URL": database_url,
            "MEDIA_ROOT": str(tmp / "media"),
            "STATIC_ROOT": str(self.static_root),
            "TRUSTED_PROXY_COUNT": "1",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "ADMINS": "ทีมทดสอบ <admins@example.go.th>",
            "EMAIL_HOST": "127.0.0.1",
        }
        names, self.commands = readme_production_block()
        missing = set(names) - set(self.env)
        assert not missing, f"the README exports variables the test does not set: {missing}"
        self.process = None
        self.log = tmp / "gunicorn.log"

    def start(self):
        for command in self.commands:
            argv = shlex.split(command)
            if "gunicorn" in argv[0]:
                self.process = subprocess.Popen(
                    argv, cwd=ROOT, env=self.env, stdout=self.log.open("wb"),
                    stderr=subprocess.STDOUT, start_new_session=True,
                )  # fmt: skip
                break
            done = subprocess.run(
                argv, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
            if "check" in argv:
                assert "System check identified no issues" in done.stdout + done.stderr, (
                    done.stdout + done.stderr
                )
        assert self.process is not None, "the Production block starts gunicorn"
        self.manage(
            "shell", "-c",
            "from django.contrib.auth.models import Group, User;"
            f"u = User.objects.create_user('serve-manager', password='{PASSWORD}');"
            "u.groups.add(Group.objects.get(name='manager'))",
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz/")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, self.log.read_text()
            time.sleep(0.2)
        raise AssertionError("gunicorn did not answer /healthz/ in 60 s:\n" + self.log.read_text())

    def manage(self, *args):
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
            text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)

    def request(self, method, path, *, body=None, headers=None, cookies=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        all_headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
        } | (headers or {})
        if cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        set_cookies = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                set_cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return response.status, data, dict(response.getheaders()), set_cookies

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def login(self, username, password) -> dict:
        status, body, _, cookies = self.get("/accounts/login/")
        assert status == 200
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        origin = f"https://127.0.0.1:{self.port}"
        form = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
        status, _, headers, new = self.request(
            "POST", "/accounts/login/", body=form, cookies=cookies,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": origin,
                     "Referer": origin + "/accounts/login/"},
        )  # fmt: skip
        assert status == 302, (status, headers)
        return cookies | new


def _sqlite_url(tmp):
    return f"sqlite:///{tmp / 'serving.sqlite3'}"


def _fresh_pg_url():
    cfg = dj_database_url.parse(PG_URL)
    name = f"kpi_serving_{uuid.uuid4().hex[:8]}"
    with _pg_admin(cfg) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, PG_URL.rsplit("/", 1)[0] + "/" + name


def _drop_pg(name):
    with _pg_admin(dj_database_url.parse(PG_URL)) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _server(tmp_path_factory, on_pg: bool):
    tmp = tmp_path_factory.mktemp("serving")
    name = None
    if on_pg:
        name, url = _fresh_pg_url()
    else:
        url = _sqlite_url(tmp)
    server = Server(tmp, url)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        if name:
            _drop_pg(name)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    on_pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    yield from _server(tmp_path_factory, on_pg)


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory, server):
    if server.database_url.startswith("postgres"):
        yield server
    else:
        yield from _server(tmp_path_factory, True)


def test_the_readme_production_steps_serve_every_kind_of_page(server):
    status, body, headers, _ = server.get("/accounts/login/")
    assert status == 200, body[:2000]
    assert "เข้าสู่ระบบ" in body.decode()
    assert "strict-transport-security" in {k.lower() for k in headers}
    # The policy runs scripts from our own files only; the browser's features are locked.
    assert "script-src 'self';" in headers["Content-Security-Policy"] + ";"
    assert (
        "unsafe-inline"
        not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    )
    assert "camera=()" in headers["Permissions-Policy"]
    # Static files: the hashed names collectstatic wrote, served by WhiteNoise, cached for ever.
    stylesheets = re.findall(rb'href="(/static/[^"]+\.css)"', body)
    assert stylesheets and all(re.search(rb"\.[0-9a-f]{12}\.css$", s) for s in stylesheets)
    for path in stylesheets:
        status, css, headers, _ = server.get(path.decode())
        assert status == 200 and len(css) > 100
        assert "max-age=315360000" in headers.get("Cache-Control", ""), headers
        assert "no-store" not in headers.get("Cache-Control", ""), headers
    status, js, _, _ = server.get(
        re.search(rb'src="(/static/vendor/bootstrap/[^"]+\.js)"', body).group(1).decode()
    )
    assert status == 200 and b"sourceMappingURL=bootstrap.bundle.min." in js
    # The source map it names was collected too.
    map_name = re.search(rb"sourceMappingURL=(\S+\.map)", js).group(1).decode()
    assert server.get(f"/static/vendor/bootstrap/{map_name}")[0] == 200

    cookies = server.login("serve-manager", PASSWORD)
    for page in ("/reports/", "/indicators/"):
        status, body, headers, _ = server.get(page, cookies=cookies)
        assert status == 200, (page, body[:3000])
        assert "ตัวชี้วัด" in body.decode()
        # Pages with personal data stay out of every cache.
        assert "no-store" in headers["Cache-Control"] and "private" in headers["Cache-Control"]
        assert "Content-Security-Policy" in headers
    # The logged-in user's static files keep their long cache.
    status, _, headers, _ = server.get(stylesheets[0].decode(), cookies=cookies)
    assert status == 200 and "max-age=315360000" in headers["Cache-Control"], headers

    status, body, headers, _ = server.get("/subsidies/status/")
    assert status == 200 and "ตรวจสอบสถานะ" in body.decode()
    assert "no-store" in headers["Cache-Control"]
    status, body, _, _ = server.get("/healthz/")
    assert (status, body) == (200, b"ok")
    # Plain HTTP is sent to HTTPS.
    status, _, headers, _ = server.get("/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert status == 301 and headers["Location"].startswith("https://")


def test_log_lines_carry_a_time_stamp_and_a_level(server):
    server.get("/no-such-page/")
    log = server.log.read_text(encoding="utf-8")
    # gunicorn's own lines and the app's (Django's "Not Found" warning) alike.
    assert re.search(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[INFO\]", log, re.M)
    assert re.search(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0700 WARNING django.request \[\d+\] Not Found", log, re.M
    ), log[-3000:]


def test_one_locked_table_does_not_stop_the_site(pg_server):
    """A table locked from psql for 10 s: requests that need it wait at most the lock timeout
    and get the Thai busy page; the login page, static files and the health check answer at once
    all the while."""
    server = pg_server
    _, login_body, _, _ = server.get("/accounts/login/")
    css = re.search(rb'href="(/static/[^"]+\.css)"', login_body).group(1).decode()
    cfg = dj_database_url.parse(server.database_url)
    locker = psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname=cfg["NAME"]
    )
    results = []

    def blocked_lookup():
        started = time.monotonic()
        status, body, headers, _ = server.request(
            "POST", "/subsidies/api/status/",
            body='{"reference": "ABCD-EFGH-JK", "national_id": "1101700203450"}',
            headers={"Content-Type": "application/json"}, timeout=60,
        )  # fmt: skip
        results.append((status, time.monotonic() - started, body, headers))

    try:
        locker.execute("LOCK TABLE subsidies_application IN ACCESS EXCLUSIVE MODE")
        locked_at = time.monotonic()
        waiting = [threading.Thread(target=blocked_lookup) for _ in range(10)]
        for thread in waiting:
            thread.start()
        time.sleep(1)
        timings = {}
        while time.monotonic() - locked_at < 9:
            for path in ("/accounts/login/", css, "/healthz/"):
                started = time.monotonic()
                status = server.get(path, timeout=10)[0]
                timings.setdefault(path, []).append(time.monotonic() - started)
                assert status == 200, path
            time.sleep(0.5)
        still_locked = time.monotonic() - locked_at < 10
    finally:
        locker.rollback()
        locker.close()
    for thread in waiting:
        thread.join(60)
    assert still_locked
    slowest = {path: max(times) for path, times in timings.items()}
    print("slowest answers while the table was locked (s):", slowest)
    assert all(t < 1.0 for t in slowest.values()), slowest
    assert len(results) == 10
    for status, took, body, headers in results:
        # Given up after the lock timeout (5 s), not after the 10 s lock; a Thai page, not a 500.
        assert status == 503 and took < 8.5, (status, took)
        # The JSON service answers in JSON.
        assert "ระบบไม่ว่างชั่วคราว" in json.loads(body)["error"] and headers.get("Retry-After")
