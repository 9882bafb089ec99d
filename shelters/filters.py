import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.nationalid import is_valid, normalize
from shelters.models import Facility, Group, Resident, TargetGroup
from shelters.permissions import full_id_facilities

STATUS_CHOICES = [("in_care", _("อยู่ในความดูแล")), ("discharged", _("จำหน่ายแล้ว"))]


class ResidentFilter(django_filters.FilterSet):
    """Search and filters of the resident list; the queryset comes in already scoped and
    annotated with the latest assessment (``Resident.objects.visible_to(user).with_latest()``)."""

    q = django_filters.CharFilter(
        method="search",
        label=_("ค้นหา"),
        widget=forms.TextInput(attrs={"placeholder": _("ชื่อ เลขทะเบียน หรือเลขประจำตัวประชาชน")}),
    )
    facility = django_filters.ModelChoiceFilter(
        queryset=Facility.objects.none(), label=_("หน่วยงาน"), empty_label=_("ทุกหน่วยงาน")
    )
    target_group = django_filters.ChoiceFilter(
        choices=TargetGroup.choices, label=_("กลุ่มเป้าหมาย"), empty_label=_("ทุกกลุ่มเป้าหมาย")
    )
    group = django_filters.ChoiceFilter(
        field_name="current_group",
        choices=Group.choices,
        label=_("กลุ่มล่าสุด (A/B/C)"),
        empty_label=_("ทุกกลุ่ม"),
    )
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES,
        method="filter_status",
        label=_("สถานะ"),
        empty_label=pgettext_lazy("filter", "ทั้งหมด"),
    )

    class Meta:
        model = Resident
        fields = ["q", "facility", "target_group", "group", "status"]

    def __init__(self, *args, facilities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if facilities is not None:
            self.filters["facility"].queryset = facilities
            self.form.fields["facility"].queryset = facilities
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} form-select-sm" if css == "form-select" else css

    def search(self, queryset, name, value):
        """Names and case numbers by part; a national ID only whole, and only where the user
        sees IDs in full (a manager probing digit by digit learns nothing)."""
        value = value.strip()
        if not value:
            return queryset
        # Thai has no letter case: a term without cased letters matches the same text either
        # way, and PostgreSQL then skips UPPER() on every name (half the time of the search).
        lookup = "icontains" if value.upper() != value or value.lower() != value else "contains"
        condition = Q(**{f"full_name__{lookup}": value}) | Q(**{f"case_number__{lookup}": value})
        digits = normalize(value)
        if is_valid(digits):
            id_facilities = full_id_facilities(self.request.user) if self.request else []
            if id_facilities is None:
                condition |= Q(national_id=digits)
            elif id_facilities:
                condition |= Q(national_id=digits, facility_id__in=id_facilities)
        return queryset.filter(condition)

    def filter_status(self, queryset, name, value):
        if value == "in_care":
            return queryset.filter(discharged_on__isnull=True)
        if value == "discharged":
            return queryset.filter(discharged_on__isnull=False)
        return queryset
