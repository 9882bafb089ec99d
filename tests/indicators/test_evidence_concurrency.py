"""Approvers deciding on the same evidence at the same moment make one decision: real concurrent
requests over HTTP to the live server, each on its own database connection (PostgreSQL)."""

from http.cookies import SimpleCookie

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest
from django.urls import reverse

from core import roles
from indicators.models import Deliverable, Evidence, EvidenceStatus
from tests.concurrency import on_postgresql, post_at_once, session_of

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _messages(headers: dict) -> list[str]:
    cookie = SimpleCookie()
    for name, value in headers.items():
        if name.lower() == "set-cookie":
            cookie.load(value)
    if "messages" not in cookie:
        return []
    return [str(m) for m in CookieStorage(HttpRequest())._decode(cookie["messages"].value) or []]


@pytest.fixture
def submitted(fy2563, owner) -> Evidence:
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, indicator__code="2"
    ).first()
    return Evidence.objects.create(
        deliverable=deliverable, title="แผน 3 ปี", url="https://example.go.th/plan",
        status=EvidenceStatus.SUBMITTED, created_by=owner, submitted_by=owner,
    )  # fmt: skip


def _decisions(evidence) -> list:
    """The history rows that recorded a decision (reviewed_at set) on ``evidence``."""
    return list(
        Evidence.history.filter(id=evidence.pk, reviewed_at__isnull=False).order_by("history_id")
    )


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_approvers_deciding_at_once_make_one_decision(live_server, make_user, submitted, decision):
    approver = make_user(roles.APPROVER, username="approver-at-once")
    results = post_at_once(
        live_server.url, reverse("indicators:evidence-review", args=[submitted.pk]), 4,
        cookies=session_of(approver),
        data={"decision": decision, "comment": "ขาดลายมือชื่อผู้อนุมัติ"},
    )  # fmt: skip
    assert sorted(status for status, _, _ in results) == [302] * 4
    submitted.refresh_from_db()
    expected = EvidenceStatus.APPROVED if decision == "approve" else EvidenceStatus.RETURNED
    assert submitted.status == expected and submitted.reviewed_by == approver
    assert len(_decisions(submitted)) == 1
    said = [_messages(headers) for _, _, headers in results]
    done = "อนุมัติหลักฐานแล้ว" if decision == "approve" else "ส่งหลักฐานกลับแก้ไขแล้ว"
    assert sum(any(done in m for m in ms) for ms in said) == 1, said
    assert sum(any("มีผู้พิจารณาไปแล้ว" in m for m in ms) for ms in said) == 3, said
