from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, ThaiDateField
from core.versioned import VersionedForm, reason_field
from indicators.models import Evidence, Indicator, IndicatorKind, IndicatorSet, ManualResult

ALLOWED_EVIDENCE_TYPES = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".ppt", ".pptx", ".png", ".jpg", ".jpeg",
    ".odt", ".ods", ".txt", ".zip",
}  # fmt: skip


class EvidenceForm(BootstrapMixin, forms.ModelForm):
    url = forms.URLField(label=_("ลิงก์"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["title", "file", "url", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(_("ไฟล์ใหญ่เกินไป (ไม่เกิน %(limit)s MB)") % {"limit": limit})
        if Path(upload.name).suffix.lower() not in ALLOWED_EVIDENCE_TYPES:
            allowed = ", ".join(sorted(ALLOWED_EVIDENCE_TYPES))
            raise forms.ValidationError(_("ไม่รับไฟล์ประเภทนี้ (รับ %(allowed)s)") % {"allowed": allowed})
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and not cleaned.get("url"):
            raise forms.ValidationError(_("แนบไฟล์หรือใส่ลิงก์อย่างน้อยหนึ่งอย่าง"))
        return cleaned


class EvidenceEditForm(VersionedForm, EvidenceForm):
    """Replace a draft's (or a returned piece of evidence's) file, link and description. The file
    box takes a new file that replaces the kept one; leaving it empty keeps the kept file."""

    remove_file = forms.BooleanField(label=_("นำไฟล์เดิมออก (ใช้ลิงก์แทน)"), required=False)

    class Meta(EvidenceForm.Meta):
        widgets = {**EvidenceForm.Meta.widgets, "file": forms.FileInput}
        labels = {"file": _("ไฟล์ใหม่ (แทนที่ไฟล์เดิม)")}
        help_texts = {"file": _("ไม่เลือกไฟล์ = ใช้ไฟล์เดิมต่อไป")}

    field_order = ["title", "file", "remove_file", "url", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.file:
            del self.fields["remove_file"]
            self.fields["file"].label = _("ไฟล์")
            self.fields["file"].help_text = ""

    def clean(self):
        new_upload = self.files.get("file") if self.files else None
        if self.cleaned_data.get("remove_file") and not new_upload:
            self.cleaned_data["file"] = False  # a FileField cleared on save
        return super().clean()


class EvidenceDeleteForm(VersionedForm, BootstrapMixin, forms.ModelForm):
    """Delete a draft: the reason goes into the evidence's history."""

    reason = reason_field(_("เหตุผลที่ลบ"), required_text=_("โปรดระบุเหตุผลที่ลบร่างหลักฐานนี้"))

    class Meta:
        model = Evidence
        fields = []


class ReviewForm(BootstrapMixin, forms.Form):
    # No decision is preselected: the approver chooses one (an unchanged form approves nothing).
    decision = forms.ChoiceField(
        label=_("ผลการพิจารณา"),
        choices=[
            ("", _("— เลือกผลการพิจารณา —")),
            ("approve", _("อนุมัติ")),
            ("return", _("ส่งกลับแก้ไข")),
        ],
        error_messages={"required": _("โปรดเลือกผลการพิจารณา (อนุมัติ หรือ ส่งกลับแก้ไข)")},
    )
    comment = forms.CharField(
        label=_("ความเห็น"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "return" and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("โปรดระบุเหตุผลที่ส่งกลับ"))
        return cleaned


class ManualResultForm(BootstrapMixin, forms.ModelForm):
    as_of = ThaiDateField(label=_("ข้อมูล ณ วันที่"))

    class Meta:
        model = ManualResult
        fields = ["numerator", "denominator", "as_of", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["numerator"].required = True
        self.fields["denominator"].required = True

    def clean(self):
        cleaned = super().clean()
        num, den = cleaned.get("numerator"), cleaned.get("denominator")
        if den is not None and den <= 0:
            self.add_error("denominator", _("ตัวหารต้องมากกว่า 0"))
        if num is not None and num < 0:
            self.add_error("numerator", _("ตัวตั้งต้องไม่ติดลบ"))
        if num is not None and den is not None and den > 0 and num > den:
            self.add_error("numerator", _("ตัวตั้งต้องไม่มากกว่าตัวหาร"))
        return cleaned


class CopySetForm(BootstrapMixin, forms.Form):
    source = forms.ModelChoiceField(label=_("คัดลอกจากชุด"), queryset=IndicatorSet.objects.all())
    fiscal_year = forms.IntegerField(label=_("ปีงบประมาณใหม่ (พ.ศ.)"), min_value=2500, max_value=2700)

    def clean(self):
        cleaned = super().clean()
        source, year = cleaned.get("source"), cleaned.get("fiscal_year")
        if (
            source
            and year
            and IndicatorSet.objects.filter(
                agency_code=source.agency_code, fiscal_year=year
            ).exists()
        ):
            self.add_error(
                "fiscal_year", _("มีชุดตัวชี้วัดปีงบประมาณ %(year)s ของหน่วยงานนี้อยู่แล้ว") % {"year": year}
            )
        return cleaned


class IndicatorSetForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = IndicatorSet
        fields = ["title", "scoring_rule", "points_min", "points_std", "points_max"]

    def clean(self):
        cleaned = super().clean()
        pts = [cleaned.get(k) for k in ("points_min", "points_std", "points_max")]
        if all(p is not None for p in pts) and not (0 < pts[0] < pts[1] < pts[2] <= 100):
            raise forms.ValidationError(_("คะแนนแต่ละระดับต้องเรียงจากน้อยไปมาก และไม่เกิน 100"))
        return cleaned


class IndicatorEditForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = [
            "name", "short_name", "weight", "target_min", "target_std", "target_max",
            "target_min_note", "target_std_note", "target_max_note", "description", "formula",
            "conditions", "public_benefit",
        ]  # fmt: skip
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in [
                "name", "target_min_note", "target_std_note", "target_max_note", "description",
                "formula", "conditions", "public_benefit",
            ]
        }  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.instance.kind == IndicatorKind.RATIO:
            targets = [cleaned.get(k) for k in ("target_min", "target_std", "target_max")]
            if any(t is None for t in targets):
                raise forms.ValidationError(_("ตัวชี้วัดร้อยละต้องมีค่าเป้าหมายครบ 3 ระดับ"))
            if not (targets[0] < targets[1] < targets[2]):
                raise forms.ValidationError(
                    _("ค่าเป้าหมายต้องเรียงจากน้อยไปมาก (ขั้นต่ำ < มาตรฐาน < ขั้นสูง)")
                )
        return cleaned


class BaseIndicatorFormSet(BaseModelFormSet):
    """Weights must add up: leaves to 100, and each group to the sum of its children."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        weights = {form.instance.pk: form.cleaned_data["weight"] for form in self.forms}
        indicators = {form.instance.pk: form.instance for form in self.forms}
        children: dict[int, list[int]] = {}
        for ind in indicators.values():
            if ind.parent_id:
                children.setdefault(ind.parent_id, []).append(ind.pk)
        leaves = [pk for pk in indicators if pk not in children]
        total = sum((weights[pk] for pk in leaves), Decimal(0))
        if total != 100:
            raise forms.ValidationError(
                _("น้ำหนักของตัวชี้วัดรวมกันได้ %(total)s ต้องรวมกันได้ 100 พอดี")
                % {"total": format(total, "g")}
            )
        for parent_pk, kids in children.items():
            kids_total = sum((weights[k] for k in kids), Decimal(0))
            if parent_pk in weights and weights[parent_pk] != kids_total:
                raise forms.ValidationError(
                    _(
                        "น้ำหนักของตัวชี้วัด %(code)s (%(value)s) ต้องเท่ากับผลรวมของตัวชี้วัดย่อย (%(kids_total)s)"
                    )
                    % {
                        "code": indicators[parent_pk].code,
                        "value": format(weights[parent_pk], "g"),
                        "kids_total": format(kids_total, "g"),
                    }
                )


IndicatorFormSet = modelformset_factory(
    Indicator, form=IndicatorEditForm, formset=BaseIndicatorFormSet, extra=0, can_delete=False
)
