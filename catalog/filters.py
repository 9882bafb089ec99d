import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import COMPLETE, Agency, Dataset


class DatasetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("ค้นหา"))
    owner = django_filters.ChoiceFilter(choices=Agency.choices, label=_("หน่วยงานเจ้าของข้อมูล"))
    linked_to_center = django_filters.BooleanFilter(label=_("เชื่อมโยงศูนย์ข้อมูลกลาง"))
    complete = django_filters.BooleanFilter(method="filter_complete", label=_("ข้อมูลครบถ้วน"))

    class Meta:
        model = Dataset
        fields = ["q", "owner", "linked_to_center"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(keywords__icontains=value)
        )

    def filter_complete(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(COMPLETE) if value else queryset.exclude(COMPLETE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if hasattr(field, "choices") or hasattr(field.widget, "choices")
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
