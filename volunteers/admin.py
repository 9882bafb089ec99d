from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from volunteers.models import (
    Counter,
    Course,
    Enrolment,
    LessonCompletion,
    Plan,
    PlanTarget,
    Service,
    Specialty,
    Volunteer,
    VolunteerSpecialty,
)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "sort_order"]
    search_fields = ["name"]


class VolunteerSpecialtyInline(admin.TabularInline):
    model = VolunteerSpecialty
    extra = 0
    autocomplete_fields = ["specialty"]


@admin.register(Volunteer)
class VolunteerAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "province", "kind", "status", "registration_number", "is_demo"]
    list_filter = ["kind", "status", "training_path", "is_demo"]
    search_fields = ["national_id", "first_name", "last_name", "registration_number"]
    list_select_related = ["province"]
    show_full_result_count = False
    readonly_fields = [
        "training_path",
        "trained_on",
        "certificate_number",
        "registration_number",
        "registered_on",
        "card_number",
        "card_issued_on",
        "card_expires_on",
    ]
    raw_id_fields = ["province"]
    inlines = [VolunteerSpecialtyInline]


class LessonInline(admin.TabularInline):
    model = LessonCompletion
    extra = 0


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "kind", "province", "start_date", "end_date", "hours"]
    list_filter = ["kind"]


@admin.register(Enrolment)
class EnrolmentAdmin(SimpleHistoryAdmin):
    list_display = ["volunteer", "course", "hours_attended", "test_passed", "passed"]
    raw_id_fields = ["volunteer", "course"]
    readonly_fields = ["passed", "reason", "decided_on"]
    inlines = [LessonInline]


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = [
        "date",
        "volunteer",
        "province",
        "service_type",
        "target_group",
        "people_served",
    ]
    list_filter = ["service_type", "target_group"]
    raw_id_fields = ["volunteer", "province", "created_by"]
    show_full_result_count = False


class PlanTargetInline(admin.TabularInline):
    model = PlanTarget
    extra = 0


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "first_year", "last_year", "approved_on", "is_demo"]
    inlines = [PlanTargetInline]


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ["name", "value"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
