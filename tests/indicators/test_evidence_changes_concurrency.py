"""Two people changing or deciding on the same evidence at the same moment (issue 13): real
concurrent requests over HTTP to the live server, each on its own database connection
(PostgreSQL). One change wins; the other is told why, in Thai; never a 500, never two decisions."""

import http.client
import secrets
import threading
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core import roles
from indicators.models import Deliverable, Evidence, EvidenceStatus
from tests.concurrency import on_postgresql, post_at_once, session_of

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def post_each_at_once(live_server_url: str, requests: list[tuple[str, dict, dict]]):
    """POST each (path, data, cookies) from its own thread at the same moment; returns
    [(status, body)] in the order of ``requests``."""
    host = urlsplit(live_server_url)
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)
    errors = []

    def one(index, path, data, cookies):
        token = secrets.token_hex(16)
        cookie = "; ".join(f"{k}={v}" for k, v in (cookies | {"csrftoken": token}).items())
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(10)
            conn.request(
                "POST", path, body=urlencode(data),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                         "X-CSRFToken": token, "Referer": live_server_url + path},
            )  # fmt: skip
            response = conn.getresponse()
            results[index] = (response.status, response.read().decode("utf-8", "replace"))
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [
        threading.Thread(target=one, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    return results


@pytest.fixture
def plan(fy2563) -> Deliverable:
    return (
        Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code="2")
        .order_by("level", "sort_order")
        .first()
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _evidence(plan, owner, status=EvidenceStatus.DRAFT) -> Evidence:
    item = Evidence(deliverable=plan, title="แผน 3 ปี", status=status, created_by=owner)
    item.file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan"), save=False)
    item.save()
    return item


def test_two_approvers_deciding_at_once_make_one_decision(live_server, make_user, plan, owner):
    ev = _evidence(plan, owner, EvidenceStatus.SUBMITTED)
    first = make_user(roles.APPROVER, username="approver-one")
    second = make_user(roles.APPROVER, username="approver-two")
    url = reverse("indicators:evidence-review", args=[ev.pk])
    results = post_each_at_once(
        live_server.url,
        [
            (url, {"decision": "approve", "comment": "", "back": "queue"}, session_of(first)),
            (url, {"decision": "return", "comment": "ขาดลายมือชื่อ"}, session_of(second)),
        ],
    )
    assert [status for status, _ in results] == [302, 302], results
    ev.refresh_from_db()
    assert ev.reviewed_by in (first, second)
    expected = EvidenceStatus.APPROVED if ev.reviewed_by == first else EvidenceStatus.RETURNED
    assert ev.status == expected
    assert Evidence.history.filter(id=ev.pk, reviewed_at__isnull=False).count() == 1


def test_a_deletion_and_a_replacement_at_once_do_one_thing(
    live_server, make_user, plan, owner, kpi_admin, media
):
    ev = _evidence(plan, owner)
    name = ev.file.name
    results = post_each_at_once(
        live_server.url,
        [
            (
                reverse("indicators:evidence-delete", args=[ev.pk]),
                {"delete-reason": "แนบผิด", "delete-version": ev.version},
                session_of(owner),
            ),
            (
                reverse("indicators:evidence-edit", args=[ev.pk]),
                {"title": "แผน 3 ปี (แก้)", "note": "แก้ไขแล้ว", "version": ev.version},
                session_of(kpi_admin),
            ),
        ],
    )
    (deleted, _), (edited, edit_body) = results
    assert 500 not in (deleted, edited), results
    if Evidence.objects.filter(pk=ev.pk).exists():
        # The replacement came first: the deletion, opened at the older version, is refused.
        assert (edited, deleted) == (302, 409), results
        ev.refresh_from_db()
        assert ev.note == "แก้ไขแล้ว" and ev.version == 1
        assert (media / name).exists()
    else:
        # The deletion came first: the replacement finds nothing to change and says so.
        assert (deleted, edited) == (302, 302), results
        assert not (media / name).exists()
        assert Evidence.history.filter(id=ev.pk, history_type="-").count() == 1
        assert not Evidence.history.filter(id=ev.pk, note="แก้ไขแล้ว").exists()


def test_two_replacements_opened_at_the_same_version_save_once(
    live_server, make_user, plan, owner, media
):
    ev = _evidence(plan, owner)
    data = {"title": "แผน 3 ปี", "note": "ฉบับใหม่", "version": ev.version}
    results = post_at_once(
        live_server.url,
        reverse("indicators:evidence-edit", args=[ev.pk]),
        3,
        cookies=session_of(owner),
        data=data,
    )
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302, 409, 409], statuses
    stale = [body for status, body, _ in results if status == 409]
    assert all("มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in body for body in stale)
    assert all("ฉบับใหม่" in body for body in stale)  # what was typed is kept
    ev.refresh_from_db()
    assert ev.version == 1
    assert Evidence.history.filter(id=ev.pk, history_type="~").count() == 1


def test_two_deletions_at_once_delete_once(live_server, plan, owner, media):
    ev = _evidence(plan, owner)
    results = post_at_once(
        live_server.url,
        reverse("indicators:evidence-delete", args=[ev.pk]),
        3,
        cookies=session_of(owner),
        data={"delete-reason": "ซ้ำ", "delete-version": ev.version},
    )
    # The first deletes; the others wait for it, then are told it is deleted already.
    assert [status for status, _, _ in results] == [302] * 3, results
    assert not Evidence.objects.filter(pk=ev.pk).exists()
    assert Evidence.history.filter(id=ev.pk, history_type="-").count() == 1
