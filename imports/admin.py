from django.contrib import admin

from imports.models import Upload


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["uploaded_at", "kind", "original_name", "uploaded_by", "status", "source"]
    list_filter = ["kind", "status", "source"]
    readonly_fields = [f.name for f in Upload._meta.fields]
