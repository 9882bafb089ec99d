import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.nationalid import format_id, mask
from core.tables import thai_ordering
from core.thaidate import format_thai_date
from subsidies.models import Application


class ApplicationTable(tables.Table):
    reference = tables.Column(_("เลขอ้างอิง"), linkify=True)
    name = tables.Column(_("ชื่อ-สกุล"), empty_values=(), order_by=("first_name", "last_name"))
    national_id = tables.Column(_("เลขประจำตัวประชาชน"))
    province = tables.Column(_("จังหวัด"), accessor="province__name")
    subsidy_type = tables.Column(_("ประเภท"))
    amount_requested = tables.Column(_("จำนวนเงิน (บาท)"), attrs={"td": {"class": "text-end"}})

    order_name = thai_ordering("first_name", "last_name")
    order_province = thai_ordering("province__name")
    received_on = tables.Column(_("รับคำขอ"))
    step = tables.Column(_("ขั้นตอน"))

    class Meta:
        model = Application
        fields = ()
        sequence = (
            "reference", "name", "national_id", "province", "subsidy_type",
            "amount_requested", "received_on", "step",
        )  # fmt: skip
        attrs = {"class": "table table-sm table-hover bg-white align-middle"}
        per_page = 50
        empty_text = _("ไม่พบคำขอ")

    def __init__(self, *args, show_full_id=False, **kwargs):
        self.show_full_id = show_full_id
        super().__init__(*args, **kwargs)

    def render_reference(self, record):
        demo = (
            format_html(' <span class="badge text-bg-warning">{}</span>', gettext("ตัวอย่าง"))
            if record.is_demo
            else ""
        )
        return format_html("<code>{}</code>{}", record.formatted_reference, demo)

    def value_reference(self, record):
        return record.formatted_reference

    def render_name(self, record):
        return f"{record.first_name} {record.last_name}"

    def render_national_id(self, value):
        return format_id(value) if self.show_full_id else mask(value)

    def value_national_id(self, value):
        return format_id(value) if self.show_full_id else mask(value)

    def render_amount_requested(self, value):
        return f"{value:,.2f}"

    def value_amount_requested(self, value):
        return value

    def value_step(self, record):
        text = f"{record.step}. {record.get_step_display()}"
        return f"{text} ({record.get_decision_display()})" if record.decision else text

    def render_received_on(self, value):
        return format_thai_date(value)

    def render_step(self, record):
        text = f"{record.step}. {record.get_step_display()}"
        if record.decision:
            badge = "success" if record.decision == "approved" else "danger"
            return format_html(
                '{} <span class="badge text-bg-{}">{}</span>',
                text,
                badge,
                record.get_decision_display(),
            )
        return text
