"""Two people (or two clicks) at once, as real concurrent requests on PostgreSQL: one
submission makes one record, two edits never lose one silently, two renewals make one card."""

import threading
import uuid

import pytest
from django.urls import reverse

from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.volunteers.conftest import new_national_id
from tests.volunteers.test_summary import assert_exact
from volunteers import services
from volunteers.models import Counter, Path, Service, ServiceMonthly, Volunteer

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _no_server_error(results):
    statuses = [status for status, _, _ in results]
    assert all(status < 500 for status in statuses), statuses
    return statuses


def test_six_identical_service_posts_make_one_service(live_server, officer_bkk, bkk_volunteer):
    data = {
        "submission": str(uuid.uuid4()),
        "volunteer_national_id": bkk_volunteer.national_id,
        "date": "01/03/2563",
        "service_type": "screening",
        "target_group": "elderly",
        "people_served": "3",
    }
    results = post_at_once(
        live_server.url, reverse("volunteers:service-create"), 6,
        cookies=session_of(officer_bkk), data=data,
    )  # fmt: skip
    assert _no_server_error(results) == [302] * 6
    assert Service.objects.count() == 1
    assert_exact()
    cell = ServiceMonthly.objects.get()
    assert (cell.services, cell.people) == (1, 3)


def test_six_identical_bulk_pastes_make_their_services_once(
    live_server, officer_bkk, bkk_volunteer
):
    rows = "\n".join(
        f"{bkk_volunteer.national_id}\t0{day}/03/2563\tคัดกรอง\tผู้สูงอายุ\t2\tสีลม"
        for day in range(1, 4)
    )
    results = post_at_once(
        live_server.url, reverse("volunteers:service-bulk"), 6,
        cookies=session_of(officer_bkk), data={"submission": str(uuid.uuid4()), "rows": rows},
    )  # fmt: skip
    assert _no_server_error(results) == [302] * 6
    assert Service.objects.count() == 3
    assert_exact()


def test_six_identical_new_volunteer_posts_make_one_volunteer(live_server, officer_bkk, bangkok):
    nid = new_national_id()
    data = {
        "submission": str(uuid.uuid4()),
        "national_id": nid,
        "first_name": "สมใจ",
        "last_name": "พร้อมกัน",
        "sex": "F",
        "province": bangkok.pk,
        "kind": "bangkok",
        "status": "applicant",
    }
    results = post_at_once(
        live_server.url, reverse("volunteers:create"), 6,
        cookies=session_of(officer_bkk), data=data,
    )  # fmt: skip
    # every copy is sent to the one record's page (the later ones with the Thai notice)
    assert _no_server_error(results) == [302] * 6
    volunteer = Volunteer.objects.get()
    assert volunteer.national_id == nid
    assert {headers["Location"] for _, _, headers in results} == {volunteer.get_absolute_url()}


def test_two_new_volunteers_with_one_national_id_at_once_are_one_record_and_a_thai_error(
    live_server, officer_bkk, bangkok
):
    """Two officers' forms (different submissions) for one national ID: the unique index
    decides; the other is told in Thai (400, typed values kept), never a 500."""
    nid = new_national_id()
    path = reverse("volunteers:create")
    cookies = session_of(officer_bkk)
    results, start = [], threading.Barrier(2)

    def send(last_name):
        data = {
            "submission": str(uuid.uuid4()), "national_id": nid, "first_name": "สมใจ",
            "last_name": last_name, "sex": "F", "province": bangkok.pk, "kind": "bangkok",
            "status": "applicant",
        }  # fmt: skip
        start.wait(10)
        results.extend(post_at_once(live_server.url, path, 1, cookies=cookies, data=data))

    threads = [threading.Thread(target=send, args=(n,)) for n in ("หนึ่ง", "สอง")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(_no_server_error(results)) == [302, 400]
    assert Volunteer.objects.count() == 1
    for status, body, _ in results:
        if status == 400:
            assert "เลขประจำตัวประชาชนนี้มีในทะเบียนแล้ว" in body


def test_two_edits_of_different_fields_at_once_lose_neither_silently(
    live_server, officer_bkk, bangkok, bkk_volunteer
):
    path = reverse("volunteers:edit", args=[bkk_volunteer.pk])
    cookies = session_of(officer_bkk)
    base = {
        "national_id": bkk_volunteer.national_id, "first_name": bkk_volunteer.first_name,
        "last_name": bkk_volunteer.last_name, "sex": "F", "province": bangkok.pk,
        "kind": "bangkok", "status": "applicant", "district": bkk_volunteer.district,
        "phone": "", "version": bkk_volunteer.version,
    }  # fmt: skip
    edits = [{"phone": "0811111111"}, {"district": "บางรักใหม่"}]
    results, start = [], threading.Barrier(2)

    def send(change):
        start.wait(10)
        results.extend(post_at_once(live_server.url, path, 1, cookies=cookies, data=base | change))

    threads = [threading.Thread(target=send, args=(e,)) for e in edits]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert sorted(_no_server_error(results)) == [302, 409]
    refused = next(body for status, body, _ in results if status == 409)
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in refused
    v = Volunteer.objects.get()
    saved = [e for e in edits if all(getattr(v, k) == val for k, val in e.items())]
    assert len(saved) == 1  # the winner's change is in the record ...
    lost = next(e for e in edits if e is not saved[0])
    assert next(iter(lost.values())) in refused  # ... the other's is still in its form
    assert v.history.count() == 2 and v.version == bkk_volunteer.version + 1


def test_two_card_renewals_at_once_make_one_new_card(
    live_server, officer_bkk, make_volunteer, bangkok
):
    import datetime as dt

    v = services.certify(make_volunteer(bangkok), dt.date(2020, 2, 1), Path.WORKSHOP)
    counter = Counter.objects.get(name="card:10:2563")
    before, history = counter.value, v.history.count()
    results = post_at_once(
        live_server.url, reverse("volunteers:card-renew", args=[v.pk]), 2,
        cookies=session_of(officer_bkk), data={"card": v.card_number},
    )  # fmt: skip
    assert _no_server_error(results) == [302, 302]
    renewed = Volunteer.objects.get(pk=v.pk)
    assert renewed.card_number != v.card_number
    year = dt.date.today().year + 543
    drawn = Counter.objects.filter(name=f"card:10:{year}").values_list("value", flat=True)
    # one number drawn for the renewal (none burnt by the refused one)
    if year == 2563:
        assert drawn.get() == before + 1
    else:
        assert drawn.get() == 1
    assert renewed.history.count() == history + 1
