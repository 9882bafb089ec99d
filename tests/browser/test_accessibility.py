"""WCAG 2.1 AA, checked by axe-core in headless Chromium (issue 13).

The demo data (``manage.py demo``) is loaded, then each role's demo user logs in: the admin walks
every kind of page reachable by links (lists, details, forms, dashboards, reports, imports,
users), sends a few forms empty (the refused form, with its errors), previews an import and
looks at a page in English; every other role opens the pages of its own menu and a page it may
not open (403). Every role sees the 404 page; without logging in, the login page (also refused)
and the public subsidy status page before and after a lookup are checked, and the stand-alone
400/500/503 pages. On each
page axe-core (tests/browser/vendor/axe.min.js, vendored for these tests only) runs the WCAG 2.0 /
2.1 A and AA rules: no violation of impact "serious" or "critical" may remain. A few things axe's
WCAG rules do not catch are checked too: <html lang> is th or en, the page has an h1, every id
that aria-describedby / aria-labelledby names exists (Django points inputs at "<id>_helptext" and
"<id>_error"), an invalid input is described by its error, a chart canvas has a text alternative,
and the first thing to tab to is the skip link to <main id="main">.
"""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.template.loader import render_to_string
from playwright.sync_api import Error as PlaywrightError

from core import roles
from core.demo import DEMO_PASSWORD
from shelters.models import Resident
from subsidies.models import Application

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
RUN_AXE = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
  .then(r => r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 6),
                count: v.nodes.length})))"""
# What axe's WCAG rules leave out, as one list of problems (empty: all well).
OWN_CHECKS = r"""() => {
  const out = [];
  const lang = document.documentElement.lang;
  if (!['th', 'en'].includes(lang)) out.push(`<html lang="${lang}">: not th or en`);
  if (!document.querySelector('h1')) out.push('no h1');
  const name = el => el.id ? '#' + el.id : el.tagName.toLowerCase() + (el.name ? `[name=${el.name}]` : '');
  const dangling = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    if (el.type === 'hidden') continue;
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) dangling.push(`${name(el)} ${attr}="${id}"`);
      }
    }
  }
  if (dangling.length) {
    out.push(`${dangling.length} reference(s) to an id no element has: ` + dangling.slice(0, 6).join('; '));
  }
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
    const holder = el.closest('fieldset[aria-describedby]') || el;
    const ids = (holder.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
    const said = ids.map(id => document.getElementById(id)).filter(Boolean)
      .some(d => d.textContent.trim() && /_error$/.test(d.id));
    if (!said) out.push(`${name(el)} is invalid but not described by its error`);
  }
  for (const c of document.querySelectorAll('canvas')) {
    if (c.getAttribute('role') !== 'img' || !(c.getAttribute('aria-label') || '').trim()) {
      out.push(`canvas ${c.id || c.className}: no text alternative (role="img" and aria-label)`);
    }
  }
  const first = document.querySelector(
    'body a[href], body button, body input:not([type=hidden]), body select, body textarea');
  if (!first || !first.classList.contains('skip-link') || first.getAttribute('href') !== '#main') {
    out.push('the first thing to tab to is not the skip link to #main');
  }
  const main = document.getElementById('main');
  if (!main || main.tagName !== 'MAIN') out.push('no <main id="main">');
  return out;
}"""
# Links the walk does not follow: downloads, the admin site, logging out, the language switch.
NOT_PAGES = re.compile(
    r"/logout/|/i18n/|/admin/|/api/|/file/|/imports/templates/|\.(pdf|xlsx|csv|json|jsonld)(\?|$)"
    r"|[?&](export|format)="
)
# Each role's demo user (core/demo.py and the apps' demo.py) and how many kinds of page it must
# at least reach (so that a walk that stops early cannot pass).
ROLES = {
    "admin": 30,
    "manager": 8,
    "approver": 5,
    "owner": 5,
    "staff-tyb": 4,
    "officer-bkk": 6,
    "subsidy": 4,
}
# Create forms sent empty: the refused form re-rendered with its errors (as the admin).
EMPTY_FORMS = [
    "/shelters/residents/new/",
    "/subsidies/new/",
    "/users/new/",
    "/volunteers/new/",
    "/volunteers/plans/new/",
    "/catalog/new/",
    "/imports/",
]


@pytest.fixture
def demo_data(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo's evidence files and the test's upload
    call_command("demo", stdout=io.StringIO())


def _kind(url: str) -> str:
    """A page's kind: its path with ids (any segment with a digit, a username) as placeholders."""
    path = url.split("#")[0].split("?")[0]
    parts = ["N" if re.search(r"\d", p) else p for p in path.split("/")]
    if len(parts) > 3 and parts[1] == "users" and parts[2] not in ("", "new"):
        parts[2] = "U"
    return "/".join(parts)


