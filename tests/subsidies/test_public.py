import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.nationalid import format_id
from subsidies.models import Decision, Rating, StatusCheck, citizen_key, new_reference
from tests.subsidies.conftest import advance, new_national_id

URL = reverse("subsidies:status")
API = reverse("subsidies:api-status")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def body(response) -> str:
    return CSRF.sub("", response.content.decode())


def unknown_reference(existing) -> str:
    ref = new_reference()
    while ref == existing:
        ref = new_reference()
    return ref


def test_the_page_opens_without_login_and_without_the_staff_menu(client, application):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "ตรวจสอบสถานะการขอรับเงินอุดหนุน" in html
    assert 'name="viewport"' in html
    assert "navbar-nav" not in html and "ออกจากระบบ" not in html


def test_the_right_pair_shows_the_timeline_with_the_first_name_only(client, application, officer):
    advance(application, officer, 2)
    response = client.post(
        URL,
        {
            "reference": application.formatted_reference.lower(),
            "national_id": format_id(application.national_id),
        },
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "คุณสมหญิง" in html
    assert "ใจดี" not in html  # no last name
    assert application.national_id not in html and format_id(application.national_id) not in html
    states = re.findall(r'data-step="(\d)" data-state="(\w+)"', html)
    assert states == [("1", "done"), ("2", "current"), ("3", "todo"), ("4", "todo"), ("5", "todo")]
    assert "6 มกราคม 2563" in html  # step dates in BE
    assert "เตรียมเสนอคำขอต่อคณะกรรมการ" in html  # what happens next
    assert 'name="score"' in html  # the satisfaction rating is asked


def test_a_not_approved_application_shows_where_it_stopped(client, application, officer):
    advance(application, officer, 4, decision=Decision.NOT_APPROVED)
    html = client.post(
        URL,
        {"reference": application.reference, "national_id": application.national_id},
        follow=True,
    ).content.decode()
    states = dict(re.findall(r'data-step="(\d)" data-state="(\w+)"', html))
    assert states == {"1": "done", "2": "done", "3": "done", "4": "done", "5": "skipped"}
    assert "ไม่อนุมัติ" in html and "กระบวนการสิ้นสุด" in html


def test_a_wrong_pair_and_an_unknown_reference_get_the_same_answer(client, application):
    """The same page but for the reference the citizen typed, which stays in its box."""
    other_id = new_national_id()
    unknown_ref = unknown_reference(application.reference)
    wrong = client.post(URL, {"reference": application.reference, "national_id": other_id})
    unknown = client.post(URL, {"reference": unknown_ref, "national_id": other_id})
    assert wrong.status_code == unknown.status_code == 404
    typed = 'name="reference" value="{}"'
    assert typed.format(application.reference) in body(wrong)
    assert typed.format(unknown_ref) in body(unknown)
    assert body(wrong).replace(application.reference, "REF") == body(unknown).replace(
        unknown_ref, "REF"
    )
    assert "ไม่พบคำขอที่ตรงกับ" in body(wrong)
    assert body(wrong).count(application.reference) == 1  # only in the box it was typed in
    assert other_id not in body(wrong)
    assert StatusCheck.objects.count() == 0


def test_a_wrong_pair_does_the_same_database_work_as_an_unknown_reference(application):
    """Each from a fresh address, so that the throttle's state is the same for both."""
    other_id = new_national_id()
    with CaptureQueriesContext(connection) as wrong:
        Client(REMOTE_ADDR="10.0.0.1").post(
            URL, {"reference": application.reference, "national_id": other_id}
        )
    with CaptureQueriesContext(connection) as unknown:
        Client(REMOTE_ADDR="10.0.0.2").post(
            URL, {"reference": unknown_reference(application.reference), "national_id": other_id}
        )
    strip = lambda ctx: [re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in ctx.captured_queries]  # noqa: E731
    assert strip(wrong) == strip(unknown)


def test_an_invalid_national_id_is_refused_in_thai(client, application):
    response = client.post(
        URL, {"reference": application.reference, "national_id": "1234567890123"}
    )
    assert response.status_code == 400
    assert "เลขตรวจสอบผิด" in response.content.decode()


def test_a_successful_check_is_recorded_without_the_national_id(client, application):
    client.post(URL, {"reference": application.reference, "national_id": application.national_id})
    check = StatusCheck.objects.get()
    assert check.citizen_key == citizen_key(application.national_id)
    assert application.national_id not in check.citizen_key
    assert check.channel == "web"
    assert len(check.citizen_key) == 64


def test_the_citizen_rates_the_service_once(client, application):
    response = client.post(
        URL,
        {"reference": application.reference, "national_id": application.national_id},
        follow=True,
    )
    token = response.context["rating_form"].initial["token"]
    rated = client.post(
        reverse("subsidies:rate"), {"token": token, "score": 4, "comment": "ใช้ง่าย"}, follow=True
    )
    assert rated.status_code == 200 and "ขอบคุณ" in rated.content.decode()
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.check_record) == (
        4,
        "ใช้ง่าย",
        StatusCheck.objects.get(),
    )
    again = client.post(reverse("subsidies:rate"), {"token": token, "score": 1})
    assert again.status_code == 409 and Rating.objects.count() == 1


@pytest.mark.parametrize("data", [{"token": "forged", "score": 5}, {"token": "x", "score": 9}])
def test_a_forged_token_or_a_bad_score_is_refused(client, db, data):
    assert client.post(reverse("subsidies:rate"), data).status_code == 400
    assert Rating.objects.count() == 0


def test_the_json_service_answers_the_right_pair(client, application, officer):
    advance(application, officer, 4, decision=Decision.APPROVED)
    response = client.post(
        API,
        json.dumps(
            {"reference": application.formatted_reference, "national_id": application.national_id}
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["found"] is True and data["first_name"] == "สมหญิง"
    assert data["current_step"] == 4 and data["decision"] == "approved" and not data["closed"]
    assert [s["state"] for s in data["steps"]] == ["done", "done", "done", "current", "todo"]
    assert data["steps"][0]["date"] == "2020-01-06"
    assert "last_name" not in data and application.national_id not in response.content.decode()
    assert StatusCheck.objects.get().channel == "api"


def test_the_json_service_gives_the_same_bytes_for_wrong_and_unknown(client, application):
    other_id = new_national_id()
    wrong = client.post(
        API,
        {"reference": application.reference, "national_id": other_id},
        content_type="application/json",
    )
    unknown = client.post(
        API, {"reference": unknown_reference(application.reference), "national_id": other_id},
        content_type="application/json",
    )  # fmt: skip
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.content == unknown.content


def test_the_json_service_needs_no_csrf_token_but_valid_json(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(API, "not json", content_type="application/json").status_code == 400
    assert strict.post(API, "[1]", content_type="application/json").status_code == 400
    assert strict.post(API, {"reference": ""}, content_type="application/json").status_code == 400
    assert strict.get(API).status_code == 405


def test_the_public_lookup_pins_its_queries(
    client, make_application, django_assert_max_num_queries
):
    apps = [make_application() for _ in range(5)]
    for app in apps:
        with django_assert_max_num_queries(6):
            response = client.post(
                API,
                {"reference": app.reference, "national_id": app.national_id},
                content_type="application/json",
            )
        assert response.status_code == 200
