from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from core.collation import thai_order


def province_scope(queryset, user, field: str = "province"):
    """The one province scope: every row for managers and admins; a provincial officer's own
    province's rows (none without a province); nothing for anyone else. ``field``: the path to
    the row's province ("province", "volunteer__province"; "" for Province itself)."""
    from core.roles import ADMIN, MANAGER, PROVINCIAL_OFFICER, has_role

    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if has_role(user, ADMIN, MANAGER):
        return queryset
    if has_role(user, PROVINCIAL_OFFICER):
        province = province_of(user)
        if province is None:
            return queryset.none()
        return queryset.filter(**{f"{field}_id" if field else "pk": province.pk})
    return queryset.none()


class ProvinceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The provinces whose records the user sees (``province_scope``)."""
        return province_scope(self, user, "")


class Province(models.Model):
    """One of Thailand's 77 provinces (code as in TIS 1099, e.g. 10 = Bangkok)."""

    code = models.CharField(gettext_lazy("รหัสจังหวัด"), max_length=2, unique=True)
    name = models.CharField(gettext_lazy("ชื่อจังหวัด"), max_length=64, unique=True)
    name_en = models.CharField(gettext_lazy("ชื่อภาษาอังกฤษ"), max_length=64)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        # Thai dictionary order (เชียงใหม่ under ช), the same on PostgreSQL and SQLite.
        ordering = [thai_order("name")]
        verbose_name = gettext_lazy("จังหวัด")
        verbose_name_plural = gettext_lazy("จังหวัด")

    def __str__(self) -> str:
        # pages follow the language; data exports and documents name the province in Thai
        # (they use ``name``, or render under translation.override("th"))
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Profile(models.Model):
    """What a user's role is scoped to beyond the facility: the province of a พมจ. officer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    province = models.ForeignKey(
        Province,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=gettext_lazy("จังหวัด"),
    )
    position = models.CharField(gettext_lazy("ตำแหน่ง"), max_length=128, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = gettext_lazy("ข้อมูลผู้ใช้")
        verbose_name_plural = gettext_lazy("ข้อมูลผู้ใช้")

    def __str__(self) -> str:
        return f"{self.user} ({self.province or '-'})"


def province_of(user) -> Province | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.province if profile else None


class Submission(models.Model):
    """One row per form submission that made a record (core.once): a second arrival of the
    same submission (a double click, a resent POST, a retry) finds its token taken."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = gettext_lazy("การส่งแบบฟอร์ม")
        verbose_name_plural = gettext_lazy("การส่งแบบฟอร์ม")

    def __str__(self) -> str:
        return str(self.token)


class DuplicateReport(models.Model):
    """A national ID typed by staff that already belongs to a record outside their scope (a
    resident of another facility, a volunteer of another province). The staff member is told
    only that the number cannot be used and that the admins will look at it; the admins see
    these reports and resolve them (core.duplicates)."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", gettext_lazy("ผู้รับบริการ")
        VOLUNTEER = "volunteer", gettext_lazy("อพม.")

    kind = models.CharField(gettext_lazy("ประเภท"), max_length=16, choices=Kind.choices)
    national_id = models.CharField(gettext_lazy("เลขประจำตัวประชาชน"), max_length=13)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=gettext_lazy("ผู้พบ"),
    )  # fmt: skip
    where = models.CharField(gettext_lazy("หน่วยงาน/จังหวัดของผู้พบ"), max_length=200, blank=True)
    created_at = models.DateTimeField(gettext_lazy("เมื่อ"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=gettext_lazy("ผู้ดำเนินการ"),
    )  # fmt: skip
    resolved_at = models.DateTimeField(gettext_lazy("ดำเนินการเมื่อ"), null=True, blank=True)
    resolution = models.TextField(gettext_lazy("ผลการดำเนินการ"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = gettext_lazy("เลขประจำตัวซ้ำข้ามหน่วยงาน")
        verbose_name_plural = gettext_lazy("เลขประจำตัวซ้ำข้ามหน่วยงาน")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d}"
