import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory, override_settings

from core.middleware import TrustedProxyMiddleware

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        # The browser tests switch Django's async-safety check off for their session.
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    } | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def test_the_production_settings_pass_the_deploy_check():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="0", SECRET_KEY="x" * 60 + "-Prod-Key-9a8b7c", ALLOWED_HOSTS="kpi.example.go.th",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DEBUG="0", SECRET_KEY="")
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def _addr(count, forwarded, remote="10.0.0.1"):
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        TrustedProxyMiddleware(lambda r: None)(request)
    return request.META["REMOTE_ADDR"]


def test_only_our_own_proxies_decide_the_client_address():
    assert _addr(0, "6.6.6.6") == "10.0.0.1"  # no proxy configured: the header is ignored
    assert _addr(1, "203.0.113.7") == "203.0.113.7"
    # A client that writes its own X-Forwarded-For cannot choose its address.
    assert _addr(1, "6.6.6.6, 203.0.113.7") == "203.0.113.7"
