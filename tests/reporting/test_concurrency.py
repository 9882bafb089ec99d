"""Two people closing one round at the same moment (real concurrent requests to the live
server, PostgreSQL): one snapshot, no 500; the other is told the round is closed already."""

import pytest
from django.urls import reverse

from core import roles
from reporting.models import Narrative, NarrativeStatus, Snapshot, SnapshotIndicator
from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.shelters.test_concurrency import at_once

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_two_admins_closing_at_once_make_one_snapshot(
    live_server, make_user, six, write_narratives, add_residents
):
    add_residents(20)
    write_narratives(six)
    first = make_user(roles.ADMIN, username="admin-1")
    second = make_user(roles.ADMIN, username="admin-2")
    path = reverse("reporting:round-close", args=[six.pk])
    data = {"version": six.version}
    results = at_once(
        live_server.url, (path, session_of(first), data), (path, session_of(second), data)
    )
    assert [status for status, _, _ in results] == [302, 302], [r[:2] for r in results]
    assert Snapshot.objects.filter(round=six).count() == 1
    snapshot = Snapshot.objects.get(round=six)
    assert SnapshotIndicator.objects.filter(snapshot=snapshot).count() == 7
    six.refresh_from_db()
    assert six.is_closed and six.closed_by == snapshot.closed_by
    assert six.history.filter(history_change_reason__startswith="ปิดรอบ").count() == 1


def test_a_double_click_on_close_makes_one_snapshot(live_server, kpi_admin, six, write_narratives):
    write_narratives(six)
    results = post_at_once(
        live_server.url, reverse("reporting:round-close", args=[six.pk]), 4,
        cookies=session_of(kpi_admin), data={"version": six.version},
    )  # fmt: skip
    assert sorted(status for status, _, _ in results) == [302] * 4
    assert Snapshot.objects.filter(round=six).count() == 1


def test_a_narrative_saved_while_the_round_closes_is_either_in_the_snapshot_or_refused(
    live_server, kpi_admin, owner, six, write_narratives
):
    narratives = write_narratives(six)
    target = narratives[0]
    close = reverse("reporting:round-close", args=[six.pk])
    edit = reverse("reporting:narrative-edit", args=[six.pk, target.indicator_id])
    results = at_once(
        live_server.url,
        (close, session_of(kpi_admin), {"version": six.version}),
        (edit, session_of(owner), {"result_text": "ฉบับแก้ไขล่าสุด", "version": 0, "submit": "1"}),
    )
    assert all(status == 302 for status, _, _ in results), [r[:2] for r in results]
    target.refresh_from_db()
    kept = SnapshotIndicator.objects.get(snapshot__round=six, code=target.indicator.code)
    assert kept.narrative["result_text"] == target.result_text  # never a lost or torn write
    assert target.status == NarrativeStatus.SUBMITTED
    assert Narrative.objects.filter(round=six).count() == 5
