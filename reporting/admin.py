from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reporting.models import Narrative, Round, Snapshot


@admin.register(Round)
class RoundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "indicator_set", "as_of", "due_on", "state", "closed_at"]
    list_filter = ["indicator_set", "state"]


@admin.register(Narrative)
class NarrativeAdmin(SimpleHistoryAdmin):
    list_display = ["round", "indicator", "status", "updated_at"]
    list_filter = ["round", "status"]


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Read only: a snapshot is what was reported."""

    list_display = ["round", "number", "closed_by_name", "closed_at", "superseded_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
