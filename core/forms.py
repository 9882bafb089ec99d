"""Form pieces shared by every app: Buddhist-era date input and Bootstrap styling."""

import datetime as dt

from django import forms

from core.nationalid import normalize, validate_national_id
from core.thaidate import format_be_numeric, parse_date


class ThaiDateInput(forms.TextInput):
    """A text box showing dd/mm/yyyy in BE; people may type BE or CE, Thai digits too."""

    def __init__(self, attrs=None):
        base = {"placeholder": "วว/ดด/ปปปป (พ.ศ.)", "inputmode": "numeric", "autocomplete": "off"}
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
    """Adds Bootstrap classes to every widget, and marks invalid fields once validated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
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
