"""Pages with charts and live forms run their scripts without an error in a real browser."""

import datetime as dt
from decimal import Decimal

import pytest

from core import roles
from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def resident(db) -> Resident:
    facility = Facility.objects.create(
        code="TYB-M", name="สถานคุ้มครองทดสอบ", kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )  # fmt: skip
    person = Resident.objects.create(
        facility=facility, case_number="63-0001", full_name="ผู้รับบริการ ทดสอบ",
        target_group="destitute", admitted_on=dt.date(2019, 6, 1),
    )  # fmt: skip
    Assessment.objects.bulk_create(
        [
            Assessment(resident=person, assessed_on=dt.date(2019, 8, 1), percent=Decimal(35)),
            Assessment(resident=person, assessed_on=dt.date(2020, 2, 1), percent=Decimal(85)),
        ]
    )
    return person


def _errors_on(page, url) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"{url}: {exc}"))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return errors


def test_chart_pages_draw_without_script_errors(page, live_server, login, make_user, resident):
    admin = make_user(roles.ADMIN, username="admin-browser")
    login(page, admin)
    errors = []
    for path in [
        "/reports/?year=2563",
        "/indicators/?year=2563",
        f"/shelters/residents/{resident.pk}/",
        "/volunteers/?year=2563",
        "/subsidies/report/",
        "/catalog/",
    ]:
        errors += _errors_on(page, live_server.url + path)
    assert errors == []
    # The volunteers dashboard's charts are drawn (their canvases get a size from Chart.js).
    page.goto(live_server.url + "/volunteers/?year=2563")
    assert page.locator("#statusChart").evaluate("c => c.height") > 0


def test_the_assessment_form_computes_percent_and_group_as_items_are_typed(
    page, live_server, login, make_user, resident
):
    staff = make_user(roles.FACILITY_STAFF, username="staff-browser")
    FacilityStaff.objects.create(user=staff, facility=resident.facility)
    login(page, staff)
    errors = _errors_on(page, f"{live_server.url}/shelters/residents/{resident.pk}/assess/")
    for n in range(1, 15):
        page.fill(f"#id_item_{n}", "8")
    assert page.locator("#irp-sum").inner_text().strip() == "112 / 140"
    assert page.locator("#irp-percent").inner_text().strip().startswith("80.00")
    assert "A" in page.locator("#irp-group").inner_text()
    assert errors == []
