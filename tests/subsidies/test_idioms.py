"""The project's shared idioms as the subsidies app uses them (issue 14): one permission object
per permission (views, menu, scope), one version check (core.versioned) for edits and step
corrections, one period parser for the usage report."""

import pytest
from django.urls import reverse

from core import nav, roles, versioned
from subsidies import permissions, views
from subsidies.models import Application
from tests.subsidies.conftest import advance

REPORT = reverse("subsidies:report")


def test_views_menu_and_scope_take_the_permission_objects(make_user):
    read = {views.application_list, views.application_detail, views.application_slip,
            views.application_slip_pdf}  # fmt: skip
    write = {views.application_create, views.application_edit, views.application_move,
             views.step_correct}  # fmt: skip
    assert all(view.allowed_roles == permissions.can_read.roles for view in read)
    assert all(view.allowed_roles == permissions.can_write.roles for view in write)
    assert views.usage_report.allowed_roles == permissions.can_read_report.roles
    assert nav._items["subsidies:list"].roles == permissions.can_read.roles
    assert permissions.can_read_report.roles == {
        roles.SUBSIDY_OFFICER, roles.MANAGER, roles.ADMIN, roles.INDICATOR_OWNER, roles.APPROVER,
    }  # fmt: skip
    officer, manager = make_user(roles.SUBSIDY_OFFICER), make_user(roles.MANAGER)
    owner = make_user(roles.INDICATOR_OWNER)
    assert permissions.can_see_national_id(officer) and not permissions.can_see_national_id(manager)
    assert Application.objects.visible_to(owner).query.is_empty()
    assert not Application.objects.visible_to(manager).query.is_empty()


def test_an_edit_without_its_version_is_refused(client_for, officer, application):
    client = client_for(officer)
    form = client.get(reverse("subsidies:edit", args=[application.pk])).context["form"]
    data = {name: form[name].value() for name in form.fields if name != "version"}
    data["received_on"] = "06/01/2563"
    response = client.post(reverse("subsidies:edit", args=[application.pk]), data)
    assert response.status_code == 400
    assert str(versioned.MISSING_TEXT) in response.content.decode()
    application.refresh_from_db()
    assert application.version == 1


def test_a_stale_undo_shown_again_carries_the_current_version_so_a_second_undo_is_deliberate(
    client_for, officer, application
):
    advance(application, officer, 3)
    client = client_for(officer)
    url = reverse("subsidies:correct", args=[application.pk])
    opened = client.get(url).context["undo_form"]
    back = {"undo-entry": opened["entry"].value(), "undo-version": opened["version"].value(),
            "action": "undo", "undo-reason": "บันทึกผิดคำขอ"}  # fmt: skip
    fix = client.get(url).context["form"]
    data = {"entry": fix["entry"].value(), "version": fix["version"].value(),
            "action": "correct", "acted_on": "10/01/2563", "note": "", "reason": "วันที่ผิด"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    refused = client.post(url, back)
    assert refused.status_code == 409
    assert str(versioned.STALE_TEXT) in refused.content.decode()
    again = refused.context["undo_form"]
    assert again["version"].value() == "1" and again["reason"].value() == "บันทึกผิดคำขอ"
    resent = {**back, "undo-version": again["version"].value()}
    assert client.post(url, resent).status_code == 302
    application.refresh_from_db()
    assert application.step == 2


@pytest.mark.parametrize(("typed", "year"), [("๒๕๖๓", 2563), (" 2564 ", 2564)])
def test_the_report_year_takes_thai_digits(client_for, manager, db, typed, year):
    response = client_for(manager).get(REPORT, {"year": typed})
    assert response.status_code == 200 and response.context["report"].fiscal_year == year


@pytest.mark.parametrize("typed", ["abc", "3000", "-2563", "2563.5"])
def test_a_year_that_cannot_be_is_not_found(client_for, manager, db, typed):
    assert client_for(manager).get(REPORT, {"year": typed}).status_code == 404
