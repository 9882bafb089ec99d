import re

import pytest
from django.urls import reverse

from core import roles
from core.nationalid import format_id, mask
from subsidies.models import Application

READ = ["subsidies:list", "subsidies:detail", "subsidies:slip"]


def url(name, app):
    return reverse(name, args=[app.pk]) if name != "subsidies:list" else reverse(name)


@pytest.mark.parametrize("name", [*READ, "subsidies:create", "subsidies:edit"])
def test_anonymous_visitors_are_sent_to_login(client, application, name):
    response = client.get(url(name, application) if name != "subsidies:create" else reverse(name))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "role", [None, roles.FACILITY_STAFF, roles.PROVINCIAL_OFFICER, roles.INDICATOR_OWNER]
)
def test_other_roles_are_refused(make_user, client_for, application, role):
    c = client_for(make_user(*([role] if role else [])))
    for name in READ:
        assert c.get(url(name, application)).status_code == 403


def test_a_manager_reads_with_masked_ids_and_changes_nothing(client_for, manager, application):
    c = client_for(manager)
    for name in READ:
        html = c.get(url(name, application)).content.decode()
        assert (
            application.national_id not in html and format_id(application.national_id) not in html
        )
    assert mask(application.national_id) in c.get(reverse("subsidies:list")).content.decode()
    assert c.get(reverse("subsidies:create")).status_code == 403
    assert c.get(reverse("subsidies:edit", args=[application.pk])).status_code == 403
    assert "บันทึกขั้นตอน" not in c.get(url("subsidies:detail", application)).content.decode()


def test_an_officer_sees_the_full_id(client_for, officer, application):
    html = client_for(officer).get(url("subsidies:detail", application)).content.decode()
    assert format_id(application.national_id) in html


def test_an_unknown_application_is_404(client_for, officer, db):
    assert client_for(officer).get(reverse("subsidies:detail", args=[999])).status_code == 404


def test_an_officer_records_an_application_with_a_random_reference(client_for, officer, bangkok):
    data = {
        "first_name": "มานี", "last_name": "มีนา", "national_id": "1-1017-00230-70-8",
        "province": bangkok.pk, "subsidy_type": "hiv", "amount_requested": "2500",
        "received_on": "15/03/2563",
    }  # fmt: skip
    from core.nationalid import is_valid, make_valid

    data["national_id"] = make_valid("110170023070")
    assert is_valid(data["national_id"])
    response = client_for(officer).post(reverse("subsidies:create"), data)
    assert response.status_code == 302
    app = Application.objects.get()
    assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}", app.reference)
    assert str(app.received_on) == "2020-03-15" and app.step == 1 and app.entries.count() == 1
    slip = client_for(officer).get(reverse("subsidies:slip", args=[app.pk])).content.decode()
    assert app.formatted_reference in slip and "/subsidies/status/" in slip


def test_a_bad_application_is_refused_in_thai_keeping_what_was_typed(client_for, officer, bangkok):
    data = {
        "first_name": "มานี", "last_name": "มีนา", "national_id": "1234567890123",
        "province": bangkok.pk, "subsidy_type": "hiv", "amount_requested": "-5",
        "received_on": "31/02/2563",
    }  # fmt: skip
    response = client_for(officer).post(reverse("subsidies:create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "เลขตรวจสอบผิด" in html and "จำนวนเงินต้องมากกว่า 0" in html and "ไม่ใช่วันที่ที่มีอยู่จริง" in html
    assert 'value="มานี"' in html
    assert not Application.objects.exists()


def test_references_are_unique_and_not_sequential(make_application):
    refs = {make_application().reference for _ in range(30)}
    assert len(refs) == 30
