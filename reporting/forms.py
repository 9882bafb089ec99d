from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, ThaiDateField
from core.once import OnceMixin
from core.thaidate import fiscal_year_bounds, format_thai_date
from core.versioned import VersionedForm, reason_field
from indicators.models import Evidence, EvidenceStatus
from reporting.models import Narrative, Round


class RoundForm(VersionedForm, OnceMixin, BootstrapMixin, forms.ModelForm):
    """Define or edit a round (admins). ``indicator_set`` is the view's, never the form's."""

    as_of = ThaiDateField(
        label=_("ข้อมูล ณ วันที่"), help_text=_("วันสุดท้ายของช่วงที่รอบนี้รายงาน เช่น 31/03/2563")
    )
    due_on = ThaiDateField(label=_("กำหนดส่ง"))

    class Meta:
        model = Round
        fields = ["name", "as_of", "due_on"]
        help_texts = {"name": _("เช่น รอบ 6 เดือน")}

    def __init__(self, *args, indicator_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator_set = indicator_set
        self.instance.indicator_set = indicator_set

    def clean(self):
        cleaned = super().clean()
        as_of, due_on = cleaned.get("as_of"), cleaned.get("due_on")
        start, end = fiscal_year_bounds(self.indicator_set.fiscal_year)
        if as_of and not start <= as_of <= end:
            self.add_error(
                "as_of",
                _("วันที่ต้องอยู่ในปีงบประมาณ %(year)s (%(start)s ถึง %(end)s)")
                % {
                    "year": self.indicator_set.fiscal_year,
                    "start": format_thai_date(start),
                    "end": format_thai_date(end),
                },
            )
        if as_of and due_on and due_on < as_of:
            self.add_error("due_on", _("กำหนดส่งต้องไม่ก่อนวันที่ข้อมูลของรอบ"))
        return cleaned


class ReopenForm(VersionedForm, BootstrapMixin, forms.ModelForm):
    reason = reason_field(
        _("เหตุผลที่เปิดรอบใหม่"),
        required_text=_("กรุณาระบุเหตุผลที่เปิดรอบใหม่"),
        example=_("แก้ไขผลการประเมินตามที่ สลก. แจ้ง"),
    )

    class Meta:
        model = Round
        fields: list[str] = []


class CloseForm(VersionedForm, forms.ModelForm):
    """The close button: carries the round's version, so a close pressed on a page shown
    before the round was edited, closed or reopened is refused rather than acted on blindly."""

    class Meta:
        model = Round
        fields: list[str] = []


class EvidenceChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        who = obj.reviewed_by.get_full_name() or obj.reviewed_by.username if obj.reviewed_by else ""
        day = format_thai_date(obj.reviewed_at.date()) if obj.reviewed_at else ""
        return _("%(level)s · %(title)s (อนุมัติโดย %(who)s %(day)s)") % {
            "level": obj.deliverable.get_level_display(),
            "title": obj.title,
            "who": who,
            "day": day,
        }


class NarrativeForm(VersionedForm, OnceMixin, BootstrapMixin, forms.ModelForm):
    """The narrative of an indicator in a round. Saved as a draft (anything may be empty) or
    submitted (the result in words is then required)."""

    evidence = EvidenceChoices(
        label=_("หลักฐานอ้างอิง (เลือกจากหลักฐานที่ได้รับอนุมัติแล้ว)"),
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Narrative
        fields = ["result_text", "supporting_factors", "obstacles", "actions", "evidence"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in ("result_text", "supporting_factors", "obstacles", "actions")
        }
        help_texts = {
            "result_text": _("สรุปผลการดำเนินงานของตัวชี้วัด ณ วันที่ของรอบ เป็นคำบรรยาย"),
            "actions": _("สิ่งที่จะดำเนินการต่อเพื่อแก้ไขปัญหาอุปสรรค"),
        }

    def __init__(self, *args, indicator, submit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.submit = submit
        self.fields["evidence"].queryset = (
            Evidence.objects.filter(
                deliverable__indicator=indicator, status=EvidenceStatus.APPROVED
            )
            .select_related("deliverable", "reviewed_by")
            .order_by("deliverable__level", "deliverable__sort_order", "created_at", "pk")
        )

    def clean(self):
        cleaned = super().clean()
        if self.submit and not (cleaned.get("result_text") or "").strip():
            self.add_error("result_text", _("กรุณากรอกผลการดำเนินงานก่อนส่ง"))
        return cleaned
