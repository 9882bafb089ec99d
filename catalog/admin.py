from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from catalog.models import Dataset, ExternalAgency


@admin.register(Dataset)
class DatasetAdmin(SimpleHistoryAdmin):
    list_display = [
        "number",
        "title",
        "owner",
        "update_frequency",
        "linked_to_center",
        "linked_since",
    ]
    list_filter = ["owner", "linked_to_center", "update_frequency", "access_level"]
    search_fields = ["title", "description", "keywords"]
    filter_horizontal = ["external_agencies"]


@admin.register(ExternalAgency)
class ExternalAgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation"]
    search_fields = ["name", "abbreviation"]
