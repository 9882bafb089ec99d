import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.roles import ADMIN, ROLE_LABELS
from core.tables import thai_ordering
from core.templatetags.thai import thaidatetime
from core.thaidate import current_lang, format_thai_date


def role_names(user) -> list[str]:
    """The user's roles in the order of ROLE_LABELS (groups prefetched); superusers are admins."""
    names = {g.name for g in user.groups.all()}
    if user.is_superuser:
        names.add(ADMIN)
    return [r for r in ROLE_LABELS if r in names]


def scope_text(user) -> str:
    parts = []
    profile = getattr(user, "profile", None)
    if profile is not None and profile.province_id:
        province = profile.province
        name = province.name_en if current_lang() == "en" and province.name_en else province.name
        parts.append(_("จังหวัด%(name)s") % {"name": name})
    assignment = getattr(user, "shelter_assignment", None)
    if assignment is not None:
        parts.append(str(assignment.facility))
    return " · ".join(parts)


NOWRAP = {"td": {"class": "text-nowrap"}}


class UserTable(tables.Table):
    username = tables.Column(_("ชื่อผู้ใช้"), attrs=NOWRAP)
    full_name = tables.Column(
        _("ชื่อ-นามสกุล"), accessor="first_name", order_by=("first_name", "last_name")
    )
    roles = tables.Column(_("บทบาท"), accessor="pk", orderable=False)

    order_full_name = thai_ordering("first_name", "last_name")
    scope = tables.Column(_("ขอบเขต"), accessor="pk", orderable=False)
    is_active = tables.Column(_("สถานะ"), attrs=NOWRAP)
    last_login = tables.Column(_("เข้าสู่ระบบล่าสุด"), default="–", attrs=NOWRAP)
    date_joined = tables.Column(_("สร้างเมื่อ"), attrs=NOWRAP)

    class Meta:
        attrs = {"class": "table table-sm table-hover bg-white align-middle"}
        empty_text = _("ไม่พบผู้ใช้")
        order_by = ("username",)

    def render_username(self, record, value):
        url = reverse("accounts:detail", args=[record.username])
        return format_html('<a href="{}">{}</a>', url, value)

    def render_full_name(self, record):
        return record.get_full_name() or "–"

    def value_full_name(self, record):
        return record.get_full_name()

    def render_roles(self, record):
        names = role_names(record)
        if not names:
            return format_html('<span class="text-muted">{}</span>', _("ไม่มีบทบาท"))
        return format_html_join(
            " ",
            '<span class="badge text-bg-light border fw-normal">{}</span>',
            ((gettext(ROLE_LABELS[n]),) for n in names),
        )

    def value_roles(self, record):
        return ", ".join(gettext(ROLE_LABELS[n]) for n in role_names(record))

    def render_scope(self, record):
        return scope_text(record) or "–"

    def value_scope(self, record):
        return scope_text(record)

    def render_is_active(self, value):
        if value:
            return format_html('<span class="badge text-bg-success">{}</span>', _("ใช้งาน"))
        return format_html('<span class="badge text-bg-secondary">{}</span>', _("ระงับการใช้งาน"))

    def value_is_active(self, value):
        return _("ใช้งาน") if value else _("ระงับการใช้งาน")

    def render_last_login(self, value):
        return thaidatetime(value) if value else "–"

    def value_last_login(self, value):
        return value  # a date-and-time cell, in Bangkok time (core.exports)

    def render_date_joined(self, value):
        return format_thai_date(timezone.localdate(value) if value else None)

    def value_date_joined(self, value):
        return timezone.localdate(value) if value else None
