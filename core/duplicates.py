"""A national ID that already belongs to a record outside the user's scope.

Staff are told no more than their scope allows: ``OUT_OF_SCOPE_TEXT`` (the number cannot be used
here; the admins will look into it), never whose it is or where. ``report`` records the case for
the admins (``DuplicateReport``) and mails them; the admins' page lists the open reports.
"""

import logging

from django.core.mail import mail_admins

from core.models import DuplicateReport

log = logging.getLogger(__name__)

OUT_OF_SCOPE_TEXT = (
    "เลขประจำตัวประชาชนนี้ใช้บันทึกในหน่วยงานของท่านไม่ได้ ระบบได้แจ้งผู้ดูแลระบบให้ตรวจสอบแล้ว "
    "โปรดตรวจสอบเลขอีกครั้ง หรือติดต่อผู้ดูแลระบบ"
)


def report(kind: str, national_id: str, user, where: str = "") -> DuplicateReport:
    """Record (once per kind, ID and reporter while open) and tell the admins."""
    found, created = DuplicateReport.objects.get_or_create(
        kind=kind, national_id=national_id, reported_by=user, resolved_at__isnull=True,
        defaults={"where": where[:200]},
    )  # fmt: skip
    if created:
        try:
            mail_admins(
                "เลขประจำตัวประชาชนซ้ำข้ามหน่วยงาน",
                f"{found.get_kind_display()}: ผู้ใช้ {user} ({where}) กรอกเลขประจำตัวประชาชนที่มีอยู่แล้ว"
                " นอกขอบเขตของตน โปรดตรวจสอบในหน้า 'เลขประจำตัวซ้ำ' ของระบบ",
                fail_silently=True,
            )
        except Exception:
            log.exception("could not mail the admins about a duplicate ID")
    return found
