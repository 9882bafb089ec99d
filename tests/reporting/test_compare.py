"""Two rounds side by side: per indicator both results, levels and scores, what changed (↑/↓ and
by how much) and why (each narrative's result in words); the 6 and 12 months by default, or two
snapshots of one reopened round; as a page and as .xlsx."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reporting import report, services
from reporting.models import Narrative, Snapshot
from shelters.models import Assessment, Resident

COMPARE = reverse("reporting:compare")


@pytest.fixture
def six_and_twelve(
    six, twelve, write_narratives, kpi_admin, add_residents, facility, approved_evidence
):
    """6 months closed with 1.1 = 1 / 20 (5 %, below the minimum: 0 points); by 30 Sep two more
    residents improved: 3 / 22 (13.64 %, above the top target: 100 points), the 12-month round
    open with its narratives submitted."""
    add_residents(1, last=85)
    add_residents(19, last=30)
    write_narratives(six)
    Narrative.objects.filter(round=six, indicator__code="1.1").update(
        result_text="ผู้รับบริการดีขึ้นครึ่งหนึ่ง"
    )
    services.close_round(six.pk, kpi_admin)
    for n in range(2):
        person = Resident.objects.create(
            facility=facility, case_number=f"LATER{n}", full_name=f"ผู้รับบริการ ภายหลัง{n}",
            target_group="destitute", admitted_on=dt.date(2019, 6, 1),
        )  # fmt: skip
        Assessment.objects.create(resident=person, assessed_on=dt.date(2019, 7, 1), percent=35)
        Assessment.objects.create(resident=person, assessed_on=dt.date(2020, 6, 1), percent=85)
    write_narratives(twelve)
    Narrative.objects.filter(round=twelve, indicator__code="1.1").update(
        result_text="ผู้รับบริการดีขึ้นสามในสี่หลังเพิ่มกิจกรรมฟื้นฟู"
    )
    six.refresh_from_db()
    return six, twelve


def _card(html: str, code: str) -> str:
    return html.split(f'data-indicator="{code}"')[1].split("</section>")[0]


def test_the_comparison_shows_both_rounds_what_moved_and_why(client_for, manager, six_and_twelve):
    six, twelve = six_and_twelve
    response = client_for(manager).get(COMPARE + "?year=2563")
    assert response.status_code == 200
    assert response.context["a"].round == six and response.context["b"].round == twelve
    html = response.content.decode()
    side_b = html.split('data-testid="side-b"')[1].split("</div></div></div>")[0]
    assert "รอบ 12 เดือน" in side_b and "ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)" in side_b
    card = _card(html, "1.1")
    a = card.split('data-testid="a"')[1].split('data-testid="b"')[0]
    b = card.split('data-testid="b"')[1]
    assert "ร้อยละ 5.00 (1 / 20)" in a and "ผู้รับบริการดีขึ้นครึ่งหนึ่ง" in a
    assert "ร้อยละ 13.64 (3 / 22)" in b and "ผู้รับบริการดีขึ้นสามในสี่หลังเพิ่มกิจกรรมฟื้นฟู" in b
    change = card.split('data-testid="change"')[1].split("</p>")[0]
    assert "↑ +8.64" in change and "จุดร้อยละ" in change  # 5.00 → 13.64 percent
    assert "↑ +100.00" in change  # 0 → 100 points
    comparison = response.context["comparison"]
    row = next(r for r in comparison.rows if r.code == "1.1")
    assert row.score_change.value == row.b.score.quantize(Decimal("0.01")) - row.a.score.quantize(
        Decimal("0.01")
    )
    assert row.score_change.arrow == "↑" and row.arrow == "↑"
    summary = html.split('data-testid="compare-summary"')[1].split("</table>")[0]
    assert 'data-code="1.1"' in summary and f"↑ +{row.score_change.value}" in summary
    same = next(r for r in comparison.rows if r.code == "3.1")
    assert same.score_change.value == 0 and same.score_change.text == "คงเดิม"
    total = html.split('data-testid="total-change">')[1].split("<")[0]
    assert total == comparison.total_change.text and comparison.total_change.value > 0


def test_a_drop_is_shown_as_down(six_and_twelve):
    six, twelve = six_and_twelve
    comparison = report.compare(report.build(twelve), report.build(six))  # 12 months first
    row = next(r for r in comparison.rows if r.code == "1.1")
    assert row.result_change.value == Decimal("-8.64")
    assert row.result_change.text == "↓ −8.64" and row.result_change.css == "text-danger"
    assert row.score_change.text == "↓ −100.00" and row.arrow == "↓"


def test_two_snapshots_of_a_reopened_round_can_be_compared(
    client_for, manager, six_and_twelve, kpi_admin, add_residents
):
    six, _twelve = six_and_twelve
    services.reopen_round(six, kpi_admin, "ทบทวนผล 1.1")
    add_residents(2, last=85)  # 3 / 22 when closed again
    services.close_round(six.pk, kpi_admin)
    first, second = Snapshot.objects.filter(round=six).order_by("number")
    reader = client_for(manager)
    page = reader.get(COMPARE + f"?year=2563&a=s{first.pk}&b=r{six.pk}")
    assert page.status_code == 200
    tokens = [c.token for c in page.context["choices"]]
    assert f"s{first.pk}" in tokens and f"s{second.pk}" not in tokens  # the current is "r"
    html = page.content.decode()
    card = _card(html, "1.1")
    assert "ร้อยละ 5.00 (1 / 20)" in card.split('data-testid="b"')[0]
    assert "ร้อยละ 13.64 (3 / 22)" in card.split('data-testid="b"')[1]
    side_a = html.split('data-testid="side-a"')[1].split("</div></div></div>")[0]
    assert "ถูกแทนแล้ว" in side_a and "?snapshot=1" in side_a
    assert reader.get(COMPARE + "?year=2563&a=s999999&b=x").status_code == 404


def test_the_comparison_as_xlsx_has_typed_figures_and_the_reasons(
    client_for, manager, six_and_twelve
):
    six, twelve = six_and_twelve
    response = client_for(manager).get(
        reverse("reporting:compare-xlsx") + f"?year=2563&a=r{six.pk}&b=r{twelve.pk}"
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="compare-2563-r{six.pk}-r{twelve.pk}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.content))["เปรียบเทียบ"]
    header = next(r for r in sheet.iter_rows() if r[0].value == "ตัวชี้วัด")
    assert [c.value for c in header[3:6]] == ["ผล (A)", "ระดับ (A)", "คะแนน (A)"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "1.1")
    result_a, result_b = row[3], row[6]
    assert (result_a.value, result_a.number_format) == (5, '"ร้อยละ "0.00')
    assert (result_b.value, result_b.data_type) == (13.64, "n")
    change = row[9]
    assert (change.value, change.data_type, change.number_format) == (8.64, "n", "+0.00;-0.00;0.00")
    assert (row[10].value, row[10].data_type) == (100, "n") and row[11].value == "↑"
    assert row[12].value == "ผู้รับบริการดีขึ้นครึ่งหนึ่ง"
    assert row[13].value == "ผู้รับบริการดีขึ้นสามในสี่หลังเพิ่มกิจกรรมฟื้นฟู"
    milestone = next(r for r in sheet.iter_rows() if r[0].value == "2")
    assert milestone[3].value == "ผ่านระดับ 1" and milestone[9].number_format == "+0;-0;0"
    dates = [r[2] for r in sheet.iter_rows(min_row=2, max_row=3)]
    assert [d.value.date() for d in dates] == [six.as_of, twelve.as_of]
    assert all(d.is_date for d in dates)
    total = next(r for r in sheet.iter_rows() if r[0].value == "รวม")
    assert total[5].data_type == "n" and total[8].data_type == "n" and total[10].data_type == "n"


def test_a_year_without_rounds_says_so(client_for, manager, fy2563):
    from reporting.models import Round

    Round.objects.filter(indicator_set=fy2563).delete()
    page = client_for(manager).get(COMPARE + "?year=2563")
    assert page.status_code == 200 and "ชุดตัวชี้วัดนี้ยังไม่มีรอบการรายงาน" in page.content.decode()
    assert (
        client_for(manager).get(reverse("reporting:compare-xlsx") + "?year=2563").status_code == 404
    )
    assert client_for(manager).get(COMPARE + "?year=2599").status_code == 404
