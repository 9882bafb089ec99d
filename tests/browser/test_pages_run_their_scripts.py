"""Pages with charts and live forms run their scripts without an error in a real browser, under
the site's Content-Security-Policy (scripts from our own files only): no page logs a policy
violation ("Refused to execute inline script…", a securitypolicyviolation event), the charts are
drawn, the language menu and the live forms still work."""

import datetime as dt
from decimal import Decimal

import pytest

from core import roles
from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def resident(db) -> Resident:
    facility = Facility.objects.create(
        code="TYB-M", name="สถานคุ้มครองทดสอบ", kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )  # fmt: skip
    person = Resident.objects.create(
        facility=facility, case_number="63-0001", full_name="ผู้รับบริการ ทดสอบ",
        target_group="destitute", admitted_on=dt.date(2019, 6, 1),
    )  # fmt: skip
    Assessment.objects.bulk_create(
        [
            Assessment(resident=person, assessed_on=dt.date(2019, 8, 1), percent=Decimal(35)),
            Assessment(resident=person, assessed_on=dt.date(2020, 2, 1), percent=Decimal(85)),
        ]
    )
    return person


# Runs before any script of the page (Playwright's init script is not subject to the page's
# policy): every violation the browser reports is kept in window.__csp.
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " line " + e.lineNumber);
});
"""


def _watch(page) -> list[str]:
    """Script errors and policy violations (console and events) of every page ``page`` opens."""
    problems: list[str] = []
    page.add_init_script(WATCH_CSP)
    page.on("pageerror", lambda exc: problems.append(f"{page.url}: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"{page.url}: console: {msg.text}")
            if "Content Security Policy" in msg.text or "Refused to" in msg.text
            else None
        ),
    )
    return problems


def _open(page, url, problems) -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    # The policy is on: what the browser did not refuse, it was told to check.
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy, (url, policy)
    problems += [f"{url}: {v}" for v in page.evaluate("window.__csp || []")]


def _drawn(page, selector) -> bool:
    """Chart.js made a chart of the canvas (the canvas's own height attribute proves nothing)."""
    return page.locator(selector).first.evaluate(
        "c => typeof Chart !== 'undefined' && Chart.getChart(c) !== undefined"
    )


def test_chart_pages_draw_without_script_errors_or_policy_violations(
    page, live_server, login, make_user, resident
):
    admin = make_user(roles.ADMIN, username="admin-browser")
    problems = _watch(page)
    login(page, admin)
    for path in [
        "/reports/?year=2563",
        "/reports/report/?year=2563",
        "/indicators/?year=2563",
        f"/shelters/residents/{resident.pk}/",
        f"/shelters/residents/{resident.pk}/assess/",
        "/volunteers/?year=2563",
        "/subsidies/",
        "/subsidies/report/",
        "/catalog/",
        "/users/",
        "/users/new/",
        f"/users/{admin.username}/",
        "/imports/",
        "/no-such-page/",
    ]:
        _open(page, live_server.url + path, problems)
    assert problems == []
    # The charts are drawn.
    _open(page, live_server.url + "/volunteers/?year=2563", problems)
    for chart in ("#statusChart", "#specChart", "#monthChart"):
        assert _drawn(page, chart), chart
    assert page.locator("#statusChart").evaluate("c => c.height") > 0
    _open(page, live_server.url + "/reports/?year=2563", problems)
    assert _drawn(page, "canvas.bullet-chart")
    _open(page, f"{live_server.url}/shelters/residents/{resident.pk}/", problems)
    assert _drawn(page, "#irp-chart")
    assert problems == []


def test_the_language_menu_switches_language_under_the_policy(page, live_server, login, make_user):
    manager = make_user(roles.MANAGER, username="manager-browser")
    problems = _watch(page)
    login(page, manager)
    _open(page, live_server.url + "/indicators/?year=2563", problems)
    assert page.locator("html").get_attribute("lang") == "th"
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "/indicators/" in page.url
    with page.expect_navigation():
        page.select_option("select[name=language]", "th")
    assert page.locator("html").get_attribute("lang") == "th"
    problems += page.evaluate("window.__csp || []")
    assert problems == []


def test_the_public_status_page_and_the_error_pages_break_no_policy(page, live_server, db):
    problems = _watch(page)
    for path in ("/subsidies/status/", "/accounts/login/"):
        _open(page, live_server.url + path, problems)
    assert problems == []


def test_the_users_form_shows_the_password_boxes_only_for_a_typed_password(
    page, live_server, login, make_user
):
    admin = make_user(roles.ADMIN, username="admin-users-browser")
    problems = _watch(page)
    login(page, admin)
    _open(page, live_server.url + "/users/new/", problems)
    box = page.locator('[data-field="password1"]')
    typed = page.locator('input[name="password_mode"][value="typed"]')
    if not typed.is_checked():
        assert box.is_hidden()
        typed.check()
    assert box.is_visible()
    other = page.locator('input[name="password_mode"]:not([value="typed"])').first
    other.check()
    assert box.is_hidden()
    assert problems == []


def test_the_assessment_form_computes_percent_and_group_as_items_are_typed(
    page, live_server, login, make_user, resident
):
    staff = make_user(roles.FACILITY_STAFF, username="staff-browser")
    FacilityStaff.objects.create(user=staff, facility=resident.facility)
    errors = _watch(page)
    login(page, staff)
    _open(page, f"{live_server.url}/shelters/residents/{resident.pk}/assess/", errors)
    for n in range(1, 15):
        page.fill(f"#id_item_{n}", "8")
    assert page.locator("#irp-sum").inner_text().strip() == "112 / 140"
    assert page.locator("#irp-percent").inner_text().strip().startswith("80.00")
    assert "A" in page.locator("#irp-group").inner_text()
    errors += page.evaluate("window.__csp || []")
    assert errors == []
