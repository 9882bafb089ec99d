"""A link is shown only to a role whose request behind it succeeds (core.access).

The KPI pages (the managers' dashboard, the indicator table and each indicator's page), the
volunteer plan's pages with the app's tabs, and the 403 page are crawled as every role: every
link of the page, the menu included, is followed and must answer 200. And the drill-down counts
that a role may not open are there as plain numbers, without the link.
"""

import re
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import reverse

from core import access
from indicators.models import Indicator
from tests.trust.conftest import ROLE_KEYS

PERIOD = "year=2563&as_of=2020-09-30"
ROLES = [r for r in ROLE_KEYS if r not in ("anonymous", "no_role")]
COMPUTATIONS = (
    "shelters.improved",
    "shelters.returned",
    "volunteers.plan",
    "catalog.completeness",
    "subsidies.status_checks",
)
A_HREF = re.compile(r"""<a\b[^>]*?\bhref=["']([^"']+)["']""")
RESIDENT_DRILL = re.compile(r"""href=["']/shelters/\?[^"']*kpi=""")
SUBSIDY_REPORT = re.compile(r"""href=["']/subsidies/report/""")


def indicator_url(world, computation: str) -> str:
    indicator = Indicator.objects.get(pk=world.pk["indicator_ratio"])
    pk = Indicator.objects.get(
        indicator_set_id=indicator.indicator_set_id, computation=computation
    ).pk
    return f"{reverse('indicators:indicator-detail', args=[pk])}?{PERIOD}"


def pages(world) -> list[str]:
    return [
        f"/reports/?{PERIOD}",
        f"/indicators/?{PERIOD}",
        *[indicator_url(world, c) for c in COMPUTATIONS],
        reverse("volunteers:plan-list"),
        f"{reverse('volunteers:plan-detail', args=[world.pk['plan']])}?{PERIOD}",
        "/imports/",  # a 403 for all but admins: its menu and way back are links too
    ]


def links_of(page_url: str, html: str) -> set[str]:
    found = set()
    for href in A_HREF.findall(html):
        href = unescape(href)
        if href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(page_url, href)
        parts = urlsplit(url)
        if parts.netloc and parts.netloc != "testserver":
            continue  # another site's page (evidence links): not ours to answer
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def get(client, url):
    return client.get(url, follow=True)


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_role_is_shown_opens_for_that_role(world, role):
    client = world.client(role)
    followed: dict[str, int] = {}
    for page in pages(world):
        response = get(client, page)
        assert response.status_code in (200, 403), f"{page} as {role}: {response.status_code}"
        html = response.content.decode()
        for link in sorted(links_of(page, html) - set(followed)):
            followed[link] = get(client, link).status_code
        broken = {
            link: status
            for link, status in followed.items()
            if status != 200 and link in links_of(page, html)
        }
        assert not broken, f"{page} shows {role} links that do not open: {broken}"
    assert followed, role


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("owner", False),
        ("subsidy", False),
        ("officer_p", False),
        ("approver", False),
        ("staff_x", True),
        ("manager", True),
        ("admin", True),
    ],
)
@pytest.mark.parametrize("page", ["reports", "shelters.improved", "shelters.returned"])
def test_resident_drill_downs_are_links_only_for_roles_that_open_residents(
    world, role, shown, page
):
    url = f"/reports/?{PERIOD}" if page == "reports" else indicator_url(world, page)
    response = world.client(role).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert bool(RESIDENT_DRILL.search(html)) is shown, f"{url} as {role}"
    # The counts themselves are there for everybody.
    if page == "reports":
        box = re.search(r'data-testid="breakdown-1\.1".*?</div>', html, re.S).group(0)
    else:
        box = re.search(r'aria-label="รายละเอียด".*?</div>\s*</div>', html, re.S).group(0)
    assert re.search(r"\d", re.sub(r"<[^>]+>", "", box)), f"no counts on {url} as {role}"


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("staff_x", False),
        ("officer_p", False),
        ("owner", True),
        ("approver", True),
        ("subsidy", True),
        ("manager", True),
        ("admin", True),
    ],
)
@pytest.mark.parametrize("page", ["reports", "indicator"])
def test_the_3_2_figure_links_to_the_usage_report_only_for_its_readers(world, role, shown, page):
    url = f"/reports/?{PERIOD}" if page == "reports" else indicator_url(world, COMPUTATIONS[-1])
    response = world.client(role).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert bool(SUBSIDY_REPORT.search(html)) is shown, f"{url} as {role}"
    if page == "reports":
        assert 'data-testid="fact-3.2"' in html  # the figure itself, linked or not


@pytest.mark.parametrize(
    ("role", "tabs"),
    [
        ("owner", False),
        ("subsidy", False),
        ("officer_p", True),
        ("manager", True),
        ("admin", True),
    ],
)
def test_the_volunteer_tabs_show_only_the_pages_the_role_opens(world, role, tabs):
    html = world.client(role).get(reverse("volunteers:plan-list")).content.decode()
    for name in ("home", "list", "expiring", "course-list", "service-list", "report"):
        assert (f'href="{reverse(f"volunteers:{name}")}"' in html) is tabs, (role, name)
    # The plan's own tab and menu entry: whoever may open the plan (volunteers.permissions).
    assert f'href="{reverse("volunteers:plan-list")}"' in html


def test_facility_staff_get_neither_the_plan_nor_its_menu_entry(world):
    from core import nav

    user = world.users["staff_x"]
    assert "volunteers:plan-list" not in {item["name"] for item in nav.items_for(user)}
    assert world.client("staff_x").get(reverse("volunteers:plan-list")).status_code == 403
    html = world.client("staff_x").get("/shelters/").content.decode()
    assert reverse("volunteers:plan-list") not in html


def test_the_menu_offers_exactly_the_entries_the_role_may_open(world):
    from core import nav

    for role in ROLES:
        user = world.users[role]
        client = world.client(role)
        for item in nav.items_for(user):
            assert client.get(item["url"]).status_code == 200, (role, item["name"])


def test_a_page_without_its_own_rule_reads_the_role_required_roles(world):
    report = reverse("subsidies:report")
    assert access.can_open(world.users["owner"], report)
    assert not access.can_open(world.users["staff_x"], f"{report}?year=2563")
    assert access.can_open_name(world.users["manager"], "subsidies:report")
    assert not access.can_open_name(world.users["officer_p"], "subsidies:list")


def test_links_the_rules_do_not_know_are_left_alone(world):
    staff = world.users["staff_x"]
    assert access.can_open(staff, "https://data.go.th/dataset/x")  # another site
    assert access.can_open(staff, "/somewhere/not/ours/")  # no URL pattern: not ours to judge
    assert not access.can_open(staff, "")
    from django.contrib.auth.models import AnonymousUser

    assert not access.can_open(AnonymousUser(), reverse("reports:dashboard"))
