"""Many users at once (real concurrent requests to the live server, PostgreSQL): an edit never
brings back what another request changed, a discharge is never undone, and one submission makes
one record, a duplicate being told so in Thai and never a 500."""

import datetime as dt
import threading
import uuid

import pytest
from django.urls import reverse

from core import roles
from core.thaidate import format_be_numeric
from shelters.models import Assessment, FacilityStaff, Resident
from tests.concurrency import on_postgresql, post_at_once, session_of

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def at_once(url: str, *requests) -> list:
    """Different POSTs ((path, cookies, data), …) released together; results in order given."""
    barrier = threading.Barrier(len(requests))
    results = [None] * len(requests)

    def one(i, path, cookies, data):
        barrier.wait(10)
        results[i] = post_at_once(url, path, 1, cookies=cookies, data=data)[0]

    threads = [
        threading.Thread(target=one, args=(i, *request)) for i, request in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert all(r is not None for r in results), results
    return results


def edit_data(resident: Resident, **changes) -> dict:
    data = {
        "case_number": resident.case_number,
        "full_name": resident.full_name,
        "sex": resident.sex,
        "birth_date": format_be_numeric(resident.birth_date) if resident.birth_date else "",
        "national_id": resident.national_id,
        "target_group": resident.target_group,
        "admitted_on": format_be_numeric(resident.admitted_on),
        "version": getattr(resident, "version", 0),  # (getattr: the test also runs on the old code)
    }
    return {**data, **changes}


def statuses(results) -> list[int]:
    return sorted(status for status, _, _ in results)


def test_a_discharge_meeting_an_admins_edit_stays_discharged(
    live_server, staff, kpi_admin, make_resident
):
    staff_cookies, admin_cookies = session_of(staff), session_of(kpi_admin)
    for attempt in range(8):
        person = make_resident(admitted_on=dt.date(2019, 6, 1))
        edit = (
            reverse("shelters:resident-edit", args=[person.pk]),
            admin_cookies,
            edit_data(person, full_name=f"ชื่อใหม่ รอบ{attempt}"),
        )
        discharge = (
            reverse("shelters:resident-discharge", args=[person.pk]),
            staff_cookies,
            {"discharged_on": "01/03/2563", "discharge_reason": "family"},
        )
        results = at_once(live_server.url, edit, discharge)
        assert [r[0] for r in results] == [302, 302], [r[:2] for r in results]
        person.refresh_from_db()
        assert person.discharged_on == dt.date(2020, 3, 1), attempt  # never undischarged
        assert person.discharge_reason == "family"
        assert person.full_name == f"ชื่อใหม่ รอบ{attempt}"  # and the edit saved its own field


def test_three_editors_of_different_fields_lose_no_acknowledged_save(
    live_server, staff, kpi_admin, make_user, facility, make_resident
):
    second = make_user(roles.FACILITY_STAFF, username="staff-tyb-2")
    FacilityStaff.objects.create(user=second, facility=facility)
    editors = [session_of(u) for u in (staff, kpi_admin, second)]
    person = make_resident(admitted_on=dt.date(2019, 6, 1), sex="M")
    url = reverse("shelters:resident-edit", args=[person.pk])
    acknowledged, refused = 0, 0
    groups = ["destitute", "beggar", "psychiatric"]
    for attempt in range(12):
        person.refresh_from_db()
        wanted = {
            "full_name": f"ชื่อ รอบ{attempt}",
            "sex": "F" if person.sex == "M" else "M",
            "target_group": groups[(groups.index(person.target_group) + 1) % 3],
        }
        requests = [
            (url, cookies, edit_data(person, **{name: value}))
            for cookies, (name, value) in zip(editors, wanted.items(), strict=True)
        ]
        results = at_once(live_server.url, *requests)
        person.refresh_from_db()
        for (status, body, _), (name, value) in zip(results, wanted.items(), strict=True):
            assert status in (302, 409), (status, body[:500])
            if status == 302:
                acknowledged += 1
                # Each editor changes a field of its own: an acknowledged save must be there.
                assert getattr(person, name) == value, (attempt, name)
            else:
                refused += 1
                assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in body
        assert any(status == 302 for status, _, _ in results)  # someone always gets through
    assert acknowledged + refused == 36 and acknowledged >= 12


def test_two_discharges_at_once_make_one(live_server, staff, kpi_admin, make_resident):
    person = make_resident(admitted_on=dt.date(2019, 6, 1))
    path = reverse("shelters:resident-discharge", args=[person.pk])
    results = at_once(
        live_server.url,
        (path, session_of(staff), {"discharged_on": "01/03/2563", "discharge_reason": "family"}),
        (path, session_of(kpi_admin), {"discharged_on": "02/03/2563", "discharge_reason": "death"}),
    )
    assert statuses(results) == [302, 302]
    person.refresh_from_db()
    first = (person.discharged_on, person.discharge_reason)
    assert first in ((dt.date(2020, 3, 1), "family"), (dt.date(2020, 3, 2), "death"))
    # One discharge in the audit trail: the second found the resident discharged.
    changes = [h for h in person.history.order_by("history_id") if h.discharged_on]
    assert len(changes) == 1


def admit_data(**extra) -> dict:
    return {
        "case_number": "TYB-0600",
        "full_name": "บุญมี ทองคำ",
        "sex": "M",
        "national_id": "3-1005-00123-45-8",
        "target_group": "beggar",
        "admitted_on": "15/01/2563",
        **extra,
    }


def test_six_identical_admissions_make_one_resident(live_server, staff, facility):
    token = str(uuid.uuid4())
    results = post_at_once(
        live_server.url, reverse("shelters:resident-add"), 6,
        cookies=session_of(staff), data=admit_data(submission=token),
    )  # fmt: skip
    assert statuses(results) == [302] * 6, [r[:2] for r in results]
    assert Resident.objects.count() == 1
    person = Resident.objects.get()
    # Every copy goes where the first went: the new resident's page.
    assert {h["Location"] for _, _, h in results} == {
        reverse("shelters:resident-detail", args=[person.pk])
    }


def test_six_admissions_racing_for_one_case_number_are_thai_errors(live_server, staff, facility):
    # No token (a script, six tabs): the unique case number decides, as a form error.
    results = post_at_once(
        live_server.url, reverse("shelters:resident-add"), 6,
        cookies=session_of(staff), data=admit_data(),
    )  # fmt: skip
    assert statuses(results) == [302] + [400] * 5, [r[:2] for r in results]
    assert Resident.objects.count() == 1
    for status, body, _ in results:
        if status == 400:
            assert "มีอยู่แล้ว" in body or "มีผู้รับบริการอื่นใช้อยู่แล้ว" in body
            assert 'value="บุญมี ทองคำ"' in body  # what was typed is kept


def assess_data(**extra) -> dict:
    return {"assessed_on": "01/03/2563", "assessor": "นักสังคมสงเคราะห์", "percent": "72.50", **extra}


def test_six_identical_assessments_make_one(live_server, staff, make_resident):
    person = make_resident(admitted_on=dt.date(2019, 6, 1))
    results = post_at_once(
        live_server.url, reverse("shelters:assessment-add", args=[person.pk]), 6,
        cookies=session_of(staff), data=assess_data(submission=str(uuid.uuid4())),
    )  # fmt: skip
    assert statuses(results) == [302] * 6, [r[:2] for r in results]
    assert Assessment.objects.filter(resident=person).count() == 1


def test_six_assessments_racing_for_one_day_are_thai_errors(live_server, staff, make_resident):
    person = make_resident(admitted_on=dt.date(2019, 6, 1))
    results = post_at_once(
        live_server.url, reverse("shelters:assessment-add", args=[person.pk]), 6,
        cookies=session_of(staff), data=assess_data(),
    )  # fmt: skip
    assert statuses(results) == [302] + [400] * 5, [r[:2] for r in results]
    assert Assessment.objects.filter(resident=person).count() == 1
    for status, body, _ in results:
        if status == 400:
            assert "ผู้รับบริการรายนี้มีผลการประเมิน" in body
            assert 'value="นักสังคมสงเคราะห์"' in body
