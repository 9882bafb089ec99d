"""Correcting the latest step (date, decision, note) and taking it back, with a reason kept in
the history; the rules of the moves still hold, a stale form is refused (409) keeping what was
typed, and the citizen's page follows."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from core import roles, versioned
from core.thaidate import fiscal_year_of
from subsidies.kpi import distinct_citizens
from subsidies.models import Application, Decision, StatusCheck, Step, StepEntry
from tests.subsidies.conftest import advance

STATUS = reverse("subsidies:status")


def url(app):
    return reverse("subsidies:correct", args=[app.pk])


def opened(client, app, prefix=""):
    """The correction page's form as opened now: its hidden entry and version."""
    form = client.get(url(app)).context["undo_form" if prefix else "form"]
    return {f"{prefix}entry": form["entry"].value(), f"{prefix}version": form["version"].value()}


def correction(client, app, **fields):
    data = {**opened(client, app), "action": "correct", "note": "", "reason": "พิมพ์ผิด"}
    data.update(fields)
    return data


def undo(client, app, reason="บันทึกผิดคำขอ"):
    return {**opened(client, app, "undo-"), "action": "undo", "undo-reason": reason}


def latest(app) -> StepEntry:
    return StepEntry.objects.get(application=app, step=Application.objects.get(pk=app.pk).step)


def look(client, app):
    return client.post(
        STATUS, {"reference": app.reference, "national_id": app.national_id}, follow=True
    )


def test_an_officer_corrects_the_latest_steps_date_and_note_with_a_reason(
    application, officer, client_for
):
    advance(application, officer, 3)  # step 2 on 8 Jan, step 3 on 9 Jan 2020
    client = client_for(officer)
    data = correction(client, application, acted_on="15/01/2563", note="ส่งเอกสารครบ")
    response = client.post(url(application), data)
    assert response.status_code == 302
    entry = latest(application)
    assert (entry.step, entry.acted_on, entry.note, entry.version) == (
        3, dt.date(2020, 1, 15), "ส่งเอกสารครบ", 1,
    )  # fmt: skip
    application.refresh_from_db()
    assert (application.step, application.step_on) == (3, dt.date(2020, 1, 15))
    # The reason is in the history of the entry and of the application, by whom.
    record = entry.history.latest()
    assert (record.history_change_reason, record.history_user) == ("พิมพ์ผิด", officer)
    assert application.history.latest().history_change_reason == "พิมพ์ผิด"
    # The application's page shows the correction, its reason and what changed (BE dates).
    page = client.get(reverse("subsidies:detail", args=[application.pk])).content.decode()
    assert 'id="step-corrections"' in page and "พิมพ์ผิด" in page
    assert "9 มกราคม 2563" in page and "15 มกราคม 2563" in page
    assert "แก้ไขแล้ว" in page


