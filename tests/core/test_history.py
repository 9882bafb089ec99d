from django.urls import reverse

from core.history import history_rows
from indicators.models import Indicator


def test_a_change_is_kept_with_who_when_and_what(client_for, kpi_admin, manager, fy2563):
    indicator = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    indicator._history_user = kpi_admin
    indicator.target_min = "11.00"
    indicator.save()
    rows = history_rows(indicator)
    assert rows[0]["who"] == kpi_admin and rows[0]["type"]
    change = rows[0]["changes"][0]
    assert change["field"] == "เป้าหมายขั้นต่ำ"
    assert (str(change["old"]), str(change["new"])) == ("10.72", "11.00")
    page = client_for(manager).get(reverse("indicators:indicator-detail", args=[indicator.pk]))
    html = page.content.decode()
    assert "ประวัติการแก้ไข" in html and "เป้าหมายขั้นต่ำ" in html


def test_history_has_no_admin_to_edit_it_and_no_revert(settings):
    from django.contrib import admin

    assert not [m for m in admin.site._registry if m.__name__.startswith("Historical")]
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED


def test_the_document_set_starts_with_an_audit_record(fy2563):
    indicator = Indicator.objects.get(indicator_set=fy2563, code="2")
    first = indicator.history.earliest("history_date")
    assert first.history_type == "+" and "ก.พ.ร." in first.history_change_reason


def test_an_application_page_shows_its_audit_trail_masked_for_managers(
    client_for, make_user, manager, bangkok
):
    import datetime as dt

    from core import roles
    from core.nationalid import make_valid
    from subsidies import services
    from subsidies.models import Application

    officer = make_user(roles.SUBSIDY_OFFICER, username="officer")
    first, second = make_valid("110170012345"), make_valid("110170054321")
    application = services.create_application(
        Application(
            first_name="ทดสอบ", last_name="ระบบ", national_id=first, province=bangkok,
            subsidy_type=Application._meta.get_field("subsidy_type").choices[0][0],
            amount_requested=1000, received_on=dt.date(2020, 3, 1),
        ),
        officer,
    )  # fmt: skip
    application.national_id = second
    application._history_user = officer
    application.save()
    url = reverse("subsidies:detail", args=[application.pk])
    html = client_for(manager).get(url).content.decode()
    assert "ประวัติการแก้ไข" in html
    assert second not in html and first not in html  # masked for a manager
    assert second in client_for(officer).get(url).content.decode()


def test_a_change_of_owners_names_the_people(kpi_admin, owner, fy2563):
    indicator = Indicator.objects.get(indicator_set=fy2563, code="2")
    rows = history_rows(indicator)
    owners = [c for r in rows for c in r["changes"] if c["field"] == "ผู้รับผิดชอบ"]
    assert owners and owners[0]["new"] == owner.get_full_name()
