from decimal import Decimal as D

import pytest
from django.urls import reverse

from indicators.models import Baseline, Deliverable, Evidence, Indicator, IndicatorSet


def _copy(client, fy2563, year=2564):
    return client.post(reverse("indicators:set-copy"), {"source": fy2563.pk, "fiscal_year": year})


def test_an_admin_copies_a_years_set(client_for, kpi_admin, owner, fy2563):
    Evidence.objects.create(
        deliverable=Deliverable.objects.filter(indicator__indicator_set=fy2563).first(),
        title="e", url="https://a.test/", created_by=owner, status="approved",
    )  # fmt: skip
    response = _copy(client_for(kpi_admin), fy2563)
    new = IndicatorSet.objects.get(fiscal_year=2564)
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:set-edit", args=[new.pk])
    old_codes = list(fy2563.indicators.values_list("code", "weight", "parent__code"))
    assert list(new.indicators.values_list("code", "weight", "parent__code")) == old_codes
    assert Indicator.objects.get(indicator_set=new, code="1.1").targets == (
        D("10.72"), D("12.05"), D("13.38"),
    )  # fmt: skip
    assert Deliverable.objects.filter(indicator__indicator_set=new).count() == 14
    assert Baseline.objects.filter(indicator__indicator_set=new).count() == 6
    assert not Evidence.objects.filter(deliverable__indicator__indicator_set=new).exists()
    assert owner in Indicator.objects.get(indicator_set=new, code="2").owners.all()
    assert "2564" in new.title


def test_it_refuses_a_year_that_already_has_a_set(client_for, kpi_admin, fy2563):
    response = _copy(client_for(kpi_admin), fy2563, year=2563)
    assert response.status_code == 400
    assert "มีชุดตัวชี้วัดปีงบประมาณ 2563" in response.content.decode()


def test_only_admins_manage_sets(client_for, manager, owner, fy2563):
    for user in (manager, owner):
        assert _copy(client_for(user), fy2563).status_code == 403
        assert (
            client_for(user).get(reverse("indicators:set-edit", args=[fy2563.pk])).status_code
            == 403
        )
    assert IndicatorSet.objects.count() == 1


def _edit_data(indicator_set, changes=None, scoring_rule="linear", points_std="75"):
    changes = changes or {}
    indicators = list(indicator_set.indicators.order_by("sort_order", "code"))
    data = {
        "set-title": indicator_set.title,
        "set-scoring_rule": scoring_rule,
        "set-points_min": "50",
        "set-points_std": points_std,
        "set-points_max": "100",
        "ind-TOTAL_FORMS": str(len(indicators)),
        "ind-INITIAL_FORMS": str(len(indicators)),
        "ind-MIN_NUM_FORMS": "0",
        "ind-MAX_NUM_FORMS": "1000",
    }
    for n, ind in enumerate(indicators):
        for field in (
            "name", "short_name", "weight", "target_min", "target_std", "target_max",
            "target_min_note", "target_std_note", "target_max_note", "description", "formula",
            "conditions", "public_benefit",
        ):  # fmt: skip
            value = getattr(ind, field)
            data[f"ind-{n}-{field}"] = "" if value is None else str(value)
        data[f"ind-{n}-id"] = str(ind.pk)
        for (code, field), value in changes.items():
            if code == ind.code:
                data[f"ind-{n}-{field}"] = value
    return data


@pytest.fixture
def fy2564(client_for, kpi_admin, fy2563):
    _copy(client_for(kpi_admin), fy2563)
    return IndicatorSet.objects.get(fiscal_year=2564)


def test_an_admin_edits_targets_weights_texts_and_the_rule(client_for, kpi_admin, fy2564):
    data = _edit_data(
        fy2564,
        scoring_rule="step",
        points_std="70",
        changes={
            ("1.1", "target_min"): "11.00",
            ("1.1", "description"): "คำอธิบายใหม่",
            ("2", "weight"): "30",
            ("3", "weight"): "30",
            ("3.2", "weight"): "15",
        },
    )
    response = client_for(kpi_admin).post(reverse("indicators:set-edit", args=[fy2564.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    fy2564.refresh_from_db()
    assert fy2564.scoring_rule == "step" and fy2564.points_std == 70
    i11 = Indicator.objects.get(indicator_set=fy2564, code="1.1")
    assert i11.target_min == D("11.00") and i11.description == "คำอธิบายใหม่"
    assert Indicator.objects.get(indicator_set=fy2564, code="3.2").weight == 15


def test_weights_that_do_not_add_up_to_100_are_refused(client_for, kpi_admin, fy2564):
    data = _edit_data(fy2564, {("2", "weight"): "40"})
    response = client_for(kpi_admin).post(reverse("indicators:set-edit", args=[fy2564.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "ต้องรวมกันได้ 100 พอดี" in html and "105" in html
    assert Indicator.objects.get(indicator_set=fy2564, code="2").weight == 35
    assert 'value="40"' in html  # the typed weight is kept


def test_a_group_weight_must_match_its_children(client_for, kpi_admin, fy2564):
    data = _edit_data(fy2564, {("1.1", "weight"): "25", ("2", "weight"): "30"})
    response = client_for(kpi_admin).post(reverse("indicators:set-edit", args=[fy2564.pk]), data)
    assert response.status_code == 400
    assert "ต้องเท่ากับผลรวมของตัวชี้วัดย่อย" in response.content.decode()


def test_targets_must_rise_from_minimum_to_advanced(client_for, kpi_admin, fy2564):
    data = _edit_data(fy2564, {("1.2", "target_max"): "70.00"})
    response = client_for(kpi_admin).post(reverse("indicators:set-edit", args=[fy2564.pk]), data)
    assert response.status_code == 400
    assert "ค่าเป้าหมายต้องเรียงจากน้อยไปมาก" in response.content.decode()
