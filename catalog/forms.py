from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Dataset
from core.forms import BootstrapMixin, ThaiDateField


class DatasetForm(BootstrapMixin, forms.ModelForm):
    linked_since = ThaiDateField(label=_("เชื่อมโยงตั้งแต่"), required=False)

    class Meta:
        model = Dataset
        fields = [
            "number", "title", "owner", "description", "fields", "keywords", "update_frequency",
            "data_format", "access_level", "contact", "linked_to_center", "linked_since",
            "external_agencies",
        ]  # fmt: skip
        widgets = {
            "description": forms.Textarea({"rows": 3}),
            "fields": forms.Textarea({"rows": 5}),
            "external_agencies": forms.CheckboxSelectMultiple,
        }

    def clean(self):
        data = super().clean()
        if data.get("linked_since") and not data.get("linked_to_center"):
            self.add_error("linked_since", _("ระบุวันที่ได้เมื่อเชื่อมโยงกับศูนย์ข้อมูลกลางแล้วเท่านั้น"))
        return data
