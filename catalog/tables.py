import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from catalog.models import Dataset
from core.thaidate import format_thai_date


class DatasetTable(tables.Table):
    number = tables.Column(_("ลำดับ"))
    title = tables.Column(_("รายการฐานข้อมูล"), linkify=True)
    owner = tables.Column(_("เจ้าของข้อมูล"), accessor="owner")
    update_frequency = tables.Column(_("ความถี่"))
    data_format = tables.Column(_("รูปแบบ"))
    linked_to_center = tables.Column(_("ศูนย์ข้อมูลกลาง"), empty_values=())
    # Not shown on the page (it sits in the link status there); a date column of its own in exports.
    linked_since = tables.Column(_("เชื่อมโยงตั้งแต่"), visible=False)
    complete = tables.Column(_("ครบถ้วน"), empty_values=(), orderable=False)

    class Meta:
        model = Dataset
        fields = ()
        sequence = (
            "number",
            "title",
            "owner",
            "update_frequency",
            "data_format",
            "linked_to_center",
            "linked_since",
            "complete",
        )
        attrs = {"class": "table table-sm table-hover bg-white align-middle"}
        per_page = 50
        empty_text = _("ไม่พบรายการ")

    def render_owner(self, value):
        return value

    def render_linked_to_center(self, record):
        if not record.linked_to_center:
            return _("ยังไม่เชื่อมโยง")
        since = format_thai_date(record.linked_since) if record.linked_since else _("ไม่ระบุวันที่")
        return _("เชื่อมโยงแล้ว (%(since)s)") % {"since": since}

    def value_linked_to_center(self, record):
        return _("เชื่อมโยงแล้ว") if record.linked_to_center else _("ยังไม่เชื่อมโยง")

    def render_complete(self, record):
        missing = record.missing
        if not missing:
            return mark_safe('<span class="tick">✓</span>')
        return format_html(
            '<span class="text-muted small">{}</span>',
            _("ขาด: %(fields)s") % {"fields": ", ".join(missing)},
        )

    def value_complete(self, record):
        missing = record.missing
        return _("ครบ") if not missing else _("ขาด: %(fields)s") % {"fields": ", ".join(missing)}
