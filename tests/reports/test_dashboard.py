import datetime as dt
import json

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from core import roles
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator
from indicators.services import copy_set

URL = reverse("reports:dashboard")
Y2563 = "?year=2563&as_of=2020-09-30"


def charts(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="kpi-charts" type="application/json">') + len(
        '<script id="kpi-charts" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def card(response, code: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-code="{code}"')
    return html[start : html.index("</article>", start)]


def test_a_manager_sees_the_total_and_its_level(client_for, manager, fy2563, residents):
    residents(7, 43)  # 1.1 = 14.00 → 100 points × 20 = 20.00
    response = client_for(manager).get(URL + Y2563)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.result.total == 20
    html = response.content.decode()
    assert 'data-testid="total-score">20.00<' in html
    assert "ต่ำกว่าขั้นต่ำ" in html  # 20 out of 100 is below the 50-point level
    assert 'data-testid="score-1.1">100.00<' in html
    assert 'data-testid="weighted-1.1">20.00<' in html


def test_each_indicator_has_its_bullet_chart_against_three_targets(
    client_for, manager, fy2563, residents
):
    residents(6, 44)  # 12.00
    data = charts(client_for(manager).get(URL + Y2563))
    assert set(data) == {"1.1", "1.2", "2", "3.1", "3.2"}
    assert data["1.1"]["targets"] == [10.72, 12.05, 13.38]
    assert data["1.1"]["value"] == 12.0
    assert data["1.1"]["min"] <= 10.72 and data["1.1"]["max"] >= 13.38
    assert data["2"]["targets"] == [50.0, 75.0, 100.0] and data["2"]["value"] == 0.0


def test_the_trend_starts_with_the_document_baselines(client_for, manager, fy2563, residents):
    residents(6, 44)
    response = client_for(manager).get(URL + Y2563)
    trend = charts(response)["1.1"]["trend"]
    assert trend["labels"] == ["2560", "2561", "2562", "2563"]
    assert trend["values"] == [None, 9.39, 10.72, 12.0]  # 2560 has no result (Qlife plus trial)
    assert trend["sources"] == ["baseline", "baseline", "baseline", "system"]
    assert "423 / 4,506" in card(response, "1.1")


def test_the_trend_adds_the_years_the_system_holds(client_for, manager, fy2563, residents):
    residents(6, 44)  # assessed in FY2563
    copy_set(fy2563, 2564)
    response = client_for(manager).get(URL + "?year=2564&as_of=2021-09-30")
    assert response.status_code == 200
    trend = charts(response)["1.1"]["trend"]
    assert trend["labels"][-2:] == ["2563", "2564"]
    assert trend["values"][-2] == 12.0  # FY2563 evaluated at its year end
    assert trend["values"][-1] is None  # nobody assessed in FY2564


def test_what_is_missing_is_marked(client_for, manager, fy2563, residents):
    residents(1, 49)  # 1.1 = 2.00: below the minimum
    response = client_for(manager).get(URL + Y2563)
    one = card(response, "1.1")
    assert 'data-testid="missing-1.1"' in one and "ต่ำกว่าเป้าหมายขั้นต่ำ" in one
    assert "ยังไม่มีผลการดำเนินงาน" in card(response, "1.2")
    three_one = card(response, "3.1")
    assert "ยังไม่มีหลักฐานที่ได้รับอนุมัติ" in three_one
    three_two = card(response, "3.2")
    assert "ตัวเลขจากระบบยังไม่ถึงเป้าหมาย" in three_two and "0 / 3,500" in three_two


def test_approved_evidence_clears_the_mark_and_names_the_next_level(
    client_for, manager, kpi_admin, fy2563
):
    indicator = Indicator.objects.get(indicator_set=fy2563, code="3.1")
    level1 = Deliverable.objects.filter(indicator=indicator, level=1)
    for d in level1:
        Evidence.objects.create(
            deliverable=d, title="รายงานผลการศึกษา", status=EvidenceStatus.APPROVED,
            created_by=kpi_admin,
        )  # fmt: skip
    response = client_for(manager).get(URL + Y2563)
    board = response.context["board"]
    c = next(c for c in board.cards if c.code == "3.1")
    assert c.res.level == 1 and c.next_level == 2
    level2 = list(Deliverable.objects.filter(indicator=indicator, level=2))
    assert [s.deliverable for s in c.next_deliverables] == level2
    html = card(response, "3.1")
    assert "ระดับถัดไป: มาตรฐาน" in html
    for d in level1:
        assert f"ยังไม่มีหลักฐานที่ได้รับอนุมัติ — {d.title}" not in html


