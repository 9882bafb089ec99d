"""The public lookup's round trips (issue 16), pinned so that they do not grow, and what the
folded queries must keep: the throttle still refuses a right pair, the check recorded by the
lookup's own statement is the same record, the empty form's reused markup is the same markup.
Runs on both databases. The national ID typed is never sent to the database (only its keyed
hash): the lookup reads the application in one statement and records the check in a second."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.thaidate import fiscal_year_of
from subsidies import services, views
from subsidies.forms import LookupForm, RatingForm
from subsidies.models import Channel, LookupThrottle, StatusCheck
from tests.subsidies.conftest import new_national_id

pytestmark = pytest.mark.both_databases

URL = reverse("subsidies:status")
API = reverse("subsidies:api-status")


def on_postgresql() -> bool:
    return connection.vendor == "postgresql"


def api(client, app, national_id=None):
    return client.post(
        API,
        {"reference": app.reference, "national_id": national_id or app.national_id},
        content_type="application/json",
    )


def strip_csrf(html: str) -> str:
    """Without the per-request values: the CSRF token and the rating token (it has the time)."""
    return re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]+"', "", html)


def sql_of(ctx) -> list[str]:
    """The statements, without the savepoints of the test's own transaction (outside one, as
    in production, the check's INSERT takes none)."""
    return [
        q["sql"]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


@pytest.fixture(autouse=True)
def _secret_read(db):
    """The app's hash secret is read once per process: not a part of any one lookup."""
    from subsidies.models import hash_secret

    hash_secret()


def test_a_json_lookup_is_two_round_trips_then_one(client, application):
    # The throttle read, the application, today's check, its steps: one statement; the check
    # recorded by a second one.
    with CaptureQueriesContext(connection) as first:
        assert api(client, application).status_code == 200
    assert len(sql_of(first)) == 2
    assert not any(q.startswith(("BEGIN", "COMMIT")) for q in sql_of(first))
    # The same lookup again the same day: one statement that records nothing new.
    with CaptureQueriesContext(connection) as again:
        assert api(client, application).status_code == 200
    assert len(sql_of(again)) == 1
    assert StatusCheck.objects.count() == 1


def test_the_page_lookup_and_its_result_pin_their_queries(application):
    client = Client()
    client.get(URL)  # the CSRF cookie (the test client does not check it)
    with CaptureQueriesContext(connection) as posted:
        response = client.post(
            URL, {"reference": application.reference, "national_id": application.national_id}
        )
    assert response.status_code == 303
    # The lookup is two statements (read, record), no steps read (the GET does), and no
    # session: the result is kept in a signed cookie.
    assert len(sql_of(posted)) == 2
    assert not any("django_session" in q for q in sql_of(posted))
    assert not any(q.startswith('SELECT "subsidies_stepentry"') for q in sql_of(posted))
    with CaptureQueriesContext(connection) as shown:
        page = client.get(URL)
    assert 'id="status-result"' in page.content.decode()
    # The check with its application, steps and rating in one query; no session.
    assert len(sql_of(shown)) == 1


def test_the_page_scripts_lookup_is_one_request_of_two_statements(application, make_application):
    """The page's own script (status.js) asks for the body with the result: the same two
    statements (the steps read in the first), then reload shows it with the one query."""
    client = Client()
    client.get(URL)
    for app in (application, make_application()):
        with CaptureQueriesContext(connection) as posted:
            response = client.post(
                URL,
                {"reference": app.reference, "national_id": app.national_id},
                headers={views.BODY_HEADER: "1"},
            )
        assert response.status_code == 200 and response[views.BODY_HEADER] == "1"
        body = response.content.decode()
        assert 'id="status-result"' in body  # the body alone: no page around it
        assert "<html" not in body and "<h1" not in body and "<script" not in body
        assert len(sql_of(posted)) == 2
        assert not any("django_session" in q for q in sql_of(posted))
    with CaptureQueriesContext(connection) as shown:
        assert app.first_name in client.get(URL).content.decode()
    assert len(sql_of(shown)) == 1


def test_json_lookups_of_many_applications_stay_at_their_round_trips(client, make_application):
    apps = [make_application() for _ in range(5)]
    for app in apps:
        with CaptureQueriesContext(connection) as ctx:
            assert api(client, app).status_code == 200
        assert len(sql_of(ctx)) == 2


def test_a_throttled_client_is_refused_a_right_pair_and_nothing_is_recorded(client, application):
    for _ in range(services.PAIR.free):
        assert api(client, application, new_national_id()).status_code == 404
    assert api(client, application).status_code == 429
    page = client.post(
        URL, {"reference": application.reference, "national_id": application.national_id}
    )
    assert page.status_code == 429
    assert StatusCheck.objects.count() == 0
    # Once the wait is over the right pair is answered, and recorded once.
    LookupThrottle.objects.update(last_failure_at=timezone.now() - dt.timedelta(minutes=1))
    assert api(client, application).status_code == 200
    assert StatusCheck.objects.count() == 1


def test_an_invalid_request_from_a_throttled_client_hears_the_wait(client, application):
    for _ in range(services.PAIR.free):
        api(client, application, new_national_id())
    bad = client.post(API, {"reference": application.reference}, content_type="application/json")
    assert bad.status_code == 429
    page = client.post(URL, {"reference": application.reference, "national_id": "12"})
    assert page.status_code == 429


def test_the_check_recorded_with_the_lookup_is_the_same_record(client, make_application):
    web, api_app = make_application(is_demo=True), make_application()
    client.post(URL, {"reference": web.reference, "national_id": web.national_id})
    before = timezone.now()
    api(client, api_app)
    today = timezone.localdate()
    checks = {c.application_id: c for c in StatusCheck.objects.all()}
    for app, channel in ((web, Channel.WEB), (api_app, Channel.API)):
        check = checks[app.pk]
        assert (check.step, check.checked_on, check.fiscal_year, check.channel) == (
            app.step,
            today,
            fiscal_year_of(today),
            channel,
        )
        assert check.is_demo == app.is_demo
        assert check.citizen_key == services.citizen_key(app.national_id)
    assert checks[api_app.pk].checked_at >= before


def test_the_lookup_answers_the_steps_as_the_orm_reads_them(client, application, officer):
    from tests.subsidies.conftest import advance

    advance(application, officer, 4, decision="not_approved")
    found = services.lookup(application.reference, application.national_id)
    expected = list(application.entries.order_by("step"))
    assert [(e.step, e.decision, e.acted_on) for e in found.entries] == [
        (e.step, e.decision, e.acted_on) for e in expected
    ]
    steps = api(client, application).json()["steps"]
    assert [s["decision"] for s in steps][:4] == [None, None, None, "not_approved"]
    assert [s["state"] for s in steps] == ["done", "done", "done", "done", "skipped"]


def test_the_reused_form_markup_is_what_the_template_renders():
    views._MARKUP.clear()
    fresh = render_to_string(
        "includes/form_fields.html", {"form": LookupForm(initial={"reference": ""})}
    )
    assert views._lookup_fields() == fresh
    assert views._lookup_fields() == fresh  # reused
    fresh = render_to_string("subsidies/public/_rating_fields.html", {"fields_form": RatingForm()})
    assert 'name="score"' in fresh and 'name="comment"' in fresh
    assert views._rating_fields() == fresh == views._rating_fields()


def test_the_page_with_reused_markup_is_the_page_the_templates_render(
    client, application, monkeypatch
):
    """The result page (the rating form's fields reused) is byte-identical to the one the
    templates render themselves (the reused markup left out), in Thai and in English."""
    client.post(URL, {"reference": application.reference, "national_id": application.national_id})
    for language in ("th", "en"):
        client.cookies["django_language"] = language
        views._MARKUP.clear()
        first, reused = client.get(URL).content.decode(), client.get(URL).content.decode()
        with monkeypatch.context() as m:
            m.setattr(views, "_rating_fields", lambda: "")
            m.setattr(views, "_lookup_fields", lambda: "")
            plain = client.get(URL).content.decode()
        assert 'name="score"' in plain and 'name="reference"' in plain
        assert ("ส่งแบบประเมิน" in plain) == (language == "th")
        assert strip_csrf(first) == strip_csrf(reused) == strip_csrf(plain)


def test_the_national_id_typed_is_never_sent_to_the_database(client, application):
    """Right or wrong, the ID typed must not be a value of any statement: a statement's text
    shows in pg_stat_activity and in the server's log lines (errors, timeouts)."""
    wrong = new_national_id()
    with CaptureQueriesContext(connection) as ctx:
        assert api(client, application).status_code == 200
        assert api(client, application, wrong).status_code == 404
        client.post(URL, {"reference": application.reference, "national_id": wrong})
        client.post(
            URL, {"reference": application.reference, "national_id": application.national_id}
        )
    statements = " ".join(q["sql"] for q in ctx.captured_queries)
    assert application.reference in statements  # the capture does show the values sent
    assert application.national_id not in statements
    assert wrong not in statements
