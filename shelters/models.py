"""Facilities, residents and their IRP assessments (SPEC §3).

Scope lives here, once per model: ``visible_to(user)``. Managers and admins see every facility;
facility staff see the facility they are assigned to (``FacilityStaff``); everybody else nothing.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Province
from core.numbers import half_up
from core.roles import FACILITY_STAFF, can_read_everything, has_role

ITEM_COUNT = 14
ITEM_MAX = 10
GROUP_A_MIN = Decimal(80)
GROUP_C_MAX = Decimal(40)
PERCENT_MIN = Decimal(10)
PERCENT_MAX = Decimal(100)

# The IRP form's 14 items in its 4 domains (ด้าน); the item numbers are the form's own. The
# department's document names only the domains and the count of items (SPEC §3): the texts below
# are this project's placeholders, seeded into ``IrpItem`` (migration 0004), where an admin sets
# the form's own wording (/shelters/irp-items/). These serve only if a row is missing.
DOMAINS = [
    ("ด้านร่างกาย", [1, 2, 3, 4]),
    ("ด้านจิตใจ/อารมณ์", [5, 6, 7]),
    ("ด้านสติปัญญา", [8, 9, 10]),
    ("ด้านศักยภาพในการดำรงชีพ", [11, 12, 13, 14]),
]
ITEM_FIELDS = [f"item_{n}" for n in range(1, ITEM_COUNT + 1)]
DEFAULT_ITEM_TEXTS = {
    1: "สุขภาพร่างกายโดยทั่วไปและการดูแลเมื่อเจ็บป่วย",
    2: "การดูแลสุขอนามัยและความสะอาดของตนเอง",
    3: "การกิน การนอน และการพักผ่อน",
    4: "การเคลื่อนไหวและการทำกิจวัตรประจำวันด้วยตนเอง",
    5: "การควบคุมอารมณ์และการแสดงออกอย่างเหมาะสม",
    6: "การเห็นคุณค่าและความภาคภูมิใจในตนเอง",
    7: "สัมพันธภาพและการอยู่ร่วมกับผู้อื่น",
    8: "การรับรู้วัน เวลา สถานที่ และบุคคล",
    9: "การสื่อสาร การอ่าน และการเขียน",
    10: "การคิด การตัดสินใจ และการแก้ปัญหา",
    11: "ทักษะอาชีพและการทำงาน",
    12: "การจัดการเงินและทรัพย์สินของตนเอง",
    13: "ความรับผิดชอบและการปฏิบัติตามกฎระเบียบ",
    14: "ความพร้อมในการกลับสู่ครอบครัวและชุมชน",
}


class FacilityKind(models.TextChoices):
    SHELTER = "shelter", _("สถานคุ้มครองคนไร้ที่พึ่ง")
    LIFE_SKILLS = "life_skills", _("ศูนย์ส่งเสริมและพัฒนาทักษะชีวิต")


class Sex(models.TextChoices):
    MALE = "M", _("ชาย")
    FEMALE = "F", _("หญิง")


class TargetGroup(models.TextChoices):
    DESTITUTE = "destitute", _("คนไร้ที่พึ่ง")
    BEGGAR = "beggar", _("ผู้ทำการขอทาน")
    PSYCHIATRIC = "psychiatric", _("ผู้ป่วยจิตเวชตาม พ.ร.บ.สุขภาพจิต")


class DischargeReason(models.TextChoices):
    FAMILY = "family", _("กลับสู่ครอบครัว")
    EMPLOYMENT = "employment", _("ทำงานในสถานประกอบการแบบประจำ")
    TRANSFER = "transfer", _("ส่งต่อ")
    DEATH = "death", _("เสียชีวิต")
    ABSCONDED = "absconded", _("หลบหนี")
    OTHER = "other", _("อื่น ๆ")


# Only these two count as returning to society (กลับคืนสู่สังคม) in KPI 1.2.
RETURNED_REASONS = (DischargeReason.FAMILY.value, DischargeReason.EMPLOYMENT.value)


class Group(models.TextChoices):
    A = "A", _("กลุ่ม A (ร้อยละ 80–100)")
    B = "B", _("กลุ่ม B (ร้อยละ 40.01–79.99)")
    C = "C", _("กลุ่ม C (ร้อยละ 10–40)")


def group_of(percent) -> str | None:
    """A ≥ 80, B > 40 and < 80, C ≤ 40 (the valid range starts at 10)."""
    if percent is None:
        return None
    percent = Decimal(str(percent))
    if percent >= GROUP_A_MIN:
        return "A"
    if percent > GROUP_C_MAX:
        return "B"
    return "C"


def group_expression(field: str = "percent") -> Case:
    """The same rule as :func:`group_of`, as a database expression."""
    return Case(
        When(**{f"{field}__gte": GROUP_A_MIN}, then=Value("A")),
        When(**{f"{field}__gt": GROUP_C_MAX}, then=Value("B")),
        When(**{f"{field}__isnull": False}, then=Value("C")),
        default=None,
        output_field=models.CharField(max_length=1),
    )


# The groups as small integers, for SQL that groups or compares them (shelters/kpi.py).
GROUP_CODES = {"A": 3, "B": 2, "C": 1}


def group_code_expression(field: str) -> Case:
    """:func:`group_expression` as GROUP_CODES numbers (NULL stays NULL)."""
    return Case(
        When(**{f"{field}__gte": GROUP_A_MIN}, then=Value(GROUP_CODES["A"])),
        When(**{f"{field}__gt": GROUP_C_MAX}, then=Value(GROUP_CODES["B"])),
        When(**{f"{field}__isnull": False}, then=Value(GROUP_CODES["C"])),
        default=None,
        output_field=models.PositiveSmallIntegerField(null=True),
    )


def percent_of_items(items) -> Decimal:
    """sum / 140 × 100, two decimals half-up (the boundaries 40 and 80 are exact sums)."""
    total = sum(items)
    return half_up(Decimal(total) * 100 / Decimal(ITEM_COUNT * ITEM_MAX))


def _facility_ids_for(user):
    """None = every facility; otherwise the ids the user may see (possibly none)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if can_read_everything(user):
        return None
    if has_role(user, FACILITY_STAFF):
        cached = getattr(user, "_shelters_facility_ids", None)
        if cached is None:
            cached = list(
                FacilityStaff.objects.filter(user=user).values_list("facility_id", flat=True)
            )
            user._shelters_facility_ids = cached
        return cached
    return []


