"""Headless Chromium (Debian's ``chromium``, never a downloaded browser) driven by Playwright's
sync API against pytest-django's ``live_server``.

A missing browser FAILS the tests (CI must not pass without them). Each test saves a screenshot
to test-artifacts/<test>.png when it fails. Playwright's sync API runs an event loop in the test
thread, so Django's async-safety check is switched off for these tests (DJANGO_ALLOW_ASYNC_UNSAFE).
"""

import os
import re
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "x-test-pass-9"  # noqa: S105 - tests/conftest.py's make_user


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("KPI_CHROMIUM", "/usr/bin/chromium")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {path}: apt-get install chromium (or set KPI_CHROMIUM). "
            "Browser tests never download a browser and never skip."
        )
    return path


@pytest.fixture(scope="session")
def browser(chromium_path, django_db_setup):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While Playwright runs, the test code runs in another context (greenlet), where Django's
    # connection objects are new ones: carry over the test database's serialized contents, or
    # serialized_rollback would have nothing to restore the migrations' data from.
    serialized = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    playwright = sync_playwright().start()
    for alias, contents in serialized.items():
        if contents is not None:
            connections[alias]._test_serialized_contents = contents
    try:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _page(request, browser, **context_args):
    context = browser.new_context(locale="th-TH", accept_downloads=True, **context_args)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def page(request, browser, live_server):
    yield from _page(request, browser, viewport={"width": 1366, "height": 900})


# A phone-sized window: 390×844, touch, mobile user agent.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def phone(request, browser, live_server):
    """A phone-sized window (390×844, touch, mobile user agent)."""
    yield from _page(request, browser, **PHONE)


@pytest.fixture
def phone_without_scripts(request, browser, live_server):
    """The same phone with JavaScript switched off: what the server alone must get right."""
    yield from _page(request, browser, **PHONE, java_script_enabled=False)


@pytest.fixture
def login(live_server):
    """Log in through the login form, as a person would."""

    def do(page, user, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("form button[type=submit]")
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, "login failed"

    return do


@pytest.fixture
def axe_page(request, browser, live_server):
    """A desktop window for the accessibility tests: ``page.add_script_tag(path=...)`` injects
    axe-core as an inline script, which the site's Content-Security-Policy refuses, so this
    window bypasses the policy (the policy itself is tested in test_pages_run_their_scripts)."""
    yield from _page(request, browser, viewport={"width": 1366, "height": 900}, bypass_csp=True)
