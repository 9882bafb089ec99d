"""Edits save only their own fields (a move made meanwhile stays), a stale edit is refused in
Thai keeping what was typed, and a submission sent twice makes one application."""

import datetime as dt

from django.urls import reverse

from core import versioned
from core.nationalid import format_id
from subsidies import forms as subsidy_forms
from subsidies import services
from subsidies.models import Application, Step
from tests.subsidies.conftest import new_national_id


def edit_data(client, app) -> dict:
    form = client.get(reverse("subsidies:edit", args=[app.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data["received_on"] = "06/01/2563"
    return data


def test_a_move_made_while_the_edit_is_saved_stays(client_for, officer, application, monkeypatch):
    """The other officer's move commits between the edit's reading of the row and its save."""
    client = client_for(officer)
    data = edit_data(client, application) | {"first_name": "สมหญิงแก้ไข"}
    clean = subsidy_forms.ApplicationForm.clean_amount_requested

    def move_meanwhile(form):
        other = Application.objects.get(pk=application.pk)
        if other.step == Step.RECEIVED:
            services.move(other, to_step=2, acted_on=dt.date(2020, 2, 1), officer=officer)
        return clean(form)

    monkeypatch.setattr(subsidy_forms.ApplicationForm, "clean_amount_requested", move_meanwhile)
    response = client.post(reverse("subsidies:edit", args=[application.pk]), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert (application.step, application.step_on) == (Step.FACT_CHECK, dt.date(2020, 2, 1))
    assert application.first_name == "สมหญิงแก้ไข"
    monkeypatch.undo()
    nxt = client.post(
        reverse("subsidies:move", args=[application.pk]), {"to_step": 3, "acted_on": "02/02/2563"}
    )
    assert nxt.status_code == 302
    assert list(application.entries.values_list("step", flat=True)) == [1, 2, 3]


def test_a_stale_edit_is_refused_in_thai_and_keeps_what_was_typed(client_for, officer, application):
    mine, theirs = client_for(officer), client_for(officer)
    typed = edit_data(mine, application) | {"first_name": "ชื่อของฉัน"}
    other = edit_data(theirs, application) | {"last_name": "นามสกุลของเขา"}
    assert theirs.post(reverse("subsidies:edit", args=[application.pk]), other).status_code == 302
    response = mine.post(reverse("subsidies:edit", args=[application.pk]), typed)
    assert response.status_code == 409
    html = response.content.decode()
    # The one stale text of every edit form (core.versioned; the app's own copy is gone).
    assert str(versioned.STALE_TEXT) in html
    assert 'value="ชื่อของฉัน"' in html and "นามสกุลของเขา" in html  # typed, and saved meanwhile
    application.refresh_from_db()
    assert (application.first_name, application.last_name) == ("สมหญิง", "นามสกุลของเขา")
    # Sent again from the refused page (now at the current version), it is saved.
    again = response.context["form"]
    resent = {name: again[name].value() for name in again.fields} | {"received_on": "06/01/2563"}
    assert mine.post(reverse("subsidies:edit", args=[application.pk]), resent).status_code == 302
    application.refresh_from_db()
    assert application.first_name == "ชื่อของฉัน"


def test_an_edit_never_writes_the_step_fields(client_for, officer, application):
    client = client_for(officer)
    data = edit_data(client, application) | {"step": 5, "decision": "approved", "version": 1}
    client.post(reverse("subsidies:edit", args=[application.pk]), data)
    application.refresh_from_db()
    assert (application.step, application.decision, application.version) == (1, "", 2)


def test_a_submission_sent_twice_makes_one_application(client_for, officer, bangkok):
    client = client_for(officer)
    token = client.get(reverse("subsidies:create")).context["form"]["submission"].value()
    data = {
        "submission": str(token), "first_name": "มานี", "last_name": "มีนา",
        "national_id": format_id(new_national_id()), "province": bangkok.pk,
        "subsidy_type": "low_income", "amount_requested": "2000", "received_on": "06/01/2563",
    }  # fmt: skip
    first = client.post(reverse("subsidies:create"), data)
    second = client.post(reverse("subsidies:create"), data, follow=True)
    app = Application.objects.get()
    assert first.status_code == 302 and first["Location"] == app.get_absolute_url()
    assert second.redirect_chain[0] == (app.get_absolute_url(), 302)
    assert "บันทึกไว้แล้ว" in second.content.decode()
    assert app.entries.count() == 1
