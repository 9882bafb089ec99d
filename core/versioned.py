"""An edit form that cannot save over someone else's save (a version check).

A model that can be edited by two people at once has ``version = PositiveIntegerField(default=0)``.
Its edit form mixes in ``VersionedForm``: the form carries, hidden, the version it was opened at.
The view locks the row (``select_for_update``) inside a transaction, binds the form to the locked
instance, and then:

- ``form.is_stale``: someone saved since the form was opened: refuse with ``STALE_TEXT`` (status
  409), keep what was typed, show the current values; the re-shown form carries the current
  version (``rebind_to_current``), so a second save is a deliberate one;
- otherwise ``form.save_versioned(fields)`` writes only the form's own fields and the next version.

Usage::

    class AssessmentEditForm(VersionedForm, BootstrapMixin, forms.ModelForm): ...

    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=pk)
        form = AssessmentEditForm(request.POST, instance=locked)
        if form.is_valid() and form.is_stale:
            form = rebind_to_current(AssessmentEditForm, Assessment, pk, request.POST)
            status = 409
        elif form.is_valid():
            form.save_versioned(["percent", "assessed_on"], reason=form.cleaned_data["reason"])
"""

import copy

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

FIELD = "version"
STALE_TEXT = _(
    "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึก ข้อมูลที่ท่านกรอกยังอยู่ในแบบฟอร์มด้านล่าง"
    " โปรดเทียบกับข้อมูลล่าสุด แก้ไขให้ถูกต้อง แล้วกดบันทึกอีกครั้ง"
)
MISSING_TEXT = _("แบบฟอร์มนี้ไม่สมบูรณ์ (ไม่มีรุ่นของข้อมูล) โปรดเปิดหน้าแก้ไขใหม่แล้วกรอกอีกครั้ง")


# django-simple-history's change reason column holds 100 characters.
REASON_MAX = 100


def reason_field(label=None, *, required_text=None, example=None) -> forms.CharField:
    """A correction's reason (required, ≤ REASON_MAX), kept as the history's change reason: the
    one field every correction form (assessments, discharges, steps, evidence, results) uses."""
    help_text = (
        format_lazy(_("บันทึกไว้ในประวัติการแก้ไข เช่น “{}” (ไม่เกิน {} ตัวอักษร)"), example, REASON_MAX)
        if example
        else format_lazy(_("บันทึกไว้ในประวัติการแก้ไข (ไม่เกิน {} ตัวอักษร)"), REASON_MAX)
    )
    return forms.CharField(
        label=label or _("เหตุผลที่แก้ไข"),
        max_length=REASON_MAX,
        help_text=help_text,
        error_messages={
            "required": required_text or _("กรุณาระบุเหตุผล"),
            "max_length": format_lazy(_("เหตุผลยาวได้ไม่เกิน {} ตัวอักษร"), REASON_MAX),
        },
        widget=forms.TextInput(attrs={"maxlength": REASON_MAX, "autocomplete": "off"}),
    )


class VersionedForm:
    """Adds the hidden ``version`` field to a ModelForm whose model has a ``version`` field. A
    form for a new record (no pk yet, e.g. a new row of a formset) has no version to carry and
    is never stale."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            return
        self.fields[FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=0
        )
        self.fields[FIELD].initial = self.instance.version
        if not self.is_bound:
            self.initial[FIELD] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if FIELD in self.fields and cleaned.get(FIELD) is None and FIELD not in self.errors:
            raise forms.ValidationError(MISSING_TEXT)
        return cleaned

    @property
    def is_stale(self) -> bool:
        """Opened at an older version than the (locked) instance's: someone saved in between."""
        if FIELD not in self.fields:
            return False
        return self.cleaned_data.get(FIELD) != self.instance.version

    def save_versioned(self, fields, reason: str | None = None):
        """Save only ``fields`` (and the next version) on the instance, which the caller has
        locked. ``reason`` goes into the record's history (django-simple-history)."""
        obj = self.save(commit=False)
        obj.version = self.instance.version + 1
        if reason is not None:
            obj._change_reason = reason[:100]
        obj.save(update_fields=[*fields, FIELD])
        if hasattr(self, "save_m2m"):
            self.save_m2m()
        return obj


def rebind_to_current(form_class, model, pk, data, **form_kwargs):
    """The stale form shown again: what was typed, bound to the record as it is now and carrying
    its current version (under the form's prefix, if it has one), with ``STALE_TEXT`` as its
    error. (Validating a form writes the typed values onto its instance, so the saved record is
    read afresh.)"""
    current = model._default_manager.get(pk=pk)
    data = data.copy()
    prefix = form_kwargs.get("prefix")
    data[f"{prefix}-{FIELD}" if prefix else FIELD] = str(current.version)
    form = form_class(data, instance=copy.copy(current), **form_kwargs)
    form.is_valid()
    form.add_error(None, STALE_TEXT)
    form.current = current
    return form
