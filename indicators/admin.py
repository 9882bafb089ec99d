from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import (
    Baseline,
    Deliverable,
    Evidence,
    Indicator,
    IndicatorSet,
    ManualResult,
    TargetRevision,
)


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ["code", "name", "kind", "weight", "target_min", "target_std", "target_max"]
    extra = 0


@admin.register(IndicatorSet)
class IndicatorSetAdmin(SimpleHistoryAdmin):
    list_display = ["fiscal_year", "agency_code", "title", "scoring_rule"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "indicator_set", "kind", "weight", "computation"]
    list_filter = ["indicator_set", "kind"]
    filter_horizontal = ["owners"]


admin.site.register(Baseline, SimpleHistoryAdmin)
admin.site.register(Deliverable, SimpleHistoryAdmin)


@admin.register(Evidence)
class EvidenceAdmin(SimpleHistoryAdmin):
    """Evidence put before the approvers stays on record, in the Django admin as in the app
    (``Evidence.is_deletable``): only a draft can be deleted here, and never in bulk."""

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not obj.is_deletable:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


admin.site.register(ManualResult, SimpleHistoryAdmin)


@admin.register(TargetRevision)
class TargetRevisionAdmin(SimpleHistoryAdmin):
    list_display = [
        "indicator",
        "effective_from",
        "reason",
        "approved_by",
        "approved_on",
        "withdrawn_at",
    ]
    list_filter = ["indicator__indicator_set", "reason"]
