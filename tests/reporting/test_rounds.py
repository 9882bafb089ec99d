"""Rounds defined in the browser by admins; which round is open and how long is left; the
includes the dashboard and the indicator page take."""

import datetime as dt

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from core.once import DUPLICATE_TEXT
from indicators import evaluation
from indicators.models import Indicator
from reporting import services
from reporting.models import Round, RoundState


def test_fy2563_starts_with_its_6_and_12_month_rounds(fy2563):
    rounds = list(Round.objects.filter(indicator_set=fy2563).order_by("as_of"))
    assert [(r.name, r.as_of, r.state) for r in rounds] == [
        ("รอบ 6 เดือน", dt.date(2020, 3, 31), RoundState.OPEN),
        ("รอบ 12 เดือน", dt.date(2020, 9, 30), RoundState.OPEN),
    ]
    assert all(r.due_on > r.as_of for r in rounds)


def test_the_round_list_shows_be_dates_and_the_narratives_submitted(
    client_for, manager, six, write_narratives
):
    write_narratives(six, skip=("3.2",))
    html = client_for(manager).get(reverse("reporting:round-list")).content.decode()
    assert "รอบ 6 เดือน" in html and "31 มีนาคม 2563" in html and "30 เม.ย. 2563" in html
    first = html.split(f'data-round="{six.pk}"')[1]
    assert '<div class="fw-semibold" data-testid="submitted-count">4 / 5</div>' in first
    assert "กำหนดรอบใหม่" not in html  # managers do not define rounds


def _new(client, data, year=2563):
    url = reverse("reporting:round-create") + f"?year={year}"
    token = str(client.get(url).context["form"]["submission"].value())
    return client.post(url, {"submission": token, **data})


def test_an_admin_adds_the_3_month_round(client_for, kpi_admin, fy2563):
    client = client_for(kpi_admin)
    response = _new(client, {"name": "รอบ 3 เดือน", "as_of": "31/12/2562", "due_on": "๓๑/๐๑/๒๕๖๓"})
    assert response.status_code == 302
    added = Round.objects.get(indicator_set=fy2563, name="รอบ 3 เดือน")
    assert added.as_of == dt.date(2019, 12, 31) and added.due_on == dt.date(2020, 1, 31)
    assert added.created_by == kpi_admin and added.is_open
    assert added.history.count() == 1


