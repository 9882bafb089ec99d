"""Corrections at the same moment (real concurrent requests to the live server, PostgreSQL): two
corrections opened at the same version make one saved change and one 409, never a lost update
or a 500; a discharge moved earlier and an assessment moved later at once never leave an
assessment after the discharge."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core import roles
from shelters.models import Assessment, FacilityStaff, Resident
from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.shelters.test_concurrency import at_once

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

STALE = "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก"


@pytest.fixture
def second_staff(make_user, facility):
    user = make_user(roles.FACILITY_STAFF, username="staff-tyb-2")
    FacilityStaff.objects.create(user=user, facility=facility)
    return user


def _one_saved_one_refused(results):
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302, 409], [r[:2] for r in results]
    refused = next(body for status, body, _ in results if status == 409)
    assert STALE in refused
    return [status for status, _, _ in results]


def test_two_corrections_of_one_assessment_lose_nothing(
    live_server, staff, second_staff, make_resident, assess
):
    cookies = [session_of(staff), session_of(second_staff)]
    for attempt in range(6):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        target = assess(person, ("2019-07-01", 35), ("2019-10-01", 55))[1]
        path = reverse("shelters:assessment-edit", args=[person.pk, target.pk])
        wanted = ["61.00", "92.00"]
        requests = [
            (
                path,
                c,
                {"assessed_on": "01/10/2562", "percent": p, "version": 0, "reason": f"แก้ {p}"},
            )
            for c, p in zip(cookies, wanted, strict=True)
        ]
        results = at_once(live_server.url, *requests)
        order = _one_saved_one_refused(results)
        target.refresh_from_db()
        saved = wanted[order.index(302)]
        assert target.percent == Decimal(saved), attempt  # the acknowledged one is there
        assert target.version == 1
        # One correction in the audit trail, with its reason.
        records = list(target.history.filter(history_type="~"))
        assert [r.history_change_reason for r in records] == [f"แก้ {saved}"]


def test_two_corrections_of_one_discharge_lose_nothing(
    live_server, staff, kpi_admin, make_resident
):
    cookies = [session_of(staff), session_of(kpi_admin)]
    for attempt in range(6):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        Resident.objects.filter(pk=person.pk).update(
            discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
        )
        path = reverse("shelters:discharge-edit", args=[person.pk])
        wanted = ["family", "employment"]
        requests = [
            (
                path,
                c,
                {
                    "discharged_on": "02/03/2563",
                    "discharge_reason": w,
                    "version": 0,
                    "reason": f"เหตุ {w}",
                },
            )  # fmt: skip
            for c, w in zip(cookies, wanted, strict=True)
        ]
        results = at_once(live_server.url, *requests)
        order = _one_saved_one_refused(results)
        person.refresh_from_db()
        assert person.discharge_reason == wanted[order.index(302)], attempt
        assert person.version == 1


def test_an_undo_meeting_a_discharge_correction_is_one_or_the_other(
    live_server, staff, kpi_admin, make_resident
):
    for attempt in range(6):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        Resident.objects.filter(pk=person.pk).update(
            discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
        )
        undo = (
            reverse("shelters:discharge-undo", args=[person.pk]),
            session_of(staff),
            {"version": 0, "reason": "จำหน่ายผิดคน"},
        )
        edit = (
            reverse("shelters:discharge-edit", args=[person.pk]),
            session_of(kpi_admin),
            {"discharged_on": "02/03/2563", "discharge_reason": "family", "version": 0,
             "reason": "แก้เหตุ"},
        )  # fmt: skip
        results = at_once(live_server.url, undo, edit)
        statuses = [status for status, _, _ in results]
        assert sorted(statuses) == [302, 409], [r[:2] for r in results]
        person.refresh_from_db()
        if statuses[0] == 302:
            assert person.in_care, attempt
        else:
            assert person.discharged_on == dt.date(2020, 3, 2), attempt
            assert person.discharge_reason == "family"


def test_a_discharge_moved_earlier_and_an_assessment_moved_later_at_once_stay_consistent(
    live_server, staff, kpi_admin, make_resident, assess
):
    """Each is valid alone (the assessment to 1 Feb before a 1 Mar discharge; the discharge to
    15 Jan after a 10 Jan assessment); together they would leave an assessment after the
    discharge. The resident's row is locked by both: the second is checked against the first."""
    for attempt in range(6):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        Resident.objects.filter(pk=person.pk).update(
            discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
        )
        target = assess(person, ("2020-01-10", 55))[0]
        move_assessment = (
            reverse("shelters:assessment-edit", args=[person.pk, target.pk]),
            session_of(staff),
            {"assessed_on": "01/02/2563", "percent": "55", "version": 0, "reason": "แก้วันที่"},
        )
        move_discharge = (
            reverse("shelters:discharge-edit", args=[person.pk]),
            session_of(kpi_admin),
            {"discharged_on": "15/01/2563", "discharge_reason": "family", "version": 0,
             "reason": "แก้วันที่จำหน่าย"},
        )  # fmt: skip
        results = at_once(live_server.url, move_assessment, move_discharge)
        statuses = sorted(status for status, _, _ in results)
        assert statuses == [302, 400], [r[:2] for r in results]  # the second breaks a rule
        person.refresh_from_db()
        target.refresh_from_db()
        assert target.assessed_on <= person.discharged_on, attempt


def test_an_assessment_added_while_the_discharge_moves_earlier_stays_before_it(
    live_server, staff, kpi_admin, make_resident
):
    for attempt in range(6):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        Resident.objects.filter(pk=person.pk).update(
            discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
        )
        add = (
            reverse("shelters:assessment-add", args=[person.pk]),
            session_of(staff),
            {"assessed_on": "01/02/2563", "percent": "55"},
        )
        move_discharge = (
            reverse("shelters:discharge-edit", args=[person.pk]),
            session_of(kpi_admin),
            {"discharged_on": "15/01/2563", "discharge_reason": "family", "version": 0,
             "reason": "แก้วันที่จำหน่าย"},
        )  # fmt: skip
        results = at_once(live_server.url, add, move_discharge)
        assert sorted(s for s, _, _ in results) == [302, 400], [r[:2] for r in results]
        person.refresh_from_db()
        last = Assessment.objects.filter(resident=person).order_by("-assessed_on").first()
        assert last is None or last.assessed_on <= person.discharged_on, attempt


def test_six_deletes_of_one_assessment_at_once_make_one_deletion(
    live_server, staff, make_resident, assess
):
    person = make_resident(admitted_on=dt.date(2019, 6, 1))
    target = assess(person, ("2019-07-01", 35))[0]
    results = post_at_once(
        live_server.url, reverse("shelters:assessment-delete", args=[person.pk, target.pk]), 6,
        cookies=session_of(staff), data={"version": 0, "reason": "บันทึกผิด"},
    )  # fmt: skip
    assert sorted(s for s, _, _ in results) == [302] * 6, [r[:2] for r in results]
    assert not Assessment.objects.filter(pk=target.pk).exists()
    assert Assessment.history.filter(id=target.pk, history_type="-").count() == 1
