"""The ministry's data catalog (บัญชีข้อมูลกลาง, KPI 3.1): its databases, their owners, and their
link to the ministry's central data centre and to external agencies."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.collation import thai_order


class Agency(models.TextChoices):
    """The owner agencies of the document's table (หน่วยงานเจ้าของข้อมูล)."""

    OPS = "สป.", _("สำนักงานปลัดกระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์ (สป.)")
    DCY = "คย.", _("กรมกิจการเด็กและเยาวชน (คย.)")
    DWF = "สค.", _("กรมกิจการสตรีและสถาบันครอบครัว (สค.)")
    DSDW = "พส.", _("กรมพัฒนาสังคมและสวัสดิการ (พส.)")
    DEP = "พท.", _("กรมส่งเสริมและพัฒนาคุณภาพชีวิตคนพิการ (พท.)")
    DOP = "ผส.", _("กรมกิจการผู้สูงอายุ (ผส.)")
    ALL = "ทุกส่วนราชการ", _("ทุกส่วนราชการในสังกัดกระทรวง")


class Frequency(models.TextChoices):
    """Update frequency, each with its term in the Dublin Core frequency vocabulary."""

    CONTINUOUS = "continuous", _("ต่อเนื่อง (Realtime)")
    DAILY = "daily", _("รายวัน")
    WEEKLY = "weekly", _("รายสัปดาห์")
    MONTHLY = "monthly", _("รายเดือน")
    QUARTERLY = "quarterly", _("รายไตรมาส")
    ANNUAL = "annual", _("รายปี")
    IRREGULAR = "irregular", _("ไม่สม่ำเสมอ")


class Access(models.TextChoices):
    PUBLIC = "public", _("เปิดเผยได้")
    RESTRICTED = "restricted", _("ใช้ภายในหน่วยงานรัฐ")
    CONFIDENTIAL = "confidential", _("ปกปิด (มีข้อมูลส่วนบุคคล)")


class ExternalAgency(models.Model):
    """An agency outside the ministry that a database links with (หน่วยงานภายนอก)."""

    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=200, unique=True)
    abbreviation = models.CharField(_("ชื่อย่อ"), max_length=40, blank=True)

    class Meta:
        ordering = [thai_order("name")]
        verbose_name = _("หน่วยงานภายนอก")
        verbose_name_plural = _("หน่วยงานภายนอก")

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name


# What "complete" means for an entry: every descriptive field filled and, when it is linked to
# the central data centre, the date since when. External agencies are not required: not every
# database has one to link with.
COMPLETE = (
    ~Q(description="")
    & ~Q(fields="")
    & ~Q(update_frequency="")
    & ~Q(data_format="")
    & ~Q(access_level="")
    & ~Q(contact="")
    & (Q(linked_to_center=False) | Q(linked_since__isnull=False))
)


class DatasetQuerySet(models.QuerySet):
    def complete(self):
        return self.filter(COMPLETE)


class Dataset(models.Model):
    number = models.PositiveSmallIntegerField(_("ลำดับ"), unique=True)
    title = models.CharField(_("รายการฐานข้อมูล"), max_length=300)
    owner = models.CharField(_("หน่วยงานเจ้าของข้อมูล"), max_length=20, choices=Agency)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    fields = models.TextField(_("รายการข้อมูล (ฟิลด์)"), blank=True, help_text=_("บรรทัดละหนึ่งรายการ"))
    keywords = models.CharField(_("คำสำคัญ"), max_length=300, blank=True, help_text=_("คั่นด้วยจุลภาค"))
    update_frequency = models.CharField(
        _("ความถี่ในการปรับปรุง"), max_length=20, choices=Frequency, blank=True
    )
    data_format = models.CharField(
        _("รูปแบบข้อมูล"), max_length=100, blank=True, help_text=_("เช่น ฐานข้อมูล PostgreSQL, CSV, API")
    )
    access_level = models.CharField(_("ระดับการเข้าถึง"), max_length=20, choices=Access, blank=True)
    contact = models.CharField(_("ผู้ติดต่อ / หน่วยงานที่ดูแล"), max_length=200, blank=True)
    linked_to_center = models.BooleanField(_("เชื่อมโยงกับศูนย์ข้อมูลกลางของกระทรวงแล้ว"), default=False)
    linked_since = models.DateField(_("เชื่อมโยงตั้งแต่"), null=True, blank=True)
    external_agencies = models.ManyToManyField(
        ExternalAgency, blank=True, related_name="datasets", verbose_name=_("หน่วยงานภายนอกที่เชื่อมโยง")
    )
    updated_at = models.DateTimeField(_("ปรับปรุงเมื่อ"), auto_now=True)
    history = HistoricalRecords(m2m_fields=[external_agencies])

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = _("ฐานข้อมูลในบัญชีข้อมูล")
        verbose_name_plural = _("บัญชีข้อมูลกลาง")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("catalog:detail", args=[self.pk])

    @property
    def field_list(self) -> list[str]:
        return [line.strip() for line in self.fields.splitlines() if line.strip()]

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def missing(self) -> list[str]:
        """Labels of what is still to fill in (the same rule as ``COMPLETE``)."""
        names = [
            "description",
            "fields",
            "update_frequency",
            "data_format",
            "access_level",
            "contact",
        ]
        out = [str(self._meta.get_field(n).verbose_name) for n in names if not getattr(self, n)]
        if self.linked_to_center and not self.linked_since:
            out.append(str(self._meta.get_field("linked_since").verbose_name))
        return out
