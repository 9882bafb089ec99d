"""Indicator sets per agency and fiscal year, their indicators, targets, baselines, deliverables,
evidence and manually entered results."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import ADMIN, APPROVER, has_role


class ScoringRule(models.TextChoices):
    LINEAR = "linear", _("เทียบบัญญัติไตรยางศ์ระหว่างระดับ (linear)")
    STEP = "step", _("ขั้นบันได (step)")


class IndicatorSet(models.Model):
    agency_code = models.CharField(_("รหัสส่วนราชการ"), max_length=16, default="พส.")
    agency_name = models.CharField(_("ส่วนราชการ"), max_length=255, default="กรมพัฒนาสังคมและสวัสดิการ")
    fiscal_year = models.PositiveIntegerField(
        _("ปีงบประมาณ (พ.ศ.)"), validators=[MinValueValidator(2500)]
    )
    title = models.CharField(_("ชื่อชุดตัวชี้วัด"), max_length=255, blank=True)
    scoring_rule = models.CharField(
        _("เกณฑ์การคิดคะแนน"), max_length=16, choices=ScoringRule.choices, default=ScoringRule.LINEAR
    )
    points_min = models.DecimalField(
        _("คะแนนเป้าหมายขั้นต่ำ"), max_digits=5, decimal_places=2, default=50
    )
    points_std = models.DecimalField(
        _("คะแนนเป้าหมายมาตรฐาน"), max_digits=5, decimal_places=2, default=75
    )
    points_max = models.DecimalField(
        _("คะแนนเป้าหมายขั้นสูง"), max_digits=5, decimal_places=2, default=100
    )
    source_note = models.TextField(_("ที่มา"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-fiscal_year", "agency_code"]
        constraints = [
            models.UniqueConstraint(fields=["agency_code", "fiscal_year"], name="one_set_per_year")
        ]
        verbose_name = _("ชุดตัวชี้วัด")
        verbose_name_plural = _("ชุดตัวชี้วัด")

    def __str__(self) -> str:
        return _("%(agency_code)s ปีงบประมาณ %(fiscal_year)s") % {
            "agency_code": self.agency_code,
            "fiscal_year": self.fiscal_year,
        }

    @property
    def points(self) -> tuple[Decimal, Decimal, Decimal]:
        return (self.points_min, self.points_std, self.points_max)


class IndicatorKind(models.TextChoices):
    GROUP = "group", _("กลุ่มตัวชี้วัด")
    RATIO = "ratio", _("ร้อยละ (คำนวณจากข้อมูล)")
    MILESTONE = "milestone", _("ขั้นความสำเร็จ (milestone)")


class Level(models.IntegerChoices):
    MIN = 1, _("เป้าหมายขั้นต่ำ")
    STD = 2, _("เป้าหมายมาตรฐาน")
    MAX = 3, _("เป้าหมายขั้นสูง")


# The targets' names, in level order (the one home: pages, dashboard and report use these).
TARGET_LABELS = tuple(label for _value, label in Level.choices)
# The level a result reached, named short (the level badge, the dashboard, the KPI report); 0 is
# below the minimum. The one home of these names.
LEVEL_NAMES = {0: _("ต่ำกว่าขั้นต่ำ"), 1: _("ขั้นต่ำ"), 2: _("มาตรฐาน"), 3: _("ขั้นสูง")}


class IndicatorQuerySet(models.QuerySet):
    def for_dashboard(self):
        """Every indicator of a set with what the dashboard and scoring need, in one query."""
        return self.select_related("parent").order_by("sort_order", "code")


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("ชุด")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    code = models.CharField(_("ลำดับ"), max_length=16)
    sort_order = models.PositiveIntegerField(_("ลำดับการแสดง"), default=0)
    name = models.TextField(_("ชื่อตัวชี้วัด"))
    short_name = models.CharField(_("ชื่อย่อ"), max_length=255, blank=True)
    name_en = models.CharField(_("ชื่อภาษาอังกฤษ"), max_length=255, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=16, choices=IndicatorKind.choices)
    weight = models.DecimalField(_("น้ำหนัก (ร้อยละ)"), max_digits=5, decimal_places=2)
    is_new = models.BooleanField(_("ตัวชี้วัดใหม่"), default=False)
    components = models.JSONField(_("ความเชื่อมโยงกับ 5 องค์ประกอบ"), default=list, blank=True)
    link_master_plan = models.BooleanField(_("แผนแม่บทฯ"), default=False)
    link_plan12 = models.BooleanField(_("แผนฯ 12"), default=False)
    link_gov_policy = models.BooleanField(_("นโยบายรัฐบาล"), default=False)
    link_other = models.BooleanField(_("อื่นๆ"), default=False)
    description = models.TextField(_("คำอธิบาย"), blank=True)
    formula = models.TextField(_("สูตรคำนวณ"), blank=True)
    baseline_note = models.TextField(_("ข้อมูลพื้นฐาน (หมายเหตุ)"), blank=True)
    conditions = models.TextField(_("เงื่อนไข"), blank=True)
    public_benefit = models.TextField(_("ประโยชน์ที่ประชาชนจะได้รับ"), blank=True)
    unit = models.CharField(_("หน่วย"), max_length=32, default="ร้อยละ", blank=True)
    target_min = models.DecimalField(
        _("เป้าหมายขั้นต่ำ"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_std = models.DecimalField(
        _("เป้าหมายมาตรฐาน"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_max = models.DecimalField(
        _("เป้าหมายขั้นสูง"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_min_note = models.TextField(_("คำอธิบายเป้าหมายขั้นต่ำ"), blank=True)
    target_std_note = models.TextField(_("คำอธิบายเป้าหมายมาตรฐาน"), blank=True)
    target_max_note = models.TextField(_("คำอธิบายเป้าหมายขั้นสูง"), blank=True)
    computation = models.CharField(
        _("การคำนวณจากระบบ"),
        max_length=64,
        blank=True,
        help_text=_("รหัสการคำนวณที่แอปอื่นลงทะเบียนไว้ เช่น shelters.improved"),
    )
    owners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="owned_indicators",
        verbose_name=_("ผู้รับผิดชอบ"),
    )  # fmt: skip
    history = HistoricalRecords(m2m_fields=[owners])

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_set", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["indicator_set", "code"], name="unique_code_in_set")
        ]
        verbose_name = _("ตัวชี้วัด")
        verbose_name_plural = _("ตัวชี้วัด")

    def __str__(self) -> str:
        return f"{self.code} {self.short_name or self.name}"

    @property
    def targets(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        return (self.target_min, self.target_std, self.target_max)


class Baseline(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="baselines")
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    numerator = models.PositiveIntegerField(_("ตัวตั้ง"), null=True, blank=True)
    denominator = models.PositiveIntegerField(_("ตัวหาร"), null=True, blank=True)
    value = models.DecimalField(_("ผล"), max_digits=9, decimal_places=2, null=True, blank=True)
    breakdown = models.JSONField(_("รายละเอียด"), default=dict, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="one_baseline_a_year")
        ]
        verbose_name = _("ข้อมูลพื้นฐาน")
        verbose_name_plural = _("ข้อมูลพื้นฐาน")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.fiscal_year}"


class Deliverable(models.Model):
    """What a milestone indicator needs at a level. ``computed_key`` names a fact that a domain
    app's computation decides (e.g. the volunteer plan achieved 100 %); otherwise the deliverable
    is met by approved evidence."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="deliverables")
    level = models.PositiveSmallIntegerField(_("ระดับ"), choices=Level.choices)
    sort_order = models.PositiveIntegerField(_("ลำดับ"), default=0)
    title = models.TextField(_("ผลผลิต/หลักฐาน"))
    computed_key = models.CharField(
        _("คำนวณจากระบบ (รหัส)"), max_length=64, blank=True,
        help_text=_("เว้นว่างหากวัดจากหลักฐานที่ได้รับอนุมัติ"),
    )  # fmt: skip
    # The figure a computed deliverable is met at (KPI 3.2: 3,500 citizens), so that a year's
    # set, or a revision, can change it without code.
    threshold = models.PositiveIntegerField(
        _("เกณฑ์ (ตัวเลข)"), null=True, blank=True,
        help_text=_("ตัวเลขที่การคำนวณจากระบบเทียบ เช่น ประชาชน 3,500 ราย"),
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "level", "sort_order", "pk"]
        verbose_name = _("ผลผลิตตามระดับ")
        verbose_name_plural = _("ผลผลิตตามระดับ")

    def __str__(self) -> str:
        return _("%(code)s ระดับ %(level)s: %(title)s") % {
            "code": self.indicator.code,
            "level": self.get_level_display(),
            "title": self.title[:40],
        }


class EvidenceStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    SUBMITTED = "submitted", _("ส่งแล้ว รอพิจารณา")
    APPROVED = "approved", _("อนุมัติแล้ว")
    RETURNED = "returned", _("ส่งกลับแก้ไข")


# Evidence its owners are still preparing (a draft, or one sent back to be fixed): not yet put
# before the approvers, so not for every reader of the indicator pages.
UNRELEASED_EVIDENCE = (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED)


def sees_unreleased_evidence_of_every_indicator(user) -> bool:
    return has_role(user, ADMIN, APPROVER)


class EvidenceQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(status=EvidenceStatus.APPROVED)

    def visible_to(self, user):
        """The one rule for who sees which evidence (its row, its file, its line in a report):
        submitted and approved evidence, to every reader of the indicator pages; drafts and
        returned evidence only to the indicator's owners, the approvers and the admins. Used by
        the indicator page, the file download and the KPI report (page, .xlsx, .pdf)."""
        if sees_unreleased_evidence_of_every_indicator(user):
            return self
        released = ~Q(status__in=UNRELEASED_EVIDENCE)
        if not getattr(user, "is_authenticated", False):
            return self.filter(released)
        owned = Indicator.objects.filter(owners=user).values("pk")
        return self.filter(released | Q(deliverable__indicator__in=owned))