def test_the_rules_of_the_moves_hold_for_a_correction(application, officer, client_for):
    advance(application, officer, 3)
    client = client_for(officer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for day, text in [
        ("07/01/2563", "วันที่ต้องไม่ก่อนวันที่ของขั้นตอนก่อนหน้า"),  # step 2 was 8 Jan
        (f"{tomorrow:%d/%m}/{tomorrow.year + 543}", "วันที่ต้องไม่เกินวันนี้"),
    ]:
        response = client.post(url(application), correction(client, application, acted_on=day))
        assert response.status_code == 400
        html = response.content.decode()
        assert text in html
        assert f'value="{day}"' in html  # what was typed stays
    entry = latest(application)
    assert (entry.acted_on, entry.version) == (dt.date(2020, 1, 9), 0)


def test_a_correction_needs_a_reason_and_a_change(application, officer, client_for):
    advance(application, officer, 2)
    client = client_for(officer)
    no_reason = correction(client, application, acted_on="08/01/2563", note="x", reason="  ")
    response = client.post(url(application), no_reason)
    assert response.status_code == 400
    assert latest(application).note == "ขั้นที่ 2"
    same = correction(client, application, acted_on="08/01/2563", note="ขั้นที่ 2")
    response = client.post(url(application), same)
    assert response.status_code == 400
    assert "ไม่มีข้อมูลที่เปลี่ยนแปลง" in response.content.decode()
    assert latest(application).version == 0


def test_correcting_the_committees_decision_changes_what_the_citizen_sees(
    application, officer, client_for, client
):
    advance(application, officer, 4, decision=Decision.APPROVED)
    staff = client_for(officer)
    data = correction(
        staff, application, acted_on="10/01/2563", decision="not_approved", note="ขั้นที่ 4"
    )
    assert staff.post(url(application), data).status_code == 302
    application.refresh_from_db()
    assert application.decision == Decision.NOT_APPROVED and application.is_closed
    html = look(client, application).content.decode()
    states = dict(re.findall(r'data-step="(\d)" data-state="(\w+)"', html))
    assert states == {"1": "done", "2": "done", "3": "done", "4": "done", "5": "skipped"}
    assert "ไม่อนุมัติ" in html


def test_the_public_page_shows_a_corrected_date(application, officer, client_for, client):
    advance(application, officer, 2)  # 8 January 2020
    assert "8 มกราคม 2563" in look(client, application).content.decode()
    staff = client_for(officer)
    data = correction(staff, application, acted_on="20/01/2563", note="ขั้นที่ 2")
    assert staff.post(url(application), data).status_code == 302
    # The kept result (Back, reload) and a new lookup both show the corrected step.
    for page in (client.get(STATUS), look(client, application)):
        html = page.content.decode()
        assert "20 มกราคม 2563" in html and "8 มกราคม 2563" not in html


def test_correcting_the_first_steps_date_moves_the_date_received_and_stales_an_edit(
    application, officer, client_for
):
    client = client_for(officer)
    edit = client.get(reverse("subsidies:edit", args=[application.pk])).context["form"]
    typed = {name: edit[name].value() for name in edit.fields}
    data = correction(client, application, acted_on="03/01/2563", note="รับคำขอ")
    assert client.post(url(application), data).status_code == 302
    application.refresh_from_db()
    assert application.received_on == application.step_on == dt.date(2020, 1, 3)
    # The edit form opened before would put the old date back: refused.
    typed["received_on"] = "06/01/2563"
    assert client.post(reverse("subsidies:edit", args=[application.pk]), typed).status_code == 409
    application.refresh_from_db()
    assert application.received_on == dt.date(2020, 1, 3)


def test_undo_takes_the_latest_step_back_and_the_step_can_be_recorded_again(
    application, officer, client_for
):
    advance(application, officer, 4, decision=Decision.NOT_APPROVED)
    client = client_for(officer)
    response = client.post(url(application), undo(client, application, "ผลผิดคำขอ"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.step, application.step_on, application.decision) == (
        3, dt.date(2020, 1, 9), "",
    )  # fmt: skip
    assert list(application.entries.values_list("step", flat=True)) == [1, 2, 3]
    gone = StepEntry.history.filter(application_id=application.pk, history_type="-").get()
    assert (gone.step, gone.history_change_reason) == (4, "ผลผิดคำขอ")
    page = client.get(reverse("subsidies:detail", args=[application.pk])).content.decode()
    assert "ย้อนขั้นตอนที่ 4" in page and "ผลผิดคำขอ" in page
    moved = client.post(
        reverse("subsidies:move", args=[application.pk]),
        {"to_step": 4, "acted_on": "12/01/2563", "decision": "approved"},
    )
    assert moved.status_code == 302
    application.refresh_from_db()
    assert (application.step, application.decision) == (4, Decision.APPROVED)


def test_undoing_the_last_step_keeps_the_committees_decision(application, officer, client_for):
    advance(application, officer, 5, decision=Decision.APPROVED)
    client = client_for(officer)
    assert client.post(url(application), undo(client, application)).status_code == 302
    application.refresh_from_db()
    assert (application.step, application.decision) == (4, Decision.APPROVED)
    assert application.next_step == Step.ASSISTED


def test_the_first_step_cannot_be_taken_back(application, officer, client_for):
    client = client_for(officer)
    response = client.post(url(application), undo(client, application))
    assert response.status_code == 400
    assert "ย้อนกลับไม่ได้" in response.content.decode()
    assert application.entries.count() == 1


def test_the_citizen_sees_the_step_taken_back_and_still_counts_once(
    application, officer, client_for, client
):
    advance(application, officer, 3)
    look(client, application)
    staff = client_for(officer)
    assert staff.post(url(application), undo(staff, application)).status_code == 302
    html = client.get(STATUS).content.decode()  # the kept result, as it is now
    states = re.findall(r'data-step="(\d)" data-state="(\w+)"', html)
    assert states[:3] == [("1", "done"), ("2", "current"), ("3", "todo")]
    look(client, application)
    assert sorted(StatusCheck.objects.values_list("step", flat=True)) == [2, 3]
    today = timezone.localdate()
    assert distinct_citizens(fiscal_year_of(today), today) == 1


def test_a_correction_opened_before_another_one_is_refused_keeping_what_was_typed(
    application, officer, make_user, client_for
):
    advance(application, officer, 2)
    mine, theirs = client_for(officer), client_for(make_user(roles.SUBSIDY_OFFICER))
    stale = correction(mine, application, acted_on="09/01/2563", note="ของฉัน")
    first = correction(theirs, application, acted_on="10/01/2563", note="ของเขา")
    assert theirs.post(url(application), first).status_code == 302
    response = mine.post(url(application), stale)
    assert response.status_code == 409
    html = response.content.decode()
    assert str(versioned.STALE_TEXT) in html
    assert 'value="09/01/2563"' in html and "ของฉัน" in html  # what I typed
    assert "10 มกราคม 2563" in html  # what is saved now
    assert latest(application).note == "ของเขา"
    # The form shown again carries the current version: saving it now is deliberate.
    again = response.context["form"]
    data = {**stale, "version": again["version"].value(), "entry": again["entry"].value()}
    assert mine.post(url(application), data).status_code == 302
    assert latest(application).note == "ของฉัน"


def test_a_correction_or_an_undo_opened_before_a_move_is_refused(application, officer, client_for):
    advance(application, officer, 2)
    client = client_for(officer)
    fix, back = correction(client, application, acted_on="09/01/2563"), undo(client, application)
    advance(application, officer, 3)
    assert client.post(url(application), fix).status_code == 409
    assert client.post(url(application), back).status_code == 409
    application.refresh_from_db()
    assert application.step == 3 and application.entries.count() == 3
    assert StepEntry.objects.get(application=application, step=2).version == 0


def test_an_undo_opened_before_a_correction_is_refused(application, officer, client_for):
    advance(application, officer, 2)
    client = client_for(officer)
    back = undo(client, application)
    fix = correction(client, application, acted_on="09/01/2563")
    assert client.post(url(application), fix).status_code == 302
    response = client.post(url(application), back)
    assert response.status_code == 409
    assert 'value="บันทึกผิดคำขอ"' in response.content.decode()  # the reason typed stays
    application.refresh_from_db()
    assert application.step == 2


def test_only_officers_and_admins_correct(
    application, officer, manager, kpi_admin, client_for, make_user
):
    advance(application, officer, 2)
    for user, status in [(manager, 403), (make_user(roles.FACILITY_STAFF), 403), (kpi_admin, 200)]:
        assert client_for(user).get(url(application)).status_code == status
    data = correction(client_for(officer), application, acted_on="09/01/2563")
    assert client_for(manager).post(url(application), data).status_code == 403
    assert latest(application).version == 0
    assert client_for(kpi_admin).post(url(application), data).status_code == 302


def test_the_correction_page_pins_its_queries(
    make_application, officer, client_for, django_assert_max_num_queries
):
    client = client_for(officer)
    for n in (1, 5):
        app = advance(make_application(), officer, n, decision=Decision.APPROVED)
        with django_assert_max_num_queries(12):
            assert client.get(url(app)).status_code == 200
