"""Admit, edit, assess and discharge: every rule of SPEC §3 with a Thai message."""

import datetime as dt

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from core import duplicates
from core.forms import BootstrapMixin, NationalIdField, ThaiDateField
from core.once import OnceMixin
from core.rules import add_problems
from core.thaidate import format_thai_date
from core.versioned import VersionedForm, reason_field
from shelters import rules
from shelters.models import (
    ITEM_FIELDS,
    ITEM_MAX,
    PERCENT_MAX,
    PERCENT_MIN,
    Assessment,
    DischargeReason,
    Facility,
    IrpItem,
    Resident,
    irp_domains,
)


def _today() -> dt.date:
    return timezone.localdate()


ID_TAKEN_TEXT = _("เลขประจำตัวประชาชนนี้มีผู้รับบริการอื่นใช้อยู่แล้ว")


def national_id_taken_error(national_id: str, user, exclude_pk=None) -> str | None:
    """The message for a national ID that another resident already holds, or None if free.

    Within the user's scope: the existing message with a link to that resident. Outside it (a
    resident of another facility, psychiatric patients included): ``OUT_OF_SCOPE_TEXT`` only,
    never whose or where, and the case goes to the admins (``core.duplicates.report``)."""
    if not national_id:
        return None
    owner = (
        Resident.objects.filter(national_id=national_id)
        .exclude(pk=exclude_pk)
        .values("pk", "facility_id", "case_number", "full_name")
        .first()
    )
    if owner is None:
        return None
    visible = Resident.objects.visible_to(user).filter(pk=owner["pk"]).exists()
    if user is not None and not visible:
        duplicates.report(
            "resident",
            national_id,
            user,
            where=", ".join(map(str, Facility.objects.visible_to(user))),
        )
        return duplicates.OUT_OF_SCOPE_TEXT
    return format_html(
        '{}: <a href="{}">{} {}</a>',
        ID_TAKEN_TEXT,
        reverse("shelters:resident-detail", args=[owner["pk"]]),
        owner["case_number"],
        owner["full_name"],
    )


