"""KPI 1.1 and 1.2 reproduce the document's published figures, and the dashboard scores them."""

from decimal import Decimal

import pytest

from indicators.evaluation import evaluate
from indicators.scoring import ratio_score
from shelters import kpi
from tests.shelters import published
from tests.shelters.published import year_end


def dec2(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'), rounding='ROUND_HALF_UP')}"


def breakdown(result) -> dict[str, int]:
    return {item.label: item.count for item in result.breakdown}


@pytest.fixture
def published_2561(fourteen_facilities):
    published.build(2561, fourteen_facilities)


def test_it_reproduces_the_published_figures_of_fy2561_and_fy2562(published_2561):
    r = kpi.compute_improved(2561, year_end(2561))
    assert (r.numerator, r.denominator, dec2(r.value)) == (423, 4506, "9.39")
    assert breakdown(r) == {"A→A": 243, "B→A": 69, "C→A": 1, "C→B": 110, "ไม่ดีขึ้น": 4083}

    r = kpi.compute_improved(2562, year_end(2562))
    assert (r.numerator, r.denominator, dec2(r.value)) == (522, 4870, "10.72")
    assert breakdown(r) == {"A→A": 255, "B→A": 139, "C→A": 0, "C→B": 128, "ไม่ดีขึ้น": 4348}

    r = kpi.compute_returned(2561, year_end(2561))
    assert (r.numerator, r.denominator, dec2(r.value)) == (347, 506, "68.58")
    assert breakdown(r) == {"กลุ่ม A (ตัวหาร)": 506, "กลับคืนสู่สังคม (ตัวตั้ง)": 347}

    r = kpi.compute_returned(2562, year_end(2562))
    assert (r.numerator, r.denominator, dec2(r.value)) == (403, 576, "69.97")


def test_the_facility_counts_and_the_lists_behind_them_match_the_totals(
    published_2561, fourteen_facilities
):
    from shelters.models import Resident

    for name, population in ((kpi.IMPROVED, 4870), (kpi.RETURNED, 576)):
        per_facility = kpi.counts_per_facility(name, 2562, year_end(2562))
        assert set(per_facility) == {f.pk for f in fourteen_facilities}
        totals = kpi.totals(per_facility, name)
        assert totals["population"] == population
        for category, count in totals.items():
            ids = kpi.resident_ids(name, category, 2562, year_end(2562))
            assert Resident.objects.filter(pk__in=ids).count() == count, (name, category)
        # One facility's list holds that facility's count.
        first = fourteen_facilities[0]
        ids = kpi.resident_ids(name, "population", 2562, year_end(2562))
        assert (
            Resident.objects.filter(pk__in=ids, facility=first).count()
            == per_facility[first.pk]["population"]
        )
    result = kpi.compute_improved(2562, year_end(2562))
    assert all(item.url.startswith("/shelters/?kpi=improved&cat=") for item in result.breakdown)


def test_it_scores_fy2562_figures_against_the_fy2563_targets(fourteen_facilities, fy2563):
    published.build(2562, fourteen_facilities)  # FY2562's figures land in FY2563
    result = evaluate(fy2563, year_end(2563))
    r11, r12 = result.by_code("1.1"), result.by_code("1.2")
    assert (r11.numerator, r11.denominator, r11.source) == (522, 4870, "computed")
    assert (r12.numerator, r12.denominator) == (403, 576)
    assert dec2(r11.value) == "10.72" and dec2(r12.value) == "69.97"
    # FY2562's published results are FY2563's minimum targets: each scores the minimum's 50.
    points = fy2563.points
    assert r11.score == ratio_score(r11.value, r11.indicator.targets, points, fy2563.scoring_rule)
    assert (r11.level, r11.score, r12.level, r12.score) == (1, 50, 1, 50)
    assert result.by_code("1").score == 50
    assert f"{result.total:.2f}" == "20.00"  # (50 × 20 + 50 × 20) / 100
    assert r11.detail_url.startswith("/shelters/kpi/?year=2563")


def test_it_scores_fy2561_figures_below_the_fy2563_minimum(fourteen_facilities, fy2563):
    published.build(2563, fourteen_facilities)  # FY2561's figures land in FY2563
    result = evaluate(fy2563, year_end(2563))
    r11, r12 = result.by_code("1.1"), result.by_code("1.2")
    assert dec2(r11.value) == "9.39" and dec2(r12.value) == "68.58"
    assert (r11.level, r11.score, r12.level, r12.score) == (0, 0, 0, 0)
    assert result.by_code("1").score == 0


def test_the_dashboard_shows_the_computed_figures_and_scores(
    fourteen_facilities, fy2563, manager, client_for
):
    published.build(2562, fourteen_facilities)
    response = client_for(manager).get("/indicators/?year=2563&as_of=2020-09-30")
    assert response.status_code == 200
    html = response.content.decode()
    assert "ร้อยละ 10.72" in html and "ร้อยละ 69.97" in html
    assert "522 / 4,870" in html and "403 / 576" in html
    assert "ขั้นต่ำ" in html
