"""Pages in a fixed number of queries whatever the data; dashboards, report downloads, demo."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from volunteers import services
from volunteers.models import Measure, Path, Plan, PlanTarget, Specialty


def add_data(make_volunteer, make_services, make_course, enrol, province, n):
    elderly = Specialty.objects.get(code="elderly")
    course = make_course(province)
    for _ in range(n):
        v = make_volunteer(province)
        v.specialties.set([elderly], through_defaults={"since": dt.date(2020, 1, 1)})
        e = enrol(course, v, hours_attended=24, test_passed=True)
        services.record_result(e, today=dt.date(2020, 1, 17))
        make_services(v, 3, date=dt.date(2020, 3, 1))
        make_services(v, 2, date=dt.date(2020, 7, 1), service_type="referral")
    return course


PAGES = [
    ("volunteers:home", None, "?year=2563"),
    ("volunteers:list", None, ""),
    ("volunteers:list", None, "?status=active&card=valid&specialty=2"),
    ("volunteers:expiring", None, ""),
    ("volunteers:service-list", None, ""),
    ("volunteers:course-list", None, ""),
    ("volunteers:report", None, "?year=2563"),
    ("volunteers:plan-list", None, ""),
    ("volunteers:detail", "volunteer", ""),
    ("volunteers:course-detail", "course", ""),
    ("volunteers:plan-detail", "plan", "?year=2563"),
]


@pytest.fixture
def world(db, bangkok, make_volunteer, make_services, make_course, enrol):
    plan = Plan.objects.create(title="แผน")
    for measure in Measure.values:
        PlanTarget.objects.create(plan=plan, fiscal_year=2563, measure=measure, planned=10)
        PlanTarget.objects.create(
            plan=plan, fiscal_year=2563, measure=measure, planned=10, province=bangkok
        )
    course = add_data(make_volunteer, make_services, make_course, enrol, bangkok, 2)
    return {"plan": plan, "course": course, "volunteer": course.enrolments.first().volunteer}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("user_fixture", ["officer_bkk", "manager"])
def test_pages_do_not_grow_with_data(
    request, client_for, world, bangkok, make_volunteer, make_services, make_course, enrol,
    user_fixture, django_assert_max_num_queries,
):  # fmt: skip
    client = client_for(request.getfixturevalue(user_fixture))

    def url_of(name, obj, query):
        args = [world[obj].pk] if obj else []
        return reverse(name, args=args) + query

    before = {}
    for name, obj, query in PAGES:
        url = url_of(name, obj, query)
        with django_assert_max_num_queries(16):
            before[url] = _count(client, url)
    # ten times the data, the same course, volunteer and plan
    course = world["course"]
    for _ in range(8):
        v = make_volunteer(bangkok)
        e = enrol(course, v, hours_attended=20, test_passed=True)
        services.record_result(e, today=dt.date(2020, 1, 17))
        make_services(v, 5)
        make_services(world["volunteer"], 3)
    add_data(make_volunteer, make_services, make_course, enrol, bangkok, 10)
    for url, n in before.items():
        assert _count(client, url) == n, url


def test_the_dashboard_shows_counts_for_the_province(client_for, officer_bkk, world):
    response = client_for(officer_bkk).get(reverse("volunteers:home") + "?year=2563")
    body = response.content.decode()
    assert 'id="trained">2<' in body
    assert "chart.umd.min.js" in body
    assert "การให้บริการรายเดือน" in body


def test_the_manager_dashboard_can_pick_a_province(client_for, manager, world, chiang_mai):
    body = (
        client_for(manager)
        .get(reverse("volunteers:home") + "?year=2563&province=50")
        .content.decode()
    )
    assert "จังหวัดเชียงใหม่" in body
    assert 'id="trained">0<' in body


def test_the_field_report_downloads_as_xlsx_and_pdf(client_for, officer_bkk, world):
    client = client_for(officer_bkk)
    url = reverse("volunteers:report") + "?year=2563"
    xlsx = client.get(url + "&format=xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert ("ค้นหา/สำรวจ", 6, 6) in rows
    assert ("ประสานส่งต่อ", 4, 4) in rows
    assert ("รวมทั้งสิ้น", 10, 10) in rows
    assert ("มี.ค. 2563", 6, 6) in rows
    pdf = client.get(url + "&format=pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "รายงานผลการช่วยเหลือผู้ประสบปัญหาทางสังคม" in text
    assert "กรุงเทพมหานคร" in text


def test_the_demo_builder_makes_marked_data_and_two_officers(db):
    from django.contrib.auth.models import User

    from volunteers import demo
    from volunteers.models import Plan as P
    from volunteers.models import Volunteer

    out = io.StringIO()
    logins = demo.build(out)
    assert [u for u, _ in logins] == ["officer-bkk", "officer-cm"]
    assert User.objects.get(username="officer-cm").profile.province.code == "50"
    assert Volunteer.objects.filter(is_demo=True).count() == 60
    assert Volunteer.objects.exclude(registration_number=None).exists()
    assert P.objects.get().is_demo
    assert "[ตัวอย่าง]" in P.objects.get().title
    demo.build(out)  # twice: nothing doubled
    assert Volunteer.objects.count() == 60


def test_certify_path_label_for_elearning(make_volunteer, bangkok):
    v = services.certify(make_volunteer(bangkok), dt.date(2020, 2, 1), Path.ELEARNING)
    assert v.get_training_path_display() == "E-Learning"


def test_the_dashboard_hands_its_charts_an_object_not_a_string(client_for, manager):
    import json
    import re

    html = client_for(manager).get("/volunteers/").content.decode()
    payload = re.search(
        r'<script id="chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(payload.group(1))
    assert isinstance(data, dict) and "status" in data and "labels" in data["status"]
