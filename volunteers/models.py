"""อพม. (social development and human security volunteers): the registry, training, services and
the 3-year development plan (SPEC §4, KPI 2).

Scope: every model that holds people or their work answers ``objects.visible_to(user)``: a
provincial officer (พมจ.) sees the province in their profile (Bangkok's volunteers are kept by the
department, i.e. the officers whose province is Bangkok); managers and admins see everything;
anyone else sees nothing.
"""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Province, province_scope
from core.nationalid import validate_national_id


class ScopedQuerySet(models.QuerySet):
    scope_field = "province"

    def visible_to(self, user):
        return province_scope(self, user, self.scope_field)


# The fields the volunteer form edits: every write of any of them moves ``Volunteer.version``
# on, so that a form opened before the write is refused as stale instead of overwriting it.
EDIT_FIELDS = frozenset({
    "national_id", "title", "first_name", "last_name", "birth_date", "sex", "phone", "province",
    "province_id", "district", "sub_district", "kind", "status",
})  # fmt: skip


def _bump_version(obj, kwargs) -> None:
    """A save of an existing row moves its ``version`` on (exact on a row locked with
    select_for_update, as the app's writers do)."""
    if obj._state.adding or obj.pk is None:
        return
    obj.version = (obj.version or 0) + 1
    fields = kwargs.get("update_fields")
    if fields is not None and "version" not in fields:
        kwargs["update_fields"] = [*fields, "version"]


class VolunteerQuerySet(ScopedQuerySet):
    """Bulk writes of the edited fields (an enrolment's status; an import's updates, since
    ``bulk_update`` writes through ``update``) move the version on too, in the database."""

    bumps_version = True  # imports.writer leaves the version to this update

    def update(self, **kwargs):
        if EDIT_FIELDS & set(kwargs) and "version" not in kwargs:
            kwargs["version"] = F("version") + 1
        return super().update(**kwargs)


class EnrolmentQuerySet(ScopedQuerySet):
    scope_field = "volunteer__province"


class Sex(models.TextChoices):
    MALE = "M", _("ชาย")
    FEMALE = "F", _("หญิง")


class Kind(models.TextChoices):
    PROVINCE = "province", _("อพม. จังหวัด")
    BANGKOK = "bangkok", _("อพม. กรุงเทพมหานคร")
    OTHER = "other", _("อพม. อื่น ๆ ตามที่กระทรวงประกาศ")


class Status(models.TextChoices):
    APPLICANT = "applicant", _("ผู้สมัคร/ผ่านการคัดเลือก")
    TRAINING = "training", _("อยู่ระหว่างอบรม")
    ACTIVE = "active", _("ขึ้นทะเบียนแล้ว")
    INACTIVE = "inactive", _("พ้นสภาพ/ไม่ปฏิบัติงาน")


class Path(models.TextChoices):
    WORKSHOP = "workshop", _("อบรมเชิงปฏิบัติการ")
    ELEARNING = "elearning", "E-Learning"


class ServiceType(models.TextChoices):
    SURVEY = "survey", _("ค้นหา/สำรวจ")
    SCREENING = "screening", _("คัดกรอง")
    INITIAL_HELP = "help", _("ช่วยเหลือเบื้องต้น")
    REFERRAL = "referral", _("ประสานส่งต่อ")
    FOLLOW_UP = "follow_up", _("ติดตามประเมิน")
    PUBLICITY = "publicity", _("เผยแพร่ประชาสัมพันธ์/รณรงค์")


class TargetGroup(models.TextChoices):
    CHILDREN = "children", _("เด็กและเยาวชน")
    ELDERLY = "elderly", _("ผู้สูงอายุ")
    DISABLED = "disabled", _("คนพิการ")
    WOMEN_FAMILY = "women_family", _("สตรีและครอบครัว")
    DESTITUTE = "destitute", _("คนไร้ที่พึ่ง/ผู้ทำการขอทาน")
    LOW_INCOME = "low_income", _("ผู้มีรายได้น้อย")
    OTHER = "other", _("อื่น ๆ")


