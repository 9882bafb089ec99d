"""Reporting rounds (issue 15): what the department reported, frozen.

- :class:`Round`: a reporting round of an indicator set (name, the as-of date it covers, the due
  date), open or closed, with its history (a reopen's reason is the history's change reason).
- :class:`Narrative`: an indicator's narrative for a round, written by its owners (draft, then
  submitted), with the approved evidence it cites.
- :class:`Snapshot` and :class:`SnapshotIndicator`: what closing a round froze, one snapshot per
  closing (a reopened and closed-again round keeps the old one, superseded), one row per indicator.
  A closed round's pages read these rows and never recompute. The fields are described in
  docs/reporting.md (the report per round is built from them).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from indicators.models import Evidence, Indicator, IndicatorSet

# Exact figures: percentages and scores are kept with 12 decimals (15 significant digits for
# values up to 999, which SQLite's decimal converter keeps too); pages round them half-up to two.
# (max_digits=24, decimal_places=12); counts (numerator, denominator) with 2 decimals, as typed
# manual results may have them.


class RoundState(models.TextChoices):
    OPEN = "open", _("เปิดรับรายงาน")
    CLOSED = "closed", _("ปิดรอบแล้ว")


class RoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=RoundState.OPEN)

    def closed(self):
        return self.filter(state=RoundState.CLOSED)


class Round(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("ชุดตัวชี้วัด")
    )
    name = models.CharField(_("ชื่อรอบ"), max_length=100)
    as_of = models.DateField(_("ข้อมูล ณ วันที่"))
    due_on = models.DateField(_("กำหนดส่ง"))
    state = models.CharField(
        _("สถานะ"), max_length=16, choices=RoundState.choices, default=RoundState.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้ปิดรอบ"),
    )  # fmt: skip
    closed_at = models.DateTimeField(_("ปิดรอบเมื่อ"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("ผู้กำหนดรอบ"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("กำหนดเมื่อ"), auto_now_add=True)
    # Moved on by every save (edit, close, reopen): a form opened before is refused as stale.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["indicator_set", "as_of", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "as_of"],
                name="reporting_one_round_per_date",
                violation_error_message=_("ชุดตัวชี้วัดนี้มีรอบที่ข้อมูล ณ วันที่นี้แล้ว"),
            ),
            models.UniqueConstraint(
                fields=["indicator_set", "name"],
                name="reporting_round_name_unique",
                violation_error_message=_("ชุดตัวชี้วัดนี้มีรอบชื่อนี้แล้ว"),
            ),
        ]
        verbose_name = _("รอบการรายงาน")
        verbose_name_plural = _("รอบการรายงาน")

    def __str__(self) -> str:
        return f"{self.name} ({self.indicator_set.fiscal_year})"

    @property
    def is_open(self) -> bool:
        return self.state == RoundState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == RoundState.CLOSED


class NarrativeStatus(models.TextChoices):
    DRAFT = "draft", _("ร่าง")
    SUBMITTED = "submitted", _("ส่งแล้ว")


class Narrative(models.Model):
    """An indicator's narrative for a round: the result in words, supporting factors, obstacles,
    what will be done about them, and the approved evidence it cites."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="narratives", verbose_name=_("รอบ")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="narratives", verbose_name=_("ตัวชี้วัด")
    )
    result_text = models.TextField(_("ผลการดำเนินงาน"), blank=True)
    supporting_factors = models.TextField(_("ปัจจัยสนับสนุน"), blank=True)
    obstacles = models.TextField(_("ปัญหาอุปสรรค"), blank=True)
    actions = models.TextField(_("แนวทางแก้ไขปัญหาอุปสรรค"), blank=True)
    evidence = models.ManyToManyField(
        Evidence, blank=True, related_name="+", verbose_name=_("หลักฐานอ้างอิง")
    )
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=NarrativeStatus.choices, default=NarrativeStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ผู้เขียน"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("เขียนเมื่อ"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ผู้แก้ไขล่าสุด"),
    )  # fmt: skip
    updated_at = models.DateTimeField(_("แก้ไขล่าสุดเมื่อ"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้ส่ง"),
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("ส่งเมื่อ"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(m2m_fields=[evidence], excluded_fields=["version"])

    class Meta:
        ordering = ["round", "indicator__sort_order", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "indicator"], name="reporting_one_narrative_per_round"
            )
        ]
        verbose_name = _("คำบรรยายผลการดำเนินงาน")
        verbose_name_plural = _("คำบรรยายผลการดำเนินงาน")

    def __str__(self) -> str:
        return f"{self.round.name}: {self.indicator.code}"

    @property
    def is_submitted(self) -> bool:
        return self.status == NarrativeStatus.SUBMITTED


class Snapshot(models.Model):
    """What one closing of a round froze. The current one has no ``superseded_at``; reopening
    the round supersedes it (who, when, why) and closing again writes the next ``number``."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("รอบ")
    )
    number = models.PositiveIntegerField(_("ครั้งที่ปิด"))
    fiscal_year = models.PositiveIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    agency_name = models.CharField(_("ส่วนราชการ"), max_length=255)
    round_name = models.CharField(_("ชื่อรอบ"), max_length=100)
    as_of = models.DateField(_("ข้อมูล ณ วันที่"))
    due_on = models.DateField(_("กำหนดส่ง"))
    scoring_rule = models.CharField(_("เกณฑ์การคิดคะแนน"), max_length=16)
    points = models.JSONField(_("คะแนนตามระดับ"), default=list)
    total = models.DecimalField(_("คะแนนรวม"), max_digits=24, decimal_places=12)
    total_level = models.PositiveSmallIntegerField(_("ระดับของคะแนนรวม"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ผู้ปิดรอบ"),
    )  # fmt: skip
    closed_by_name = models.CharField(_("ชื่อผู้ปิดรอบ"), max_length=300)
    closed_at = models.DateTimeField(_("ปิดรอบเมื่อ"))
    elapsed_ms = models.PositiveIntegerField(_("เวลาที่ใช้ (มิลลิวินาที)"), default=0)
    superseded_at = models.DateTimeField(_("ยกเลิกเมื่อ"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("ผู้เปิดรอบใหม่"),
    )  # fmt: skip
    superseded_reason = models.CharField(_("เหตุผลที่เปิดรอบใหม่"), max_length=100, blank=True)

    class Meta:
        ordering = ["round", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="reporting_snapshot_number"),
            models.UniqueConstraint(
                fields=["round"],
                condition=Q(superseded_at__isnull=True),
                name="reporting_one_current_snapshot",
            ),
        ]
        verbose_name = _("ผลที่บันทึกไว้เมื่อปิดรอบ")
        verbose_name_plural = _("ผลที่บันทึกไว้เมื่อปิดรอบ")

    def __str__(self) -> str:
        return f"{self.round_name} #{self.number}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class SnapshotIndicator(models.Model):
    """One indicator as a snapshot froze it (field by field in docs/reporting.md)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="rows")
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(_("ลำดับ"))
    code = models.CharField(_("ลำดับตัวชี้วัด"), max_length=16)
    name = models.TextField(_("ชื่อตัวชี้วัด"))
    short_name = models.CharField(_("ชื่อย่อ"), max_length=255, blank=True)
    kind = models.CharField(_("ประเภท"), max_length=16)
    parent_code = models.CharField(_("ภายใต้"), max_length=16, blank=True)
    weight = models.DecimalField(_("น้ำหนัก"), max_digits=5, decimal_places=2)
    unit = models.CharField(_("หน่วย"), max_length=32, blank=True)
    computation = models.CharField(_("การคำนวณจากระบบ"), max_length=64, blank=True)
    source = models.CharField(_("ที่มาของผล"), max_length=16, blank=True)
    numerator = models.DecimalField(
        _("ตัวตั้ง"), null=True, blank=True, max_digits=16, decimal_places=2
    )
    denominator = models.DecimalField(
        _("ตัวหาร"), null=True, blank=True, max_digits=16, decimal_places=2
    )
    value = models.DecimalField(
        _("ผล (ร้อยละ)"), null=True, blank=True, max_digits=24, decimal_places=12
    )
    level = models.PositiveSmallIntegerField(_("ระดับ"), null=True, blank=True)
    score = models.DecimalField(_("คะแนน"), null=True, blank=True, max_digits=24, decimal_places=12)
    weighted_score = models.DecimalField(
        _("คะแนนถ่วงน้ำหนัก"), null=True, blank=True, max_digits=24, decimal_places=12
    )
    detail_url = models.CharField(_("หน้ารายละเอียด"), max_length=500, blank=True)
    targets = models.JSONField(_("ค่าเป้าหมายที่ใช้"), default=list)
    breakdown = models.JSONField(_("รายละเอียดของผล"), default=list)
    units = models.JSONField(_("ผลรายหน่วยงาน/รายจังหวัด"), default=dict)
    deliverables = models.JSONField(_("ผลผลิตตามระดับ"), default=list)
    evidence = models.JSONField(_("หลักฐานที่ได้รับอนุมัติ"), default=list)
    narrative = models.JSONField(_("คำบรรยาย"), null=True, blank=True)

    class Meta:
        ordering = ["snapshot", "position"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "code"], name="reporting_snapshot_code")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.code}"

    @property
    def depth(self) -> int:
        return 1 if self.parent_code else 0