class _ResidentForm(forms.ModelForm):
    """Admit (new) or edit a resident. Facility staff never choose the facility: it is theirs.
    The discharge fields are not here: they change only through the discharge action."""

    birth_date = ThaiDateField(label=_("วันเกิด"), required=False)
    national_id = NationalIdField(
        label=_("เลขประจำตัวประชาชน"), required=False, help_text=_("ถ้ามี: 13 หลัก")
    )
    admitted_on = ThaiDateField(label=_("วันที่รับเข้า"))

    class Meta:
        model = Resident
        fields = [
            "facility",
            "case_number",
            "full_name",
            "sex",
            "birth_date",
            "national_id",
            "target_group",
            "admitted_on",
        ]
        error_messages = {
            "case_number": {"required": _("กรุณากรอกเลขทะเบียนผู้รับบริการ")},
            "full_name": {"required": _("กรุณากรอกชื่อ-นามสกุล")},
            "target_group": {"required": _("กรุณาเลือกกลุ่มเป้าหมาย")},
            "facility": {"required": _("กรุณาเลือกหน่วยงาน")},
        }

    def __init__(self, *args, facilities=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["admitted_on"].error_messages["required"] = _("กรุณากรอกวันที่รับเข้า")
        queryset = facilities if facilities is not None else Facility.objects.all()
        self.fields["facility"].queryset = queryset
        if self.instance.pk or len(queryset) == 1:
            # A resident stays in their facility; a transfer is a discharge and a new admission.
            self.fields["facility"].disabled = True
            if not self.instance.pk:
                self.fields["facility"].initial = queryset[0]

    def clean_national_id(self):
        value = self.cleaned_data.get("national_id") or ""
        message = national_id_taken_error(value, self.user, exclude_pk=self.instance.pk)
        if message:
            raise forms.ValidationError(message, code="taken")
        return value

    def clean(self):
        cleaned = super().clean()
        admitted = cleaned.get("admitted_on")
        first = None
        if admitted and self.instance.pk:
            first = self.instance.assessments.order_by("assessed_on").first()
        add_problems(
            self,
            rules.resident(
                birth_date=cleaned.get("birth_date"),
                admitted_on=admitted,
                today=_today(),
                first_assessed_on=first.assessed_on if first else None,
                discharged_on=self.instance.discharged_on if self.instance.pk else None,
            ),
        )
        facility = cleaned.get("facility")
        case_number = cleaned.get("case_number")
        if facility and case_number:
            clash = Resident.objects.filter(facility=facility, case_number=case_number)
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("case_number", _("เลขทะเบียนนี้มีอยู่แล้วในหน่วยงานนี้"))
        return cleaned


EDIT_FIELDS = ["case_number", "full_name", "sex", "birth_date", "national_id", "target_group",
               "admitted_on"]  # fmt: skip


class _ResidentEditForm(_ResidentForm):
    """Edit: carries the version it was opened at (core/versioned.py: a form opened before
    someone else's save is refused, not saved over it), and saves only its own fields."""

    def save_fields(self) -> Resident:
        """Save the form's own fields (and the next version) on the instance, which the caller
        has locked; nothing else of the row (the discharge) is written."""
        return self.save_versioned(EDIT_FIELDS)


class _DischargeForm(forms.ModelForm):
    discharged_on = ThaiDateField(label=_("วันที่จำหน่าย"))

    class Meta:
        model = Resident
        fields = ["discharged_on", "discharge_reason"]
        error_messages = {"discharge_reason": {"required": _("กรุณาเลือกเหตุที่จำหน่าย")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discharged_on"].error_messages["required"] = _("กรุณากรอกวันที่จำหน่าย")
        self.fields["discharge_reason"].required = True
        self.fields["discharge_reason"].choices = [("", "---------"), *DischargeReason.choices]
        self.fields["discharge_reason"].help_text = _(
            "เฉพาะ “กลับสู่ครอบครัว” และ “ทำงานในสถานประกอบการแบบประจำ” นับเป็นการกลับคืนสู่สังคม"
        )

    def clean_discharged_on(self):
        value = self.cleaned_data["discharged_on"]
        last = self.instance.assessments.order_by("-assessed_on").first()
        problems = rules.discharge(
            discharged_on=value,
            admitted_on=self.instance.admitted_on,
            today=_today(),
            last_assessed_on=last.assessed_on if last else None,
        )
        if problems:
            raise forms.ValidationError(problems[0].message)
        return value


def _lazy_percent(text, **values):
    """``_(text) % values`` translated when shown, not at import (fields built at import)."""
    return lazy(lambda: gettext(text) % values, str)()


def _item_field(n: int) -> forms.IntegerField:
    message = _lazy_percent(rules.ITEM_RANGE_TEXT, n=n)
    return forms.IntegerField(
        label=_lazy_percent(gettext_noop("ข้อ %(n)s"), n=n),
        required=False,
        min_value=1,
        max_value=ITEM_MAX,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
        widget=forms.NumberInput(
            attrs={"class": "irp-item", "data-irp-item": n, "step": 1, "inputmode": "numeric"}
        ),
    )


class _AssessmentForm(forms.ModelForm):
    """The 14 items (the percent follows), or the percent alone for records from Qlife plus."""

    assessed_on = ThaiDateField(label=_("วันที่ประเมิน"))
    percent = forms.DecimalField(
        label=_("ร้อยละคะแนน"),
        required=False,
        max_digits=5,
        decimal_places=2,
        help_text=_("กรอกเฉพาะเมื่อไม่มีคะแนนรายข้อ (เช่น ข้อมูลจาก Qlife plus)"),
        error_messages={
            "invalid": _("ร้อยละคะแนนต้องเป็นตัวเลข"),
            "max_decimal_places": _("ร้อยละคะแนนมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
            "max_digits": _("ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
            "max_whole_digits": _("ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
        },
    )

    item_1 = _item_field(1)
    item_2 = _item_field(2)
    item_3 = _item_field(3)
    item_4 = _item_field(4)
    item_5 = _item_field(5)
    item_6 = _item_field(6)
    item_7 = _item_field(7)
    item_8 = _item_field(8)
    item_9 = _item_field(9)
    item_10 = _item_field(10)
    item_11 = _item_field(11)
    item_12 = _item_field(12)
    item_13 = _item_field(13)
    item_14 = _item_field(14)

    class Meta:
        model = Assessment
        fields = ["assessed_on", "assessor", *ITEM_FIELDS, "percent"]

    def __init__(self, *args, resident: Resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        self.fields["assessed_on"].error_messages["required"] = _("กรุณากรอกวันที่ประเมิน")
        self.fields["percent"].widget.attrs.update(
            {"min": PERCENT_MIN, "max": PERCENT_MAX, "step": "0.01", "data-irp-percent": "1"}
        )

    def domains(self):
        """The items under their domains as the admins set them (``IrpItem``), for the template:
        [(domain, [(bound field, item text), …]), …]."""
        return [
            (domain, [(self[f"item_{n}"], text) for n, text in items])
            for domain, items in irp_domains()
        ]

    def clean(self):
        cleaned = super().clean()
        percent, problems = rules.score(
            [cleaned.get(name) for name in ITEM_FIELDS],
            cleaned.get("percent"),
            refused=[name for name in (*ITEM_FIELDS, "percent") if name in self.errors],
        )
        add_problems(self, problems)
        if percent is not None and not problems:
            cleaned["percent"] = percent
        self._clean_date(cleaned.get("assessed_on"))
        return cleaned

    def _clean_date(self, day):
        if day is None:
            return
        resident = self.resident
        problems = rules.assessment_date(
            assessed_on=day,
            admitted_on=resident.admitted_on,
            discharged_on=resident.discharged_on,
            today=_today(),
        )
        if problems:
            add_problems(self, problems)
        elif (
            Assessment.objects.filter(resident=resident, assessed_on=day)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "assessed_on",
                _("ผู้รับบริการรายนี้มีผลการประเมินวันที่ %(day)s แล้ว (ประเมินได้วันละหนึ่งครั้ง)")
                % {"day": format_thai_date(day)},
            )

    def _post_clean(self):
        self.instance.resident = self.resident
        super()._post_clean()

    def validate_unique(self):
        # Checked in clean() with a message that names the date.
        pass


class _ReasonMixin:
    """A correction's reason (required), kept in the record's history as its change reason."""

    reason_label = _("เหตุผลที่แก้ไข")
    reason_required = _("กรุณาระบุเหตุผลที่แก้ไข")
    reason_example = _("กรอกคะแนนข้อ 3 ผิด")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = reason_field(
            self.reason_label, required_text=self.reason_required, example=self.reason_example
        )

    @property
    def reason(self) -> str:
        return self.cleaned_data["reason"]


class _AssessmentEditForm(_ReasonMixin, _AssessmentForm):
    """Correct an assessment: its date, assessor, items or percent, with the add form's rules."""

    SAVED_FIELDS = ["assessed_on", "assessor", *ITEM_FIELDS, "percent"]


class _AssessmentDeleteForm(_ReasonMixin, forms.ModelForm):
    reason_label = _("เหตุผลที่ลบ")
    reason_required = _("กรุณาระบุเหตุผลที่ลบผลการประเมินนี้")
    reason_example = _("บันทึกซ้ำ หรือบันทึกผิดคน")

    class Meta:
        model = Assessment
        fields = []


class _DischargeEditForm(_ReasonMixin, _DischargeForm):
    """Correct a discharge's date or reason, with the discharge form's rules."""

    SAVED_FIELDS = ["discharged_on", "discharge_reason"]
    reason_example = _("เลือกเหตุที่จำหน่ายผิด")


class _DischargeUndoForm(_ReasonMixin, forms.ModelForm):
    reason_label = _("เหตุผลที่ยกเลิกการจำหน่าย")
    reason_required = _("กรุณาระบุเหตุผลที่ยกเลิกการจำหน่าย")
    reason_example = _("บันทึกจำหน่ายผิดคน")

    class Meta:
        model = Resident
        fields = []


class _IrpItemForm(forms.ModelForm):
    class Meta:
        model = IrpItem
        fields = ["domain", "text"]
        error_messages = {
            "domain": {"required": _("กรุณากรอกชื่อด้าน")},
            "text": {"required": _("กรุณากรอกข้อความของข้อ")},
        }
        help_texts = {
            "domain": _("ข้อที่อยู่ติดกันและมีชื่อด้านเดียวกันจะแสดงรวมกันใต้หัวข้อด้านนั้น"),
        }


# BootstrapMixin styles the fields and reads the errors once the form is built, so it comes first
# in the MRO: the forms above have prepared their fields (scope, resident) by then.
class ResidentForm(BootstrapMixin, OnceMixin, _ResidentForm):
    """Admit: one submission makes one resident (``core.once``)."""


class ResidentEditForm(VersionedForm, BootstrapMixin, _ResidentEditForm):
    pass


class DischargeForm(BootstrapMixin, _DischargeForm):
    pass


class AssessmentForm(BootstrapMixin, OnceMixin, _AssessmentForm):
    """One submission makes one assessment (``core.once``)."""


# VersionedForm first: it adds the hidden version once the form's own fields are ready.
class AssessmentEditForm(VersionedForm, BootstrapMixin, _AssessmentEditForm):
    pass


class AssessmentDeleteForm(VersionedForm, BootstrapMixin, _AssessmentDeleteForm):
    pass


class DischargeEditForm(VersionedForm, BootstrapMixin, _DischargeEditForm):
    pass


class DischargeUndoForm(VersionedForm, BootstrapMixin, _DischargeUndoForm):
    pass


class IrpItemForm(VersionedForm, BootstrapMixin, _IrpItemForm):
    pass
