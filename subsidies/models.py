"""Subsidy applications (KPI 3.2): four types, five steps, the public status checks and ratings.

The public lookup keeps no national ID in clear outside ``Application``: a successful check is
recorded as a keyed hash (HMAC-SHA256) of the national ID, which is enough to count distinct
citizens per fiscal year and reveals nothing on its own. The key is the app's own
(``HashKey``: one random row made by migration 0003, kept in backups), not ``SECRET_KEY``, so
that rotating ``SECRET_KEY`` does not change any citizen's key (a returning citizen still counts
once). The throttle of failed lookups lives in the database (``LookupThrottle``) so that it holds
across gunicorn workers; its keys are keyed hashes of the client address (and reference).
"""

import hashlib
import hmac
import secrets
import unicodedata

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Province
from core.thaidate import to_arabic_digits
from subsidies import permissions

# No 0/O, 1/I/L: a reference read out over the phone or copied from paper stays unambiguous.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 10  # 31^10 ≈ 8.2 × 10^14 possible references


class SubsidyType(models.TextChoices):
    LOW_INCOME = "low_income", _("เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อยและผู้ไร้ที่พึ่ง")
    HIV = "hiv", _("เงินสงเคราะห์ผู้ติดเชื้อเอชไอวีและครอบครัว")
    OCCUPATION = "occupation", _("เงินสงเคราะห์ด้านเงินทุนประกอบอาชีพ")
    HUMANITARIAN = "humanitarian", _("เงินอุดหนุนช่วยเหลือเยียวยาด้านการเงินตามหลักมนุษยธรรม")


class Step(models.IntegerChoices):
    RECEIVED = 1, _("รับคำขอ")
    FACT_CHECK = 2, _("การตรวจสอบข้อเท็จจริง")
    PREPARED = 3, _("เตรียมเสนอคณะกรรมการฯ (One Home)")
    DECIDED = 4, _("ผลการพิจารณาของคณะกรรมการฯ")
    ASSISTED = 5, _("อนุมัติการช่วยเหลือ")


class Decision(models.TextChoices):
    APPROVED = "approved", pgettext_lazy("decision", "อนุมัติ")
    NOT_APPROVED = "not_approved", pgettext_lazy("decision", "ไม่อนุมัติ")


class HashKey(models.Model):
    """The secret of the app's keyed hashes (citizens, client addresses): one row (pk 1), made
    once by migration 0003 with ``secrets``. Independent of ``SECRET_KEY``: rotating that one
    changes no citizen's key. Never edited; deleting it would count every returning citizen
    twice (a missing row is made again, with a new secret)."""

    secret = models.CharField(max_length=128)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("กุญแจแฮชของระบบตรวจสอบสถานะ")
        verbose_name_plural = _("กุญแจแฮชของระบบตรวจสอบสถานะ")

    def __str__(self) -> str:
        return f"HashKey {self.pk}"


_secret_cache: dict[str, str] = {}


def new_secret() -> str:
    return secrets.token_hex(32)


def hash_secret() -> str:
    """The stored secret, read once per process (it never changes)."""
    cached = _secret_cache.get("secret")
    if cached:
        return cached
    secret = HashKey.objects.filter(pk=1).values_list("secret", flat=True).first()
    if secret is None:  # a database emptied by hand (or a flushed test database)
        try:
            with transaction.atomic():
                secret = HashKey.objects.create(pk=1, secret=new_secret()).secret
        except IntegrityError:  # made by another worker at the same moment
            secret = HashKey.objects.values_list("secret", flat=True).get(pk=1)
    _secret_cache["secret"] = secret
    return secret


