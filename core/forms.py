"""Form pieces shared by every app: Buddhist-era date input, Bootstrap styling, the refusal
of control characters in typed text and Thai digits in number fields (``BootstrapMixin`` is the
base of every form of the project, so it adds ``refuse_control_characters`` to each of their text
fields and ``accept_thai_digits`` to each of their number fields)."""

import datetime as dt
import re
import types

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from core.nationalid import normalize, validate_national_id
from core.thaidate import format_be_numeric, parse_date, to_arabic_digits

# C0 controls but tab, newline and carriage return (a text area may hold them); DEL; C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_MESSAGE = gettext_lazy(
    "มีอักขระควบคุมที่มองไม่เห็น (เช่น จากการคัดลอกข้อความมาวาง) โปรดลบออกแล้วบันทึกอีกครั้ง"
)


def refuse_control_characters(value) -> None:
    """A validator for text: control characters (other than tab and line breaks) are refused."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")


NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def normalize_number(value):
    """What was typed in a number field, as Django's number fields read it: Thai (and other
    scripts') digits as ASCII, surrounding spaces dropped, thousands commas (1,500.50) removed."""
    if not isinstance(value, str):
        return value
    cleaned = to_arabic_digits(value).strip()
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    return cleaned


def accept_thai_digits(field: forms.Field) -> None:
    """Make a number field of a form take Thai digits: its input becomes a text box with a
    numeric keyboard (a browser's type="number" box refuses ๑๒๓ and sends nothing), and the
    typed text is normalised before Django parses it. Typed text is kept as typed on re-render."""
    if not isinstance(field, NUMBER_FIELDS) or getattr(field, "_thai_digits", False):
        return
    widget = field.widget
    if isinstance(widget, forms.NumberInput):
        widget.input_type = "text"
        # (DecimalField and FloatField are IntegerField subclasses.)
        integer = not isinstance(field, forms.DecimalField | forms.FloatField)
        widget.attrs.setdefault("inputmode", "numeric" if integer else "decimal")
        widget.attrs.pop("step", None)
    field.to_python = types.MethodType(_normalised_to_python, field)
    field._thai_digits = True


def _normalised_to_python(field, value):
    return type(field).to_python(field, normalize_number(value))


class ThaiDateInput(forms.TextInput):
    """A text box showing dd/mm/yyyy in BE; people may type BE or CE, Thai digits too."""

    def __init__(self, attrs=None):
        base = {
            "placeholder": gettext_lazy("วว/ดด/ปปปป (พ.ศ.)"),
            "inputmode": "numeric",
            "autocomplete": "off",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_be_numeric(value)
        return super().format_value(value)


class ThaiDateField(forms.DateField):
    widget = ThaiDateInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(value)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class NationalIdField(forms.CharField):
    """13 digits with a valid check digit; dashes, spaces and Thai digits are accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "numeric")
        self.widget.attrs.setdefault("placeholder", "x-xxxx-xxxxx-xx-x")

    def to_python(self, value):
        value = super().to_python(value)
        return normalize(value) if value else value

    def validate(self, value):
        super().validate(value)
        if value:
            validate_national_id(value)


class BootstrapMixin:
    """Adds Bootstrap classes to every widget, marks invalid fields once validated, refuses
    control characters in every text field (``refuse_control_characters``) and lets every
    number field take Thai digits (``accept_thai_digits``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            accept_thai_digits(field)
            # The form's own copy of the field (Django deep-copies base_fields per form).
            if isinstance(field, forms.CharField) and refuse_control_characters not in (
                field.validators
            ):
                field.validators.append(refuse_control_characters)
            widget = field.widget
            if isinstance(
                widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect
            ):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
