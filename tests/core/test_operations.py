"""Operating the site: the health check, a busy database answered with a Thai 503, server
errors reaching the admins without personal data, log lines with a time stamp and level."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from core import health

ROOT = Path(__file__).resolve().parents[2]
NATIONAL_ID = "1101700203451"


def boom(request):
    national_id = request.POST.get("national_id") or request.GET.get("q")  # noqa: F841
    raise RuntimeError("something broke")


def slow(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = '50ms'")
        cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("never")


def deadlocked(request):
    with transaction.atomic(), connection.cursor() as cursor:
        # What PostgreSQL raises in the transaction it rolls back to break a deadlock.
        cursor.execute(
            "DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$"
        )
    return HttpResponse("never")


urlpatterns = [path("boom/", boom), path("slow/", slow), path("deadlocked/", deadlocked)]


@pytest.fixture(autouse=True)
def _fresh_health_state(monkeypatch):
    monkeypatch.setattr(health, "_migrated", False)


@pytest.mark.django_db
def test_the_health_check_needs_no_login_and_says_one_word(django_assert_max_num_queries):
    response = Client().get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    # The migration graph is read once per process; later probes are one query.
    with django_assert_max_num_queries(1):
        assert Client().get("/healthz/").status_code == 200
    assert Client().post("/healthz/").status_code == 405


@pytest.mark.django_db
def test_the_health_check_fails_on_unapplied_migrations(monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: ["pending"])
    response = Client().get("/healthz/")
    assert (response.status_code, response.content) == (503, b"unavailable")


@pytest.mark.django_db
def test_the_health_check_fails_when_the_database_does_not_answer(monkeypatch):
    def broken(*args, **kwargs):
        raise health.connections["default"].Database.OperationalError("connection refused")

    monkeypatch.setattr(type(health.connections["default"]), "cursor", broken)
    with override_settings(ADMINS=[("ทีม", "admins@example.go.th")], DEBUG=False):
        response = Client().get("/healthz/")
    assert (response.status_code, response.content) == (503, b"unavailable")
    # Not mailed to the admins on every probe.
    assert mail.outbox == []


@pytest.mark.django_db
@pytest.mark.urls("tests.core.test_operations")
@override_settings(ADMINS=[("ทีมดูแลระบบ", "admins@example.go.th")], DEBUG=False)
def test_server_errors_are_mailed_to_the_admins_without_personal_data():
    client = Client(raise_request_exception=False)
    response = client.post("/boom/?q=สมชาย", {"national_id": NATIONAL_ID, "name": "สมหญิง ใจดี"})
    assert response.status_code == 500
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admins@example.go.th"]
    assert "RuntimeError" in message.body and "something broke" in message.body
    text = message.body + "".join(str(a[1]) for a in message.alternatives)
    for secret in (NATIONAL_ID, "สมหญิง", "สมชาย"):
        assert secret not in text
    assert "national_id" in message.body  # the keys stay: which form it was


def test_admins_are_read_from_the_environment():
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.conf import settings; print(settings.ADMINS, settings.EMAIL_HOST)"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        | {"ADMINS": "ทีมดูแลระบบ <a@sdw.go.th>, b@sdw.go.th", "EMAIL_HOST": "smtp.sdw.go.th"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "[('ทีมดูแลระบบ', 'a@sdw.go.th'), ('', 'b@sdw.go.th')] smtp.sdw.go.th" in done.stdout


def test_log_lines_have_a_bangkok_time_stamp_and_a_level():
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "import logging; logging.getLogger('kpi.check').warning('ทดสอบ')"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
        env={k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
    )  # fmt: skip
    assert re.search(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0700 WARNING kpi\.check \[\d+\] ทดสอบ$",
        done.stderr,
        re.M,
    ), done.stderr


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.urls("tests.core.test_operations")
def test_a_cancelled_statement_gets_the_thai_busy_page():
    if connection.vendor != "postgresql":
        # SQLite has no statement timeout: the same view is simply slow there.
        assert connection.vendor == "sqlite"
        return
    with override_settings(ADMINS=[("ทีม", "admins@example.go.th")], DEBUG=False):
        response = Client(raise_request_exception=False).get("/slow/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "ระบบไม่ว่างชั่วคราว" in response.content.decode()
    assert mail.outbox == []
    response = Client(raise_request_exception=False).get("/slow/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503 and "ระบบไม่ว่างชั่วคราว" in response.json()["error"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.urls("tests.core.test_operations")
def test_a_deadlock_victim_gets_the_thai_busy_page_not_a_server_error():
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite serialises writers: no deadlocks
        return
    with override_settings(ADMINS=[("ทีม", "admins@example.go.th")], DEBUG=False):
        response = Client(raise_request_exception=False).get("/deadlocked/")
    assert response.status_code == 503
    assert "ระบบไม่ว่างชั่วคราว" in response.content.decode()
    assert mail.outbox == []