def keyed_hash(purpose: str, value: str, secret: str | None = None) -> str:
    """HMAC-SHA256 of ``value`` with the app's own secret, per purpose (hex, 64 chars)."""
    secret = hash_secret() if secret is None else secret
    key = hashlib.sha256(f"kpitracker.subsidies.{purpose}:{secret}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def demo_installation() -> bool:
    """Whether this installation is a demo one (``DEMO_INSTALLATION=1``): only there do records
    marked ``is_demo`` count in the KPI figures. Off by default, so a production database in
    which ``manage.py demo`` was once run never counts its demo records."""
    return bool(getattr(settings, "DEMO_INSTALLATION", False))


def citizen_key(national_id: str) -> str:
    return keyed_hash("citizen", national_id)


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def normalize_reference(text: str) -> str:
    """What a citizen types (lower case, dashes, spaces, full-width or other scripts' digits) as
    a stored reference."""
    text = to_arabic_digits(unicodedata.normalize("NFKC", str(text))).upper()
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())[:32]


def format_reference(reference: str) -> str:
    return f"{reference[:5]}-{reference[5:]}" if len(reference) == REFERENCE_LENGTH else reference


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Applications are not scoped by province: whoever may read them reads them all."""
        return self if permissions.can_read(user) else self.none()


class Application(models.Model):
    reference = models.CharField(_("เลขอ้างอิง"), max_length=16, unique=True, editable=False)
    first_name = models.CharField(_("ชื่อผู้ยื่นคำขอ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100)
    national_id = models.CharField(_("เลขประจำตัวประชาชน"), max_length=13, db_index=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, verbose_name=_("จังหวัด"))
    subsidy_type = models.CharField(_("ประเภทเงินอุดหนุน"), max_length=20, choices=SubsidyType)
    amount_requested = models.DecimalField(_("จำนวนเงินที่ขอ (บาท)"), max_digits=12, decimal_places=2)
    received_on = models.DateField(_("วันที่รับคำขอ"), db_index=True)
    step = models.PositiveSmallIntegerField(
        _("ขั้นตอนปัจจุบัน"), choices=Step, default=Step.RECEIVED, db_index=True
    )
    decision = models.CharField(_("ผลการพิจารณา"), max_length=20, choices=Decision, blank=True)
    step_on = models.DateField(_("วันที่ของขั้นตอนปัจจุบัน"), null=True, blank=True)
    is_demo = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)
    # Raised by every edit of the fields above (not by moves): an edit form opened before
    # another edit is refused (core.versioned, views.application_edit).
    version = models.PositiveIntegerField(default=1, editable=False)
    # The submission (core.once) that recorded it: where a duplicate of that submission goes.
    submission_token = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("คำขอรับเงินอุดหนุน")
        verbose_name_plural = _("คำขอรับเงินอุดหนุน")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(step__gte=1, step__lte=5), name="subsidy_step_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formatted_reference} {self.first_name} {self.last_name}"

    def save(self, *args, **kwargs):
        if self.reference:
            return super().save(*args, **kwargs)
        for _attempt in range(10):
            self.reference = new_reference()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not type(self).objects.filter(reference=self.reference).exists():
                    raise
        raise IntegrityError("could not draw a unique reference")

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("subsidies:detail", args=[self.pk])

    @property
    def formatted_reference(self) -> str:
        return format_reference(self.reference)

    @property
    def is_closed(self) -> bool:
        """Not approved stops at step 4; step 5 is the last."""
        return self.step == Step.ASSISTED or (
            self.step == Step.DECIDED and self.decision == Decision.NOT_APPROVED
        )

    @property
    def next_step(self) -> int | None:
        return None if self.is_closed else self.step + 1


class StepEntry(models.Model):
    """One move of an application: to which step, when, by whom, with what note."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="entries", verbose_name=_("คำขอ")
    )
    step = models.PositiveSmallIntegerField(_("ขั้นตอน"), choices=Step)
    decision = models.CharField(_("ผลการพิจารณา"), max_length=20, choices=Decision, blank=True)
    acted_on = models.DateField(_("วันที่"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("เจ้าหน้าที่"),
    )
    note = models.TextField(_("หมายเหตุ"), blank=True)
    recorded_at = models.DateTimeField(_("บันทึกเมื่อ"), auto_now_add=True)
    # Raised by every correction (core.versioned): a correction or an undo opened before another
    # one was saved is refused (subsidies.views.step_correct).
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["application_id", "step"]
        verbose_name = _("ประวัติขั้นตอน")
        verbose_name_plural = _("ประวัติขั้นตอน")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "step"], name="subsidy_one_entry_per_step"
            )
        ]

    def __str__(self) -> str:
        return gettext("%(formatted_reference)s ขั้นที่ %(step)s") % {
            "formatted_reference": self.application.formatted_reference,
            "step": self.step,
        }


