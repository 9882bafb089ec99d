"""The volunteers pages' idioms (issue 14): every view says who may open it with a permission of
volunteers/permissions.py (read by core.access and the menu); the scope of a dashboard or report
comes from ``Province.objects.visible_to``; the period from indicators.period (a year that is not
a BE fiscal year is a 404, an as-of date not understood is shown, not silently replaced)."""

import datetime as dt

import pytest
from django.http import Http404
from django.urls import URLPattern, reverse

from core import access, nav, roles
from volunteers import permissions, queries
from volunteers.models import Plan, PlanTarget
from volunteers.urls import urlpatterns

VIEW = (
    "home", "list", "export", "expiring", "detail", "card-pdf", "certificate-pdf",
    "course-list", "course-detail", "service-list", "report",
)  # fmt: skip
EDIT = (
    "create", "edit", "card-renew", "course-create", "course-edit", "course-enrol",
    "course-results", "enrolment-result", "service-create", "service-bulk",
)  # fmt: skip
PLAN = ("plan-list", "plan-detail")
PLAN_EDIT = ("plan-create", "plan-edit")


def test_every_page_says_who_may_open_it_with_its_permission():
    expected = dict.fromkeys(VIEW, permissions.can_view)
    expected |= dict.fromkeys(EDIT, permissions.can_edit)
    expected |= dict.fromkeys(PLAN, permissions.can_view_plan)
    expected |= dict.fromkeys(PLAN_EDIT, permissions.can_edit_plan)
    seen = set()
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        assert pattern.name in expected, f"{pattern.name}: which permission?"
        roles_of_view = getattr(pattern.callback, "allowed_roles", None)
        assert roles_of_view == expected[pattern.name].roles, pattern.name
        seen.add(pattern.name)
    assert seen == set(expected)


def test_the_permissions_hold_the_roles_of_spec_6():
    assert set(permissions.can_view) == {roles.PROVINCIAL_OFFICER, roles.MANAGER, roles.ADMIN}
    assert set(permissions.can_edit) == {roles.PROVINCIAL_OFFICER, roles.ADMIN}
    assert set(permissions.can_see_national_id) == {roles.PROVINCIAL_OFFICER, roles.ADMIN}
    assert set(permissions.can_view_plan) == set(roles.ALL_ROLES) - {roles.FACILITY_STAFF}
    assert set(permissions.can_edit_plan) == {roles.ADMIN, roles.INDICATOR_OWNER}
    assert set(permissions.sees_every_province) == {roles.ADMIN, roles.MANAGER}


def test_links_and_the_menu_follow_the_views_permissions(make_user, officer_bkk, manager, owner):
    staff = make_user(roles.FACILITY_STAFF)
    assert access.can_open_name(officer_bkk, "volunteers:create")
    assert not access.can_open_name(manager, "volunteers:create")
    assert not access.can_open_name(manager, "volunteers:course-enrol", pk=1)
    assert access.can_open_name(manager, "volunteers:home")
    assert access.can_open_name(owner, "volunteers:plan-list")
    assert not access.can_open_name(owner, "volunteers:home")
    assert access.can_open_name(owner, "volunteers:plan-create")
    assert not access.can_open_name(officer_bkk, "volunteers:plan-create")

    def menu(user) -> set[str]:
        return {item["name"] for item in nav.items_for(user)} & {
            "volunteers:home",
            "volunteers:plan-list",
        }

    assert menu(officer_bkk) == menu(manager) == {"volunteers:home", "volunteers:plan-list"}
    assert menu(owner) == {"volunteers:plan-list"}
    assert menu(staff) == set()


# --- scope ----------------------------------------------------------------------------------


def test_the_scope_comes_from_the_provinces_visible_to_the_user(
    make_user, officer_bkk, manager, bangkok, chiang_mai
):
    national = queries.scope_of(manager)
    assert (national.province, national.nothing, national.label) == (None, False, "ทั้งประเทศ")
    assert chiang_mai in national.choices and len(national.choices) == 77
    picked = queries.scope_of(manager, "50")
    assert (picked.province, picked.label) == (chiang_mai, "จังหวัดเชียงใหม่")
    with pytest.raises(Http404):
        queries.scope_of(manager, "99")
    mine = queries.scope_of(officer_bkk, "50")  # an officer does not pick: their own province
    assert (mine.province, mine.nothing, mine.choices) == (bangkok, False, [])
    assert mine.label == "จังหวัดกรุงเทพมหานคร"
    without = queries.scope_of(make_user(roles.PROVINCIAL_OFFICER))
    assert (without.province, without.nothing, without.label) == (None, True, "-")


def test_an_unknown_province_is_a_404_for_those_who_pick(client_for, manager, officer_bkk):
    assert client_for(manager).get(reverse("volunteers:home") + "?province=99").status_code == 404
    assert client_for(manager).get(reverse("volunteers:report") + "?province=99").status_code == 404
    # an officer's pages ignore the choice (their province's anyway)
    assert (
        client_for(officer_bkk).get(reverse("volunteers:home") + "?province=99").status_code == 200
    )


