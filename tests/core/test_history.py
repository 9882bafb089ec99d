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
