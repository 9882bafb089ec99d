"""Who sees what: own facility staff, another facility's staff, managers, admins, others."""

import pytest
from django.test import Client
from django.urls import reverse

from shelters import kpi
from tests.shelters.published import year_end

FULL_ID = "1-1017-00203-45-0"
MASKED_ID = "1-1017-xxxxx-xx-0"


def pages(resident) -> list[str]:
    return [
        reverse("shelters:resident-detail", args=[resident.pk]),
        reverse("shelters:resident-edit", args=[resident.pk]),
        reverse("shelters:assessment-add", args=[resident.pk]),
        reverse("shelters:resident-discharge", args=[resident.pk]),
    ]


def test_staff_list_their_own_residents_only(client_for, staff, resident, outsider_resident):
    response = client_for(staff).get(reverse("shelters:resident-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert resident.full_name in html
    assert outsider_resident.full_name not in html
    assert FULL_ID in html


def test_another_facilitys_resident_is_404_for_staff(client_for, other_staff, resident):
    client = client_for(other_staff)
    for url in pages(resident):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"full_name": "x"}).status_code == 404, url


def test_another_facility_in_the_list_filter_is_404(client_for, other_staff, facility, resident):
    url = reverse("shelters:resident-list")
    assert client_for(other_staff).get(url, {"facility": facility.pk}).status_code == 404


def test_a_drilldown_never_shows_another_facilitys_residents(
    client_for, other_staff, facility, resident, outsider_resident
):
    client = client_for(other_staff)
    as_of = year_end(2563)
    url = kpi.list_url(kpi.IMPROVED, "population", 2563, as_of)
    html = client.get(url).content.decode()
    assert outsider_resident.full_name in html
    assert resident.full_name not in html
    assert client.get(kpi.list_url(kpi.IMPROVED, "CB", 2563, as_of, facility)).status_code == 404


def test_staff_open_their_own_residents_pages(client_for, staff, resident):
    client = client_for(staff)
    for url in pages(resident):
        assert client.get(url).status_code == 200, url


def test_managers_read_everything_with_masked_ids_and_change_nothing(
    client_for, manager, resident, outsider_resident
):
    client = client_for(manager)
    html = client.get(reverse("shelters:resident-list")).content.decode()
    assert resident.full_name in html and outsider_resident.full_name in html
    assert MASKED_ID in html and FULL_ID not in html
    detail = client.get(reverse("shelters:resident-detail", args=[resident.pk]))
    assert detail.status_code == 200
    assert MASKED_ID in detail.content.decode()
    for url in pages(resident)[1:]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    assert client.get(reverse("shelters:resident-add")).status_code == 403


def test_admins_see_full_ids_and_may_change(client_for, kpi_admin, resident):
    client = client_for(kpi_admin)
    html = client.get(reverse("shelters:resident-list")).content.decode()
    assert FULL_ID in html
    for url in pages(resident):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["no_role_user", "owner"])
def test_other_roles_get_403_on_resident_pages(request, client_for, resident, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse("shelters:resident-list")).status_code == 403
    assert client.get(pages(resident)[0]).status_code == 403


def test_anonymous_visitors_are_sent_to_login(resident):
    client = Client()
    for url in [reverse("shelters:resident-list"), reverse("shelters:kpi"), *pages(resident)]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_export_is_scoped_and_masked(client_for, staff, manager, resident, outsider_resident):
    own = client_for(staff).get(reverse("shelters:resident-list"), {"export": "csv"})
    text = own.content.decode()
    assert own.status_code == 200
    assert resident.case_number in text and outsider_resident.case_number not in text
    assert FULL_ID in text
    managed = client_for(manager).get(reverse("shelters:resident-list"), {"export": "csv"})
    text = managed.content.decode()
    assert outsider_resident.case_number in text and MASKED_ID in text and FULL_ID not in text


def test_the_kpi_page_links_counts_only_within_the_viewers_scope(
    client_for, staff, owner, manager, facility, other_facility, resident, outsider_resident
):
    url = reverse("shelters:kpi") + "?year=2563&as_of=2020-09-30"
    staff_html = client_for(staff).get(url).content.decode()
    assert facility.name in staff_html and other_facility.name not in staff_html
    assert f"facility={facility.pk}" in staff_html
    manager_html = client_for(manager).get(url).content.decode()
    assert f"facility={other_facility.pk}" in manager_html
    owner_response = client_for(owner).get(url)
    assert owner_response.status_code == 200  # counts only, like the dashboard
    assert "?kpi=" not in owner_response.content.decode()


def test_the_export_neutralises_formulas_and_offers_excel(client_for, staff, resident):
    from io import BytesIO

    from openpyxl import load_workbook

    resident.full_name = '=HYPERLINK("http://evil.test","x")'
    resident.save()
    response = client_for(staff).get(reverse("shelters:resident-list"), {"export": "xlsx"})
    sheet = load_workbook(BytesIO(response.content)).active
    # A text cell (never a formula) with Excel's quote prefix: the name as typed, no apostrophe.
    (cell,) = [row[1] for row in sheet.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value)]
    assert cell.value == '=HYPERLINK("http://evil.test","x")'
    assert cell.data_type == "s" and cell.quotePrefix
