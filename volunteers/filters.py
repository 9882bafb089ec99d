import datetime as dt

import django_filters as df
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import ThaiDateField
from core.models import Province
from core.nationalid import normalize
from volunteers.models import Kind, Path, ServiceType, Specialty, Status, TargetGroup, Volunteer
from volunteers.permissions import can_see_national_id, sees_every_province


class _Bootstrap:
    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")
        return form


class _ByProvince:
    """The province filter only for those who pick a province (``sees_every_province``), its
    choices the provinces visible to them; an officer's list is their province's anyway."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is None or not sees_every_province(user):
            del self.filters["province"]
        else:
            self.filters["province"].queryset = Province.objects.visible_to(user)


CARD_CHOICES = [
    ("expired", _("หมดอายุแล้ว")),
    ("30", _("หมดอายุภายใน 30 วัน")),
    ("90", _("หมดอายุภายใน 90 วัน")),
    ("valid", _("ยังไม่หมดอายุ")),
    ("none", _("ยังไม่มีบัตร")),
]


class VolunteerFilter(_ByProvince, _Bootstrap, df.FilterSet):
    q = df.CharFilter(label=_("ค้นหา (ชื่อ/เลขประจำตัว/เลขทะเบียน)"), method="search")
    province = df.ModelChoiceFilter(queryset=Province.objects.all(), label=_("จังหวัด"))
    kind = df.ChoiceFilter(choices=Kind.choices, label=_("ประเภท"))
    district = df.CharFilter(label=_("อำเภอ/เขต"), lookup_expr="exact")
    status = df.ChoiceFilter(choices=Status.choices, label=_("สถานะ"))
    specialty = df.ModelChoiceFilter(
        queryset=Specialty.objects.all(), field_name="specialties", label=_("ความเชี่ยวชาญ")
    )
    training_path = df.ChoiceFilter(choices=Path.choices, label=_("วิธีการพัฒนาศักยภาพ"))
    card = df.ChoiceFilter(choices=CARD_CHOICES, label=_("บัตรประจำตัว"), method="card_expiry")

    class Meta:
        model = Volunteer
        fields = ["q", "province", "kind", "district", "status", "specialty", "training_path"]

    def search(self, queryset, name, value):
        value = value.strip()
        digits = normalize(value)
        if digits.isascii() and digits.isdigit() and len(digits) == 13:
            # Whole IDs only, and only for the roles that see IDs in full: to a manager an
            # ID search would tell whether a person is a volunteer.
            user = self.request.user if self.request else None
            if user is None or not can_see_national_id(user):
                return queryset.none()
            return queryset.filter(national_id=digits)
        number = value.replace("-", "").replace("บ", "").replace("ว", "")
        if "-" in value and number.isascii() and number.isdigit():
            return queryset.filter(
                Q(registration_number=value) | Q(card_number=value) | Q(certificate_number=value)
            )
        parts = value.split()
        q = Q()
        for part in parts:
            q &= Q(first_name__startswith=part) | Q(last_name__startswith=part)
        return queryset.filter(q)

    def card_expiry(self, queryset, name, value):
        today = timezone.localdate()
        if value == "expired":
            return queryset.filter(card_expires_on__lt=today)
        if value in ("30", "90"):
            return queryset.filter(
                card_expires_on__gte=today,
                card_expires_on__lte=today + dt.timedelta(days=int(value)),
            )
        if value == "valid":
            return queryset.filter(card_expires_on__gte=today)
        if value == "none":
            return queryset.filter(card_number__isnull=True)
        return queryset


class ThaiDateFilter(df.DateFilter):
    field_class = ThaiDateField


class ServiceFilter(_ByProvince, _Bootstrap, df.FilterSet):
    date_from = ThaiDateFilter(field_name="date", lookup_expr="gte", label=_("ตั้งแต่วันที่"))
    date_to = ThaiDateFilter(field_name="date", lookup_expr="lte", label=_("ถึงวันที่"))
    service_type = df.ChoiceFilter(choices=ServiceType.choices, label=_("ประเภทบริการ"))
    target_group = df.ChoiceFilter(choices=TargetGroup.choices, label=_("กลุ่มเป้าหมาย"))
    province = df.ModelChoiceFilter(queryset=Province.objects.all(), label=_("จังหวัด"))
