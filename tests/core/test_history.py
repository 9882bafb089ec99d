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


# -- values read as the Thai UI: BE dates, labels, names, ใช่/ไม่ใช่, Thai kinds of change ------
def _resident():
    import datetime as dt

    from core.models import Province
    from shelters.models import Facility, Resident

    bangkok = Province.objects.get(code="10")
    first = Facility.objects.create(code="A1", name="บ้านทดสอบหนึ่ง", kind="shelter", province=bangkok)
    Facility.objects.create(code="A2", name="บ้านทดสอบสอง", kind="shelter", province=bangkok)
    return Resident.objects.create(
        facility=first, case_number="63-1", full_name="ทดสอบ ระบบ", target_group="destitute",
        admitted_on=dt.date(2020, 3, 20),
    )  # fmt: skip


def test_a_resident_change_shows_be_dates_labels_names_and_thai_kinds(db):
    import datetime as dt

    from shelters.models import Facility

    resident = _resident()
    resident.discharged_on = dt.date(2020, 3, 25)
    resident.discharge_reason = "family"
    resident.facility = Facility.objects.get(code="A2")
    resident.save()
    rows = history_rows(resident)
    assert [r["type"] for r in rows] == ["แก้ไข", "เพิ่ม"]
    changes = {c["field"]: (c["old"], c["new"]) for c in rows[0]["changes"]}
    assert changes["วันที่จำหน่าย"] == (None, "25 มี.ค. 2563")
    assert changes["เหตุที่จำหน่าย"] == (None, "กลับสู่ครอบครัว")
    assert changes["หน่วยงาน"] == ("บ้านทดสอบหนึ่ง", "บ้านทดสอบสอง")


def test_a_deletion_reads_as_lob(db):
    resident = _resident()
    pk = resident.pk
    resident.delete()
    resident.pk = pk
    assert history_rows(resident)[0]["type"] == "ลบ"


def test_an_application_change_shows_province_names_step_labels_and_yes_no(db, bangkok):
    import datetime as dt

    from core.models import Province
    from core.nationalid import make_valid
    from subsidies.models import Application

    application = Application.objects.create(
        first_name="ทดสอบ", last_name="ระบบ", national_id=make_valid("110170012345"),
        province=bangkok, amount_requested=1000, received_on=dt.date(2020, 3, 1),
        subsidy_type=Application._meta.get_field("subsidy_type").choices[0][0],
    )  # fmt: skip
    application.province = Province.objects.get(code="50")
    application.is_demo = True
    application.step = 2
    application.step_on = dt.date(2020, 3, 20)
    application.save()
    changes = {c["field"]: (c["old"], c["new"]) for c in history_rows(application)[0]["changes"]}
    assert changes["จังหวัด"] == ("กรุงเทพมหานคร", "เชียงใหม่")
    assert changes["ข้อมูลตัวอย่าง"] == ("ไม่ใช่", "ใช่")
    step = Application._meta.get_field("step")
    assert changes["ขั้นตอนปัจจุบัน"] == (str(dict(step.flatchoices)[1]), str(dict(step.flatchoices)[2]))
    assert changes["วันที่ของขั้นตอนปัจจุบัน"] == (None, "20 มี.ค. 2563")


def test_a_volunteer_change_shows_the_status_label(db, bangkok):
    from core.nationalid import make_valid
    from volunteers.models import Volunteer

    volunteer = Volunteer.objects.create(
        national_id=make_valid("310170012345"), first_name="ทดสอบ", last_name="ระบบ", sex="F",
        province=bangkok, kind=Volunteer._meta.get_field("kind").choices[0][0],
    )  # fmt: skip
    status = Volunteer._meta.get_field("status")
    old, new = status.choices[0], status.choices[1]
    volunteer.status = new[0]
    volunteer.save()
    changes = {c["field"]: (c["old"], c["new"]) for c in history_rows(volunteer)[0]["changes"]}
    assert changes["สถานะ"] == (str(old[1]), str(new[1]))


def test_a_time_shows_in_bangkok_with_a_be_year(db):
    import datetime as dt

    from core.models import DuplicateReport

    report = DuplicateReport.objects.create(kind="resident", national_id="1")
    report.resolved_at = dt.datetime(2020, 3, 20, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 21st
    report.kind = "volunteer"
    report.save()
    changes = {c["field"]: c["new"] for c in history_rows(report)[0]["changes"]}
    assert changes["ดำเนินการเมื่อ"] == "21 มี.ค. 2563 00:30 น."
    assert changes["ประเภท"] == "อพม."


def test_names_of_related_records_cost_the_same_queries_however_many_changes(
    db, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shelters.models import Facility

    resident = _resident()
    facilities = list(Facility.objects.order_by("code"))

    def flip(times):
        for n in range(times):
            resident.facility = facilities[(n + 1) % 2]
            resident.save()

    flip(2)
    with CaptureQueriesContext(connection) as few:
        assert len(history_rows(resident)) == 3
    flip(10)
    with django_assert_max_num_queries(len(few)):
        rows = history_rows(resident)
    assert len(rows) == 13 and rows[0]["changes"][0]["new"] in {"บ้านทดสอบหนึ่ง", "บ้านทดสอบสอง"}


def test_the_resident_page_shows_the_history_in_thai(client_for, make_user, db):
    import datetime as dt

    from core import roles

    resident = _resident()
    resident.discharged_on = dt.date(2020, 3, 25)
    resident.discharge_reason = "family"
    resident.save()
    manager = make_user(roles.MANAGER)
    html = client_for(manager).get(reverse("shelters:resident-detail", args=[resident.pk]))
    text = html.content.decode()
    assert "กลับสู่ครอบครัว" in text and "แก้ไข" in text and "25 มี.ค. 2563" in text
    assert "Changed" not in text and "Created" not in text and ">family<" not in text
