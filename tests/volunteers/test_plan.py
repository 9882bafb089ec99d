"""The 3-year plan's achievement (SPEC §4) and KPI 2 level 75 from it."""

import datetime as dt
from fractions import Fraction

import pytest
from django.urls import reverse

from indicators import evaluation, registry
from volunteers import plan as plan_mod
from volunteers import services
from volunteers.models import Measure, Path, Plan, PlanTarget, Specialty, Status


@pytest.fixture
def plan(db):
    return Plan.objects.create(title="แผน 3 ปี", approved_on=dt.date(2019, 12, 20))


def target(plan, measure, planned, **kwargs):
    kwargs.setdefault("fiscal_year", 2563)
    return PlanTarget.objects.create(plan=plan, measure=measure, planned=planned, **kwargs)


def train(volunteer, day=dt.date(2020, 1, 16)):
    return services.certify(volunteer, day, Path.WORKSHOP)


def test_achievement_is_capped_at_100_per_target(
    plan, make_volunteer, bangkok, bkk_volunteer, make_services
):
    target(plan, Measure.SERVICES, 2)  # 5 of 2: counts as 100, not 250
    target(plan, Measure.TRAINED, 2)  # 1 of 2: 50
    make_services(bkk_volunteer, 5)
    train(make_volunteer(bangkok))
    result = plan_mod.compute(plan, 2563)
    assert [t.actual for t in result.targets] == [1, 5] or sorted(
        t.actual for t in result.targets
    ) == [1, 5]
    percents = sorted(t.percent for t in result.targets)
    assert percents == [Fraction(50), Fraction(100)]
    assert result.achievement == Fraction(75)
    assert result.percent_text == "75.00"
    assert not result.met


def test_99_9_percent_does_not_reach_level_75(plan, bkk_volunteer, make_services, fy2563):
    target(plan, Measure.SERVICES, 1000)
    make_services(bkk_volunteer, 999)
    facts = registry.get("volunteers.plan").compute(2563, dt.date(2020, 9, 30))
    fact = facts.facts["plan_achievement"]
    assert fact.met is False
    assert fact.figure == "ร้อยละ 99.90"
    result = evaluation.evaluate(fy2563, dt.date(2020, 9, 30))
    kpi2 = result.by_code("2")
    assert kpi2.levels_met[1] is False


def test_a_hair_below_100_is_not_rounded_up_into_a_pass(plan, bkk_volunteer, make_services):
    target(plan, Measure.PEOPLE_SERVED, 3)
    target(plan, Measure.PEOPLE_SERVED, 200_000)
    make_services(bkk_volunteer, 1, people_served=199_999)
    result = plan_mod.compute(plan, 2563)
    assert result.percent_text == "100.00"  # shown rounded
    assert not result.met  # but decided exactly


def test_100_percent_meets_the_deliverable(plan, bkk_volunteer, make_services):
    target(plan, Measure.SERVICES, 3, service_type="survey")
    make_services(bkk_volunteer, 3, service_type="survey")
    make_services(bkk_volunteer, 10, service_type="referral")
    fact = (
        registry.get("volunteers.plan")
        .compute(2563, dt.date(2020, 9, 30))
        .facts["plan_achievement"]
    )
    assert fact.met is True
    assert fact.figure == "ร้อยละ 100.00"
    assert fact.url.startswith(reverse("volunteers:plan-detail", args=[plan.pk]))


def test_per_province_targets_count_only_their_province(
    plan, bangkok, chiang_mai, bkk_volunteer, cm_volunteer, make_services
):
    target(plan, Measure.SERVICES, 4, province=bangkok)
    target(plan, Measure.SERVICES, 4, province=chiang_mai)
    target(plan, Measure.SERVICES, 10)  # nationwide
    make_services(bkk_volunteer, 4)
    make_services(cm_volunteer, 1)
    result = plan_mod.compute(plan, 2563)
    by = {g.label: g for g in result.by_province()}
    assert by["กรุงเทพมหานคร"].achievement == 100
    assert by["เชียงใหม่"].achievement == 25
    assert by["ทั้งประเทศ"].achievement == 50
    assert result.achievement == Fraction(175, 3)
    assert result.percent_text == "58.33"


def test_only_the_fiscal_year_and_up_to_as_of_counts(plan, bkk_volunteer, make_services):
    target(plan, Measure.SERVICES, 2)
    make_services(bkk_volunteer, 1, date=dt.date(2019, 9, 30))  # FY2562
    make_services(bkk_volunteer, 1, date=dt.date(2019, 10, 1))  # FY2563
    make_services(bkk_volunteer, 1, date=dt.date(2020, 6, 1))
    assert plan_mod.compute(plan, 2563, dt.date(2020, 3, 1)).targets[0].actual == 1
    assert plan_mod.compute(plan, 2563).targets[0].actual == 2


