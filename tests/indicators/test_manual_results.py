from django.urls import reverse

from indicators.evaluation import evaluate
from indicators.models import Indicator, ManualResult


def _i11(fy2563):
    return Indicator.objects.get(indicator_set=fy2563, code="1.1")


def test_an_owner_enters_a_result_kept_with_who_and_when(client_for, owner, fy2563):
    i11 = _i11(fy2563)
    url = reverse("indicators:manual-result-add", args=[i11.pk])
    response = client_for(owner).post(
        url, {"numerator": "522", "denominator": "4870", "as_of": "30/09/2563", "note": "Qlife"}
    )
    assert response.status_code == 302
    m = ManualResult.objects.get()
    assert (m.numerator, m.denominator, m.entered_by) == (522, 4870, owner)
    assert m.as_of.isoformat() == "2020-09-30" and m.entered_at
    page = client_for(owner).get(reverse("indicators:indicator-detail", args=[i11.pk]))
    assert "บันทึกเอง" in page.content.decode()
    assert "ร้อยละ 10.72" in page.content.decode()


def test_a_bad_result_is_refused_and_what_was_typed_is_kept(client_for, owner, fy2563):
    url = reverse("indicators:manual-result-add", args=[_i11(fy2563).pk])
    response = client_for(owner).post(
        url, {"numerator": "900", "denominator": "0", "as_of": "31/02/2563"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "ตัวหารต้องมากกว่า 0" in html
    assert "ไม่ใช่วันที่ที่มีอยู่จริง" in html
    assert 'value="900"' in html and 'value="31/02/2563"' in html
    assert not ManualResult.objects.exists()


def test_managers_and_other_owners_cannot_enter_results(client_for, manager, other_owner, fy2563):
    url = reverse("indicators:manual-result-add", args=[_i11(fy2563).pk])
    data = {"numerator": "1", "denominator": "2", "as_of": "01/01/2563"}
    for user in (manager, other_owner):
        assert client_for(user).post(url, data).status_code == 403
    assert not ManualResult.objects.exists()


def test_a_computed_result_takes_precedence_and_the_page_says_so(
    client_for, owner, fy2563, plug_ratio
):
    i11 = _i11(fy2563)
    ManualResult.objects.create(
        indicator=i11, numerator=1, denominator=2, as_of="2020-09-30", entered_by=owner
    )
    plug_ratio(1271, 10000)
    res = evaluate(fy2563, __import__("datetime").date(2020, 9, 30)).by_code("1.1")
    assert res.source == "computed"
    assert (res.numerator, res.denominator) == (1271, 10000)
    assert f"{res.score:.2f}" == "87.41"
    html = client_for(owner).get(reverse("indicators:indicator-detail", args=[i11.pk])).content
    html = html.decode()
    assert "คำนวณจากระบบ" in html and "ผลที่บันทึกเองไม่ถูกใช้" in html
    assert 'href="/somewhere/"' in html  # the breakdown opens its records


def test_each_breakdown_count_offers_its_records_as_a_spreadsheet(
    client_for, owner, fy2563, plug_ratio
):
    plug_ratio(10, 100)
    i11 = _i11(fy2563)
    html = client_for(owner).get(reverse("indicators:indicator-detail", args=[i11.pk])).content
    assert 'href="/somewhere/?export=xlsx"' in html.decode()
