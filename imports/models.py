from django.conf import settings
from django.db import models


def upload_to(instance, filename: str) -> str:
    return f"uploads/{instance.kind}/{filename}"


class UploadStatus(models.TextChoices):
    PREVIEWED = "previewed", "ตรวจสอบแล้ว รอยืนยัน"
    APPLIED = "applied", "นำเข้าแล้ว"
    REJECTED = "rejected", "มีข้อผิดพลาด ไม่ได้นำเข้า"
    CANCELLED = "cancelled", "ยกเลิก"


class Upload(models.Model):
    """Every spreadsheet uploaded: who, when, the file itself, what it held and whether it was
    applied. Kept so admins can download it again."""

    kind = models.CharField("ประเภทข้อมูล", max_length=32)
    file = models.FileField("ไฟล์", upload_to=upload_to, max_length=255)
    original_name = models.CharField("ชื่อไฟล์", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="ผู้นำเข้า", null=True, blank=True,
    )  # fmt: skip
    uploaded_at = models.DateTimeField("นำเข้าเมื่อ", auto_now_add=True)
    status = models.CharField(
        "สถานะ", max_length=16, choices=UploadStatus.choices, default=UploadStatus.PREVIEWED
    )
    counts = models.JSONField("จำนวน", default=dict)
    errors = models.JSONField("ข้อผิดพลาด (ไม่เกิน 1,000 รายการ)", default=list, blank=True)
    applied_at = models.DateTimeField("ยืนยันเมื่อ", null=True, blank=True)
    source = models.CharField("ช่องทาง", max_length=16, default="web")

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "การนำเข้าข้อมูล"
        verbose_name_plural = "การนำเข้าข้อมูล"

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"
