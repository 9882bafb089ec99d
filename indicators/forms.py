import datetime as dt
from decimal import Decimal
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import MinValueValidator
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, ThaiDateField
from core.numbers import two_text
from core.once import OnceMixin
from core.thaidate import fiscal_year_bounds, format_thai_date
from core.versioned import VersionedForm, reason_field
from indicators.models import (
    Evidence,
    Indicator,
    IndicatorKind,
    IndicatorSet,
    ManualResult,
    RevisionReason,
    TargetRevision,
)

ALLOWED_EVIDENCE_TYPES = {
    ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".csv", ".ppt", ".pptx", ".png", ".jpg", ".jpeg",
    ".odt", ".ods", ".txt", ".zip",
}  # fmt: skip


def checked_upload(upload):
    """An uploaded evidence file (or approval letter) within the size limit and of an accepted
    type; Thai messages otherwise."""
    if not upload:
        return upload
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        raise forms.ValidationError(_("ไฟล์ใหญ่เกินไป (ไม่เกิน %(limit)s MB)") % {"limit": limit})
    if Path(upload.name).suffix.lower() not in ALLOWED_EVIDENCE_TYPES:
        allowed = ", ".join(sorted(ALLOWED_EVIDENCE_TYPES))
        raise forms.ValidationError(_("ไม่รับไฟล์ประเภทนี้ (รับ %(allowed)s)") % {"allowed": allowed})
    return upload


class EvidenceForm(BootstrapMixin, forms.ModelForm):
    url = forms.URLField(label=_("ลิงก์"), required=False, max_length=500, assume_scheme="https")

    class Meta:
        model = Evidence
        fields = ["title", "file", "url", "note"]
        widgets: dict[str, type[forms.Widget] | forms.Widget] = {
            "note": forms.Textarea(attrs={"rows": 2})
        }

    def clean_file(self):
        return checked_upload(self.cleaned_data.get("file"))

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
        fields: list[str] = []


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


# --- target revisions (issue 15) -----------------------------------------------------------------


class FieldGroup:
    """Some fields of a form, for ``includes/form_fields.html``: a form shown in sections. The
    first section carries the form's own errors and hidden fields."""

    def __init__(self, form, names, *, first: bool = False):
        self.form = form
        self.names = [name for name in names if name in form.fields]
        self.first = first

    def __bool__(self) -> bool:
        return bool(self.names)

    def visible_fields(self):
        return [self.form[name] for name in self.names if not self.form[name].is_hidden]

    def hidden_fields(self):
        return self.form.hidden_fields() if self.first else []

    def non_field_errors(self):
        return self.form.non_field_errors() if self.first else self.form.error_class()


def approvers():
    """Who may be named as a revision's approver: active users holding the approver or admin
    role (superusers count as admins), in Thai name order."""
    from django.contrib.auth.models import User
    from django.db.models import Q

    from core.collation import thai_order
    from core.roles import ADMIN, APPROVER

    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=[APPROVER, ADMIN]) | Q(is_superuser=True))
        .distinct()
        .order_by(thai_order("first_name"), thai_order("last_name"), "username")
    )


class ApproverChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


def fiscal_months(fiscal_year_be: int) -> list[tuple[str, str]]:
    """The months of a fiscal year (ตุลาคม 2562 … กันยายน 2563), as (first day ISO, Thai name)."""
    from core.thaidate import MONTHS_LONG, be_year, fiscal_year_bounds

    start, _end = fiscal_year_bounds(fiscal_year_be)
    months = []
    for n in range(12):
        year, month = start.year + (start.month - 1 + n) // 12, (start.month - 1 + n) % 12 + 1
        first = dt.date(year, month, 1)
        months.append((first.isoformat(), f"{MONTHS_LONG[month - 1]} {be_year(year)}"))
    return months


TARGET_FIELDS = ("target_min", "target_std", "target_max")
NOTE_FIELDS = ("target_min_note", "target_std_note", "target_max_note")
CALCULATOR_FIELDS = ("opened_on", "calc_average", "calc_share")


