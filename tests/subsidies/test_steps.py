import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from subsidies import services
from subsidies.models import Decision, Step, StepEntry
from tests.subsidies.conftest import advance

DAY = dt.date(2020, 2, 1)


def move(app, officer, to_step, decision="", day=DAY, note=""):
    return services.move(
        app, to_step=to_step, acted_on=day, officer=officer, decision=decision, note=note
    )


def test_a_new_application_starts_at_step_1_with_its_history(application, officer):
    assert application.step == Step.RECEIVED
    entry = application.entries.get()
    assert (entry.step, entry.acted_on, entry.officer) == (1, application.received_on, officer)
    assert len(application.reference) == 10


def test_it_moves_through_all_five_steps_in_order_keeping_date_officer_and_note(
    application, officer
):
    for step, decision in [(2, ""), (3, ""), (4, Decision.APPROVED), (5, "")]:
        move(
            application, officer, step, decision, day=DAY + dt.timedelta(days=step), note=f"n{step}"
        )
        assert application.step == step
    assert application.is_closed and application.next_step is None
    rows = list(
        StepEntry.objects.filter(application=application).values_list("step", "acted_on", "note")
    )
    assert rows == [(1, dt.date(2020, 1, 6), "รับคำขอ")] + [
        (s, DAY + dt.timedelta(days=s), f"n{s}") for s in (2, 3, 4, 5)
    ]
    assert application.entries.get(step=4).decision == Decision.APPROVED


def test_not_approved_stops_at_step_4(application, officer):
    advance(application, officer, 4, decision=Decision.NOT_APPROVED)
    assert application.is_closed
    with pytest.raises(services.StepError, match="ไม่ได้รับการอนุมัติ"):
        move(application, officer, 5, day=DAY + dt.timedelta(days=30))
    assert application.step == 4


@pytest.mark.parametrize("to_step", [1, 3, 4, 5])
def test_it_refuses_any_move_but_to_the_next_step_from_step_1(application, officer, to_step):
    with pytest.raises(services.StepError, match="ขั้นตอนถัดไป"):
        move(application, officer, to_step, Decision.APPROVED if to_step == 4 else "")
    application.refresh_from_db()
    assert application.step == 1 and application.entries.count() == 1


@pytest.mark.parametrize("current", [2, 3, 4])
def test_it_refuses_going_back_staying_or_skipping(application, officer, current):
    advance(application, officer, current, decision=Decision.APPROVED)
    for to_step in {1, current - 1, current, current + 2} - {0, 6}:
        with pytest.raises(services.StepError):
            move(application, officer, to_step, day=DAY + dt.timedelta(days=30))
    assert application.step == current


def test_nothing_follows_step_5(application, officer):
    advance(application, officer, 5, decision=Decision.APPROVED)
    with pytest.raises(services.StepError, match="ครบทั้ง 5 ขั้นตอน"):
        move(application, officer, 6, day=DAY + dt.timedelta(days=30))


def test_step_4_needs_a_decision_and_only_step_4_takes_one(application, officer):
    with pytest.raises(services.StepError, match="เฉพาะขั้นตอนที่ 4"):
        move(application, officer, 2, decision=Decision.APPROVED)
    advance(application, officer, 3)
    with pytest.raises(services.StepError, match="ต้องระบุผลการพิจารณา"):
        move(application, officer, 4, day=DAY + dt.timedelta(days=30))
    with pytest.raises(services.StepError):
        move(application, officer, 4, decision="maybe", day=DAY + dt.timedelta(days=30))


def test_a_step_cannot_be_dated_before_the_previous_one_or_in_the_future(application, officer):
    with pytest.raises(services.StepError, match="ก่อนวันที่"):
        move(application, officer, 2, day=application.received_on - dt.timedelta(days=1))
    with pytest.raises(services.StepError, match="เกินวันนี้"):
        move(application, officer, 2, day=timezone.localdate() + dt.timedelta(days=1))
    move(application, officer, 2, day=application.received_on)  # the same day is fine
    assert application.step == 2


def test_the_officer_moves_it_from_the_application_page(client_for, officer, application):
    url = reverse("subsidies:move", args=[application.pk])
    response = client_for(officer).post(
        url, {"to_step": 2, "acted_on": "01/02/2563", "note": "ลงพื้นที่เยี่ยมบ้าน"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    entry = application.entries.get(step=2)
    assert (application.step, entry.acted_on, entry.officer, entry.note) == (
        2, dt.date(2020, 2, 1), officer, "ลงพื้นที่เยี่ยมบ้าน",
    )  # fmt: skip
    page = client_for(officer).get(reverse("subsidies:detail", args=[application.pk]))
    html = page.content.decode()
    assert "ลงพื้นที่เยี่ยมบ้าน" in html and "1 ก.พ. 2563" in html
    assert "ขั้นตอนที่ 3" in html  # the form now offers the next step


def test_a_stale_form_is_refused_in_thai_with_400(client_for, officer, application):
    url = reverse("subsidies:move", args=[application.pk])
    client_for(officer).post(url, {"to_step": 2, "acted_on": "01/02/2563"})
    response = client_for(officer).post(url, {"to_step": 2, "acted_on": "02/02/2563"})
    assert response.status_code == 400
    assert "เปลี่ยนได้เฉพาะขั้นตอนถัดไปเท่านั้น" in response.content.decode()
    assert application.entries.count() == 2


def test_the_decision_is_asked_at_step_4_from_the_page(client_for, officer, application):
    advance(application, officer, 3)
    url = reverse("subsidies:move", args=[application.pk])
    response = client_for(officer).post(url, {"to_step": 4, "acted_on": "01/03/2563"})
    assert response.status_code == 400
    assert "ต้องระบุผลการพิจารณา" in response.content.decode()
    response = client_for(officer).post(
        url, {"to_step": 4, "acted_on": "01/03/2563", "decision": "not_approved"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.decision == Decision.NOT_APPROVED and application.is_closed


def test_a_manager_cannot_move_an_application(client_for, manager, application):
    url = reverse("subsidies:move", args=[application.pk])
    assert (
        client_for(manager).post(url, {"to_step": 2, "acted_on": "01/02/2563"}).status_code == 403
    )
    assert application.entries.count() == 1


def test_every_change_is_kept_in_the_audit_history(application, officer):
    advance(application, officer, 2)
    assert application.history.count() == 2  # created, moved
    assert application.entries.get(step=2).history.count() == 1
