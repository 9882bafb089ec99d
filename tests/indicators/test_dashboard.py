import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import Deliverable, Evidence, Indicator, ManualResult

URL = reverse("indicators:dashboard")


def test_it_redirects_anonymous_visitors_to_login(client, fy2563):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_refuses_a_user_without_a_role(client_for, no_role_user, fy2563):
    assert client_for(no_role_user).get(URL).status_code == 403


def test_it_lists_the_tree_with_weights_and_total(client_for, manager, fy2563):
    response = client_for(manager).get(URL, {"year": 2563})
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("1", "1.1", "1.2", "2", "3", "3.1", "3.2"):
        assert f'data-code="{code}"' in html
    assert "ปีงบประมาณ พ.ศ. 2563" in html
    assert "30 กันยายน 2563" in html  # the as-of date, in Thai with a BE year
    assert response.context["result"].total == 0


def test_it_scores_a_manual_result_and_weights_it(client_for, manager, owner, fy2563):
    i11 = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    ManualResult.objects.create(
        indicator=i11, numerator=1271, denominator=10000, as_of=dt.date(2020, 9, 30),
        entered_by=owner,
    )  # fmt: skip
    response = client_for(manager).get(URL, {"year": 2563})
    result = response.context["result"]
    row = result.by_code("1.1")
    assert row.source == "manual"
    assert f"{row.score:.2f}" == "87.41"
    assert f"{row.weighted_score:.2f}" == "17.48"
    assert f"{result.by_code('1').score:.4f}" == "43.7030"  # (87.41 + 0) / 2
    assert f"{result.total:.2f}" == "17.48"
    html = response.content.decode()
    assert "ร้อยละ 12.71" in html and "87.41" in html


def test_it_serves_the_same_tree_as_json(client_for, manager, fy2563):
    data = json.loads(client_for(manager).get(URL, {"year": 2563, "format": "json"}).content)
    assert data["fiscal_year"] == 2563
    assert [i["code"] for i in data["indicators"]] == ["1", "2", "3"]
    assert [c["code"] for c in data["indicators"][0]["children"]] == ["1.1", "1.2"]


def test_an_unknown_year_is_not_found(client_for, manager, fy2563):
    assert client_for(manager).get(URL, {"year": 2499}).status_code == 404


def test_an_as_of_date_outside_the_year_is_clamped_to_it(client_for, manager, fy2563):
    response = client_for(manager).get(URL, {"year": 2563, "as_of": "01/01/2570"})
    assert response.context["as_of"] == dt.date(2020, 9, 30)
    response = client_for(manager).get(URL, {"year": 2563, "as_of": "15/03/2563"})
    assert response.context["as_of"] == dt.date(2020, 3, 15)


def _grow(fy2563, user, n):
    """More manual results and evidence: the dashboard must not issue more queries."""
    indicators = list(Indicator.objects.filter(indicator_set=fy2563).exclude(kind="group"))
    deliverables = list(Deliverable.objects.filter(indicator__indicator_set=fy2563))
    for k in range(n):
        for ind in indicators:
            ManualResult.objects.create(
                indicator=ind, numerator=k, denominator=100, as_of=dt.date(2020, 1, 1),
                entered_by=user,
            )  # fmt: skip
        for d in deliverables:
            Evidence.objects.create(
                deliverable=d,
                title=f"e{k}",
                url="https://x.test/",
                created_by=user,
                status="approved",
            )


def test_its_query_count_does_not_grow_with_data(client_for, manager, owner, fy2563):
    c = client_for(manager)
    c.get(URL)  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(URL, {"year": 2563}).status_code == 200
        return len(ctx.captured_queries)

    _grow(fy2563, owner, 1)
    small = queries()
    _grow(fy2563, owner, 8)
    assert queries() == small
    assert small <= 30


def test_the_indicator_pages_query_count_does_not_grow_with_data(
    client_for, manager, owner, fy2563
):
    c = client_for(manager)
    c.get(URL)
    pages = [
        reverse("indicators:indicator-detail", args=[i.pk])
        for i in Indicator.objects.filter(indicator_set=fy2563, code__in=["1.1", "2"])
    ]

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(url).status_code == 200
        return len(ctx.captured_queries)

    _grow(fy2563, owner, 1)
    small = [queries(url) for url in pages]
    _grow(fy2563, owner, 6)
    assert [queries(url) for url in pages] == small


def test_the_as_of_box_shows_a_date_that_reads_back(client_for, manager, fy2563):
    html = client_for(manager).get(URL, {"year": 2563, "as_of": "2020-03-15"}).content.decode()
    assert 'value="15/03/2563"' in html


def test_an_indicator_page_of_another_years_set_is_not_found(client_for, manager, fy2563):
    i11 = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    url = reverse("indicators:indicator-detail", args=[i11.pk])
    assert client_for(manager).get(url, {"year": 2563}).status_code == 200
    assert client_for(manager).get(url, {"year": 2564}).status_code == 404
