"""List exports (?export=xlsx|csv): what the list shows, its filters applied, national IDs
masked for managers, formula-like cells neutralised."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import roles
from core.nationalid import format_id, mask
from volunteers.models import Plan


def _xlsx(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _csv(response) -> list[list]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_volunteer_export_holds_the_filtered_rows_with_ids_masked_for_a_manager(
    client_for, manager, make_volunteer, bangkok, chiang_mai
):
    active = make_volunteer(chiang_mai, first_name="ทำงาน", status="active")
    make_volunteer(chiang_mai, first_name="สมัคร", status="applicant")
    make_volunteer(bangkok, first_name="กรุงเทพ", status="active")
    url = reverse("volunteers:list") + f"?status=active&province={chiang_mai.pk}&export=xlsx"
    rows = _xlsx(client_for(manager).get(url))
    assert rows[0][:2] == ["เลขประจำตัวประชาชน", "ชื่อ-นามสกุล"]
    assert [r[1] for r in rows[1:]] == [active.full_name]
    assert rows[1][0] == mask(active.national_id)
    body = client_for(manager).get(url.replace("xlsx", "csv")).content.decode("utf-8-sig")
    assert active.national_id not in body and format_id(active.national_id) not in body


def test_an_officer_gets_full_ids_of_their_own_province_only(
    client_for, officer_bkk, bkk_volunteer, cm_volunteer
):
    rows = _csv(client_for(officer_bkk).get(reverse("volunteers:list") + "?export=csv"))
    assert [r[0] for r in rows[1:]] == [format_id(bkk_volunteer.national_id)]


def test_a_cell_starting_with_equals_is_neutralised(client_for, kpi_admin, make_volunteer, bangkok):
    make_volunteer(bangkok, first_name='=HYPERLINK("http://x")', last_name="ก")
    url = reverse("volunteers:list") + "?export="
    csv_rows = _csv(client_for(kpi_admin).get(url + "csv"))
    assert csv_rows[1][1].startswith("'=HYPERLINK")
    # xlsx: a text cell (never a formula) with Excel's quote prefix, no apostrophe added.
    for response, coordinate in (
        (client_for(kpi_admin).get(url + "xlsx"), "B2"),
        (client_for(kpi_admin).get(reverse("volunteers:export")), "C2"),
    ):
        cell = load_workbook(io.BytesIO(response.content)).active[coordinate]
        assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s" and cell.quotePrefix


def test_the_expiring_cards_list_exports_its_own_rows(
    client_for, kpi_admin, make_volunteer, bangkok
):
    today = dt.date.today()
    soon = make_volunteer(bangkok, first_name="ใกล้", card_expires_on=today + dt.timedelta(10))
    make_volunteer(bangkok, first_name="อีกนาน", card_expires_on=today + dt.timedelta(400))
    rows = _xlsx(client_for(kpi_admin).get(reverse("volunteers:expiring") + "?export=xlsx"))
    assert [r[1] for r in rows[1:]] == [soon.full_name]


def test_the_service_export_is_filtered_and_masks_the_volunteers_id_for_a_manager(
    client_for, manager, bkk_volunteer, make_services
):
    make_services(bkk_volunteer, 2, service_type="screening")
    make_services(bkk_volunteer, 3, service_type="survey")
    url = reverse("volunteers:service-list") + "?service_type=screening&export=csv"
    rows = _csv(client_for(manager).get(url))
    assert rows[0][:3] == ["วันที่", "อพม.", "เลขประจำตัวประชาชน อพม."]
    assert len(rows) == 3 and {r[4] for r in rows[1:]} == {"คัดกรอง"}
    assert {r[2] for r in rows[1:]} == {mask(bkk_volunteer.national_id)}
    assert rows[1][1] == bkk_volunteer.full_name


def test_the_course_export_carries_the_course_number_used_by_uploads(
    client_for, officer_bkk, make_course, bangkok, chiang_mai
):
    mine = make_course(bangkok, title="รุ่นกรุงเทพ")
    make_course(chiang_mai, title="รุ่นเชียงใหม่")
    rows = _xlsx(client_for(officer_bkk).get(reverse("volunteers:course-list") + "?export=xlsx"))
    assert rows[0][:2] == ["เลขที่", "หลักสูตร/รุ่น"]
    assert [r[:2] for r in rows[1:]] == [[mine.pk, "รุ่นกรุงเทพ"]]


def test_the_plan_list_exports(client_for, manager):
    Plan.objects.create(title="แผน 2563–2565", approved_on=dt.date(2020, 1, 10))
    rows = _csv(client_for(manager).get(reverse("volunteers:plan-list") + "?export=csv"))
    assert rows[1][1:5] == ["แผน 2563–2565", "2563", "2565", "2020-01-10"]  # CSV dates: ISO


def test_each_list_page_links_to_its_exports(client_for, kpi_admin):
    client = client_for(kpi_admin)
    for name in ("list", "expiring", "course-list", "service-list", "plan-list"):
        body = client.get(reverse(f"volunteers:{name}")).content.decode()
        assert "?export=xlsx" in body and "?export=csv" in body, name


@pytest.mark.parametrize("role", [roles.FACILITY_STAFF, roles.SUBSIDY_OFFICER, None])
def test_roles_without_access_cannot_export(client_for, make_user, role, bkk_volunteer):
    client = client_for(make_user(*([role] if role else [])))
    for name in ("list", "course-list", "service-list"):
        assert client.get(reverse(f"volunteers:{name}") + "?export=csv").status_code == 403
