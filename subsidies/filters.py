import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.forms import ThaiDateField
from core.models import Province
from subsidies.models import Application, Decision, Step, SubsidyType, normalize_reference


class ThaiDateFilter(django_filters.DateFilter):
    """A date filter that takes BE dates (dd/mm/2563) like every form of the project."""

    field_class = ThaiDateField


class ApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("ค้นหา (เลขอ้างอิง ชื่อ)"))
    subsidy_type = django_filters.ChoiceFilter(choices=SubsidyType.choices, label=_("ประเภท"))
    step = django_filters.ChoiceFilter(choices=Step.choices, label=_("ขั้นตอน"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("ผลการพิจารณา"))
    province = django_filters.ModelChoiceFilter(queryset=Province.objects.all(), label=_("จังหวัด"))
    received_from = ThaiDateFilter(
        field_name="received_on", lookup_expr="gte", label=_("รับคำขอตั้งแต่")
    )
    received_to = ThaiDateFilter(field_name="received_on", lookup_expr="lte", label=_("ถึง"))

    class Meta:
        model = Application
        fields = ["q", "subsidy_type", "step", "decision", "province"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reference=normalize_reference(value))
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = (
                "form-select form-select-sm"
                if hasattr(field, "choices")
                else "form-control form-control-sm"
            )
            field.widget.attrs["class"] = css
