"""Real concurrent requests on PostgreSQL (tests/concurrency.py): the throttle counts exactly,
a double submit makes one application, an edit meeting a move keeps the move."""

import http.client
import json
import secrets
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse

from core.nationalid import format_id
from subsidies import services
from subsidies.models import Application, LookupThrottle, Step, new_reference
from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.subsidies.conftest import new_national_id

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def requests_at_once(live_server_url: str, requests: list[tuple[str, str, str]], cookies=None):
    """POST each (path, content type, body) from its own thread at the same moment, with a
    CSRF cookie and header like tests.concurrency.post_at_once; [(status, body, headers)]."""
    host = urlsplit(live_server_url)
    token = secrets.token_hex(16)
    cookie = "; ".join(f"{k}={v}" for k, v in ((cookies or {}) | {"csrftoken": token}).items())
    barrier = threading.Barrier(len(requests))
    results, errors = [], []

    def one(path, content_type, body):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(10)
            conn.request("POST", path, body=body, headers={
                "Content-Type": content_type, "Cookie": cookie, "X-CSRFToken": token,
                "Referer": live_server_url + path,
            })  # fmt: skip
            response = conn.getresponse()
            results.append((response.status, response.read().decode(), dict(response.getheaders())))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=one, args=r) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    assert len(results) == len(requests)
    return results


FORM = "application/x-www-form-urlencoded"


def test_thirty_wrong_lookups_at_once_let_exactly_the_free_ones_through(live_server, application):
    results = post_at_once(
        live_server.url, reverse("subsidies:status"), 30, cookies={},
        data={"reference": application.reference, "national_id": new_national_id()},
    )  # fmt: skip
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [404] * services.PAIR.free + [429] * (30 - services.PAIR.free)
    assert max(LookupThrottle.objects.values_list("failures", flat=True)) == services.PAIR.free


def test_wrong_lookups_of_many_references_at_once_stop_at_the_address_ceiling(live_server, db):
    n = services.ADDRESS.free + 10
    bodies = [{"reference": new_reference(), "national_id": new_national_id()} for _ in range(n)]
    api = reverse("subsidies:api-status")
    results = requests_at_once(
        live_server.url, [(api, "application/json", json.dumps(b)) for b in bodies]
    )
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [404] * services.ADDRESS.free + [429] * 10


def test_six_identical_submissions_at_once_make_one_application(
    live_server, officer, bangkok, client_for
):
    page = client_for(officer).get(reverse("subsidies:create"))
    token = page.context["form"]["submission"].value()
    data = {
        "submission": str(token), "first_name": "มานี", "last_name": "มีนา",
        "national_id": format_id(new_national_id()), "province": bangkok.pk,
        "subsidy_type": "low_income", "amount_requested": "2000", "received_on": "06/01/2563",
    }  # fmt: skip
    results = post_at_once(
        live_server.url, reverse("subsidies:create"), 6, cookies=session_of(officer), data=data
    )
    assert Application.objects.count() == 1
    app = Application.objects.get()
    assert app.entries.count() == 1
    # Every answer is a redirect to the one application, none a 500.
    assert [status for status, _, _ in results] == [302] * 6
    assert {headers["Location"] for _, _, headers in results} == {app.get_absolute_url()}


def test_an_edit_meeting_a_move_keeps_the_move_and_the_next_move_works(
    live_server, officer, make_application, client_for
):
    apps = [make_application() for _ in range(4)]
    cookies = session_of(officer)
    for app in apps:
        form = client_for(officer).get(reverse("subsidies:edit", args=[app.pk])).context["form"]
        edit = {name: form[name].value() for name in form.fields if name != "submission"}
        edit["first_name"] = "แก้ไขแล้ว"
        edit["received_on"] = "06/01/2563"
        move = {"to_step": 2, "acted_on": "01/02/2563", "note": "พร้อมกัน"}
        both = requests_at_once(
            live_server.url,
            [
                (reverse("subsidies:edit", args=[app.pk]), FORM, urlencode(edit)),
                (reverse("subsidies:move", args=[app.pk]), FORM, urlencode(move)),
            ],
            cookies,
        )
        assert sorted(status for status, _, _ in both) == [302, 302]
        app.refresh_from_db()
        assert (app.step, app.first_name) == (Step.FACT_CHECK, "แก้ไขแล้ว")
        assert list(app.entries.values_list("step", flat=True)) == [1, 2]
        # The application goes on: the next move is taken, no 500 and no 400.
        nxt = client_for(officer).post(
            reverse("subsidies:move", args=[app.pk]), {"to_step": 3, "acted_on": "02/02/2563"}
        )
        assert nxt.status_code == 302
        app.refresh_from_db()
        assert app.step == Step.PREPARED


def test_four_moves_at_once_record_one_and_answer_the_others_in_thai(
    live_server, officer, application
):
    results = post_at_once(
        live_server.url, reverse("subsidies:move", args=[application.pk]), 4,
        cookies=session_of(officer), data={"to_step": 2, "acted_on": "01/02/2563"},
    )  # fmt: skip
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302, 400, 400, 400]
    assert all("ขั้นตอนถัดไป" in body for status, body, _ in results if status == 400)
    application.refresh_from_db()
    assert application.step == 2 and application.entries.count() == 2
