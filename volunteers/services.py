"""What follows a decision: the certificate, the registration and the ID card of a volunteer
who passed (SPEC §4). Numbers come from :class:`Counter` rows, so they are unique and never
reused, even if a volunteer is later removed."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core.thaidate import be_year
from volunteers.models import Counter, Enrolment, LessonCompletion, Status, Volunteer
from volunteers.rules import Decision, decide_enrolment

CARD_VALID_YEARS = 4  # validity of the อพม. card; a department setting, see docs/volunteers.md


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def issue_number(series: str, province_code: str, day: dt.date) -> str:
    """e.g. อพม. registration 50-2563-000012: province, BE year, a running number per series,
    province and year."""
    year = be_year(day.year)
    n = Counter.next(f"{series}:{province_code}:{year}")
    prefix = {"reg": "", "cert": "ว", "card": "บ"}[series]
    return f"{prefix}{province_code}-{year}-{n:06d}"


@transaction.atomic
def certify(volunteer: Volunteer, on: dt.date, path: str) -> Volunteer:
    """Certificate, registration and card for a volunteer who passed (once)."""
    volunteer = (
        Volunteer.objects.select_for_update().select_related("province").get(pk=volunteer.pk)
    )
    code = volunteer.province.code
    changed = False
    if not volunteer.trained_on:
        volunteer.trained_on, volunteer.training_path = on, path
        changed = True
    if not volunteer.certificate_number:
        volunteer.certificate_number = issue_number("cert", code, on)
        changed = True
    if not volunteer.registration_number:
        volunteer.registration_number = issue_number("reg", code, on)
        volunteer.registered_on = on
        changed = True
    if not volunteer.card_number:
        issue_card(volunteer, on, save=False)
        changed = True
    if volunteer.status in (Status.APPLICANT, Status.TRAINING):
        volunteer.status = Status.ACTIVE
        changed = True
    if changed:
        volunteer.save()
    return volunteer


CARD_FIELDS = ["card_number", "card_issued_on", "card_expires_on"]


class StaleRenewal(Exception):
    """The card the renewal was asked for is no longer the volunteer's card (renewed since)."""

    def __init__(self, volunteer: Volunteer):
        super().__init__(volunteer.card_number)
        self.volunteer = volunteer


def issue_card(volunteer: Volunteer, on: dt.date, save: bool = True) -> Volunteer:
    """A new card (first issue or renewal): a new number, valid CARD_VALID_YEARS years. Only
    the card fields are written."""
    volunteer.card_number = issue_number("card", volunteer.province.code, on)
    volunteer.card_issued_on = on
    volunteer.card_expires_on = _add_years(on, CARD_VALID_YEARS) - dt.timedelta(days=1)
    if save:
        volunteer.save(update_fields=CARD_FIELDS)
    return volunteer


@transaction.atomic
def renew_card(pk: int, replacing: str, on: dt.date) -> Volunteer:
    """Re-issue the card ``replacing`` (the number the page showed) on the locked row: two
    renewals of one card at once make one new card; the later one finds the card changed and
    is refused (StaleRenewal) before a number is drawn, so no number is burnt."""
    volunteer = Volunteer.objects.select_for_update().select_related("province").get(pk=pk)
    if not volunteer.registration_number:
        raise ValueError("not registered")
    if (volunteer.card_number or "") != (replacing or ""):
        raise StaleRenewal(volunteer)
    return issue_card(volunteer, on)


@transaction.atomic
def record_result(
    enrolment: Enrolment, lessons_done=None, today: dt.date | None = None
) -> Decision:
    """Save the lessons (e-learning), decide pass/fail, store it and certify on a pass."""
    today = today or timezone.localdate()
    if lessons_done is not None:
        lessons_done = sorted(set(lessons_done))
        enrolment.lessons.exclude(lesson__in=lessons_done).delete()
        have = set(enrolment.lessons.values_list("lesson", flat=True))
        LessonCompletion.objects.bulk_create(
            LessonCompletion(enrolment=enrolment, lesson=n, completed_on=today)
            for n in lessons_done
            if n not in have
        )
    decision = decide_enrolment(enrolment, lessons_done)
    enrolment.passed = decision.passed
    enrolment.reason = decision.reason
    enrolment.decided_on = today
    enrolment.save()
    volunteer = enrolment.volunteer
    if decision.passed:
        certify(volunteer, enrolment.course.end_date, enrolment.course.kind)
    elif volunteer.status == Status.APPLICANT:
        locked = Volunteer.objects.select_for_update().get(pk=volunteer.pk)
        if locked.status == Status.APPLICANT:
            locked.status = Status.TRAINING
            locked.save(update_fields=["status"])  # and the version (Volunteer.save)
        volunteer.status, volunteer.version = locked.status, locked.version
    return decision
