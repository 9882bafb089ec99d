from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from shelters.models import Assessment, Facility, FacilityStaff, IrpItem, Resident


@admin.register(Facility)
class FacilityAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "province", "is_demo"]
    list_filter = ["kind", "is_demo"]
    search_fields = ["code", "name"]


@admin.register(FacilityStaff)
class FacilityStaffAdmin(SimpleHistoryAdmin):
    list_display = ["user", "facility"]
    list_select_related = ["user", "facility"]
    autocomplete_fields = ["facility"]
    raw_id_fields = ["user"]


class AssessmentInline(admin.TabularInline):
    model = Assessment
    fields = ["assessed_on", "percent", "assessor"]
    extra = 0
    show_change_link = True


@admin.register(Resident)
class ResidentAdmin(SimpleHistoryAdmin):
    list_display = ["case_number", "full_name", "facility", "target_group", "admitted_on"]
    list_filter = ["facility", "target_group", "discharge_reason"]
    list_select_related = ["facility"]
    search_fields = ["case_number", "full_name", "national_id"]
    date_hierarchy = "admitted_on"
    inlines = [AssessmentInline]

    # Deleting a resident deletes their assessments first, then the resident. Every other writer
    # locks the resident before its assessments (the forms FOR UPDATE; the summary's triggers,
    # shelters/latest.py, FOR SHARE): lock the residents first here too, in id order, or a delete
    # meeting an import or a correction of the same resident deadlocks.
    @staticmethod
    def _lock(ids) -> None:
        list(Resident.objects.select_for_update().filter(pk__in=ids).order_by("pk").values("pk"))

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._lock([obj.pk])
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            self._lock(list(queryset.values_list("pk", flat=True)))
            super().delete_queryset(request, queryset)


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["resident", "assessed_on", "percent", "assessor"]
    list_select_related = ["resident"]
    raw_id_fields = ["resident", "recorded_by"]
    date_hierarchy = "assessed_on"
    search_fields = ["resident__case_number", "resident__full_name"]


@admin.register(IrpItem)
class IrpItemAdmin(SimpleHistoryAdmin):
    """The 14 items are fixed by the form (the percent is the sum over 140): texts and domains
    change, items are neither added nor removed. Admins without /admin/ use /shelters/irp-items/."""

    list_display = ["number", "domain", "text"]
    readonly_fields = ["number"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        # An edit form opened in the app before this save is then refused, not saved over it.
        obj.version += 1
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False