def evidence_upload_to(instance, filename: str) -> str:
    return f"evidence/{instance.deliverable.indicator.indicator_set.fiscal_year}/{filename}"


class Evidence(models.Model):
    deliverable = models.ForeignKey(Deliverable, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("ชื่อหลักฐาน"), max_length=255)
    file = models.FileField(_("ไฟล์"), upload_to=evidence_upload_to, blank=True, max_length=255)
    url = models.URLField(_("ลิงก์"), blank=True, max_length=500)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=EvidenceStatus.choices, default=EvidenceStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("ผู้แนบ")
    )
    created_at = models.DateTimeField(_("แนบเมื่อ"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้ส่ง"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้พิจารณา"),
    )  # fmt: skip
    reviewed_at = models.DateTimeField(_("พิจารณาเมื่อ"), null=True, blank=True)
    review_comment = models.TextField(_("ความเห็นผู้พิจารณา"), blank=True)
    # Bumped by every change (core/versioned.py): an edit or a deletion opened at an older
    # version is refused, never saved over what someone else did in between.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["deliverable", "created_at"]
        verbose_name = _("หลักฐาน")
        verbose_name_plural = _("หลักฐาน")

    def __str__(self) -> str:
        return self.title

    @property
    def file_name(self) -> str:
        """The kept file's own name, without its folder."""
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""

    @property
    def is_changeable(self) -> bool:
        """A draft, or evidence sent back to be fixed: its file and description may be replaced."""
        return self.status in CHANGEABLE_EVIDENCE

    @property
    def is_deletable(self) -> bool:
        """Only a draft is deleted; evidence put before the approvers stays on record."""
        return self.status == EvidenceStatus.DRAFT


# What the indicator's owners may still replace: never what waits for or has had a decision.
CHANGEABLE_EVIDENCE = (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED)


class ManualResultQuerySet(models.QuerySet):
    def latest_per_indicator(self, indicator_ids):
        """The newest manual result of each indicator, in one query."""
        newest = (
            self.filter(indicator_id__in=indicator_ids)
            .values("indicator_id")
            .annotate(last=models.Max("id"))
            .values("last")
        )
        return self.filter(id__in=newest).select_related("entered_by")


class ManualResult(models.Model):
    """A result typed by an indicator owner while no app computes one. Kept, never overwritten."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="manual_results"
    )
    numerator = models.DecimalField(
        _("ตัวตั้ง"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("ตัวหาร"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    as_of = models.DateField(_("ข้อมูล ณ วันที่"))
    note = models.TextField(_("หมายเหตุ"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ผู้บันทึก"),
    )
    entered_at = models.DateTimeField(_("บันทึกเมื่อ"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ManualResultQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "-entered_at"]
        verbose_name = _("ผลการดำเนินงาน (บันทึกเอง)")
        verbose_name_plural = _("ผลการดำเนินงาน (บันทึกเอง)")

    def __str__(self) -> str:
        return f"{self.indicator.code} ({self.as_of})"


def approved_evidence_counts(deliverable_ids) -> dict[int, int]:
    rows = (
        Deliverable.objects.filter(id__in=deliverable_ids)
        .annotate(n=Count("evidence", filter=Q(evidence__status=EvidenceStatus.APPROVED)))
        .values_list("id", "n")
    )
    return dict(rows)


# --- target revisions (issue 15) -----------------------------------------------------------------


class RevisionReason(models.TextChoices):
    """Why a target is revised: the document names the budget received (KPI 2: the plan's
    targets "depend on the budget received") and the month the system opened (KPI 3.2)."""

    BUDGET = "budget", _("งบประมาณที่ได้รับจัดสรร")
    OPENING = "opening", _("เดือนที่เปิดระบบให้ประชาชนใช้งาน")
    POLICY = "policy", _("นโยบายของผู้บริหาร")
    OTHER = "other", _("อื่น ๆ")


def revision_letter_upload_to(instance, filename: str) -> str:
    return f"target-revisions/{instance.indicator.indicator_set.fiscal_year}/{filename}"


class TargetRevisionQuerySet(models.QuerySet):
    def standing(self):
        """The revisions not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def in_force(self, as_of):
        """The standing revisions in force at ``as_of`` (in force from ``effective_from``), in
        the order they apply: a later one overrides what an earlier one set."""
        return self.standing().filter(effective_from__lte=as_of).order_by("effective_from", "pk")