class Specialty(models.Model):
    """ความเชี่ยวชาญเฉพาะด้าน, by problem or target group."""

    code = models.SlugField(_("รหัส"), max_length=32, unique=True)
    name = models.CharField(_("ความเชี่ยวชาญ"), max_length=128, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("ลำดับ"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("ความเชี่ยวชาญเฉพาะด้าน")
        verbose_name_plural = _("ความเชี่ยวชาญเฉพาะด้าน")

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    national_id = models.CharField(
        _("เลขประจำตัวประชาชน"), max_length=13, unique=True, validators=[validate_national_id]
    )
    title = models.CharField(_("คำนำหน้า"), max_length=32, blank=True)
    first_name = models.CharField(_("ชื่อ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100)
    birth_date = models.DateField(_("วันเกิด"), null=True, blank=True)
    sex = models.CharField(_("เพศ"), max_length=1, choices=Sex.choices)
    phone = models.CharField(_("โทรศัพท์"), max_length=32, blank=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    district = models.CharField(_("อำเภอ/เขต"), max_length=100, blank=True)
    sub_district = models.CharField(_("ตำบล/แขวง"), max_length=100, blank=True)
    kind = models.CharField(_("ประเภท อพม."), max_length=16, choices=Kind.choices)
    specialties = models.ManyToManyField(
        Specialty,
        through="VolunteerSpecialty",
        blank=True,
        related_name="volunteers",
        verbose_name=_("ความเชี่ยวชาญเฉพาะด้าน"),
    )
    status = models.CharField(
        _("สถานะ"), max_length=16, choices=Status.choices, default=Status.APPLICANT
    )
    # Set by the pass decision (services.record_result), never typed.
    training_path = models.CharField(
        _("วิธีการพัฒนาศักยภาพ"), max_length=16, choices=Path.choices, blank=True
    )
    trained_on = models.DateField(_("วันที่ผ่านการอบรม"), null=True, blank=True)
    certificate_number = models.CharField(
        _("เลขที่วุฒิบัตร/ประกาศนียบัตร"), max_length=32, unique=True, null=True, blank=True
    )
    registration_number = models.CharField(
        _("เลขทะเบียน อพม."), max_length=32, unique=True, null=True, blank=True
    )
    registered_on = models.DateField(_("วันที่ขึ้นทะเบียน"), null=True, blank=True)
    card_number = models.CharField(
        _("เลขที่บัตรประจำตัว อพม."), max_length=32, unique=True, null=True, blank=True
    )
    card_issued_on = models.DateField(_("วันออกบัตร"), null=True, blank=True)
    card_expires_on = models.DateField(_("วันบัตรหมดอายุ"), null=True, blank=True)
    is_demo = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moved on by every write of EDIT_FIELDS (save, queryset update, bulk_update); the edit form
    # carries the version it was opened with and a different one is refused (views.volunteer_form).
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=1, editable=False)
    history = HistoricalRecords()

    objects = VolunteerQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("อพม.")
        verbose_name_plural = _("อพม.")
        indexes = [
            models.Index(fields=["province", "-id"], name="vol_province_id"),
            models.Index(fields=["province", "status"], name="vol_province_status"),
            models.Index(fields=["trained_on", "province"], name="vol_trained"),
            models.Index(fields=["card_expires_on"], name="vol_card_expiry"),
            # Covering (PostgreSQL): the national counts by status and the specialty joins
            # (active volunteers, their province) read the index only.
            models.Index(fields=["status", "id"], include=["province"], name="vol_status_cover"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        """A change of the edited fields moves the version on (exact on a row locked with
        select_for_update, as every writer of the app does)."""
        if not self._state.adding and self.pk is not None:
            fields = kwargs.get("update_fields")
            if fields is None or EDIT_FIELDS & set(fields):
                self.version = (self.version or 0) + 1
                if fields is not None and "version" not in fields:
                    kwargs["update_fields"] = [*fields, "version"]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("volunteers:detail", args=[self.pk])

    @property
    def full_name(self) -> str:
        return f"{self.title}{self.first_name} {self.last_name}".strip()

    @property
    def is_certified(self) -> bool:
        """Passed training and registered (services.certify): only then may the status be
        ``ขึ้นทะเบียนแล้ว``."""
        return bool(self.registration_number)


class VolunteerSpecialty(models.Model):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT)
    since = models.DateField(_("ตั้งแต่"), default=dt.date.today)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "specialty"], name="vol_specialty_once")
        ]
        indexes = [models.Index(fields=["specialty", "volunteer"], name="volspec_specialty")]

    def __str__(self) -> str:
        return f"{self.volunteer_id}: {self.specialty_id}"


class Course(models.Model):
    """A training course: a 24-hour workshop, or the e-learning path's 1-day session."""

    kind = models.CharField(_("วิธีการ"), max_length=16, choices=Path.choices)
    title = models.CharField(_("ชื่อหลักสูตร/รุ่น"), max_length=200)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    place = models.CharField(_("สถานที่"), max_length=200, blank=True)
    start_date = models.DateField(_("วันเริ่ม"))
    end_date = models.DateField(_("วันสิ้นสุด"))
    hours = models.DecimalField(
        _("ชั่วโมงหลักสูตร"),
        max_digits=5,
        decimal_places=1,
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("อบรมเชิงปฏิบัติการ 24 ชั่วโมง; E-Learning คือชั่วโมงของการอบรม 1 วัน"),
    )
    is_demo = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("หลักสูตรอบรม")
        verbose_name_plural = _("หลักสูตรอบรม")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("volunteers:course-detail", args=[self.pk])


# The e-learning path's 10 online lessons: 1–5 mandatory, 6–10 supplementary.
MANDATORY_LESSONS = (1, 2, 3, 4, 5)
SUPPLEMENTARY_LESSONS = (6, 7, 8, 9, 10)
LESSON_CHOICES = [(n, format_lazy(_("บทเรียนบังคับที่ {n}"), n=n)) for n in MANDATORY_LESSONS] + [
    (n, format_lazy(_("บทเรียนเสริมที่ {n}"), n=n - 5)) for n in SUPPLEMENTARY_LESSONS
]


class Enrolment(models.Model):
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("หลักสูตร")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("อพม.")
    )
    hours_attended = models.DecimalField(
        _("ชั่วโมงที่เข้าอบรม"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    session_attended = models.BooleanField(_("เข้าอบรม 1 วัน (E-Learning)"), default=False)
    test_passed = models.BooleanField(_("ผ่านแบบทดสอบความรู้"), null=True, blank=True)
    test_score = models.DecimalField(
        _("คะแนนแบบทดสอบ"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("ผลการอบรม"), null=True, blank=True, editable=False)
    reason = models.TextField(_("เหตุผล"), blank=True, editable=False)
    decided_on = models.DateField(_("วันที่ตัดสินผล"), null=True, blank=True, editable=False)
    # Moved on by every save of an existing row (a result recorded by the form, the course's
    # results page or an import): a result form opened before is refused as stale (core/versioned.py).
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=1, editable=False)
    history = HistoricalRecords()

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["course", "volunteer"]
        verbose_name = _("ผู้เข้าอบรม")
        verbose_name_plural = _("ผู้เข้าอบรม")
        constraints = [models.UniqueConstraint(fields=["course", "volunteer"], name="enrol_once")]

    def __str__(self) -> str:
        return f"{self.volunteer_id} @ {self.course_id}"

    def save(self, *args, **kwargs):
        _bump_version(self, kwargs)
        super().save(*args, **kwargs)


class LessonCompletion(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons")
    lesson = models.PositiveSmallIntegerField(
        _("บทเรียน"),
        choices=LESSON_CHOICES,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    completed_on = models.DateField(_("วันที่เรียนจบ"), null=True, blank=True)

    class Meta:
        ordering = ["lesson"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "lesson"], name="lesson_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}: {self.lesson}"


SUMMARY_FIELDS = {
    "province", "province_id", "volunteer", "volunteer_id", "date", "service_type",
    "target_group", "people_served",
}  # fmt: skip


class ServiceQuerySet(ScopedQuerySet):
    """Bulk writes keep the monthly summary exact (the touched months × provinces are rebuilt
    in the same transaction); see volunteers/summary.py."""

    def bulk_create(self, objs, *args, **kwargs):
        from volunteers import summary

        objs = list(objs)
        with summary.batch():
            created = super().bulk_create(objs, *args, **kwargs)
            summary.refresh_cells(o.summary_cell for o in objs)
        return created

    def update(self, **kwargs):
        from volunteers import summary

        if not SUMMARY_FIELDS & set(kwargs):
            return super().update(**kwargs)
        with summary.batch():
            pks = list(self.values_list("pk", flat=True))
            cells = Service.objects.filter(pk__in=pks).values_list(*CELL_FIELDS)
            summary.refresh_cells(list(cells))
            done = super().update(**kwargs)
            summary.refresh_cells(list(cells.all()))
        return done

    def delete(self):
        from volunteers import summary

        with summary.batch():  # post_delete of each service adds its cell
            return super().delete()


CELL_FIELDS = ("province_id", "date", "service_type", "target_group")


class Service(models.Model):
    """บริการ: a service a volunteer gave (search/survey, screening, help, referral, …)."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="services", verbose_name=_("อพม.")
    )
    # The volunteer's province when the service was given: scope and aggregates read it.
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    date = models.DateField(_("วันที่ให้บริการ"))
    service_type = models.CharField(_("ประเภทบริการ"), max_length=16, choices=ServiceType.choices)
    target_group = models.CharField(_("กลุ่มเป้าหมาย"), max_length=16, choices=TargetGroup.choices)
    people_served = models.PositiveIntegerField(
        _("จำนวนผู้รับบริการ (คน)"), default=1, validators=[MinValueValidator(1)]
    )
    person_name = models.CharField(_("ชื่อผู้รับบริการ (ถ้ามี)"), max_length=200, blank=True)
    area = models.CharField(_("พื้นที่ (ตำบล/อำเภอ)"), max_length=200, blank=True)
    note = models.TextField(_("หมายเหตุ"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("บริการของ อพม.")
        verbose_name_plural = _("บริการของ อพม.")
        indexes = [
            # Covering indexes (PostgreSQL): the year's aggregates read the index only.
            models.Index(
                fields=["province", "date"],
                include=["service_type", "target_group", "people_served"],
                name="svc_province_date",
            ),
            models.Index(
                fields=["date"],
                include=["province", "service_type", "target_group", "people_served"],
                name="svc_date_cover",
            ),
            models.Index(fields=["volunteer", "date"], name="svc_volunteer_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} {self.date}"

    def save(self, *args, **kwargs):
        """Saves, then recomputes the summary cell (and the old one on a change) in the same
        transaction."""
        from volunteers import summary

        if not self.province_id and self.volunteer_id:
            self.province_id = self.volunteer.province_id
        with transaction.atomic(savepoint=False):
            cells = []
            if self.pk is not None and not self._state.adding:
                cells += Service.objects.filter(pk=self.pk).values_list(*CELL_FIELDS)
            super().save(*args, **kwargs)
            summary.refresh_cells([*cells, self.summary_cell])

    # delete (one, or a queryset's): the post_delete receiver below refreshes the cell.

    @property
    def summary_cell(self) -> tuple:
        from volunteers.summary import cell_of

        return cell_of(*(getattr(self, f) for f in CELL_FIELDS))


@receiver(post_delete, sender=Service, dispatch_uid="volunteers_service_summary")
def _service_deleted(sender, instance, **kwargs):
    from volunteers import summary

    summary.refresh_cells([instance.summary_cell])


class ServiceMonthly(models.Model):
    """Services and people served per province × month × service type × target group: the
    national pages read it instead of the service records (volunteers/summary.py keeps it
    exact in the same transaction as every write to Service)."""

    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, db_index=False, related_name="+"
    )
    month = models.DateField(_("เดือน (วันที่ 1)"))
    service_type = models.CharField(_("ประเภทบริการ"), max_length=16, choices=ServiceType.choices)
    target_group = models.CharField(_("กลุ่มเป้าหมาย"), max_length=16, choices=TargetGroup.choices)
    services = models.PositiveIntegerField(_("จำนวนครั้ง"), default=0)
    people = models.PositiveBigIntegerField(_("จำนวนคน"), default=0)

    class Meta:
        verbose_name = _("สรุปการให้บริการรายเดือน")
        verbose_name_plural = _("สรุปการให้บริการรายเดือน")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "province", "service_type", "target_group"],
                name="svcmonthly_cell",
            )
        ]
        indexes = [models.Index(fields=["province", "month"], name="svcmonthly_province")]

    def __str__(self) -> str:
        return f"{self.province_id} {self.month:%Y-%m} {self.service_type} {self.target_group}"


class Counter(models.Model):
    """Number series (registration, certificate and card numbers): a row per series, bumped
    with an UPDATE inside the caller's transaction, so numbers are unique and never reused."""

    name = models.CharField(max_length=64, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} = {self.value}"

    @classmethod
    def next(cls, name: str) -> int:
        with transaction.atomic():
            cls.objects.get_or_create(name=name)
            cls.objects.filter(name=name).update(value=F("value") + 1)
            return cls.objects.filter(name=name).values_list("value", flat=True).get()


class Measure(models.TextChoices):
    TRAINED = "trained", _("จำนวน อพม. ที่ผ่านการพัฒนาศักยภาพ (คน)")
    SPECIALISTS = "specialists", _("จำนวน อพม. ที่มีความเชี่ยวชาญเฉพาะด้าน (คน)")
    SERVICES = "services", _("จำนวนครั้งการให้บริการ (ครั้ง)")
    PEOPLE_SERVED = "people", _("จำนวนผู้ประสบปัญหาทางสังคมที่ได้รับบริการ (คน)")


class Plan(models.Model):
    """แผนพัฒนาศักยภาพ อพม. ระยะ 3 ปี (2563–2565)."""

    title = models.CharField(_("ชื่อแผน"), max_length=300)
    first_year = models.PositiveSmallIntegerField(_("ปีงบประมาณเริ่ม (พ.ศ.)"), default=2563)
    last_year = models.PositiveSmallIntegerField(_("ปีงบประมาณสิ้นสุด (พ.ศ.)"), default=2565)
    approved_on = models.DateField(_("วันที่หัวหน้าส่วนราชการเห็นชอบ"), null=True, blank=True)
    approved_by = models.CharField(_("ผู้ให้ความเห็นชอบ"), max_length=200, blank=True)
    note = models.TextField(_("แนวทางการพัฒนา/หมายเหตุ"), blank=True)
    is_demo = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)
    # Moved on by every save: the plan form carries it (core/versioned.py).
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-first_year", "-id"]
        verbose_name = _("แผนพัฒนาศักยภาพ อพม.")
        verbose_name_plural = _("แผนพัฒนาศักยภาพ อพม.")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        _bump_version(self, kwargs)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("volunteers:plan-detail", args=[self.pk])


class PlanTarget(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    measure = models.CharField(_("ตัววัด"), max_length=16, choices=Measure.choices)
    label = models.CharField(_("เป้าหมาย"), max_length=300, blank=True)
    province = models.ForeignKey(
        Province,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("จังหวัด"),
        help_text=_("เว้นว่าง = ทั้งประเทศ"),
    )
    specialty = models.ForeignKey(
        Specialty,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("ความเชี่ยวชาญ"),
        help_text=_("สำหรับตัววัดความเชี่ยวชาญ; เว้นว่าง = ด้านใดก็ได้"),
    )
    service_type = models.CharField(
        _("ประเภทบริการ"),
        max_length=16,
        choices=ServiceType.choices,
        blank=True,
        help_text=_("สำหรับตัววัดบริการ; เว้นว่าง = ทุกประเภท"),
    )
    planned = models.PositiveIntegerField(_("ค่าเป้าหมาย"), validators=[MinValueValidator(1)])
    # Moved on by every save (the plan form's row, an import): each row of the plan form
    # carries it (core/versioned.py).
    version = models.PositiveIntegerField(_("รุ่นของข้อมูล"), default=1, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fiscal_year", "province__code", "id"]
        verbose_name = _("เป้าหมายตามแผน")
        verbose_name_plural = _("เป้าหมายตามแผน")

    def __str__(self) -> str:
        return self.label or self.get_measure_display()

    def save(self, *args, **kwargs):
        _bump_version(self, kwargs)
        super().save(*args, **kwargs)
