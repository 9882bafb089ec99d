from pathlib import Path

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from imports import resources
from imports.engine import SUPPORTED

MAX_UPLOAD_BYTES = 60 * 1024 * 1024


def kind_choices():
    return [
        (key, res.label)
        for key, res in sorted(resources.kinds().items(), key=lambda kv: kv[1].order)
    ]


class UploadForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("ข้อมูลในไฟล์"))
    file = forms.FileField(label=_("ไฟล์ (.xlsx หรือ .csv)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kind_choices()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUPPORTED:
            raise forms.ValidationError(gettext("รับเฉพาะไฟล์ .xlsx หรือ .csv"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(gettext("ไฟล์ใหญ่เกิน 60 MB"))
        return upload