class TargetRevision(models.Model):
    """A revision of an indicator's targets within its set: new figures (a blank one keeps the
    figure in force before), from a date, for a reason, approved by someone on a date, with the
    approval letter. Never edited: a mistaken one is withdrawn (with a reason) and recorded
    again. ``indicators.targets.in_force`` gives the targets in force at a date."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="target_revisions",
        verbose_name=_("ตัวชี้วัด"),
    )  # fmt: skip
    effective_from = models.DateField(_("มีผลตั้งแต่วันที่"))
    target_min = models.DecimalField(
        _("เป้าหมายขั้นต่ำ (ใหม่)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_std = models.DecimalField(
        _("เป้าหมายมาตรฐาน (ใหม่)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_max = models.DecimalField(
        _("เป้าหมายขั้นสูง (ใหม่)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    target_min_note = models.TextField(_("คำอธิบายเป้าหมายขั้นต่ำ (ใหม่)"), blank=True)
    target_std_note = models.TextField(_("คำอธิบายเป้าหมายมาตรฐาน (ใหม่)"), blank=True)
    target_max_note = models.TextField(_("คำอธิบายเป้าหมายขั้นสูง (ใหม่)"), blank=True)
    # A computed deliverable's figure (KPI 3.2: 3,500 citizens) revised with its deliverable.
    deliverable = models.ForeignKey(
        Deliverable, null=True, blank=True, on_delete=models.CASCADE,
        related_name="threshold_revisions", verbose_name=_("ผลผลิตที่ปรับเกณฑ์"),
    )  # fmt: skip
    threshold = models.PositiveIntegerField(_("เกณฑ์ (ตัวเลข) ใหม่"), null=True, blank=True)
    opened_on = models.DateField(
        _("เดือนที่เปิดระบบ"), null=True, blank=True,
        help_text=_("วันแรกของเดือนที่เปิดระบบ เมื่อปรับเกณฑ์ตามเดือนที่เปิดใช้งาน"),
    )  # fmt: skip
    reason = models.CharField(_("เหตุผลที่ปรับ"), max_length=16, choices=RevisionReason.choices)
    reason_text = models.TextField(_("รายละเอียดเหตุผล"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ผู้อนุมัติ"),
    )  # fmt: skip
    approved_on = models.DateField(_("วันที่อนุมัติ"))
    letter = models.FileField(_("หนังสืออนุมัติ"), upload_to=revision_letter_upload_to, max_length=255)
    letter_number = models.CharField(_("เลขที่หนังสือ"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ผู้บันทึก"),
    )  # fmt: skip
    recorded_at = models.DateTimeField(_("บันทึกเมื่อ"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้ยกเลิก"),
    )  # fmt: skip
    withdraw_reason = models.CharField(_("เหตุผลที่ยกเลิก"), max_length=100, blank=True)
    # Moved on by every change (core/versioned.py): a withdrawal opened at an older version is
    # refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = TargetRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "effective_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deliverable__isnull=True, threshold__isnull=True)
                | Q(deliverable__isnull=False, threshold__isnull=False),
                name="revised_threshold_names_its_deliverable",
            )
        ]
        verbose_name = _("การปรับค่าเป้าหมาย")
        verbose_name_plural = _("การปรับค่าเป้าหมาย")

    def __str__(self) -> str:
        from core.thaidate import format_thai_date

        return _("%(code)s ปรับค่าเป้าหมาย มีผล %(date)s") % {
            "code": self.indicator.code,
            "date": format_thai_date(self.effective_from),
        }

    @property
    def targets(self) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
        """The revised figures per level; None keeps the one in force before."""
        return (self.target_min, self.target_std, self.target_max)

    @property
    def notes(self) -> tuple[str, str, str]:
        return (self.target_min_note, self.target_std_note, self.target_max_note)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def letter_name(self) -> str:
        return self.letter.name.rsplit("/", 1)[-1] if self.letter else ""
