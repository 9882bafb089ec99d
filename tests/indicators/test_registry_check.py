"""A computation registers everything about itself (the deliverable keys it answers), and a
system check fails when an indicator or deliverable names a key nobody registered."""

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