class Audit:
    """Runs axe-core and the own checks on pages, keeping every problem found."""

    def __init__(self, page, base: str):
        self.page, self.base = page, base
        self.problems: list[str] = []
        self.seen: list[str] = []

    def check(self, label: str | None = None) -> None:
        page = self.page
        where = label or page.url.removeprefix(self.base)
        self.seen.append(where)
        page.evaluate("document.fonts.ready.then(() => true)")  # the layout in its own font
        page.add_script_tag(path=str(AXE))
        for v in page.evaluate(RUN_AXE, WCAG):
            self.problems.append(
                f"{where}: {v['id']} ({v['impact']}) {v['help']} — {v['count']} element(s): "
                + "; ".join(v["targets"])
            )
        self.problems += [f"{where}: {p}" for p in page.evaluate(OWN_CHECKS)]

    def open(self, path: str, status: int | None = None) -> None:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        if status is not None:
            assert response.status == status, (path, response.status)
        self.check()

    def walk(self, limit: int, *, menu_only: bool = False) -> set[str]:
        """Every kind of page reachable by links from the home page (menu included), once each;
        ``menu_only``: the home page and the pages of the menu."""
        queue, kinds, visited = [self.base + "/"], set(), 0
        while queue and len(kinds) < limit:
            url = queue.pop(0)
            if _kind(url.removeprefix(self.base)) in kinds:
                continue
            kinds.add(_kind(url.removeprefix(self.base)))
            try:
                response = self.page.goto(url)
            except PlaywrightError as exc:  # a download the pattern did not foresee
                if "Download is starting" in str(exc):
                    continue
                raise
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            self.page.wait_for_load_state("load")
            kinds.add(_kind(self.page.url.removeprefix(self.base)))  # after a redirect
            self.check()
            visited += 1
            if menu_only and visited > 1:  # past the home page
                continue
            links = "nav a.nav-link[href]" if menu_only else "a[href]"
            for href in self.page.eval_on_selector_all(links, "els => els.map(e => e.href)"):
                href = href.split("#")[0]
                if (
                    href.startswith(self.base + "/")
                    and not NOT_PAGES.search(href)
                    and _kind(href.removeprefix(self.base)) not in kinds
                ):
                    queue.append(href)
        return kinds

    def send_empty(self, path: str) -> None:
        """Open a form and send it as it is (browser validation off): the refused form."""
        self.page.goto(self.base + path)
        with self.page.expect_navigation():
            sent = self.page.evaluate(
                """() => {
                  const form = [...document.querySelectorAll('main form')]
                    .find(f => f.method === 'post' && f.querySelector('button:not([type=button])'));
                  form.noValidate = true;
                  form.querySelector('button:not([type=button])').click();
                  return true;
                }"""
            )
        assert sent
        self.page.wait_for_load_state("load")
        assert self.page.locator("[aria-invalid='true']").count() > 0, f"{path}: no error shown"
        self.check(f"{path} (refused)")

    def report(self) -> str:
        return f"{len(self.problems)} problem(s) on {len(self.seen)} page(s):\n" + "\n".join(
            self.problems
        )


@pytest.mark.parametrize("username", list(ROLES))
def test_every_kind_of_page_a_role_opens_has_no_serious_or_critical_violation(
    axe_page, live_server, login, demo_data, username
):
    login(axe_page, User.objects.get(username=username), DEMO_PASSWORD)
    audit = Audit(axe_page, live_server.url)
    # The admin sees every kind of page; the other roles see the same templates with fewer
    # buttons, so they walk their own menu (keeping the run short).
    kinds = audit.walk(limit=150, menu_only=username != "admin")
    assert len(kinds) >= ROLES[username], sorted(kinds)
    audit.open("/no-such-page/", status=404)
    if username == "admin":
        # A chart with no table of its figures on the page gets a hidden one (static/js/site.js).
        axe_page.goto(live_server.url + "/volunteers/")
        axe_page.wait_for_load_state("load")
        figures = axe_page.locator("#monthChart + [data-chart-data] table")
        assert figures.locator("caption").inner_text() == axe_page.locator(
            "#monthChart"
        ).get_attribute("aria-label")
        assert figures.locator("tbody tr").count() == 12  # the fiscal year's months
        resident = Resident.objects.order_by("pk").first()
        for path in [*EMPTY_FORMS, f"/shelters/residents/{resident.pk}/assess/"]:
            audit.send_empty(path)
        # An import's preview (a file with a row that cannot be read).
        axe_page.goto(live_server.url + "/imports/")
        axe_page.select_option("#id_kind", "services")
        template = axe_page.request.get(live_server.url + "/imports/templates/services.csv")
        axe_page.set_input_files(
            "#id_file",
            files=[
                {
                    "name": "services.csv",
                    "mimeType": "text/csv",
                    "buffer": template.body().rstrip(b"\r\n") + b"\r\nxx,yy,zz\r\n",
                }
            ],
        )
        with axe_page.expect_navigation(url=re.compile(r"/imports/\d+/$")):
            axe_page.locator("main form button").first.click()
        audit.check("/imports/N/ (preview)")
        # The same in English: <html lang="en">.
        axe_page.goto(live_server.url + "/indicators/")
        with axe_page.expect_navigation():
            axe_page.select_option("select[name=language]", "en")
        assert axe_page.locator("html").get_attribute("lang") == "en"
        audit.check("/indicators/ (English)")
    else:
        audit.open("/users/", status=403)
    assert not audit.problems, audit.report()


