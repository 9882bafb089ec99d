"""A date in the period box that is not understood is never silently replaced (issue 13): the
page says, in Thai, that the date was not understood and which date is shown instead, and the box
keeps what was typed. The one parser (indicators/period.py) serves every page with the box."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse


def _box(html: str) -> str:
    return re.search(r'<input id="as_of"[^>]*>', html).group(0)


@pytest.mark.parametrize("typed", ["31/13/2563", "garbage", "30/02/2563", "2563"])
def test_a_date_not_understood_is_said_and_kept_in_the_box(client_for, manager, fy2563, typed):
    response = client_for(manager).get(
        reverse("indicators:dashboard"), {"year": 2563, "as_of": typed}
    )
    assert response.status_code == 200
    assert response.context["as_of"] == dt.date(2020, 9, 30)
    html = unescape(response.content.decode())
    problem = html[html.index('data-testid="as-of-problem"') :][:400]
    assert f"ไม่เข้าใจวันที่ “{typed}”" in problem
    assert "จึงแสดงข้อมูล ณ วันที่ 30 กันยายน 2563 แทน" in problem
    box = _box(html)
    assert f'value="{typed}"' in box and "is-invalid" in box
    assert 'aria-describedby="as_of-problem"' in box


@pytest.mark.parametrize(
    ("typed", "shown", "shown_text"),
    [
        ("15/03/2564", dt.date(2020, 9, 30), "30 กันยายน 2563"),
        ("15/03/2562", dt.date(2019, 10, 1), "1 ตุลาคม 2562"),
    ],
)
def test_a_date_outside_the_year_is_said_too(client_for, manager, fy2563, typed, shown, shown_text):
    response = client_for(manager).get(
        reverse("indicators:dashboard"), {"year": 2563, "as_of": typed}
    )
    assert response.context["as_of"] == shown
    html = unescape(response.content.decode())
    problem = html[html.index('data-testid="as-of-problem"') :][:400]
    assert f"วันที่ “{typed}” อยู่นอกปีงบประมาณ พ.ศ. 2563" in problem
    assert f"จึงแสดงข้อมูล ณ วันที่ {shown_text} แทน" in problem


def test_a_good_date_shows_no_problem(client_for, manager, fy2563):
    html = (
        client_for(manager)
        .get(reverse("indicators:dashboard"), {"year": 2563, "as_of": "15/03/2563"})
        .content.decode()
    )
    assert "as-of-problem" not in html and 'value="15/03/2563"' in _box(html)


def test_what_was_typed_is_escaped(client_for, manager, fy2563):
    html = (
        client_for(manager)
        .get(reverse("indicators:dashboard"), {"year": 2563, "as_of": '"><script>x</script>'})
        .content.decode()
    )
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        lambda fy: reverse("indicators:indicator-detail", args=[fy.indicators.get(code="2").pk]),
        lambda fy: reverse("reports:dashboard"),
        lambda fy: reverse("reports:report"),
    ],
    ids=["indicator page", "executive dashboard", "kpi report"],
)
def test_every_page_with_the_period_box_says_so(client_for, manager, fy2563, url):
    response = client_for(manager).get(url(fy2563), {"year": 2563, "as_of": "31/13/2563"})
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "ไม่เข้าใจวันที่ “31/13/2563”" in html
    assert 'value="31/13/2563"' in _box(html)
