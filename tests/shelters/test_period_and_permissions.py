"""The shelters pages read the period with the one parser (indicators.period) and ask one
permission object each (shelters.permissions), as every app does (issue 14)."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from core import access, nav
from shelters import kpi, permissions, views


def _box(html: str) -> str:
    return re.search(r'<input[^>]*id="as_of"[^>]*>', html).group(0)


@pytest.mark.parametrize("typed", ["31/13/2563", "garbage", "30/02/2563"])
def test_the_kpi_page_says_a_date_it_does_not_understand_instead_of_a_404(
    client_for, manager, fy2563, typed
):
    response = client_for(manager).get(reverse("shelters:kpi"), {"year": 2563, "as_of": typed})
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2020, 9, 30)
    html = unescape(response.content.decode())
    problem = html[html.index('data-testid="as-of-problem"') :][:400]
    assert f"ไม่เข้าใจวันที่ “{typed}”" in problem
    assert "จึงแสดงข้อมูล ณ วันที่ 30 กันยายน 2563 แทน" in problem
    box = _box(html)
    assert f'value="{typed}"' in box and "is-invalid" in box
    assert "ข้อมูล ณ วันที่ 30 กันยายน 2563 ·" in html  # the date used, beside the tables


def test_the_kpi_page_says_a_date_outside_the_year(client_for, manager, fy2563):
    response = client_for(manager).get(
        reverse("shelters:kpi"), {"year": 2563, "as_of": "15/03/2564"}
    )
    assert response.status_code == 200 and response.context["as_of"] == dt.date(2020, 9, 30)
    html = unescape(response.content.decode())
    assert "วันที่ “15/03/2564” อยู่นอกปีงบประมาณ พ.ศ. 2563" in html


def test_a_good_date_shows_no_problem_and_fills_the_box(client_for, manager, fy2563):
    response = client_for(manager).get(
        reverse("shelters:kpi"), {"year": "๒๕๖๓", "as_of": "15/03/2563"}
    )
    html = response.content.decode()
    assert response.context["year"] == 2563  # Thai digits too
    assert "as-of-problem" not in html and 'value="15/03/2563"' in _box(html)


def test_without_a_year_the_page_opens_on_the_latest_set_up_to_this_year(
    client_for, manager, fy2563
):
    response = client_for(manager).get(reverse("shelters:kpi"))
    assert response.context["year"] == 2563
    assert response.context["as_of"] == dt.date(2020, 9, 30)


@pytest.mark.parametrize("year", ["abc", "1999", "25634"])
def test_a_year_that_cannot_be_is_still_a_404(client_for, manager, fy2563, year):
    assert client_for(manager).get(reverse("shelters:kpi"), {"year": year}).status_code == 404


def test_a_drilldown_list_says_the_date_it_did_not_understand(
    client_for, manager, fy2563, resident
):
    url = kpi.list_url(kpi.IMPROVED, "population", 2563, dt.date(2020, 9, 30))
    response = client_for(manager).get(url.replace("as_of=2020-09-30", "as_of=31/13/2563"))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "ไม่เข้าใจวันที่ “31/13/2563”" in html
    assert "ข้อมูล ณ 30 ก.ย. 2563" in html


# --- one permission object per rule ------------------------------------------------------------


@pytest.mark.parametrize(
    ("view", "permission"),
    [
        (views.resident_list, permissions.can_read_residents),
        (views.resident_detail, permissions.can_read_residents),
        (views.facility_list, permissions.can_read_residents),
        (views.irp_item_list, permissions.can_read_residents),
        (views.resident_add, permissions.can_edit_residents),
        (views.resident_edit, permissions.can_edit_residents),
        (views.assessment_add, permissions.can_edit_residents),
        (views.assessment_edit, permissions.can_edit_residents),
        (views.assessment_delete, permissions.can_edit_residents),
        (views.resident_discharge, permissions.can_edit_residents),
        (views.discharge_edit, permissions.can_edit_residents),
        (views.discharge_undo, permissions.can_edit_residents),
        (views.irp_item_edit, permissions.can_edit_irp_items),
        (views.kpi_detail, permissions.can_read_kpi),
    ],
)
def test_each_view_is_decorated_with_its_permission(view, permission):
    assert view.allowed_roles == permission.roles


def test_links_and_the_menu_follow_the_views_own_permission(staff, manager, owner, make_user):
    for user, reads in ((staff, True), (manager, True), (owner, False)):
        assert access.can_open_name(user, "shelters:resident-list") is reads
        assert access.can_open_name(user, "shelters:facility-list") is reads
        assert access.can_open_name(user, "shelters:kpi") is True
        menu = [item["name"] for item in nav.items_for(user)]
        assert ("shelters:resident-list" in menu) is reads


def test_managers_read_residents_but_change_nothing(client_for, manager, resident):
    client = client_for(manager)
    assert client.get(reverse("shelters:resident-detail", args=[resident.pk])).status_code == 200
    for name in (
        "shelters:resident-edit",
        "shelters:assessment-add",
        "shelters:resident-discharge",
    ):
        url = reverse(name, args=[resident.pk])
        assert client.get(url).status_code == 403
        assert client.post(url, {}).status_code == 403
    assert client.get(reverse("shelters:resident-add")).status_code == 403