def test_the_login_and_public_status_pages_have_no_serious_or_critical_violation(
    axe_page, live_server, demo_data
):
    page = axe_page
    audit = Audit(page, live_server.url)
    audit.open("/accounts/login/", status=200)
    page.fill("#id_username", "admin")
    page.fill("#id_password", "wrong-password")
    page.click("form button[type=submit]")
    page.wait_for_load_state("load")
    audit.check("/accounts/login/ (refused)")
    audit.open("/no-such-page/", status=404)

    audit.open("/subsidies/status/", status=200)
    page.fill("#id_reference", "AAAAA-BBBBB")
    page.fill("#id_national_id", "1234")
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()  # the page's script sends it
    page.locator("[aria-invalid='true']").first.wait_for()
    audit.check("/subsidies/status/ (refused)")

    app = Application.objects.filter(is_demo=True).order_by("pk").first()
    page.fill("#id_reference", app.formatted_reference)
    page.fill("#id_national_id", app.national_id)
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#status-result").wait_for()
    assert app.first_name in page.locator("main").inner_text()
    audit.check("/subsidies/status/ (found)")
    assert not audit.problems, audit.report()


def test_the_stand_alone_error_pages_have_no_serious_or_critical_violation(
    axe_page, live_server, db
):
    audit = Audit(axe_page, live_server.url)
    for template in ("400.html", "500.html", "503.html"):
        axe_page.goto(live_server.url + "/healthz/")  # the site's address, for the static files
        axe_page.set_content(render_to_string(template), wait_until="load")
        audit.check(template)
    assert not audit.problems, audit.report()


def test_the_skip_link_comes_first_shows_when_focused_and_moves_to_the_main_content(
    axe_page, live_server, login, make_user
):
    page = axe_page
    login(page, make_user(roles.MANAGER, username="a11y-manager"))
    page.goto(live_server.url + "/indicators/")
    skip = page.locator("a.skip-link")
    assert skip.inner_text().strip() == "ข้ามไปยังเนื้อหาหลัก"
    assert skip.bounding_box()["y"] < 0  # out of sight until it has the focus
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10, box
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # The focus stays visible on the blue menu bar: a thick outline, not Bootstrap's pale glow.
    page.goto(live_server.url + "/indicators/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # the first menu entry
    link = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [document.activeElement.className, s.outlineStyle, s.outlineWidth]; }"""
    )
    assert "nav-link" in link[0] and link[1] == "solid" and float(link[2][:-2]) >= 2, link


def test_a_refused_form_ties_its_errors_and_help_text_to_the_inputs(
    axe_page, live_server, login, make_user
):
    page = axe_page
    login(page, make_user(roles.ADMIN, username="a11y-admin"))
    audit = Audit(page, live_server.url)
    audit.send_empty("/users/new/")
    username = page.locator("#id_username")
    assert username.get_attribute("aria-invalid") == "true"
    described = username.get_attribute("aria-describedby").split()
    assert "id_username_error" in described, described
    error = page.locator("#id_username_error")
    assert error.is_visible() and error.inner_text().strip()
    # Every input with help text is described by it.
    for field in page.locator("main [aria-describedby*='_helptext']").all():
        ids = field.get_attribute("aria-describedby").split()
        help_id = next(i for i in ids if i.endswith("_helptext"))
        assert page.locator(f"#{help_id}").inner_text().strip(), help_id
    assert not audit.problems, audit.report()
