"""Response headers (core/headers.py, django-csp): no copy of a page with personal data in any
cache, a Content-Security-Policy that runs no inline script, a restrictive Permissions-Policy;
and no template that the policy would break (an inline script, an on*= handler, a javascript:
link)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import ResolverMatch, reverse

from core.headers import SecurityHeadersMiddleware

ROOT = Path(__file__).resolve().parents[2]


def _directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [p.strip().split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def _no_store(response) -> bool:
    values = {v.strip() for v in response.get("Cache-Control", "").split(",")}
    return "no-store" in values and "private" in values


# --- Cache-Control ----------------------------------------------------------------------------


def test_every_page_for_a_logged_in_user_is_no_store(client_for, manager, fy2563):
    c = client_for(manager)
    for url in (
        reverse("indicators:dashboard"),
        reverse("reports:dashboard"),
        reverse("reports:report") + "?year=2563&as_of=2020-09-30",
        reverse("reports:report-xlsx") + "?year=2563&as_of=2020-09-30",
        "/no-such-page/",
    ):
        response = c.get(url)
        assert _no_store(response), (url, response.get("Cache-Control"))


def test_the_public_status_pages_are_no_store(client, db):
    assert _no_store(client.get(reverse("subsidies:status")))
    posted = client.post(reverse("subsidies:status"), {"reference": "X", "national_id": "1"})
    assert _no_store(posted)
    api = client.post(
        reverse("subsidies:api-status"),
        data=json.dumps({"reference": "ABCD-EFGH-JK", "national_id": "1101700203450"}),
        content_type="application/json",
    )
    assert _no_store(api)
    assert _no_store(client.post(reverse("subsidies:rate"), {}))


@pytest.mark.parametrize(
    "view_name", ["subsidies:status", "subsidies:rate", "subsidies:api-status"]
)
def test_the_middleware_itself_marks_the_public_pages_no_store(view_name):
    """Even a public view that forgot never_cache (or answers with a cacheable response)."""
    request = HttpRequest()
    request.path_info = "/subsidies/status/"
    request.resolver_match = ResolverMatch(lambda r: None, (), {}, url_name=view_name.split(":")[1],
                                           app_names=["subsidies"], namespaces=["subsidies"])  # fmt: skip
    assert request.resolver_match.view_name == view_name

    def view(_request):
        response = HttpResponse("status")
        response["Cache-Control"] = "public, max-age=600"
        return response

    response = SecurityHeadersMiddleware(view)(request)
    values = {v.strip() for v in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= values and "public" not in values


def test_static_files_keep_their_cache_for_a_logged_in_user(settings, client_for, manager):
    # WhiteNoise serves the files straight from the apps' folders here (as under runserver); in
    # production the hashed names are cached for ever (tests/core/test_serving.py).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_MAX_AGE = 3600
    c = client_for(manager)
    response = c.get("/static/js/site.js")
    assert response.status_code == 200
    cache = response.get("Cache-Control", "")
    assert "no-store" not in cache and "max-age=3600" in cache, cache


# --- Content-Security-Policy and Permissions-Policy --------------------------------------------


@pytest.fixture
def pages(client_for, manager, fy2563):
    c = client_for(manager)
    return [
        c.get(reverse("indicators:dashboard")),
        c.get(reverse("reports:dashboard")),
        Client().get(reverse("login")),
        Client().get(reverse("subsidies:status")),
    ]


def test_every_page_has_a_policy_that_runs_no_inline_script(pages):
    for response in pages:
        policy = _directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["font-src"] == ["'self'"]
        assert "'unsafe-inline'" not in " ".join(policy.get("script-src-elem", []))
        assert "'unsafe-inline'" not in " ".join(policy.get("script-src-attr", []))
        assert policy["style-src"][0] == "'self'"


def test_every_page_has_a_restrictive_permissions_policy(pages):
    for response in pages:
        features = dict(
            part.strip().split("=", 1) for part in response["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb", "interest-cohort"):
            assert features.get(feature) == "()", feature


# --- templates --------------------------------------------------------------------------------

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
HANDLER = re.compile(r"""<[a-z][^>]*\son[a-z]+\s*=\s*["']""", re.S | re.I)
JS_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']\s*javascript:""", re.I)


def _templates() -> list[Path]:
    folders = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    folders += [
        ROOT / app / "templates" for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()
    ]
    found = [p for folder in folders if folder.is_dir() for p in folder.rglob("*.html")]
    assert len(found) > 50
    return found


def test_no_template_has_an_inline_script_a_handler_or_a_javascript_link():
    problems = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT)
        if "pdf" in path.parts:  # WeasyPrint's templates: no browser, no scripts at all
            continue
        for attrs, body in SCRIPT_TAG.findall(text):
            data_block = re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", attrs)
            if body.strip() and not data_block:
                problems.append(f"{name}: inline <script> with code")
            if not body.strip() and "src=" not in attrs:
                problems.append(f"{name}: <script> without src")
        problems += [f"{name}: on*= handler {m.group(0)[-40:]!r}" for m in HANDLER.finditer(text)]
        problems += [f"{name}: javascript: link" for _ in JS_URL.finditer(text)]
    assert problems == []


def test_the_checks_find_what_they_look_for():
    """The patterns above catch the forms the templates used to have."""
    old = """<select onchange="this.form.submit()"><script>go()</script>
    <a href="javascript:location.reload()">"""
    assert HANDLER.search(old) and JS_URL.search(old)
    assert [b for _, b in SCRIPT_TAG.findall(old)] == ["go()"]
    assert not HANDLER.search('<div data-confirm="x" class="one">')
