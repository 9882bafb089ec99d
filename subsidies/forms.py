import unicodedata

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, NationalIdField, ThaiDateField
from core.once import OnceMixin
from core.versioned import VersionedForm, reason_field
from subsidies.models import Application, Decision, Step, StepEntry


class ApplicationForm(BootstrapMixin, forms.ModelForm):
    national_id = NationalIdField(label=_("เลขประจำตัวประชาชน"))
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
        if value and value > timezone.localdate():
            raise forms.ValidationError(gettext("วันที่รับคำขอต้องไม่เกินวันนี้"))
        if value and self.instance.pk and self.instance.step > Step.RECEIVED:
            later = self.instance.entries.filter(step__gt=Step.RECEIVED).order_by("acted_on")
            first_later = later.values_list("acted_on", flat=True).first()
            if first_later and value > first_later:
                raise forms.ValidationError(gettext("วันที่รับคำขอต้องไม่หลังวันที่ของขั้นตอนถัดไป"))
        return value

    def clean_amount_requested(self):
        value = self.cleaned_data["amount_requested"]
        if value is not None and value <= 0:
            raise forms.ValidationError(gettext("จำนวนเงินต้องมากกว่า 0"))
        return value


class ApplicationCreateForm(OnceMixin, ApplicationForm):
    """A new application: one submission makes one record (core.once)."""


class ApplicationEditForm(ApplicationForm):
    """An edit carries the version it was opened at; a stale one is refused (409)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class MoveForm(BootstrapMixin, forms.Form):
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"] = forms.IntegerField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial["entry"] = self.instance.pk

    @property
    def is_stale(self) -> bool:
        return super().is_stale or self.cleaned_data.get("entry") != self.instance.pk


class StepCorrectionForm(StepVersionMixin, BootstrapMixin, forms.ModelForm):
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
        fields = []


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
