"""Two officers (or two clicks) at once on the course pages, the result form and the plan
form, as real concurrent requests on PostgreSQL (tests/concurrency.py)."""

import threading
import uuid

import pytest
from django.urls import reverse

from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.volunteers.test_course_results import _plan, _plan_data, opened, typed
from volunteers.models import Enrolment, Plan, Status, Volunteer

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _statuses(results):
    statuses = sorted(status for status, _, _ in results)
    assert all(s < 500 for s in statuses), statuses
    return statuses


def _both(live_server, path, cookies, datas):
    """Each data POSTed at the same moment, from its own thread and connection."""
    results, start = [], threading.Barrier(len(datas))

    def send(data):
        start.wait(10)
        results.extend(post_at_once(live_server.url, path, 1, cookies=cookies, data=data))

    threads = [threading.Thread(target=send, args=(d,)) for d in datas]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    return results


def test_two_officers_recording_one_row_at_once_lose_nothing(
    live_server, client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a = enrol(course, make_volunteer(bangkok, first_name="แถวเดียวกัน"))
    page = opened(client_for(officer_bkk), course)
    datas = [typed(page, a, hours_attended=h, test_passed="1") for h in ("24", "10")]
    path = reverse("volunteers:course-results", args=[course.pk])
    results = _both(live_server, path, session_of(officer_bkk), datas)
    assert _statuses(results) == [302, 409]
    refused = next(body for status, body, _ in results if status == 409)
    assert "มีผู้บันทึกไว้ระหว่างที่ท่านกรอก" in refused and "แถวเดียวกัน" in refused
    a.refresh_from_db()
    lost = "10" if a.hours_attended == 24 else "24"
    assert f'value="{lost}"' in refused  # the refused officer's figure is still in the form
    assert a.history.count() == 2 and a.version == 2


def test_two_officers_recording_different_rows_at_once_both_stand(
    live_server, client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a, b = enrol(course, make_volunteer(bangkok)), enrol(course, make_volunteer(bangkok))
    page = opened(client_for(officer_bkk), course)
    datas = [
        typed(page, a, hours_attended="24", test_passed="1"),
        typed(page, b, hours_attended="20", test_passed="1"),
    ]
    path = reverse("volunteers:course-results", args=[course.pk])
    assert _statuses(_both(live_server, path, session_of(officer_bkk), datas)) == [302, 302]
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.hours_attended, a.passed, b.hours_attended, b.passed) == (24, True, 20, True)
    assert Volunteer.objects.filter(status=Status.ACTIVE).count() == 2


def test_two_single_results_from_one_version_at_once_are_one_save_and_a_409(
    live_server, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok), bkk_volunteer)
    path = reverse("volunteers:enrolment-result", args=[e.pk])
    datas = [{"hours_attended": h, "test_passed": "1", "version": e.version} for h in ("24", "10")]
    results = _both(live_server, path, session_of(officer_bkk), datas)
    assert _statuses(results) == [302, 409]
    e.refresh_from_db()
    assert e.version == 2 and e.history.count() == 2


def test_two_plan_saves_from_one_version_at_once_are_one_save_and_a_409(
    live_server, kpi_admin, bangkok
):
    plan = _plan(bangkok)
    path = reverse("volunteers:plan-edit", args=[plan.pk])
    opened_plan = _plan_data(plan)
    datas = [opened_plan | {"t-0-planned": n} for n in ("11", "99")]
    results = _both(live_server, path, session_of(kpi_admin), datas)
    assert _statuses(results) == [302, 409]
    planned = Plan.objects.get().targets.order_by("pk").first().planned
    assert planned in (11, 99)
    refused = next(body for status, body, _ in results if status == 409)
    assert "มีผู้แก้ไขแผนนี้ระหว่างที่ท่านกรอก" in refused


def test_six_identical_enrol_confirms_at_once_enrol_once(
    live_server, client_for, officer_bkk, bangkok, make_course, make_volunteer
):
    from tests.volunteers.test_enrolling import confirmed

    course = make_course(bangkok)
    people = [make_volunteer(bangkok) for _ in range(4)]
    url = reverse("volunteers:course-enrol", args=[course.pk])
    data = confirmed(
        client_for(officer_bkk), url, national_ids="\n".join(v.national_id for v in people)
    )
    data["submission"] = data.get("submission") or str(uuid.uuid4())
    results = post_at_once(live_server.url, url, 6, cookies=session_of(officer_bkk), data=data)
    assert _statuses(results) == [302] * 6
    assert Enrolment.objects.filter(course=course).count() == 4
    assert Enrolment.history.count() == 4
