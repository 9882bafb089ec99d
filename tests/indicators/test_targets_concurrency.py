"""Two admins (or two clicks) at once on target revisions: real concurrent requests over HTTP to
the live server, each on its own database connection (PostgreSQL)."""

import datetime as dt
import http.client
import secrets
import threading
import uuid
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from core import roles
from indicators.models import Indicator, RevisionReason, TargetRevision
from tests.concurrency import on_postgresql, post_at_once, session_of

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_multipart_at_once(live_server_url: str, path: str, n: int, *, cookies: dict, data):
    """``tests.concurrency.post_at_once`` for a form with a file (multipart)."""
    host = urlsplit(live_server_url)
    token = secrets.token_hex(16)
    body = encode_multipart(BOUNDARY, data)
    cookie = "; ".join(f"{k}={v}" for k, v in (cookies | {"csrftoken": token}).items())
    barrier = threading.Barrier(n)
    statuses, errors = [], []

    def one():
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
        try:
            conn.connect()
            barrier.wait(10)
            conn.request(
                "POST", path, body=body,
                headers={"Content-Type": MULTIPART_CONTENT, "Cookie": cookie,
                         "X-CSRFToken": token, "Referer": live_server_url + path},
            )  # fmt: skip
            response = conn.getresponse()
            response.read()
            statuses.append(response.status)
        except Exception as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    return statuses


def test_one_submission_sent_four_times_at_once_records_one_revision(
    live_server, make_user, fy2563
):
    admin = make_user(roles.ADMIN, username="admin-at-once")
    two = Indicator.objects.get(indicator_set=fy2563, code="2")
    data = {
        "effective_from": "01/04/2563", "target_std_note": "ปรับตามงบประมาณ",
        "reason": RevisionReason.BUDGET, "reason_text": "ได้รับงบประมาณน้อยกว่าแผน",
        "approved_by": str(admin.pk), "approved_on": "25/03/2563",
        "letter": SimpleUploadedFile("letter.pdf", b"%PDF-1.4 approval"),
        "submission": str(uuid.uuid4()),
    }  # fmt: skip
    statuses = post_multipart_at_once(
        live_server.url,
        reverse("indicators:target-revision-add", args=[two.pk]),
        4,
        cookies=session_of(admin),
        data=data,
    )
    assert statuses == [302] * 4
    assert TargetRevision.objects.count() == 1


def test_two_admins_withdrawing_at_once_withdraw_it_once(live_server, make_user, fy2563):
    admin = make_user(roles.ADMIN, username="admin-at-once")
    revision = TargetRevision(
        indicator=Indicator.objects.get(indicator_set=fy2563, code="2"),
        effective_from=dt.date(2020, 4, 1), target_std_note="ปรับ", reason=RevisionReason.BUDGET,
        reason_text="งบประมาณ", approved_by=admin, approved_on=dt.date(2020, 3, 25),
        recorded_by=admin,
    )  # fmt: skip
    revision.letter.save("letter.pdf", ContentFile(b"%PDF-1.4"), save=False)
    revision.save()
    results = post_at_once(
        live_server.url,
        reverse("indicators:target-revision-withdraw", args=[revision.pk]),
        4,
        cookies=session_of(admin),
        data={"reason": "บันทึกผิด", "version": str(revision.version)},
    )
    assert sorted(status for status, _, _ in results) == [302] * 4
    withdrawals = revision.history.filter(withdrawn_at__isnull=False)
    assert withdrawals.count() == 1
