"""A computation registers everything about itself (the deliverable keys it answers), and a
system check fails when an indicator or deliverable names a key nobody registered."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from indicators import registry
from indicators.checks import computations_are_registered
from indicators.models import Deliverable, Indicator


def test_the_document_set_names_only_registered_keys(fy2563):
    assert computations_are_registered(databases=["default"]) == []


def test_the_registrations_carry_their_deliverable_keys(db):
    assert registry.get("volunteers.plan").decides == {"plan_achievement"}
    assert registry.get("subsidies.status_checks").decides == {"status_checks"}
    assert registry.get("catalog.completeness").shows == {"catalog_completeness", "catalog_linked"}
    assert registry.deciding_keys() >= {"plan_achievement", "status_checks"}
    assert "catalog_linked" not in registry.deciding_keys()  # shown, the evidence decides


def test_an_unregistered_computation_fails_the_check(fy2563):
    indicator = Indicator.objects.filter(indicator_set=fy2563, kind="ratio").first()
    Indicator.objects.filter(pk=indicator.pk).update(computation="shelters.improvd")
    errors = computations_are_registered(databases=["default"])
    assert [e.id for e in errors] == ["indicators.E001"]
    assert "shelters.improvd" in errors[0].msg
    try:
        call_command("check", "--database", "default")
    except SystemCheckError as exc:
        assert "indicators.E001" in str(exc)
    else:
        raise AssertionError("manage.py check passed with an unregistered computation")


def test_a_deliverable_key_its_computation_does_not_answer_fails_the_check(fy2563):
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, computed_key="plan_achievement"
    ).first()
    Deliverable.objects.filter(pk=deliverable.pk).update(computed_key="plan_achievment")
    errors = computations_are_registered(databases=["default"])
    assert [e.id for e in errors] == ["indicators.E002"]


def test_without_a_database_the_check_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert computations_are_registered() == []


def test_the_registrations_carry_how_the_dashboard_speaks_of_them(db):
    improved = registry.get("shelters.improved")
    assert str(improved.detail_label) == "รายหน่วยงาน (14 แห่ง)"
    assert str(improved.numerator_verb) == "มีสมรรถภาพดีขึ้น"
    assert str(registry.get("volunteers.plan").detail_label).startswith("รายจังหวัด")
    assert all(c.detail_label for c in registry.registered().values())


def test_a_computations_kind_follows_what_it_answers(db):
    # No kind argument: a computation answering deliverable keys is a milestone's, else a ratio's.
    assert registry.get("shelters.improved").kind == "ratio"
    assert registry.get("volunteers.plan").kind == "milestone"
    assert registry.get("catalog.completeness").kind == "milestone"  # shows only

    def compute(year, as_of):
        return registry.MilestoneFacts()

    try:
        registry.register("test.milestone", "ทดสอบ", decides=("x",))(compute)
        assert registry.get("test.milestone").kind == "milestone"
        # The kind is no argument any more: a caller naming one is refused at once.
        with pytest.raises(TypeError):
            registry.register("test.wrong", "ทดสอบ", "ratio", decides=("x",))(compute)  # type: ignore[misc]
        assert registry.get("test.wrong") is None
    finally:
        registry.unregister("test.milestone")


def test_a_ratio_indicator_naming_a_milestone_computation_fails_the_check(fy2563):
    indicator = Indicator.objects.get(indicator_set=fy2563, code="1.1")
    Indicator.objects.filter(pk=indicator.pk).update(computation="volunteers.plan")
    errors = computations_are_registered(databases=["default"])
    assert [e.id for e in errors] == ["indicators.E003"]
    assert "1.1" in errors[0].msg and "volunteers.plan" in errors[0].msg


def test_each_computation_runs_once_per_evaluation(fy2563):
    """One memo per evaluation (registry.shared_results): two indicators naming the same
    computation, or two computations sharing work, compute it once."""
    import datetime as dt

    from indicators import evaluation

    calls = []

    def compute(year, as_of):
        calls.append((year, as_of))
        return registry.RatioResult(1, 10)

    registry.register("test.once", "ทดสอบ")(compute)
    try:
        Indicator.objects.filter(indicator_set=fy2563, code__in=["1.1", "1.2"]).update(
            computation="test.once"
        )
        evaluation.evaluate(fy2563, dt.date(2020, 3, 31))
        assert calls == [(2563, dt.date(2020, 3, 31))]
        evaluation.evaluate(fy2563, dt.date(2020, 3, 31))  # nothing kept beyond an evaluation
        assert len(calls) == 2
    finally:
        registry.unregister("test.once")
