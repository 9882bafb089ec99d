import django_filters
from django import forms
from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.roles import ADMIN, ROLE_LABELS

ACTIVE_CHOICES = [("active", _("ใช้งาน")), ("inactive", _("ระงับการใช้งาน"))]
NO_ROLE = "none"


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search",
        label=_("ค้นหา"),
        widget=forms.TextInput(attrs={"placeholder": _("ชื่อผู้ใช้ ชื่อ นามสกุล หรืออีเมล")}),
    )
    role = django_filters.ChoiceFilter(
        choices=[*((r, _(label)) for r, label in ROLE_LABELS.items()), (NO_ROLE, _("ไม่มีบทบาท"))],
        method="filter_role",
        label=_("บทบาท"),
        empty_label=_("ทุกบทบาท"),
    )
    status = django_filters.ChoiceFilter(
        choices=ACTIVE_CHOICES,
        method="filter_status",
        label=_("สถานะ"),
        empty_label=pgettext_lazy("filter", "ทั้งหมด"),
    )

    class Meta:
        model = User
        fields = ["q", "role", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs["class"] = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )

    def search(self, queryset, name, value):
        terms = value.split()
        for term in terms:
            queryset = queryset.filter(
                Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
        return queryset

    def filter_role(self, queryset, name, value):
        if value == NO_ROLE:
            holders = User.objects.filter(groups__name__in=list(ROLE_LABELS)).values("pk")
            return queryset.exclude(pk__in=holders).exclude(is_superuser=True)
        holders = Q(pk__in=User.objects.filter(groups__name=value).values("pk"))
        if value == ADMIN:
            holders |= Q(is_superuser=True)
        return queryset.filter(holders)

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")
