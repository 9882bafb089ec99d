import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.nationalid import format_id, mask
from core.tables import thai_ordering
from core.thaidate import format_thai_date
from volunteers.models import Course, Service, Volunteer


class ThaiDateColumn(tables.Column):
    def render(self, value):
        return format_thai_date(value)


class VolunteerTable(tables.Table):
    national_id = tables.Column(_("เลขประจำตัวประชาชน"), orderable=False)
    name = tables.Column(
        _("ชื่อ-นามสกุล"), accessor="first_name", order_by=("first_name", "last_name")
    )
    province = tables.Column(_("จังหวัด"), accessor="province__name", orderable=False)

    order_name = thai_ordering("first_name", "last_name")
    district = tables.Column(_("อำเภอ/เขต"), orderable=False)
    kind = tables.Column(_("ประเภท"), orderable=False)
    status = tables.Column(_("สถานะ"))
    training_path = tables.Column(_("วิธีการอบรม"), orderable=False)
    registration_number = tables.Column(_("เลขทะเบียน"), orderable=False)
    card_expires_on = ThaiDateColumn(_("บัตรหมดอายุ"))

    class Meta:
        model = Volunteer
        fields = ()
        sequence = (
            "national_id",
            "name",
            "province",
            "district",
            "kind",
            "status",
            "training_path",
            "registration_number",
            "card_expires_on",
        )
        attrs = {"class": "table table-sm table-hover bg-white"}
        order_by = "-id"

    def __init__(self, *args, show_ids=False, **kwargs):
        self.show_ids = show_ids
        super().__init__(*args, **kwargs)

    def render_national_id(self, value):
        return format_id(value) if self.show_ids else mask(value)

    def value_national_id(self, value):
        return format_id(value) if self.show_ids else mask(value)

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.full_name)

    def value_name(self, record):
        return record.full_name

    def render_kind(self, record):
        return record.get_kind_display()

    def render_status(self, record):
        return record.get_status_display()

    def render_training_path(self, record):
        return record.get_training_path_display()


class CourseTable(tables.Table):
    # The course's number: what a training-results upload names the course by (course_id).
    id = tables.Column(_("เลขที่"))
    title = tables.Column(_("หลักสูตร/รุ่น"))
    kind = tables.Column(_("วิธีการ"))
    province = tables.Column(_("จังหวัด"), accessor="province__name", orderable=False)
    start_date = ThaiDateColumn(_("วันเริ่ม"))
    end_date = ThaiDateColumn(_("วันสิ้นสุด"))
    hours = tables.Column(_("ชั่วโมง"))
    place = tables.Column(_("สถานที่"), orderable=False)

    class Meta:
        model = Course
        fields = ()
        sequence = ("id", "title", "kind", "province", "start_date", "end_date", "hours", "place")
        attrs = {"class": "table table-sm table-hover bg-white"}

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.title)

    def value_title(self, record):
        return record.title

    def render_kind(self, record):
        return record.get_kind_display()


class ServiceTable(tables.Table):
    date = ThaiDateColumn(_("วันที่"))
    volunteer = tables.Column(_("อพม."), accessor="volunteer__first_name", orderable=False)
    # Not shown on the page; in exports, masked unless the role needs it.
    national_id = tables.Column(
        _("เลขประจำตัวประชาชน อพม."), accessor="volunteer__national_id", visible=False
    )
    province = tables.Column(_("จังหวัด"), accessor="province__name", orderable=False)
    service_type = tables.Column(_("ประเภทบริการ"))
    target_group = tables.Column(_("กลุ่มเป้าหมาย"))
    people_served = tables.Column(_("จำนวนคน"))
    area = tables.Column(_("พื้นที่"), orderable=False)

    class Meta:
        model = Service
        fields = ()
        sequence = (
            "date",
            "volunteer",
            "national_id",
            "province",
            "service_type",
            "target_group",
            "people_served",
            "area",
        )
        attrs = {"class": "table table-sm table-hover bg-white"}
        order_by = "-date"

    def __init__(self, *args, show_ids=False, **kwargs):
        self.show_ids = show_ids
        super().__init__(*args, **kwargs)

    def render_volunteer(self, record):
        v = record.volunteer
        return format_html('<a href="{}">{}</a>', v.get_absolute_url(), v.full_name)

    def value_volunteer(self, record):
        return record.volunteer.full_name

    def value_national_id(self, value):
        return format_id(value) if self.show_ids else mask(value)

    def render_service_type(self, record):
        return record.get_service_type_display()

    def render_target_group(self, record):
        return record.get_target_group_display()
