"""The applications list exports what it shows (?export=xlsx|csv): its filters applied, national
IDs masked for managers, formula-like cells neutralised."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from core.nationalid import format_id, mask
from tests.subsidies.conftest import advance


def _csv(response) -> list[list]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_export_holds_the_filtered_rows_with_ids_masked_for_a_manager(
    client_for, manager, make_application, officer
):
    hiv = make_application(subsidy_type="hiv", first_name="เอช")
    make_application(subsidy_type="occupation", first_name="อาชีพ")
    url = reverse("subsidies:list") + "?subsidy_type=hiv&export=xlsx"
    rows = _xlsx(client_for(manager).get(url))
    assert rows[0][:3] == ["เลขอ้างอิง", "ชื่อ-สกุล", "เลขประจำตัวประชาชน"]
    assert len(rows) == 2
    assert rows[1][:3] == [hiv.formatted_reference, "เอช ใจดี", mask(hiv.national_id)]
    body = client_for(manager).get(url.replace("xlsx", "csv")).content.decode("utf-8-sig")
    assert hiv.national_id not in body and format_id(hiv.national_id) not in body


def test_an_officer_gets_full_ids_and_the_step_with_its_decision(
    client_for, officer, make_application
):
    application = make_application()
    advance(application, officer, 4, decision="not_approved")
    rows = _csv(client_for(officer).get(reverse("subsidies:list") + "?export=csv"))
    assert rows[1][2] == format_id(application.national_id)
    assert rows[1][-1] == "4. ผลการพิจารณาของคณะกรรมการฯ (ไม่อนุมัติ)"
    assert rows[1][5] == "3000.00"


def test_a_cell_starting_with_equals_is_neutralised(client_for, officer, make_application):
    make_application(first_name="=cmd|' /C calc'!A0", last_name="x")
    rows = _csv(client_for(officer).get(reverse("subsidies:list") + "?export=csv"))
    assert rows[1][1].startswith("'=cmd")
    response = client_for(officer).get(reverse("subsidies:list") + "?export=xlsx")
    cell = load_workbook(io.BytesIO(response.content)).active["B2"]
    # xlsx: a text cell (never a formula) with Excel's quote prefix, no apostrophe added.
    assert cell.value.startswith("=cmd") and cell.data_type == "s" and cell.quotePrefix


def test_the_list_links_to_its_exports_and_other_roles_cannot_export(
    client_for, officer, facility_staff, make_application
):
    make_application()
    body = client_for(officer).get(reverse("subsidies:list") + "?step=1").content.decode()
    assert "?step=1&amp;export=xlsx" in body and "?step=1&amp;export=csv" in body
    response = client_for(facility_staff).get(reverse("subsidies:list") + "?export=csv")
    assert response.status_code == 403