def test_an_officer_without_a_province_sees_empty_figures(
    client_for, make_user, bkk_volunteer, make_services, django_assert_max_num_queries
):
    make_services(bkk_volunteer, 4)
    client = client_for(make_user(roles.PROVINCIAL_OFFICER))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("volunteers:home") + "?year=2563")
    assert response.status_code == 200
    assert response.context["total_volunteers"] == 0
    assert response.context["services_total"] == 0
    assert response.context["provinces"] == []
    report = client.get(reverse("volunteers:report") + "?year=2563")
    assert report.context["report"].total.services == 0
    assert "ขอบเขต: - ·" in report.content.decode()


def test_the_services_of_a_user_who_sees_nothing_take_no_query(django_assert_num_queries, db):
    start, end = dt.date(2019, 10, 1), dt.date(2020, 9, 30)
    with django_assert_num_queries(0):
        got = queries.services_by_month(start, end, queries.Scope(None, True, []))
    assert got.months[0] == (2019, 10) and got.months[-1] == (2020, 9)
    assert got.month_labels()[0] == "ต.ค. 62"
    assert all(n == 0 for _, n in got.by_type())


def test_the_manager_dashboard_picks_a_province_in_a_fixed_number_of_queries(
    client_for, manager, bangkok, make_volunteer, make_services, django_assert_max_num_queries
):
    client = client_for(manager)
    url = reverse("volunteers:home") + "?year=2563&province=10"
    with django_assert_max_num_queries(16):
        client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(5):
        make_services(make_volunteer(bangkok), 3)
    with CaptureQueriesContext(connection) as after:
        response = client.get(url)
    assert len(after) == len(before)
    assert response.context["services_total"] == 15


# --- the period -----------------------------------------------------------------------------


@pytest.fixture
def plan(db, bangkok):
    plan = Plan.objects.create(title="แผนทดสอบ")
    PlanTarget.objects.create(plan=plan, fiscal_year=2563, measure="trained", planned=10)
    return plan


def _pages(plan):
    return [
        reverse("volunteers:home"),
        reverse("volunteers:report"),
        reverse("volunteers:plan-detail", args=[plan.pk]),
    ]


@pytest.mark.parametrize("year", ["abc", "1999", "25630", "2563.0"])
def test_a_year_that_is_not_a_be_fiscal_year_is_a_404(client_for, officer_bkk, plan, year):
    client = client_for(officer_bkk)
    for url in _pages(plan):
        assert client.get(url, {"year": year}).status_code == 404, url


def test_a_year_in_thai_digits_is_understood(client_for, officer_bkk, plan):
    client = client_for(officer_bkk)
    for url in _pages(plan):
        response = client.get(url, {"year": "๒๕๖๔"})
        assert response.status_code == 200 and response.context["year"] == 2564, url


PROBLEM = 'data-testid="as-of-problem"'


@pytest.mark.parametrize("name", ["volunteers:report", "volunteers:plan-detail"])
def test_an_as_of_not_understood_is_shown_with_the_date_used_instead(
    client_for, officer_bkk, plan, name
):
    url = reverse(name, args=[plan.pk] if name == "volunteers:plan-detail" else [])
    client = client_for(officer_bkk)
    response = client.get(url, {"year": "2563", "as_of": "31/13/2563"})
    assert response.status_code == 200
    body = response.content.decode()
    assert PROBLEM in body
    assert "ไม่เข้าใจวันที่ “31/13/2563”" in body
    assert "จึงแสดงข้อมูล ณ วันที่ 30 กันยายน 2563 แทน" in body
    shown = response.context["report"].as_of if "report" in response.context else None
    assert (shown or response.context["as_of"]) == dt.date(2020, 9, 30)
    # a real date outside the year: clamped, and said so
    body = client.get(url, {"year": "2563", "as_of": "15/01/2564"}).content.decode()
    assert PROBLEM in body and "อยู่นอกปีงบประมาณ พ.ศ. 2563" in body
    # a date understood (BE, CE or ISO), or none: nothing to say
    for as_of in ("31/03/2563", "2020-03-31", ""):
        response = client.get(url, {"year": "2563", "as_of": as_of})
        assert PROBLEM not in response.content.decode(), as_of
    shown = client.get(url, {"year": "2563", "as_of": "2020-03-31"}).context
    assert (shown["report"].as_of if "report" in shown else shown["as_of"]) == dt.date(2020, 3, 31)


def test_the_as_of_problem_is_escaped(client_for, officer_bkk):
    body = (
        client_for(officer_bkk)
        .get(reverse("volunteers:report"), {"year": "2563", "as_of": "<b>x</b>"})
        .content.decode()
    )
    assert PROBLEM in body and "<b>x</b>" not in body and "&lt;b&gt;x&lt;/b&gt;" in body
