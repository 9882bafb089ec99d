"""The FY2563 set is loaded by the project itself, complete, from the document."""

from decimal import Decimal as D

from indicators.models import Baseline, Deliverable, Indicator


def test_the_set_has_the_documents_tree_and_weights(fy2563):
    indicators = {i.code: i for i in Indicator.objects.filter(indicator_set=fy2563)}
    assert set(indicators) == {"1", "1.1", "1.2", "2", "3", "3.1", "3.2"}
    weights = {code: i.weight for code, i in indicators.items()}
    assert weights == {
        "1": 40, "1.1": 20, "1.2": 20, "2": 35, "3": 25, "3.1": 15, "3.2": 10,
    }  # fmt: skip
    assert indicators["1.1"].parent == indicators["1"]
    assert indicators["3.2"].parent == indicators["3"]
    assert indicators["2"].parent is None
    leaves = [i for i in indicators.values() if i.kind != "group"]
    assert sum(i.weight for i in leaves) == 100
    assert fy2563.points == (50, 75, 100)
    assert fy2563.scoring_rule == "linear"


def test_ratio_targets_are_the_documents(fy2563):
    i11 = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    i12 = Indicator.objects.get(indicator_set=fy2563, code="1.2")
    assert i11.targets == (D("10.72"), D("12.05"), D("13.38"))
    assert i12.targets == (D("69.97"), D("71.36"), D("72.75"))
    assert i11.kind == i12.kind == "ratio"
    assert not i11.is_new
    assert "IRP" in i11.description and "14 ข้อ" in i11.description
    assert "กลับคืนสู่สังคม" in i12.formula


def test_baselines_carry_numerator_and_denominator(fy2563):
    rows = {
        (b.indicator.code, b.fiscal_year): b
        for b in Baseline.objects.filter(indicator__indicator_set=fy2563).select_related(
            "indicator"
        )
    }
    b = rows[("1.1", 2561)]
    assert (b.numerator, b.denominator, b.value) == (423, 4506, D("9.39"))
    assert b.breakdown == {"A→A": 243, "B→A": 69, "C→A": 1, "C→B": 110}
    b = rows[("1.1", 2562)]
    assert (b.numerator, b.denominator, b.value) == (522, 4870, D("10.72"))
    assert b.breakdown == {"A→A": 255, "B→A": 139, "C→A": 0, "C→B": 128}
    assert (rows[("1.2", 2561)].numerator, rows[("1.2", 2561)].denominator) == (347, 506)
    assert (rows[("1.2", 2562)].numerator, rows[("1.2", 2562)].denominator) == (403, 576)
    assert rows[("1.1", 2560)].value is None and "Qlife" in rows[("1.1", 2560)].note


def test_milestones_have_deliverables_per_level(fy2563):
    def levels(code):
        return list(
            Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code=code)
            .order_by("level", "sort_order")
            .values_list("level", "computed_key")
        )

    assert levels("2") == [(1, ""), (2, "plan_achievement"), (3, ""), (3, "")]
    assert [lv for lv, _ in levels("3.1")] == [1, 1, 2, 3, 3, 3]
    assert levels("3.2") == [(1, ""), (2, ""), (3, "status_checks"), (3, "")]


def test_components_and_strategy_ticks_follow_the_table(fy2563):
    ind = {i.code: i for i in Indicator.objects.filter(indicator_set=fy2563)}
    assert ind["1"].components == [1, 5] and ind["1"].link_master_plan
    assert ind["2"].components == [1, 2, 5]
    assert ind["3"].components == [4, 5] and ind["3"].link_other
    assert not ind["1"].link_plan12 and not ind["1"].link_gov_policy
    assert [i.is_new for i in (ind["2"], ind["3.1"], ind["3.2"])] == [True, True, True]
