"""The audit trail of user administration: who did what to which user, when.

One row per change (a role given, a role taken, a province set, a deactivation, a password
reset…), written by :mod:`accounts.services` in the same transaction as the change. The detail is
the Thai text shown on the user's page; it never holds a password.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATED = "created", _("สร้างผู้ใช้")
    DETAILS = "details", _("แก้ไขข้อมูล")
    ROLE_GIVEN = "role_given", _("ให้บทบาท")
    ROLE_TAKEN = "role_taken", _("ถอนบทบาท")
    PROVINCE_SET = "province_set", _("กำหนดจังหวัด")
    PROVINCE_CLEARED = "province_cleared", _("ยกเลิกจังหวัด")
    FACILITY_SET = "facility_set", _("กำหนดหน่วยงาน")
    FACILITY_CLEARED = "facility_cleared", _("ยกเลิกหน่วยงาน")
    DEACTIVATED = "deactivated", _("ระงับการใช้งาน")
    REACTIVATED = "reactivated", _("เปิดใช้งานอีกครั้ง")
    PASSWORD_SET = "password_set", _("ตั้งรหัสผ่านใหม่")


class AuditEntry(models.Model):
    at = models.DateTimeField(_("เมื่อ"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ผู้ดำเนินการ"),
        help_text=_("ว่าง = คำสั่งของระบบ (เช่น createadmin)"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="account_audit",
        verbose_name=_("ผู้ใช้"),
    )
    action = models.CharField(_("การดำเนินการ"), max_length=24, choices=Action.choices)
    detail = models.CharField(_("รายละเอียด"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("บันทึกการจัดการผู้ใช้")
        verbose_name_plural = _("บันทึกการจัดการผู้ใช้")

    def __str__(self) -> str:
        return f"{self.target} · {self.text}"

    @property
    def text(self) -> str:
        """ "ให้บทบาท ผู้บริหาร", "กำหนดจังหวัด เชียงใหม่", "ระงับการใช้งาน"."""
        label = self.get_action_display()
        return f"{label} {self.detail}".strip()