def test_it_says_how_many_more_residents_must_improve(client_for, manager, fy2563, residents):
    residents(5, 45)  # 10.00 % of 50; 10.72 % needs 5.36 → 6, i.e. 1 more
    response = client_for(manager).get(URL + Y2563)
    html = card(response, "1.1")
    assert "ต้องมีสมรรถภาพดีขึ้นเพิ่มอีก <strong>1</strong> ราย" in html  # ขั้นต่ำ
    assert "ต้องมีสมรรถภาพดีขึ้นเพิ่มอีก <strong>2</strong> ราย" in html  # 12.05 → 6.03 → 7
    steps = next(c for c in response.context["board"].cards if c.code == "1.1").ratio_steps
    assert [s.extra for s in steps] == [1, 2, 2]  # 13.38 % of 50 = 6.69 → 7


def test_breakdowns_link_to_the_records_and_the_domain_pages(
    client_for, manager, fy2563, residents
):
    residents(3, 7)
    response = client_for(manager).get(URL + Y2563)
    one = card(response, "1.1")
    assert reverse("shelters:resident-list") + "?kpi=improved&amp;cat=CB" in one
    assert reverse("shelters:kpi") + "?year=2563" in one and "รายหน่วยงาน" in one
    assert reverse("subsidies:report") + "?year=2563" in card(response, "3.2")
    assert "รายเดือน" in card(response, "3.2")
    assert "รายจังหวัด" in card(response, "2")
    # Each breakdown count opens the residents behind it.
    link = reverse("shelters:resident-list") + "?kpi=improved&cat=CB&year=2563&as_of=2020-09-30"
    listing = client_for(manager).get(link)
    assert listing.status_code == 200
    assert listing.content.decode().count("ผู้รับบริการ ทดสอบ") >= 3


def test_the_year_and_as_of_selector_picks_the_period(client_for, manager, fy2563, residents):
    residents(6, 44)  # second assessments on 1 Feb 2020
    response = client_for(manager).get(URL + "?year=2563&as_of=31/01/2563")
    assert response.context["as_of"] == dt.date(2020, 1, 31)
    assert charts(response)["1.1"]["value"] is None
    assert 'value="31/01/2563"' in response.content.decode()
    assert client_for(manager).get(URL + "?year=2599").status_code == 404


def test_the_query_count_does_not_grow_with_the_data(
    client_for, manager, fy2563, residents, django_assert_max_num_queries, kpi_admin
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(manager)
    residents(2, 3)
    c.get(URL + Y2563)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as small:
        assert c.get(URL + Y2563).status_code == 200
    residents(60, 140)
    for d in Deliverable.objects.filter(indicator__indicator_set=fy2563):
        Evidence.objects.create(deliverable=d, title="หลักฐาน", created_by=kpi_admin,
                                status=EvidenceStatus.APPROVED)  # fmt: skip
    with django_assert_max_num_queries(len(small)):
        assert c.get(URL + Y2563).status_code == 200
    assert len(small) <= 25


@pytest.mark.parametrize("role", roles.ALL_ROLES)
def test_every_staff_role_reads_it_and_finds_it_in_the_menu(client_for, make_user, fy2563, role):
    user = make_user(role)
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert f'href="{URL}"' in response.content.decode()


def test_no_role_is_403_and_anonymous_goes_to_login(client, client_for, no_role_user, fy2563):
    assert client_for(no_role_user).get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not User.objects.filter(username="anonymous").exists()


def test_the_reports_pages_and_menu_take_one_permission(no_role_user, manager, owner):
    """reports.permissions.can_read_reports: every reports view is decorated with it and the
    menu entry shows by it."""
    from core import nav
    from reports import urls
    from reports.permissions import can_read_reports

    assert {p.callback.allowed_roles for p in urls.urlpatterns} == {can_read_reports.roles}
    assert can_read_reports.roles == set(roles.ALL_ROLES)
    for user in (manager, owner):
        assert "reports:dashboard" in [i["name"] for i in nav.items_for(user)]
    assert "reports:dashboard" not in [i["name"] for i in nav.items_for(no_role_user)]