class TargetRevisionForm(OnceMixin, BootstrapMixin, forms.ModelForm):
    """A revision of an indicator's targets: the new figures (blank keeps the one in force), the
    date it is in force from, the reason, the approver and the approval letter. On an indicator
    with a computed deliverable's figure (KPI 3.2's 3,500), the calculator proposes the figure
    from the month the system opened (``indicators.targets.opening_threshold``)."""

    effective_from = ThaiDateField(
        label=_("มีผลตั้งแต่วันที่"),
        help_text=_("ใช้ประเมินผลตั้งแต่วันนี้เป็นต้นไป (รอบที่ข้อมูล ณ วันก่อนหน้านี้ใช้ค่าเป้าหมายเดิม)"),
        error_messages={"required": _("โปรดระบุวันที่ค่าเป้าหมายใหม่มีผล")},
    )
    approved_on = ThaiDateField(
        label=_("วันที่อนุมัติ"), error_messages={"required": _("โปรดระบุวันที่อนุมัติ")}
    )
    approved_by = ApproverChoiceField(
        label=_("ผู้อนุมัติ"),
        queryset=approvers(),
        help_text=_("ผู้อนุมัติหลักฐานหรือผู้ดูแลระบบที่รับรองการปรับตามหนังสืออนุมัติ (ค่าเริ่มต้น: ผู้บันทึก)"),
        error_messages={"required": _("โปรดเลือกผู้อนุมัติ")},
    )
    opened_on = forms.TypedChoiceField(
        label=_("เดือนที่เปิดระบบ"),
        required=False,
        coerce=dt.date.fromisoformat,
        empty_value=None,
    )
    calc_average = forms.IntegerField(
        label=_("ค่าเฉลี่ยผู้ได้รับเงินอุดหนุนต่อเดือน (ราย)"),
        required=False,
        min_value=1,
        help_text=_("ปี 2562 มีผู้ได้รับเงินอุดหนุน 138,144 ราย เฉลี่ย 11,512 รายต่อเดือน"),
    )
    calc_share = forms.DecimalField(
        label=_("ร้อยละของค่าเฉลี่ยรายเดือน"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=100,
        decimal_places=2,
    )

    class Meta:
        model = TargetRevision
        fields = [
            "effective_from", *TARGET_FIELDS, "threshold", "opened_on", *NOTE_FIELDS, "reason",
            "reason_text", "approved_by", "approved_on", "letter_number", "letter",
        ]  # fmt: skip
        widgets = {
            **{name: forms.Textarea(attrs={"rows": 2}) for name in NOTE_FIELDS},
            "reason_text": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "letter": _("ไฟล์หนังสืออนุมัติการปรับค่าเป้าหมาย (PDF รูปภาพ หรือเอกสาร)"),
            **{name: _("เว้นว่าง = ใช้คำอธิบายเดิม") for name in NOTE_FIELDS},
        }
        error_messages = {
            "reason": {"required": _("โปรดเลือกเหตุผลที่ปรับ")},
            "reason_text": {"required": _("โปรดอธิบายเหตุผลที่ปรับค่าเป้าหมาย")},
            "letter": {"required": _("โปรดแนบไฟล์หนังสืออนุมัติ")},
        }

    def __init__(self, *args, indicator: Indicator, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        from indicators.targets import MONTHLY_AVERAGE, SHARE_PERCENT, in_force

        self.indicator = indicator
        self.fiscal_year = indicator.indicator_set.fiscal_year
        start, end = fiscal_year_bounds(self.fiscal_year)
        self.year_bounds = (start, end)
        today = timezone.localdate()
        self.now_in_force = in_force([indicator], min(max(today, start), end))[indicator.pk]
        self.thresholded = list(indicator.deliverables.filter(threshold__isnull=False))
        if user is not None and not self.is_bound and approvers().filter(pk=user.pk).exists():
            self.initial.setdefault("approved_by", user.pk)
        if indicator.kind == IndicatorKind.RATIO:
            for name, current in zip(TARGET_FIELDS, self.now_in_force.targets, strict=True):
                self.fields[name].help_text = _("ที่ใช้อยู่: %(value)s (เว้นว่าง = ไม่เปลี่ยน)") % {
                    "value": "–" if current is None else two_text(current)
                }
        else:
            for name in TARGET_FIELDS:
                del self.fields[name]
        if self.thresholded:
            deliverable = self.thresholded[0]
            figure = self.now_in_force.thresholds.get(deliverable.pk)
            field = self.fields["threshold"]
            field.validators.append(
                MinValueValidator(1, message=_("เกณฑ์ต้องเป็นจำนวนเต็มตั้งแต่ 1 ขึ้นไป"))
            )
            field.label = _("เกณฑ์ใหม่: %(title)s") % {"title": deliverable.title}
            field.help_text = _("ที่ใช้อยู่: %(value)s (เว้นว่าง = ไม่เปลี่ยน)") % {
                "value": f"{figure:,}" if figure is not None else "–"
            }
            opened = self.fields["opened_on"]
            assert isinstance(opened, forms.ChoiceField)
            opened.choices = [("", _("— ไม่ได้ใช้ —")), *fiscal_months(self.fiscal_year)]
            opened.help_text = _("เดือนที่เปิดให้ประชาชนใช้งาน: นับถึงเดือนกันยายน %(year)s รวมเดือนที่เปิด") % {
                "year": self.fiscal_year
            }
            self.fields["calc_average"].initial = MONTHLY_AVERAGE
            self.fields["calc_share"].initial = SHARE_PERCENT
        else:
            for name in ("threshold", *CALCULATOR_FIELDS):
                del self.fields[name]
        self.order_fields(
            [
                "effective_from", *TARGET_FIELDS, *CALCULATOR_FIELDS, "threshold", *NOTE_FIELDS,
                "reason", "reason_text", "approved_by", "approved_on", "letter_number", "letter",
            ]
        )  # fmt: skip

    # The page shows the form in sections (FieldGroup): what changes, why, the approval.
    def sections(self) -> dict[str, FieldGroup]:
        return {
            "when": FieldGroup(self, ["effective_from", *TARGET_FIELDS], first=True),
            "calculator": FieldGroup(self, CALCULATOR_FIELDS),
            "figures": FieldGroup(self, ["threshold", *NOTE_FIELDS]),
            "approval": FieldGroup(
                self,
                ["reason", "reason_text", "approved_by", "approved_on", "letter_number", "letter"],
            ),
        }

    def clean_letter(self):
        return checked_upload(self.cleaned_data.get("letter"))

    def calculate(self):
        """The calculator alone (no other field is checked): the proposed figure, or the Thai
        errors of its three fields."""
        from indicators.targets import opening_threshold

        values, errors = {}, []
        for name in CALCULATOR_FIELDS:
            field = self.fields[name]
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            try:
                values[name] = field.clean(raw)
            except forms.ValidationError as exc:
                errors.extend(f"{field.label}: {message}" for message in exc.messages)
        if not errors and values.get("opened_on") is None:
            errors.append(_("โปรดเลือกเดือนที่เปิดระบบ"))
        for name, text in (
            ("calc_average", _("โปรดระบุค่าเฉลี่ยรายเดือน")),
            ("calc_share", _("โปรดระบุร้อยละ")),
        ):
            if not errors and values.get(name) is None:
                errors.append(text)
        if errors:
            return None, errors
        return (
            opening_threshold(
                values["opened_on"], self.fiscal_year, values["calc_average"], values["calc_share"]
            ),
            [],
        )

    def clean(self):
        from indicators.targets import in_force

        cleaned = super().clean()
        start, end = self.year_bounds
        effective = cleaned.get("effective_from")
        if effective and not start <= effective <= end:
            self.add_error(
                "effective_from",
                _("วันที่มีผลต้องอยู่ในปีงบประมาณ %(year)s (%(start)s – %(end)s)")
                % {
                    "year": self.fiscal_year,
                    "start": format_thai_date(start),
                    "end": format_thai_date(end),
                },
            )
        approved_on = cleaned.get("approved_on")
        if approved_on and approved_on > timezone.localdate():
            self.add_error("approved_on", _("วันที่อนุมัติต้องไม่เป็นวันในอนาคต"))
        figures = [cleaned.get(name) for name in TARGET_FIELDS if name in self.fields]
        notes = [(cleaned.get(name) or "").strip() for name in NOTE_FIELDS]
        threshold = cleaned.get("threshold")
        nothing_typed = all(v is None for v in figures) and not any(notes) and threshold is None
        typed_wrong = any(name in self.errors for name in (*TARGET_FIELDS, "threshold"))
        if nothing_typed and not typed_wrong:
            raise forms.ValidationError(
                _("ยังไม่ได้ระบุค่าเป้าหมายใหม่: กรอกค่าเป้าหมาย เกณฑ์ หรือคำอธิบายที่เปลี่ยนอย่างน้อยหนึ่งช่อง")
            )
        if figures and effective and start <= effective <= end:
            before = in_force([self.indicator], effective)[self.indicator.pk].targets
            merged = [
                new if new is not None else old for new, old in zip(figures, before, strict=True)
            ]
            if all(t is not None for t in merged) and not (merged[0] < merged[1] < merged[2]):
                raise forms.ValidationError(
                    _(
                        "ค่าเป้าหมายที่จะใช้ต้องเรียงจากน้อยไปมาก (ขั้นต่ำ < มาตรฐาน < ขั้นสูง): "
                        "%(min)s / %(std)s / %(max)s"
                    )
                    % dict(zip(("min", "std", "max"), (two_text(t) for t in merged), strict=True))
                )
        if (
            cleaned.get("reason") == RevisionReason.OPENING
            and threshold is not None
            and cleaned.get("opened_on") is None
            and "opened_on" in self.fields
        ):
            self.add_error("opened_on", _("โปรดเลือกเดือนที่เปิดระบบ (เหตุผล: เดือนที่เปิดระบบ)"))
        return cleaned

    def save(self, commit=True):
        revision = super().save(commit=False)
        revision.indicator = self.indicator
        for name in NOTE_FIELDS:
            setattr(revision, name, (getattr(revision, name) or "").strip())
        if revision.threshold is not None and self.thresholded:
            revision.deliverable = self.thresholded[0]
        else:
            revision.threshold = None
            revision.opened_on = None
        if commit:
            revision.save()
        return revision


class WithdrawRevisionForm(VersionedForm, BootstrapMixin, forms.ModelForm):
    """Withdraw a revision recorded by mistake: the reason goes into its history."""

    reason = reason_field(
        _("เหตุผลที่ยกเลิก"),
        required_text=_("โปรดระบุเหตุผลที่ยกเลิกการปรับค่าเป้าหมายนี้"),
        example=_("บันทึกวันที่มีผลผิด"),
    )

    class Meta:
        model = TargetRevision
        fields: list[str] = []