def test_a_round_form_is_refused_in_thai_keeping_what_was_typed(client_for, kpi_admin, fy2563):
    client = client_for(kpi_admin)
    response = _new(client, {"name": "รอบพิเศษ", "as_of": "31/12/2563", "due_on": "01/01/2563"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "วันที่ต้องอยู่ในปีงบประมาณ 2563" in html and 'value="รอบพิเศษ"' in html
    response = _new(client, {"name": "รอบ 9 เดือน", "as_of": "30/06/2563", "due_on": "01/06/2563"})
    assert response.status_code == 400
    assert "กำหนดส่งต้องไม่ก่อนวันที่ข้อมูลของรอบ" in response.content.decode()
    response = _new(client, {"name": "รอบ 6 เดือน", "as_of": "31/03/2563", "due_on": "30/04/2563"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "ชุดตัวชี้วัดนี้มีรอบที่ข้อมูล ณ วันที่นี้แล้ว" in html and "ชุดตัวชี้วัดนี้มีรอบชื่อนี้แล้ว" in html
    assert Round.objects.filter(indicator_set=fy2563).count() == 2


def test_a_resent_round_form_makes_one_round(client_for, kpi_admin, fy2563):
    client = client_for(kpi_admin)
    url = reverse("reporting:round-create") + "?year=2563"
    token = str(client.get(url).context["form"]["submission"].value())
    data = {
        "submission": token,
        "name": "รอบ 9 เดือน",
        "as_of": "30/06/2563",
        "due_on": "31/07/2563",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert DUPLICATE_TEXT in again.content.decode()
    assert Round.objects.filter(indicator_set=fy2563, name="รอบ 9 เดือน").count() == 1


def test_an_edit_opened_before_another_is_refused_and_a_closed_round_is_not_edited(
    client_for, kpi_admin, six, write_narratives
):
    client = client_for(kpi_admin)
    url = reverse("reporting:round-edit", args=[six.pk])
    data = {"name": "รอบ 6 เดือน", "as_of": "31/03/2563", "due_on": "15/05/2563", "version": 0}
    assert client.post(url, data).status_code == 302
    six.refresh_from_db()
    assert six.due_on == dt.date(2020, 5, 15) and six.version == 1
    stale = client.post(url, {**data, "due_on": "20/05/2563"})
    assert stale.status_code == 409 and "20/05/2563" in stale.content.decode()
    six.refresh_from_db()
    assert six.due_on == dt.date(2020, 5, 15)
    write_narratives(six)
    services.close_round(six.pk, kpi_admin)
    refused = client.post(url, {**data, "version": 2}, follow=True)
    assert "รอบนี้ปิดแล้ว จึงแก้ไขไม่ได้" in refused.content.decode()
    six.refresh_from_db()
    assert six.due_on == dt.date(2020, 5, 15)


def test_open_round_is_the_earliest_open_one_with_the_days_left(
    fy2563, six, twelve, write_narratives, kpi_admin
):
    shown = services.open_round(fy2563, dt.date(2020, 4, 20))
    assert shown.round == six and shown.days_left == 10 and not shown.overdue
    assert (shown.submitted, shown.needed) == (0, 5)
    late = services.open_round(fy2563, dt.date(2020, 5, 3))
    assert late.overdue and late.days_overdue == 3
    write_narratives(six)
    services.close_round(six.pk, kpi_admin)
    after = services.open_round(fy2563, dt.date(2020, 10, 1))
    assert after.round == twelve and after.days_left == 30
    write_narratives(twelve)
    services.close_round(twelve.pk, kpi_admin)
    assert services.open_round(fy2563, dt.date(2020, 11, 1)) is None


def _render(source: str, **context) -> str:
    return Template("{% load reporting %}" + source).render(Context(context))


def test_the_open_round_include_for_the_dashboards(fy2563, six, manager, staff):
    html = _render("{% open_round_banner indicator_set %}", indicator_set=fy2563, user=manager)
    assert 'data-testid="open-round"' in html and "รอบ 6 เดือน" in html
    assert "ส่งคำบรรยายแล้ว 0 จาก 5 ตัวชี้วัด" in html
    assert reverse("reporting:round-detail", args=[six.pk]) in html
    # Nothing for a role that does not report.
    assert "open-round" not in _render("{% open_round_banner s %}", s=fy2563, user=staff)


def test_the_indicator_page_include_shows_reported_beside_today_and_the_corrections(
    closed_six, manager, fy2563, client_for, staff
):
    from shelters.models import Assessment

    indicator = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    target = Assessment.objects.filter(assessed_on=dt.date(2020, 2, 1), percent=85).first()
    target.save()
    client_for(staff).post(
        reverse("shelters:assessment-edit", args=[target.resident_id, target.pk]),
        {"assessed_on": "01/02/2563", "percent": "40", "version": 0, "reason": "พิมพ์ผิด"},
    )
    current = evaluation.evaluate(fy2563, closed_six.as_of).by_code("1.1")
    request = RequestFactory().get("/")
    request.user = manager
    html = _render(
        "{% indicator_rounds indicator current as_of %}",
        indicator=indicator, current=current, as_of=closed_six.as_of, user=manager, request=request,
    )  # fmt: skip
    assert 'data-testid="indicator-rounds"' in html and "รอบ 6 เดือน" in html
    assert "ร้อยละ 75.00" in html and "ร้อยละ 50.00" in html and "ต่างจากที่รายงาน" in html
    assert "แก้ไขข้อมูลหลังปิดรอบ 1 รายการ" in html and "พิมพ์ผิด" in html
    # Shown as of another date: the reported figure and a link to compare, nothing recomputed.
    other = _render(
        "{% indicator_rounds indicator current as_of %}",
        indicator=indicator, current=current, as_of=dt.date(2020, 9, 30), user=manager,
        request=request,
    )  # fmt: skip
    assert "ร้อยละ 75.00" in other and "ร้อยละ 50.00" not in other
    assert "as_of=2020-03-31" in other


def test_the_closed_round_page_shows_be_dates(client_for, manager, closed_six):
    html = client_for(manager).get(reverse("reporting:round-detail", args=[closed_six.pk]))
    text = html.content.decode()
    assert "31 มีนาคม 2563" in text and "2020" not in text.split("<main")[1].split("</main>")[0]
