"""The changes after closing, by the records' own dates: the domain apps register where each
computation's records are; a discharge undone counts by the date it had; an edit that does not
touch what the figure counts (a resident's name) is not listed; the queries do not grow with
the number of changes."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators import registry
from reporting import corrections
from reporting.models import Snapshot


def test_every_recorded_computation_says_where_its_records_are():
    registered = corrections.registered()
    from shelters.models import Assessment, Resident
    from subsidies.models import StepEntry
    from volunteers.models import Enrolment, Service

    assert {(s.model, s.date_field) for s in registered["shelters.improved"]} == {
        (Assessment, "assessed_on")
    }
    assert {(s.model, s.date_field) for s in registered["shelters.returned"]} == {
        (Assessment, "assessed_on"),
        (Resident, "discharged_on"),
    }
    assert {(s.model, s.date_field) for s in registered["volunteers.plan"]} == {
        (Enrolment, "decided_on"),
        (Service, "date"),
    }
    assert {(s.model, s.date_field) for s in registered["subsidies.status_checks"]} == {
        (StepEntry, "acted_on")
    }
    assert set(registered) <= set(registry.registered())


def _since(round_, key):
    snapshot = Snapshot.objects.get(round=round_, superseded_at=None)
    return corrections.since_closing(key, 2563, round_.as_of, snapshot.closed_at)


def test_a_discharge_undone_after_closing_is_listed_by_the_date_it_had(
    closed_six, client_for, staff
):
    from shelters.models import Resident

    person = Resident.objects.first()
    Resident.objects.filter(pk=person.pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="family"
    )
    person.refresh_from_db()
    person._change_reason = "บันทึกการจำหน่ายไว้ก่อน"
    person.save()  # (its history before closing would have it; here just after, listed too)
    before = _since(closed_six, "shelters.returned").total
    response = client_for(staff).post(
        reverse("shelters:discharge-undo", args=[person.pk]),
        {"version": person.version, "reason": "จำหน่ายผิดคน"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    person.refresh_from_db()
    assert person.discharged_on is None
    changes = _since(closed_six, "shelters.returned")
    assert changes.total == before + 1
    undo = changes.items[0]
    assert undo.reason == "จำหน่ายผิดคน" and undo.record_date == dt.date(2020, 3, 1)
    assert undo.who == staff and undo.url == reverse("shelters:resident-detail", args=[person.pk])
    assert _since(closed_six, "shelters.improved").total == 0  # a discharge is not 1.1's


def test_an_edit_that_does_not_touch_the_counted_fields_is_not_listed(closed_six):
    from shelters.models import Resident

    person = Resident.objects.first()
    Resident.objects.filter(pk=person.pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="family"
    )
    person.refresh_from_db()
    person.save()  # history with the discharge (listed: it is new since closing)
    listed = _since(closed_six, "shelters.returned").total
    person.full_name = "ชื่อใหม่"
    person._change_reason = "แก้ชื่อสะกดผิด"
    person.save()
    assert _since(closed_six, "shelters.returned").total == listed


def test_the_queries_do_not_grow_with_the_number_of_changes(closed_six, add_residents):
    add_residents(3)
    with CaptureQueriesContext(connection) as few:
        _since(closed_six, "shelters.returned")
    add_residents(40)
    with CaptureQueriesContext(connection) as many:
        changes = _since(closed_six, "shelters.returned")
    assert len(many) == len(few)
    assert changes.total == 43 and len(changes.items) == 43
