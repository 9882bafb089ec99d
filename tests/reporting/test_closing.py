"""Closing a round freezes a snapshot of every indicator in one transaction; a closed round's
page reads it back without recomputing; corrections made after closing change nothing in it and
are listed; reopening keeps the old snapshot and closing again writes a new one."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import evaluation
from reporting import services
from reporting.models import Narrative, NarrativeStatus, Round, Snapshot, SnapshotIndicator


def close(client, round_):
    page = client.get(reverse("reporting:round-detail", args=[round_.pk]))
    version = page.context["close_form"]["version"].value()
    return client.post(
        reverse("reporting:round-close", args=[round_.pk]), {"version": version}, follow=True
    )


def test_closing_is_refused_in_thai_while_narratives_are_missing(
    client_for, kpi_admin, six, write_narratives
):
    write_narratives(six, skip=("1.2",))
    Narrative.objects.filter(round=six, indicator__code="3.1").update(status=NarrativeStatus.DRAFT)
    response = close(client_for(kpi_admin), six)
    html = response.content.decode()
    assert "ยังปิดรอบไม่ได้ ตัวชี้วัดต่อไปนี้ยังไม่ได้ส่งคำบรรยาย" in html
    message = [str(m) for m in response.context["messages"]][0]
    assert "1.2 " in message and "3.1 " in message and "1.1 " not in message
    six.refresh_from_db()
    assert six.is_open and not Snapshot.objects.exists()


def test_closing_freezes_every_indicator_with_its_figures_targets_evidence_and_narratives(
    client_for, approver, six, write_narratives, add_residents, approved_evidence
):
    add_residents(3, last=85)
    add_residents(1, last=30)
    write_narratives(six)
    response = close(client_for(approver), six)  # an approver may close
    assert "ปิดรอบ “รอบ 6 เดือน” แล้ว" in response.content.decode()
    six.refresh_from_db()
    assert six.is_closed and six.closed_by == approver
    snapshot = Snapshot.objects.get(round=six)
    live = evaluation.evaluate(six.indicator_set, six.as_of)
    assert snapshot.number == 1 and snapshot.closed_by_name == approver.get_full_name()
    assert snapshot.total == live.total.quantize(Decimal("1e-12")) and snapshot.as_of == six.as_of
    rows = {r.code: r for r in snapshot.rows.all()}
    assert list(rows) == ["1", "1.1", "1.2", "2", "3", "3.1", "3.2"]
    kpi11 = rows["1.1"]
    assert (kpi11.numerator, kpi11.denominator) == (3, 4)
    assert kpi11.value == Decimal(75) and kpi11.level == 3 and kpi11.score == 100
    assert kpi11.weighted_score == 20 and kpi11.source == "computed"
    assert [t["value"] for t in kpi11.targets] == ["10.72", "12.05", "13.38"]
    assert {b["label"]: b["count"] for b in kpi11.breakdown}["C→A"] == 3
    assert kpi11.units["items"] == [
        {"label": "สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี", "numerator": "3", "denominator": "4",
         "value": "75", "figure": ""}
    ]  # fmt: skip
    assert kpi11.narrative["result_text"] == "ผลการดำเนินงานของตัวชี้วัด 1.1"
    kpi2 = rows["2"]
    assert [e["title"] for e in kpi2.evidence] == [approved_evidence.title]  # not the draft
    assert kpi2.evidence[0]["reviewed_by"] == approved_evidence.reviewed_by.get_full_name()
    assert kpi2.evidence[0]["reviewed_at"] == approved_evidence.reviewed_at.isoformat()
    assert any(d["met"] for d in kpi2.deliverables if d["level"] == 1)
    assert rows["1"].narrative is None and rows["1"].targets == []
    # The round's history records who closed it.
    record = six.history.order_by("-history_id").first()
    assert record.history_user == approver and "ปิดรอบ" in record.history_change_reason


def test_a_correction_after_closing_leaves_the_round_unchanged_and_is_listed(
    client_for, closed_six, staff, manager
):
    from shelters.models import Assessment

    target = Assessment.objects.filter(assessed_on=dt.date(2020, 2, 1), percent=85).first()
    target.save()  # its history begins, as the add form's save begins it
    edit = reverse("shelters:assessment-edit", args=[target.resident_id, target.pk])
    response = client_for(staff).post(
        edit, {"assessed_on": "01/02/2563", "percent": "40", "version": 0,
               "reason": "กรอกคะแนนผิดจากแบบประเมิน"},
    )  # fmt: skip
    assert response.status_code == 302
    # Today's figure as of the round's date follows the correction ...
    live = evaluation.evaluate(closed_six.indicator_set, closed_six.as_of).by_code("1.1")
    assert (live.numerator, live.denominator) == (2, 4)
    # ... the round's page and its snapshot do not.
    reader = client_for(manager)
    page = reader.get(reverse("reporting:round-detail", args=[closed_six.pk]))
    row = page.context["view"].by_code("1.1")
    assert (row.numerator, row.denominator) == (3, 4)
    assert "3 / 4" in page.content.decode()
    # The round's indicator page shows both figures and the correction: who, when, why, a link.
    indicator = row.indicator
    html = reader.get(
        reverse("reporting:round-indicator", args=[closed_six.pk, indicator.pk])
    ).content.decode()
    reported = html.split('data-testid="reported"')[1].split('data-testid="today"')[0]
    today = html.split('data-testid="today"')[1]
    assert "ร้อยละ 75.00" in reported and "ร้อยละ 50.00" in today
    assert 'data-testid="changed"' in html
    listed = html.split('data-testid="corrections"')[1].split("</ul>")[0]
    assert "กรอกคะแนนผิดจากแบบประเมิน" in listed and staff.get_full_name() in listed
    assert "1 ก.พ. 2563" in listed
    assert reverse("shelters:resident-detail", args=[target.resident_id]) in listed
    assert '<span class="badge text-bg-secondary" data-testid="corrections-count">1</span>' in html


def _round_indicator_html(client, round_, code) -> str:
    indicator = Snapshot.objects.get(round=round_, superseded_at=None).rows.get(code=code).indicator
    return client.get(
        reverse("reporting:round-indicator", args=[round_.pk, indicator.pk])
    ).content.decode()


def test_a_correction_of_a_record_dated_after_the_round_is_not_listed(
    client_for, closed_six, staff, manager, facility
):
    from shelters.models import Assessment, Resident

    person = Resident.objects.create(
        facility=facility, case_number="LATE-1", full_name="ผู้รับบริการ ทดสอบ", target_group="destitute",
        admitted_on=dt.date(2020, 4, 1),
    )  # fmt: skip
    later = Assessment.objects.create(resident=person, assessed_on=dt.date(2020, 5, 1), percent=50)
    edit = reverse("shelters:assessment-edit", args=[person.pk, later.pk])
    response = client_for(staff).post(
        edit, {"assessed_on": "01/05/2563", "percent": "40", "version": 0, "reason": "แก้คะแนน"}
    )
    assert response.status_code == 302
    assert 'data-testid="no-corrections"' in _round_indicator_html(
        client_for(manager), closed_six, "1.1"
    )


def test_a_record_added_later_but_dated_inside_the_round_is_listed(
    client_for, closed_six, manager, add_residents
):
    add_residents(1, last=85)  # assessed 1 ก.พ. 2563, recorded after closing
    html = _round_indicator_html(client_for(manager), closed_six, "1.1")
    listed = html.split('data-testid="corrections"')[1].split("</ul>")[0]
    assert "บันทึกเพิ่มภายหลัง" in listed and "1 ก.พ. 2563" in listed


def test_reopening_needs_a_reason_and_closing_again_keeps_the_old_snapshot(
    client_for, closed_six, kpi_admin, add_residents
):
    admin = client_for(kpi_admin)
    reopen = reverse("reporting:round-reopen", args=[closed_six.pk])
    refused = admin.post(reopen, {"version": closed_six.version, "reason": " "})
    assert refused.status_code == 400
    assert "กรุณาระบุเหตุผลที่เปิดรอบใหม่" in refused.content.decode()
    assert (
        admin.post(
            reopen, {"version": closed_six.version, "reason": "สลก. ขอให้ทบทวนผล 1.1"}
        ).status_code
        == 302
    )
    closed_six.refresh_from_db()
    assert closed_six.is_open
    first = Snapshot.objects.get(round=closed_six)
    assert first.superseded_at is not None and first.superseded_by == kpi_admin
    assert first.superseded_reason == "สลก. ขอให้ทบทวนผล 1.1"
    record = closed_six.history.order_by("-history_id").first()
    assert record.history_change_reason == "สลก. ขอให้ทบทวนผล 1.1"
    assert record.history_user == kpi_admin
    add_residents(1, last=30)  # one more resident, not improved: 3 / 5
    close(admin, closed_six)
    snapshots = list(Snapshot.objects.filter(round=closed_six).order_by("number"))
    assert [s.number for s in snapshots] == [1, 2]
    assert [s.is_current for s in snapshots] == [False, True]
    assert snapshots[0].rows.get(code="1.1").denominator == 4  # the old one unchanged
    assert snapshots[1].rows.get(code="1.1").denominator == 5
    page = admin.get(reverse("reporting:round-detail", args=[closed_six.pk]))
    assert page.context["snapshot"] == snapshots[1]
    history = page.content.decode().split('data-testid="snapshots"')[1]
    assert 'data-snapshot="1"' in history and 'data-testid="superseded"' in history
    assert "สลก. ขอให้ทบทวนผล 1.1" in history
    old = admin.get(reverse("reporting:snapshot-detail", args=[closed_six.pk, 1]))
    assert old.status_code == 200 and old.context["view"].by_code("1.1").denominator == 4
    assert 'data-testid="superseded-note"' in old.content.decode()


def test_a_failure_while_writing_leaves_no_snapshot_and_the_round_open(
    six, write_narratives, kpi_admin, add_residents
):
    add_residents(2)
    write_narratives(six)
    with (
        mock.patch.object(
            SnapshotIndicator.objects, "bulk_create", side_effect=RuntimeError("disk full")
        ),
        pytest.raises(RuntimeError),
    ):
        services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    assert six.is_open and six.closed_at is None and six.version == 0
    assert not Snapshot.objects.exists() and not SnapshotIndicator.objects.exists()
    assert not six.history.filter(history_change_reason__startswith="ปิดรอบ").exists()
    # A failure after the snapshot's rows (marking the round closed) undoes them too.
    broken = mock.patch.object(Round, "save", side_effect=RuntimeError("lost connection"))
    with broken, pytest.raises(RuntimeError):
        services.close_round(six.pk, kpi_admin)
    assert not Snapshot.objects.exists() and not SnapshotIndicator.objects.exists()
    services.close_round(six.pk, kpi_admin)  # and nothing stands in the way afterwards
    assert Snapshot.objects.get(round=six).number == 1


def _closed_page_queries(client, round_) -> int:
    never = mock.patch.object(evaluation, "evaluate", side_effect=AssertionError("recomputed"))
    with never, CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reporting:round-detail", args=[round_.pk]))
    assert response.status_code == 200
    return len(queries)


def test_the_closed_round_page_reads_the_snapshot_without_recomputing(
    client_for, manager, six, twelve, write_narratives, add_residents, approved_evidence, kpi_admin,
    owner, approver,
):  # fmt: skip
    from indicators.models import Deliverable, Evidence, EvidenceStatus

    add_residents(2)
    write_narratives(six)
    services.close_round(six.pk, kpi_admin)
    reader = client_for(manager)
    small = _closed_page_queries(reader, six)
    # Much more data behind the second round: residents, approved evidence, corrections.
    add_residents(60)
    for deliverable in Deliverable.objects.filter(indicator__indicator_set=six.indicator_set):
        Evidence.objects.bulk_create(
            Evidence(deliverable=deliverable, title=f"หลักฐาน {n}", status=EvidenceStatus.APPROVED,
                     created_by=owner, reviewed_by=approver)
            for n in range(5)
        )  # fmt: skip
    write_narratives(twelve)
    services.close_round(twelve.pk, kpi_admin)
    large = _closed_page_queries(reader, twelve)
    assert large == small
    assert large <= 14


def test_a_narrative_of_a_closed_round_cannot_be_written(client_for, closed_six, owner):
    indicator = Snapshot.objects.get(round=closed_six).rows.get(code="1.1").indicator
    url = reverse("reporting:narrative-edit", args=[closed_six.pk, indicator.pk])
    response = client_for(owner).post(url, {"result_text": "แก้หลังปิดรอบ", "submit": "1"})
    assert response.status_code == 302
    narrative = Narrative.objects.get(round=closed_six, indicator=indicator)
    assert narrative.result_text == "ผลการดำเนินงานของตัวชี้วัด 1.1"
