from django.contrib import admin
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from subsidies.models import Application, LookupThrottle, Rating, StatusCheck, StepEntry


class StepEntryInline(admin.TabularInline):
    model = StepEntry
    extra = 0
    can_delete = False
    fields = ["step", "decision", "acted_on", "officer", "note", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # steps move through the application page, in order


@admin.register(Application)
class ApplicationAdmin(SimpleHistoryAdmin):
    list_display = [
        "reference",
        "first_name",
        "last_name",
        "subsidy_type",
        "province",
        "step",
        "decision",
        "received_on",
        "is_demo",
    ]
    list_filter = ["subsidy_type", "step", "decision", "province", "is_demo"]
    search_fields = ["reference", "first_name", "last_name", "national_id"]
    readonly_fields = [
        "reference",
        "step",
        "decision",
        "step_on",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [StepEntryInline]

    def save_model(self, request, obj, form, change):
        """A change writes only the fields changed in the form (never the step fields, which
        a move may have changed meanwhile) and raises the edit version."""
        if not change:
            return super().save_model(request, obj, form, change)
        fields = [name for name in form.changed_data if name not in self.readonly_fields]
        if fields:
            with transaction.atomic():
                locked = Application.objects.select_for_update().only("version").get(pk=obj.pk)
                obj.version = locked.version + 1
                obj.save(update_fields=[*fields, "version", "updated_at"])
        return None


@admin.register(StepEntry)
class StepEntryAdmin(SimpleHistoryAdmin):
    list_display = ["application", "step", "decision", "acted_on", "officer"]
    list_filter = ["step", "decision"]
    readonly_fields = ["application", "step", "decision", "acted_on", "officer", "recorded_at"]


@admin.register(StatusCheck)
class StatusCheckAdmin(admin.ModelAdmin):
    list_display = ["checked_at", "fiscal_year", "channel", "is_demo"]
    list_filter = ["fiscal_year", "channel", "is_demo"]
    readonly_fields = [
        "citizen_key",
        "checked_at",
        "checked_on",
        "fiscal_year",
        "channel",
        "is_demo",
    ]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["created_at", "score", "comment"]
    list_filter = ["score"]
    readonly_fields = ["check_record", "score", "comment", "created_at"]


@admin.register(LookupThrottle)
class LookupThrottleAdmin(admin.ModelAdmin):
    """Admins may lift a block by deleting the row."""

    list_display = ["key", "failures", "last_failure_at", "blocked_until"]
    readonly_fields = ["key", "failures", "window_started_at", "last_failure_at", "blocked_until"]
