import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.nationalid import format_id, mask
from core.thaidate import format_thai_date
from shelters.models import Resident
from shelters.permissions import sees_full_national_id

GROUP_BADGES = {"A": "text-bg-success", "B": "text-bg-warning", "C": "text-bg-danger"}


def group_badge(group: str | None, percent=None) -> str:
    if not group:
        return format_html('<span class="text-muted">{}</span>', _("ยังไม่ประเมิน"))
    pct = f" {percent:.2f}" if percent is not None else ""
    return format_html(
        '<span class="badge {}">{}</span><span class="small">{}</span>',
        GROUP_BADGES[group],
        group,
        pct,
    )


# The columns whose sorting reads the latest assessment (``Resident.objects.with_latest()``).
LATEST_COLUMNS = frozenset({"current_group", "latest_on"})


def uses_latest(params, sort_field: str = "sort") -> bool:
    """Whether the list's query string filters or sorts by the latest assessment."""
    if params.get("group"):
        return True
    sort = params.get(sort_field) or ""
    return any(name.strip().lstrip("-") in LATEST_COLUMNS for name in sort.split(","))


class ResidentTable(tables.Table):
    case_number = tables.Column(_("เลขทะเบียน"), linkify=False)
    full_name = tables.Column(_("ชื่อ-นามสกุล"))
    facility = tables.Column(_("หน่วยงาน"), accessor="facility__code", order_by=("facility__code",))
    national_id = tables.Column(_("เลขประจำตัวประชาชน"), orderable=False)
    target_group = tables.Column(_("กลุ่มเป้าหมาย"))
    admitted_on = tables.Column(_("วันที่รับเข้า"))
    current_group = tables.Column(
        _("กลุ่มล่าสุด"), accessor="current_group", order_by=("latest_percent",)
    )
    latest_on = tables.Column(_("ประเมินล่าสุด"), accessor="latest_on")
    discharged_on = tables.Column(_("จำหน่าย"))
    # Not shown on the page (it sits under the discharge date there); a column of its own in exports.
    discharge_reason = tables.Column(_("เหตุที่จำหน่าย"), visible=False)

    class Meta:
        model = Resident
        fields = ()
        sequence = (
            "case_number",
            "full_name",
            "facility",
            "national_id",
            "target_group",
            "admitted_on",
            "current_group",
            "latest_on",
            "discharged_on",
            "discharge_reason",
        )
        attrs = {"class": "table table-sm table-hover bg-white align-middle"}
        empty_text = _("ไม่พบผู้รับบริการ")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def render_case_number(self, record, value):
        url = reverse("shelters:resident-detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_facility(self, record, value):
        return format_html('<span title="{}">{}</span>', record.facility.name, value)

    def render_national_id(self, record, value):
        if not value:
            return "–"
        if sees_full_national_id(self.user, record.facility_id):
            return format_id(value)
        return mask(value)

    def value_national_id(self, record, value):
        return self.render_national_id(record, value)

    def render_target_group(self, record):
        return record.get_target_group_display()

    def render_admitted_on(self, value):
        return format_thai_date(value)

    def render_latest_on(self, value):
        return format_thai_date(value)

    def render_current_group(self, record, value):
        return group_badge(value, record.latest_percent)

    def value_current_group(self, value):
        return value or ""

    def render_discharged_on(self, record, value):
        return format_html(
            '{}<div class="small text-muted">{}</div>',
            format_thai_date(value),
            record.get_discharge_reason_display(),
        )

    def value_discharged_on(self, value):
        return value
