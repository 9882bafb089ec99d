"""Real concurrent requests on PostgreSQL (tests/concurrency.py): the throttle counts exactly,
a double submit makes one application, an edit meeting a move keeps the move."""

import datetime as dt
import http.client
import json
import secrets
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.urls import reverse

from core.nationalid import format_id
from subsidies import services, views
from subsidies.models import Application, LookupThrottle, Step, new_reference
from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.subsidies.conftest import new_national_id

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def requests_at_once(live_server_url: str, requests: list[tuple], cookies=None):
    """POST each (path, content type, body[, extra headers]) from its own thread at the same
    moment, with a CSRF cookie and header like tests.concurrency.post_at_once;
    [(status, body, headers)]."""
    host = urlsplit(live_server_url)
    token = secrets.token_hex(16)
    cookie = "; ".join(f"{k}={v}" for k, v in ((cookies or {}) | {"csrftoken": token}).items())
    barrier = threading.Barrier(len(requests))
    results, errors = [], []

    def one(path, content_type, body, extra=None):
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(10)
            conn.request("POST", path, body=body, headers={
                "Content-Type": content_type, "Cookie": cookie, "X-CSRFToken": token,
                "Referer": live_server_url + path, **(extra or {}),
            })  # fmt: skip
            response = conn.getresponse()
            results.append((response.status, response.read().decode(), dict(response.getheaders())))
        except Exception as exc:
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


def test_one_citizens_lookups_at_once_record_one_check(live_server, application):
    """Two tabs, a double click, the web service and the page (sent by the browser, and by the
    page's script) together: every lookup answers with the status, and the citizen's check of
    the day is one record (the unique constraint turns the others' INSERT into a read of the
    one that was made)."""
    from subsidies.models import StatusCheck

    pair = {"reference": application.reference, "national_id": application.national_id}
    page = reverse("subsidies:status")
    api = reverse("subsidies:api-status")
    script = {views.BODY_HEADER: "1"}
    results = requests_at_once(
        live_server.url,
        [(api, "application/json", json.dumps(pair))] * 3
        + [(page, FORM, urlencode(pair))] * 3
        + [(page, FORM, urlencode(pair), script)] * 3,
    )
    assert sorted(status for status, _, _ in results) == [200] * 6 + [303] * 3
    answers = [json.loads(b) for s, b, h in results if s == 200 and views.BODY_HEADER not in h]
    assert len(answers) == 3
    assert all(a["found"] and a["reference"] == application.formatted_reference for a in answers)
    bodies = [b for s, b, h in results if s == 200 and h.get(views.BODY_HEADER) == "1"]
    assert len(bodies) == 3 and all('id="status-result"' in b for b in bodies)
    assert all(application.formatted_reference in b for b in bodies)
    check = StatusCheck.objects.get()
    assert (check.application_id, check.step) == (application.pk, application.step)
    assert check.citizen_key == services.citizen_key(application.national_id)


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


# --- corrections and undos of the latest step (subsidies.views.step_correct) ------------------


def _opened(client, app, prefix=""):
    form = client.get(reverse("subsidies:correct", args=[app.pk])).context[
        "undo_form" if prefix else "form"
    ]
    return {f"{prefix}entry": form["entry"].value(), f"{prefix}version": form["version"].value()}


def _consistent(app):
    """The row and its history agree: the latest entry is the current step, with its date."""
    app.refresh_from_db()
    entries = list(app.entries.order_by("step").values_list("step", "acted_on"))
    assert [step for step, _ in entries] == list(range(1, app.step + 1))
    assert entries[-1] == (app.step, app.step_on)


def test_two_corrections_at_once_save_one_and_refuse_the_other(
    live_server, officer, make_application, client_for
):
    from tests.subsidies.conftest import advance

    cookies, client = session_of(officer), client_for(officer)
    for _attempt in range(3):
        app = advance(make_application(), officer, 2)
        path = reverse("subsidies:correct", args=[app.pk])
        opened = _opened(client, app)
        bodies = [
            {**opened, "action": "correct", "acted_on": day, "note": note, "reason": note}
            for day, note in [("09/01/2563", "คนที่หนึ่ง"), ("10/01/2563", "คนที่สอง")]
        ]
        results = requests_at_once(
            live_server.url, [(path, FORM, urlencode(b)) for b in bodies], cookies
        )
        assert sorted(status for status, _, _ in results) == [302, 409]
        entry = app.entries.get(step=2)
        assert entry.version == 1 and entry.note in ("คนที่หนึ่ง", "คนที่สอง")
        # No lost update: the saved note is the one the single correction in the history wrote.
        changes = entry.history.filter(history_type="~")
        assert list(changes.values_list("note", "history_change_reason")) == [
            (entry.note, entry.note)
        ]
        _consistent(app)


def test_a_correction_meeting_a_move_is_either_saved_first_or_refused(
    live_server, officer, make_application, client_for
):
    from tests.subsidies.conftest import advance

    cookies, client = session_of(officer), client_for(officer)
    for _attempt in range(3):
        app = advance(make_application(), officer, 2)
        fix = {**_opened(client, app), "action": "correct", "acted_on": "09/01/2563",
               "note": "แก้", "reason": "วันที่ผิด"}  # fmt: skip
        move = {"to_step": 3, "acted_on": "20/01/2563"}
        results = requests_at_once(
            live_server.url,
            [
                (reverse("subsidies:correct", args=[app.pk]), FORM, urlencode(fix)),
                (reverse("subsidies:move", args=[app.pk]), FORM, urlencode(move)),
            ],
            cookies,
        )
        by_path = {headers.get("Location", status): status for status, _, headers in results}
        statuses = sorted(status for status, _, _ in results)
        assert statuses in ([302, 302], [302, 409]), by_path
        app.refresh_from_db()
        assert app.step == 3
        step2 = app.entries.get(step=2)
        if statuses == [302, 302]:  # the correction first, then the move
            assert (step2.acted_on, step2.version) == (dt.date(2020, 1, 9), 1)
        else:  # the move first: the correction of a step no longer the latest is refused
            assert (step2.acted_on, step2.version) == (dt.date(2020, 1, 8), 0)
        _consistent(app)


def test_an_undo_meeting_a_move_or_another_undo_leaves_a_consistent_application(
    live_server, officer, make_application, client_for
):
    from tests.subsidies.conftest import advance

    cookies, client = session_of(officer), client_for(officer)
    for _attempt in range(2):
        app = advance(make_application(), officer, 3)
        back = {**_opened(client, app, "undo-"), "action": "undo", "undo-reason": "ผิดคำขอ"}
        correct = reverse("subsidies:correct", args=[app.pk])
        # Two undos at once: one step back, not two.
        results = requests_at_once(live_server.url, [(correct, FORM, urlencode(back))] * 2, cookies)
        assert sorted(status for status, _, _ in results) == [302, 409]
        _consistent(app)
        assert app.step == 2
        # An undo and a move at once.
        back = {**_opened(client, app, "undo-"), "action": "undo", "undo-reason": "ผิดอีก"}
        move = {"to_step": 3, "acted_on": "20/01/2563"}
        results = requests_at_once(
            live_server.url,
            [
                (correct, FORM, urlencode(back)),
                (reverse("subsidies:move", args=[app.pk]), FORM, urlencode(move)),
            ],
            cookies,
        )
        statuses = sorted(status for status, _, _ in results)
        # The undo first (the move to 3 is then not the next step: 400), or the move first
        # (the undo of a step no longer the latest: 409).
        assert statuses in ([302, 400], [302, 409])
        _consistent(app)
        assert app.step == (1 if statuses == [302, 400] else 3)
