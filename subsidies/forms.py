import unicodedata
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, NationalIdField, ThaiDateField
from core.once import OnceMixin
from core.versioned import VersionedForm, reason_field
from subsidies import rules, services
from subsidies.models import Application, Decision, Step, StepEntry, SubsidyType


def _refuse(problems: list[rules.Problem]) -> None:
    """A rule's first problem (``subsidies.rules``) as the field's error."""
    if problems:
        raise forms.ValidationError(str(problems[0].message))


class SubsidyTypeField(forms.ChoiceField):
    """The subsidy type as the import takes it: its code, its label or one of the shorter
    names (``rules.subsidy_type``); the page offers the four types in a list."""

    def to_python(self, value):
        try:
            return rules.subsidy_type(value) or ""
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid_choice") from None


class ApplicationForm(BootstrapMixin, forms.ModelForm):
    national_id = NationalIdField(
        label=_("เลขประจำตัวประชาชน"), max_length=rules.NATIONAL_ID_TYPED_MAX
    )
    subsidy_type = SubsidyTypeField(
        label=Application._meta.get_field("subsidy_type").verbose_name,
        choices=[("", "---------"), *SubsidyType.choices],
    )
    # Judged by ``rules.amount`` (range and satang), the import's rule, not by the model
    # field's digits.
    amount_requested = forms.DecimalField(
        label=Application._meta.get_field("amount_requested").verbose_name
    )
    received_on = ThaiDateField(label=_("วันที่รับคำขอ"))

    class Meta:
        model = Application
        fields = [
            "first_name",
            "last_name",
            "national_id",
            "province",
            "subsidy_type",
            "amount_requested",
            "received_on",
        ]

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        first_later = None
        if value and self.instance.pk and self.instance.step > Step.RECEIVED:
            first_later = services.first_later_step_on(self.instance.pk)
        _refuse(rules.received_on(value, today=timezone.localdate(), first_later=first_later))
        return value

    def clean_amount_requested(self):
        value = self.cleaned_data["amount_requested"]
        _refuse(rules.amount(value))
        return value


class ApplicationCreateForm(OnceMixin, ApplicationForm):
    """A new application: one submission makes one record (core.once)."""


class ApplicationEditForm(VersionedForm, ApplicationForm):
    """An edit carries the version it was opened at (core.versioned): bound to a copy of the
    locked row, a stale one is refused (409) keeping what was typed."""


class NoteMixin:
    """A step's note, judged by ``rules.note`` (the import's rule)."""

    def clean_note(self):
        value = self.cleaned_data["note"]
        _refuse(rules.note(value))
        return value


class MoveForm(NoteMixin, BootstrapMixin, forms.Form):
    to_step = forms.TypedChoiceField(
        choices=Step.choices, coerce=int, widget=forms.HiddenInput, label=_("ขั้นตอน")
    )
    acted_on = ThaiDateField(label=_("วันที่"))
    decision = forms.ChoiceField(
        label=_("ผลการพิจารณา"),
        choices=[("", "—"), *Decision.choices],
        required=False,
    )
    note = forms.CharField(label=_("หมายเหตุ"), required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        if application is not None and not self.is_bound:
            self.initial.setdefault("to_step", application.next_step)
            self.initial.setdefault("acted_on", timezone.localdate())
        if application is not None and application.next_step != Step.DECIDED:
            self.fields["decision"].widget = forms.HiddenInput()


class StepVersionMixin(VersionedForm):
    """The latest step's entry the form was opened on (``entry``) and its version: a form
    opened before another correction, an undo or a move is stale (core.versioned)."""

    instance: StepEntry
    cleaned_data: dict[str, Any]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial["entry"] = self.instance.pk

    @property
    def is_stale(self) -> bool:
        return super().is_stale or self.cleaned_data.get("entry") != self.instance.pk


class StepCorrectionForm(StepVersionMixin, NoteMixin, BootstrapMixin, forms.ModelForm):
    """A correction of the latest step: its date, its decision (step 4 only), its note, and the
    required reason kept in the history. Bind it to a copy of the locked entry: validating a
    ModelForm writes the typed values onto its instance."""

    acted_on = ThaiDateField(label=_("วันที่"))
    reason = reason_field(_("เหตุผลที่แก้ไข"))

    class Meta:
        model = StepEntry
        fields = ["acted_on", "decision", "note"]
        widgets = {"note": forms.Textarea({"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.step == Step.DECIDED:
            self.fields["decision"] = forms.ChoiceField(
                label=_("ผลการพิจารณา"), choices=Decision.choices
            )
            self.fields["decision"].widget.attrs["class"] = "form-select"
        else:
            del self.fields["decision"]
        self.order_fields(["acted_on", "decision", "note", "reason"])


class StepUndoForm(StepVersionMixin, BootstrapMixin, forms.ModelForm):
    """Taking back the latest step, with the required reason."""

    reason = reason_field(_("เหตุผลที่ย้อนขั้นตอน"))

    class Meta:
        model = StepEntry
        fields: list[str] = []


class TypedNationalIdField(NationalIdField):
    """What a citizen's phone or keyboard may type: full-width dashes and spaces (NFKC) too."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
        return super().to_python(value)


class LookupForm(BootstrapMixin, forms.Form):
    reference = forms.CharField(
        label=_("เลขอ้างอิงคำขอ"),
        max_length=32,
        widget=forms.TextInput({"autocomplete": "off", "placeholder": _("เช่น AB3CD-7EFGH")}),
    )
    national_id = TypedNationalIdField(label=_("เลขประจำตัวประชาชน 13 หลัก"))
    national_id.widget.attrs["autocomplete"] = "off"


class RatingForm(BootstrapMixin, forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        label=_("ความพึงพอใจต่อบริการ"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("ข้อเสนอแนะ (ถ้ามี)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 3}),
    )