class FacilityQuerySet(models.QuerySet):
    def visible_to(self, user):
        ids = _facility_ids_for(user)
        return self if ids is None else self.filter(pk__in=ids)


class Facility(models.Model):
    code = models.CharField(_("รหัสหน่วยงาน"), max_length=16, unique=True)
    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=200)
    kind = models.CharField(_("ประเภท"), max_length=16, choices=FacilityKind.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    is_demo = models.BooleanField(
        _("ข้อมูลตัวอย่าง"), default=False, help_text=_("สร้างโดยคำสั่ง demo ไม่ใช่ข้อมูลจริง")
    )
    history = HistoricalRecords()

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("หน่วยงาน (สถานคุ้มครอง/ศูนย์)")
        verbose_name_plural = _("หน่วยงาน (สถานคุ้มครอง/ศูนย์)")

    def __str__(self) -> str:
        return f"{self.name}{_(' (ตัวอย่าง)') if self.is_demo and 'ตัวอย่าง' not in self.name else ''}"


class FacilityStaff(models.Model):
    """A facility staff member's facility: what ``visible_to`` scopes them to."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="shelter_assignment",
        verbose_name=_("ผู้ใช้"),
    )
    facility = models.ForeignKey(
        Facility, on_delete=models.CASCADE, related_name="staff", verbose_name=_("หน่วยงาน")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("เจ้าหน้าที่ประจำหน่วยงาน")
        verbose_name_plural = _("เจ้าหน้าที่ประจำหน่วยงาน")

    def __str__(self) -> str:
        return f"{self.user} → {self.facility}"


class ResidentQuerySet(models.QuerySet):
    def visible_to(self, user):
        ids = _facility_ids_for(user)
        return self if ids is None else self.filter(facility_id__in=ids)

    def with_latest(self):
        """The latest assessment's date, percent and group, for lists and filters: read from the
        summary the triggers keep (``ResidentLatest``, one join), not from the assessments."""
        return self.annotate(
            latest_on=models.F("latest__last_on"),
            latest_percent=models.F("latest__last_percent"),
        ).annotate(current_group=group_expression("latest_percent"))


class Resident(models.Model):
    facility = models.ForeignKey(
        Facility, on_delete=models.PROTECT, related_name="residents", verbose_name=_("หน่วยงาน")
    )
    case_number = models.CharField(_("เลขทะเบียนผู้รับบริการ"), max_length=32)
    full_name = models.CharField(_("ชื่อ-นามสกุล"), max_length=200)
    sex = models.CharField(_("เพศ"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("วันเกิด"), null=True, blank=True)
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน"),
        max_length=13,
        blank=True,
        help_text=_("ถ้ามี: 13 หลัก (หลายคนไม่มีเลขประจำตัวประชาชน)"),
    )
    target_group = models.CharField(_("กลุ่มเป้าหมาย"), max_length=16, choices=TargetGroup.choices)
    admitted_on = models.DateField(_("วันที่รับเข้า"))
    discharged_on = models.DateField(_("วันที่จำหน่าย"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("เหตุที่จำหน่าย"), max_length=16, choices=DischargeReason.choices, blank=True
    )
    # Raised by every save of the edit form: a form opened at an older version is refused
    # (someone else saved in between) instead of overwriting their change. The database default
    # serves writers that bypass the ORM (COPY in imports and benchmarks). Not audited itself.
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=0, db_default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["facility_id", "case_number"]
        verbose_name = _("ผู้รับบริการ")
        verbose_name_plural = _("ผู้รับบริการ")
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "case_number"],
                name="shelters_resident_case_number_per_facility",
                violation_error_message=_("เลขทะเบียนนี้มีอยู่แล้วในหน่วยงานนี้"),
            ),
            models.UniqueConstraint(
                fields=["national_id"],
                condition=~Q(national_id=""),
                name="shelters_resident_national_id_unique",
                violation_error_message=_("เลขประจำตัวประชาชนนี้มีผู้รับบริการอื่นใช้อยู่แล้ว"),
            ),
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True, discharge_reason="")
                | Q(discharged_on__isnull=False) & ~Q(discharge_reason=""),
                name="shelters_resident_discharge_has_reason",
                violation_error_message=_("วันที่จำหน่ายและเหตุที่จำหน่ายต้องกรอกคู่กัน"),
            ),
        ]
        indexes = [
            models.Index(fields=["discharged_on"], name="shelters_res_discharged_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_number} {self.full_name}"

    @property
    def in_care(self) -> bool:
        return self.discharged_on is None

    @property
    def returned_to_society(self) -> bool:
        return self.discharge_reason in RETURNED_REASONS


def _items_in_range() -> Q:
    condition = Q()
    for name in ITEM_FIELDS:
        condition &= Q(**{f"{name}__isnull": True}) | Q(
            **{f"{name}__gte": 1, f"{name}__lte": ITEM_MAX}
        )
    return condition


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        ids = _facility_ids_for(user)
        return self if ids is None else self.filter(resident__facility_id__in=ids)


class Assessment(models.Model):
    """One IRP assessment: the 14 items (1–10 each), or the percent alone (Qlife plus)."""

    # No index of its own: the composite indexes below start with resident_id and serve the
    # foreign key (lookups, cascade deletes) as well.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="assessments",
        verbose_name=_("ผู้รับบริการ"),
        db_index=False,
    )
    assessed_on = models.DateField(_("วันที่ประเมิน"))
    assessor = models.CharField(_("ผู้ประเมิน"), max_length=200, blank=True)
    percent = models.DecimalField(_("ร้อยละคะแนน"), max_digits=5, decimal_places=2)
    item_1 = models.PositiveSmallIntegerField(_("ข้อ 1"), null=True, blank=True)
    item_2 = models.PositiveSmallIntegerField(_("ข้อ 2"), null=True, blank=True)
    item_3 = models.PositiveSmallIntegerField(_("ข้อ 3"), null=True, blank=True)
    item_4 = models.PositiveSmallIntegerField(_("ข้อ 4"), null=True, blank=True)
    item_5 = models.PositiveSmallIntegerField(_("ข้อ 5"), null=True, blank=True)
    item_6 = models.PositiveSmallIntegerField(_("ข้อ 6"), null=True, blank=True)
    item_7 = models.PositiveSmallIntegerField(_("ข้อ 7"), null=True, blank=True)
    item_8 = models.PositiveSmallIntegerField(_("ข้อ 8"), null=True, blank=True)
    item_9 = models.PositiveSmallIntegerField(_("ข้อ 9"), null=True, blank=True)
    item_10 = models.PositiveSmallIntegerField(_("ข้อ 10"), null=True, blank=True)
    item_11 = models.PositiveSmallIntegerField(_("ข้อ 11"), null=True, blank=True)
    item_12 = models.PositiveSmallIntegerField(_("ข้อ 12"), null=True, blank=True)
    item_13 = models.PositiveSmallIntegerField(_("ข้อ 13"), null=True, blank=True)
    item_14 = models.PositiveSmallIntegerField(_("ข้อ 14"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ผู้บันทึก"),
    )
    # Raised by every correction (core/versioned.py): a correction opened before someone else's
    # is refused, not saved over it. The database default serves COPY in imports and benchmarks.
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=0, db_default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["resident_id", "assessed_on"]
        verbose_name = _("ผลการประเมิน IRP")
        verbose_name_plural = _("ผลการประเมิน IRP")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "assessed_on"],
                name="shelters_assessment_one_per_day",
                violation_error_message=_("ผู้รับบริการรายนี้มีผลการประเมินในวันนี้แล้ว"),
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=PERCENT_MIN, percent__lte=PERCENT_MAX),
                name="shelters_assessment_percent_range",
                violation_error_message=_("ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
            ),
            models.CheckConstraint(
                condition=_items_in_range(),
                name="shelters_assessment_items_range",
                violation_error_message=_("คะแนนแต่ละข้อต้องอยู่ระหว่าง 1 ถึง 10"),
            ),
        ]
        indexes = [
            # KPI 1.1/1.2 rank each resident's assessments newest first: this index gives the
            # window its order and the percent without visiting the table (an index-only scan).
            models.Index(
                fields=["resident", "-assessed_on", "percent"],
                name="shelters_ass_res_date_idx",
            ),
            models.Index(fields=["assessed_on"], name="shelters_ass_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.assessed_on}: {self.percent}"

    def save(self, *args, **kwargs):
        if self.has_items:
            self.percent = percent_of_items(self.items)
        super().save(*args, **kwargs)

    @property
    def items(self) -> list[int | None]:
        return [getattr(self, f) for f in ITEM_FIELDS]

    @property
    def has_items(self) -> bool:
        return all(v is not None for v in self.items)

    @property
    def group(self) -> str | None:
        return group_of(self.percent)


class ResidentLatest(models.Model):
    """A resident's latest IRP assessment and the one before it (one row per resident with an
    assessment), with the resident's facility and discharge. Written only by database triggers
    on the assessments and the residents (``shelters/latest.py``), whatever writes them: never
    saved from Python. KPI 1.1/1.2 read the pair from here, and the resident list its latest
    date and group."""

    resident = models.OneToOneField(
        Resident,
        primary_key=True,
        on_delete=models.DO_NOTHING,  # the triggers remove the row with the last assessment
        related_name="latest",
        verbose_name=_("ผู้รับบริการ"),
    )
    # Copies of the resident's own columns the KPIs need (kept by a trigger on the residents):
    # the KPIs then read this table alone, without a join over every resident.
    facility = models.ForeignKey(
        Facility,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("หน่วยงาน"),
    )
    discharged_on = models.DateField(_("วันที่จำหน่าย"), null=True)
    discharge_reason = models.CharField(_("เหตุที่จำหน่าย"), max_length=16, blank=True)
    last_on = models.DateField(_("วันที่ประเมินล่าสุด"))
    last_percent = models.DecimalField(_("ร้อยละคะแนนล่าสุด"), max_digits=5, decimal_places=2)
    prev_on = models.DateField(_("วันที่ประเมินครั้งก่อน"), null=True)
    prev_percent = models.DecimalField(
        _("ร้อยละคะแนนครั้งก่อน"), max_digits=5, decimal_places=2, null=True
    )
    # The groups as numbers (GROUP_CODES: A 3, B 2, C 1; prev_group NULL without a previous
    # assessment) and whether the discharge reason counts as returning, computed by the
    # database on every write: the KPIs group small integers instead of comparing decimals.
    last_group = models.GeneratedField(
        expression=group_code_expression("last_percent"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("กลุ่มล่าสุด"),
    )
    prev_group = models.GeneratedField(
        expression=group_code_expression("prev_percent"),
        output_field=models.PositiveSmallIntegerField(null=True),
        db_persist=True,
        verbose_name=_("กลุ่มครั้งก่อน"),
    )
    returned = models.GeneratedField(
        expression=Case(
            When(discharge_reason__in=RETURNED_REASONS, then=Value(1)),
            default=Value(0),
            output_field=models.PositiveSmallIntegerField(),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("กลับคืนสู่สังคม"),
    )

    class Meta:
        verbose_name = _("ผลการประเมินล่าสุดของผู้รับบริการ")
        verbose_name_plural = _("ผลการประเมินล่าสุดของผู้รับบริการ")
        indexes = [
            # KPI 1.1/1.2: the residents whose latest assessment lies in the year (or after D).
            models.Index(fields=["last_on"], name="shelters_latest_on_idx"),
            # KPI 1.2: the residents discharged in the year, assessed last before it.
            models.Index(fields=["discharged_on"], name="shelters_latest_discharged_idx"),
            # A drill-down list (B→A, C→A, …): the residents of one transition in the year.
            models.Index(
                fields=["last_group", "prev_group", "last_on"], name="shelters_latest_groups_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}: {self.last_on} {self.last_percent}"

    def save(self, *args, **kwargs):
        raise TypeError("ResidentLatest is written by database triggers only")

    def delete(self, *args, **kwargs):
        raise TypeError("ResidentLatest is written by database triggers only")


class IrpItem(models.Model):
    """One item of the IRP form: its number (1–14, the assessment's ``item_<n>`` column), its
    domain (the group heading) and its text. Admins set the texts and domains; the number of
    items is fixed by the form (the percent is the sum over 14 × 10)."""

    number = models.PositiveSmallIntegerField(_("ข้อที่"), unique=True, editable=False)
    domain = models.CharField(_("ด้าน"), max_length=100)
    text = models.CharField(_("ข้อความของข้อ"), max_length=300)
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=0, db_default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["number"]
        verbose_name = _("ข้อของแบบประเมิน IRP")
        verbose_name_plural = _("ข้อของแบบประเมิน IRP")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=ITEM_COUNT),
                name="shelters_irpitem_number_range",
                violation_error_message=_("ข้อที่ต้องอยู่ระหว่าง 1 ถึง 14"),
            ),
        ]

    def __str__(self) -> str:
        return _("ข้อ %(number)s %(text)s") % {"number": self.number, "text": self.text}


def default_items() -> list[tuple[int, str, str]]:
    """(number, domain, text) of the 14 items as seeded."""
    domain_of = {n: label for label, numbers in DOMAINS for n in numbers}
    return [(n, domain_of[n], DEFAULT_ITEM_TEXTS[n]) for n in range(1, ITEM_COUNT + 1)]


def irp_items() -> list[tuple[int, str, str]]:
    """(number, domain, text) of the 14 items as the admins set them (one query); a missing row
    falls back to the seeded text."""
    saved = {i.number: (i.number, i.domain, i.text) for i in IrpItem.objects.all()}
    return [saved.get(item[0], item) for item in default_items()]


def irp_domains() -> list[tuple[str, list[tuple[int, str]]]]:
    """The items grouped under their domains, in item order: consecutive items of the same
    domain make one group."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    for number, domain, text in irp_items():
        if not groups or groups[-1][0] != domain:
            groups.append((domain, []))
        groups[-1][1].append((number, text))
    return groups
