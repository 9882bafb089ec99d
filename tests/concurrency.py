"""Real concurrent requests for the tests of two people (or two clicks) at once: N threads, each
with its own HTTP connection to pytest-django's live server (its own database connection),
released together by a barrier. Used with ``django_db(transaction=True, serialized_rollback=True)``
so that the server's threads see the test's data."""

import http.client
import os
import secrets
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client

# The live server's listen backlog: Django's development server asks for 10, so thirty or forty
# connections opened at once overflowed it, and some were reset before their request was read
# (ConnectionResetError in the throttle's tests: 4 runs in 6 on one machine, none on another).
# gunicorn, which serves production, asks for 2,048. Set before the session's live server starts
# (this module is imported when the tests are collected).
ThreadedWSGIServer.request_queue_size = 256

# Real concurrency is tested on PostgreSQL, the production database (the suite's second pass).
# SQLite's in-memory test database shares one cache between connections, where a lock taken by
# another connection is an immediate "table is locked" error instead of a wait: it cannot stand
# in for either production database (a SQLite file in WAL mode waits, like PostgreSQL).
on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="concurrency runs in the PostgreSQL pass (SQLite's in-memory test db cannot wait)",
)


def session_of(user) -> dict:
    client = Client()
    client.force_login(user)
    return {"sessionid": client.cookies["sessionid"].value}


def post_at_once(live_server_url: str, path: str, n: int, *, cookies: dict, data=None):
    """POST ``data`` (a dict, form-encoded) to ``path`` from ``n`` threads at the same moment;
    returns [(status, body text, headers)] in completion order."""
    host = urlsplit(live_server_url)
    token = secrets.token_hex(16)  # a CSRF secret of 32 characters, sent as cookie and header
    body = urlencode(data or {}, doseq=True)
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies | {"csrftoken": token}).items())
    barrier = threading.Barrier(n)
    results, errors = [], []

    def one():
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(10)
            conn.request(
                "POST", path, body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                         "X-CSRFToken": token, "Referer": live_server_url + path},
            )  # fmt: skip
            response = conn.getresponse()
            results.append(
                (response.status, response.read().decode("utf-8", "replace"),
                 dict(response.getheaders()))
            )  # fmt: skip
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    assert len(results) == n
    return results
