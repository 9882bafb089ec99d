from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.models import Profile, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["name", "name_en", "code"]


@admin.register(Profile)
class ProfileAdmin(SimpleHistoryAdmin):
    list_display = ["user", "province", "position"]
    list_filter = ["province"]