class Channel(models.TextChoices):
    WEB = "web", _("หน้าเว็บ")
    API = "api", _("เว็บเซอร์วิส")


class CountedQuerySet(models.QuerySet):
    def counted(self):
        """What the KPI figures count: without demo records, unless this is a demo
        installation (``demo_installation``)."""
        return self if demo_installation() else self.filter(**{self.demo_field: False})


class StatusCheckQuerySet(CountedQuerySet):
    demo_field = "is_demo"


class RatingQuerySet(CountedQuerySet):
    demo_field = "check_record__is_demo"


class StatusCheck(models.Model):
    """A successful public lookup. No national ID: ``citizen_key`` is its keyed hash. The same
    citizen looking up the same application at the same step again on the same day is one
    check (no new row, no new rating form)."""

    citizen_key = models.CharField(_("รหัสแฮชของผู้ตรวจสอบ"), max_length=64)
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("คำขอ"),
    )
    step = models.PositiveSmallIntegerField(_("ขั้นตอนขณะตรวจสอบ"), choices=Step, null=True)
    checked_at = models.DateTimeField(_("เวลาที่ตรวจสอบ"))
    checked_on = models.DateField(_("วันที่ตรวจสอบ"))
    fiscal_year = models.PositiveSmallIntegerField(_("ปีงบประมาณ (พ.ศ.)"))
    channel = models.CharField(_("ช่องทาง"), max_length=8, choices=Channel, default=Channel.WEB)
    is_demo = models.BooleanField(_("ข้อมูลตัวอย่าง"), default=False)

    objects = StatusCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-checked_at"]
        verbose_name = _("การตรวจสอบสถานะ")
        verbose_name_plural = _("การตรวจสอบสถานะ")
        indexes = [
            models.Index(fields=["fiscal_year", "citizen_key"], name="subsidy_check_year_citizen"),
            models.Index(fields=["checked_on"], name="subsidy_check_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_key", "application", "step", "checked_on"],
                name="subsidy_one_check_per_day_and_step",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} ({self.get_channel_display()})"


class Rating(models.Model):
    check_record = models.OneToOneField(
        StatusCheck, on_delete=models.CASCADE, related_name="rating", verbose_name=_("การตรวจสอบ")
    )
    score = models.PositiveSmallIntegerField(
        _("ความพึงพอใจ (1–5)"), choices=[(i, str(i)) for i in range(1, 6)]
    )
    comment = models.TextField(_("ข้อเสนอแนะ"), blank=True, max_length=1000)
    # One rating per citizen and application per step (copied from the check it rates).
    citizen_key = models.CharField(max_length=64, blank=True, editable=False)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    step = models.PositiveSmallIntegerField(choices=Step, null=True, blank=True)
    created_at = models.DateTimeField(_("เวลา"), auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ความพึงพอใจ")
        verbose_name_plural = _("ความพึงพอใจ")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="subsidy_rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["citizen_key", "application", "step"],
                name="subsidy_one_rating_per_citizen_and_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5"


class LookupThrottle(models.Model):
    """Failed lookups per key, shared by all workers: a keyed hash of the client address (the
    address's ceiling), or of the address and the reference typed (services.PAIR)."""

    key = models.CharField(max_length=64, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("การจำกัดการตรวจสอบที่ผิดพลาด")
        verbose_name_plural = _("การจำกัดการตรวจสอบที่ผิดพลาด")

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.failures}"
