"""Thai digits in number fields: every form built on BootstrapMixin reads ๑๒๓ as 123 in its
integer, decimal and float fields, and shows a text box the browser lets people type them in."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms

from core.forms import BootstrapMixin, normalize_number


class Numbers(BootstrapMixin, forms.Form):
    count = forms.IntegerField(min_value=0)
    amount = forms.DecimalField(max_digits=12, decimal_places=2)
    ratio = forms.FloatField(required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def test_normalize_number_turns_thai_digits_and_grouping_into_plain_numbers():
    assert normalize_number(" ๑๒๓ ") == "123"
    assert normalize_number("๑,๕๐๐.๕๐") == "1500.50"
    assert normalize_number("1,5") == "1,5"  # not thousands grouping: left for the field to refuse
    assert normalize_number(None) is None


def test_a_form_reads_thai_digits_in_each_kind_of_number_field():
    form = Numbers({"count": "๑๒", "amount": "๑,๒๓๔.๕๐", "ratio": "๐.๕", "version": "๓"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "count": 12,
        "amount": Decimal("1234.50"),
        "ratio": 0.5,
        "version": 3,
    }


def test_a_bad_number_is_still_refused_and_kept_as_typed():
    form = Numbers({"count": "๑๒ก", "amount": "๕"})
    assert not form.is_valid() and "count" in form.errors
    assert 'value="๑๒ก"' in str(form["count"])


def test_number_inputs_are_text_boxes_with_a_numeric_keyboard():
    html = str(Numbers()["count"]), str(Numbers()["amount"]), str(Numbers()["version"])
    assert 'type="text"' in html[0] and 'inputmode="numeric"' in html[0]
    assert 'type="text"' in html[1] and 'inputmode="decimal"' in html[1]
    assert 'type="hidden"' in html[2]


def test_the_class_fields_are_left_as_they_were():
    Numbers()
    assert Numbers.base_fields["count"].widget.input_type == "number"
    assert Numbers.base_fields["count"].clean("12") == 12


@pytest.mark.django_db
def test_the_irp_assessment_form_takes_thai_digits_in_items_and_percent():
    from core.models import Province
    from shelters.forms import AssessmentForm
    from shelters.models import Facility, FacilityKind, Resident

    facility = Facility.objects.create(
        code="T1", name="ทดสอบ", kind=FacilityKind.SHELTER, province=Province.objects.get(code="10")
    )
    resident = Resident.objects.create(
        facility=facility, case_number="1", full_name="ทดสอบ ระบบ", target_group="destitute",
        admitted_on=dt.date(2019, 10, 1),
    )  # fmt: skip
    items = {f"item_{n}": "๗" for n in range(1, 15)}
    form = AssessmentForm({"assessed_on": "๑๕/๐๑/๒๕๖๓", **items}, resident=resident)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["item_1"] == 7 and form.cleaned_data["percent"] == Decimal("70.00")
    alone = AssessmentForm({"assessed_on": "16/01/2563", "percent": "๘๕.๕"}, resident=resident)
    assert alone.is_valid(), alone.errors
    assert alone.cleaned_data["percent"] == Decimal("85.5")
    assert 'type="text"' in str(form["item_1"])


@pytest.mark.django_db
def test_the_subsidy_application_form_takes_a_thai_amount(make_user):
    from core.models import Province
    from core.nationalid import make_valid
    from subsidies.forms import ApplicationForm
    from subsidies.models import Application

    form = ApplicationForm(
        {
            "first_name": "ทดสอบ", "last_name": "ระบบ", "national_id": make_valid("110170012345"),
            "province": Province.objects.get(code="10").pk,
            "subsidy_type": Application._meta.get_field("subsidy_type").choices[0][0],
            "amount_requested": "๓,๐๐๐", "received_on": "01/03/2563",
        }
    )  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount_requested"] == Decimal("3000")


@pytest.mark.django_db
def test_volunteer_forms_take_thai_digits_in_hours_and_people_served():
    from volunteers.forms import ResultForm, ServiceForm
    from volunteers.models import Course, Enrolment, Path

    service = ServiceForm(user=None)
    assert service.fields["people_served"].clean("๑๒") == 12
    result = ResultForm(instance=Enrolment(course=Course(kind=Path.WORKSHOP)))
    assert result.fields["hours_attended"].clean("๑๘.๕") == Decimal("18.5")
    assert 'type="text"' in str(result["hours_attended"])


@pytest.mark.django_db
def test_indicator_forms_take_thai_digits(fy2563):
    from indicators.forms import CopySetForm, ManualResultForm

    manual = ManualResultForm({"numerator": "๔๕", "denominator": "๕๐", "as_of": "30/09/2563"})
    assert manual.is_valid(), manual.errors
    assert (manual.cleaned_data["numerator"], manual.cleaned_data["denominator"]) == (45, 50)
    copy = CopySetForm({"source": fy2563.pk, "fiscal_year": "๒๕๖๔"})
    copy.is_valid()
    assert "fiscal_year" not in copy.errors and copy.cleaned_data["fiscal_year"] == 2564
