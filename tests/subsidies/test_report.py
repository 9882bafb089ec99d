import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import roles
from subsidies import report
from subsidies.models import Rating, StatusCheck, citizen_key
from tests.subsidies.conftest import new_national_id

URL = reverse("subsidies:report")


def checks(n_citizens: int, day: dt.date, rate: int | None = None, comment: str = ""):
    for _ in range(n_citizens):
        c = StatusCheck.objects.create(
            citizen_key=citizen_key(new_national_id()),
            checked_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9))),
            checked_on=day,
            fiscal_year=2563,
        )
        if rate:
            Rating.objects.create(check_record=c, score=rate, comment=comment)


@pytest.fixture
def usage(db):
    checks(3, dt.date(2019, 10, 15), rate=5, comment="ใช้ง่ายมาก")
    checks(2, dt.date(2020, 3, 3), rate=3)
    checks(1, dt.date(2020, 3, 4))


def test_the_report_counts_per_month_and_summarises_ratings(usage):
    data = report.build(2563, dt.date(2020, 9, 30))
    assert len(data.months) == 12 and data.months[0]["label"] == "ตุลาคม 2562"
    assert data.months[0]["checks"] == 3 and data.months[5]["checks"] == 3
    assert (data.checks, data.citizens, data.rating_count) == (6, 6, 5)
    assert f"{data.rating_average:.2f}" == "4.20"
    assert data.ratings == {5: 3, 3: 2}
    assert [c["comment"] for c in data.comments] == ["ใช้ง่ายมาก"] * 3
    assert "ร้อยละ 0.17 ของเป้าหมาย 3,500 ราย" in data.summary[0]
    assert any("ประชาสัมพันธ์" in r for r in data.recommendations)


def test_the_report_is_built_in_a_fixed_number_of_queries(usage, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        report.build(2563, dt.date(2020, 9, 30))
    checks(20, dt.date(2020, 5, 5), rate=4, comment="ดี")
    with django_assert_max_num_queries(5):
        report.build(2563, dt.date(2020, 9, 30))


@pytest.mark.parametrize(
    "role",
    [roles.SUBSIDY_OFFICER, roles.MANAGER, roles.ADMIN, roles.INDICATOR_OWNER, roles.APPROVER],
)
def test_staff_who_need_it_read_the_report(make_user, client_for, usage, role):
    response = client_for(make_user(role)).get(URL, {"year": 2563})
    assert response.status_code == 200
    assert "ตุลาคม 2562" in response.content.decode()


def test_others_may_not_read_it(make_user, client_for, client, usage):
    assert client_for(make_user(roles.FACILITY_STAFF)).get(URL).status_code == 403
    assert client.get(URL).status_code == 302


def test_the_report_downloads_as_xlsx(client_for, manager, usage):
    response = client_for(manager).get(URL, {"year": 2563, "format": "xlsx"})
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["สรุป", "รายเดือน", "ความพึงพอใจ", "ข้อเสนอแนะ"]
    months = list(wb["รายเดือน"].iter_rows(values_only=True))
    assert months[1] == ("ตุลาคม 2562", 3, 3)
    assert months[-1][1:] == (6, 6)
    assert wb["ข้อเสนอแนะ"].cell(2, 3).value == "ใช้ง่ายมาก"


def test_the_report_downloads_as_a_thai_pdf(client_for, manager, usage):
    from pypdf import PdfReader

    response = client_for(manager).get(URL, {"year": 2563, "format": "pdf"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "2563" in text


def test_an_unknown_year_is_not_found(client_for, manager, db):
    assert client_for(manager).get(URL, {"year": "abc"}).status_code == 404


def test_the_report_opens_on_the_latest_year_with_checks_in_a_labelled_box(
    client_for, manager, usage
):
    response = client_for(manager).get(URL)
    assert response.status_code == 200
    assert response.context["report"].fiscal_year == 2563  # the checks' year, not this year
    html = response.content.decode()
    assert '<label for="id_year"' in html and 'id="id_year"' in html


def test_without_checks_the_report_opens_on_the_indicator_sets_year(client_for, manager, fy2563):
    response = client_for(manager).get(URL)
    assert response.context["report"].fiscal_year == 2563