def test_specialists_count_active_volunteers_with_the_specialty(plan, make_volunteer, bangkok):
    elderly = Specialty.objects.get(code="elderly")
    children = Specialty.objects.get(code="children")
    target(plan, Measure.SPECIALISTS, 2, specialty=elderly)
    target(plan, Measure.SPECIALISTS, 10)
    a = make_volunteer(bangkok, status=Status.ACTIVE)
    a.specialties.set([elderly, children], through_defaults={"since": dt.date(2020, 1, 1)})
    b = make_volunteer(bangkok, status=Status.ACTIVE)
    b.specialties.set([elderly], through_defaults={"since": dt.date(2020, 1, 1)})
    c = make_volunteer(bangkok, status=Status.APPLICANT)
    c.specialties.set([elderly], through_defaults={"since": dt.date(2020, 1, 1)})
    actuals = [t.actual for t in plan_mod.compute(plan, 2563).targets]
    assert actuals == [2, 2]
    # a specialty recorded after the as-of date does not count back
    d = make_volunteer(bangkok, status=Status.ACTIVE)
    d.specialties.set([elderly], through_defaults={"since": dt.date(2020, 10, 1)})
    assert [t.actual for t in plan_mod.compute(plan, 2563).targets] == [2, 2]


def test_trained_counts_passes_in_the_year(plan, make_volunteer, bangkok):
    target(plan, Measure.TRAINED, 2)
    train(make_volunteer(bangkok), dt.date(2020, 1, 16))
    train(make_volunteer(bangkok), dt.date(2019, 9, 1))
    assert plan_mod.compute(plan, 2563).targets[0].actual == 1


def test_no_plan_or_no_targets_is_not_met(db, plan):
    fact = (
        registry.get("volunteers.plan")
        .compute(2563, dt.date(2020, 9, 30))
        .facts["plan_achievement"]
    )
    assert fact.met is False
    assert "ยังไม่มีเป้าหมาย" in fact.figure
    Plan.objects.all().delete()
    fact = (
        registry.get("volunteers.plan")
        .compute(2563, dt.date(2020, 9, 30))
        .facts["plan_achievement"]
    )
    assert fact.met is False
    assert "ยังไม่มีแผน" in fact.figure


def test_a_real_plan_is_chosen_before_a_demo_plan(plan):
    Plan.objects.create(title="ตัวอย่าง", is_demo=True, approved_on=dt.date(2020, 1, 1))
    assert plan_mod.plan_for_year(2563) == plan


def test_the_computation_runs_in_a_constant_number_of_queries(
    plan, bangkok, chiang_mai, make_volunteer, make_services, django_assert_max_num_queries
):
    elderly = Specialty.objects.get(code="elderly")
    for province in (bangkok, chiang_mai, None):
        target(plan, Measure.SERVICES, 5, province=province)
        target(plan, Measure.PEOPLE_SERVED, 5, province=province)
        target(plan, Measure.TRAINED, 5, province=province)
        target(plan, Measure.SPECIALISTS, 5, province=province, specialty=elderly)
        target(plan, Measure.SPECIALISTS, 5, province=province)
    compute = registry.get("volunteers.plan").compute
    with django_assert_max_num_queries(6):
        compute(2563, dt.date(2020, 9, 30))
    for province in (bangkok, chiang_mai):
        for _ in range(5):
            v = train(make_volunteer(province))
            v.specialties.set([elderly], through_defaults={"since": dt.date(2020, 1, 1)})
            make_services(v, 4)
    with django_assert_max_num_queries(6):
        fact = compute(2563, dt.date(2020, 9, 30)).facts["plan_achievement"]
    assert fact.met is True


def test_the_plan_page_shows_achievement_per_target_and_province(
    client_for, owner, plan, bangkok, bkk_volunteer, make_services
):
    target(plan, Measure.SERVICES, 4, province=bangkok, label="บริการ กทม.")
    make_services(bkk_volunteer, 3)
    body = (
        client_for(owner)
        .get(reverse("volunteers:plan-detail", args=[plan.pk]) + "?year=2563")
        .content.decode()
    )
    assert "บริการ กทม." in body
    assert "ร้อยละ 75.00" in body


def test_plan_is_edited_with_its_targets(client_for, kpi_admin, bangkok):
    data = {
        "title": "แผนใหม่",
        "first_year": 2563,
        "last_year": 2565,
        "approved_on": "20/12/2562",
        "t-TOTAL_FORMS": "2",
        "t-INITIAL_FORMS": "0",
        "t-MIN_NUM_FORMS": "0",
        "t-MAX_NUM_FORMS": "1000",
        "t-0-fiscal_year": "2563",
        "t-0-measure": "services",
        "t-0-planned": "100",
        "t-0-province": bangkok.pk,
        "t-1-fiscal_year": "",
        "t-1-measure": "",
        "t-1-planned": "",
    }
    response = client_for(kpi_admin).post(reverse("volunteers:plan-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(title="แผนใหม่")
    assert plan.approved_on == dt.date(2019, 12, 20)
    assert plan.targets.get().planned == 100


def test_managers_cannot_edit_the_plan(client_for, manager, plan):
    assert (
        client_for(manager).get(reverse("volunteers:plan-edit", args=[plan.pk])).status_code == 403
    )
    assert (
        client_for(manager).get(reverse("volunteers:plan-detail", args=[plan.pk])).status_code
        == 200
    )
