"""Enrolling many participants into a course at once (issue 13): the lines an officer pasted
and the volunteers they ticked in a search, each told what will happen before anything is
written, then enrolled all together or not at all.

- ``parse(text)``: the pasted IDs with their line numbers: one a line, or several on a line
  separated by spaces, commas or semicolons; Thai, Arabic-Indic and full-width digits and any
  dash are normalised (core.nationalid.normalize), so "๑-๒๓๔๕-..." and "1 2345 67890 12 3" are
  one ID each.
- ``preview(course, user, text, picked)``: a row per line and per ticked volunteer: found (will
  be enrolled), already in the course, repeated, not found in the officer's register (unknown
  or out of scope: the same words, so nothing is told about other provinces), or not a valid ID.
- ``enrol(preview)``: inside the caller's transaction: the new enrolments, and applicants put
  in training (as the single enrolment always did).
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.nationalid import format_id, is_valid, mask, normalize
from volunteers import permissions
from volunteers.models import Enrolment, Status, Volunteer

FOUND, ALREADY, REPEATED, MISSING, INVALID = "found", "already", "repeated", "missing", "invalid"
PROBLEMS = (MISSING, INVALID)
MAX_LINES = 2000
_SEPARATORS = re.compile(r"[,;،，；]+")


@dataclass
class Row:
    where: str  # "บรรทัด 3" or "เลือกจากการค้นหา"
    text: str  # the ID as shown to this user (masked for roles that must not see it)
    status: str
    note: str = ""
    volunteer: Volunteer | None = None

    @property
    def is_problem(self) -> bool:
        return self.status in PROBLEMS


@dataclass
class Preview:
    rows: list[Row] = field(default_factory=list)

    @property
    def to_enrol(self) -> list[Volunteer]:
        return [r.volunteer for r in self.rows if r.status == FOUND and r.volunteer is not None]

    @property
    def problems(self) -> list[Row]:
        return [r for r in self.rows if r.is_problem]

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    n_found = property(lambda self: self.count(FOUND))
    n_already = property(lambda self: self.count(ALREADY))
    n_repeated = property(lambda self: self.count(REPEATED))
    n_problems = property(lambda self: len(self.problems))

    @property
    def ready(self) -> bool:
        """Nothing wrong and someone to enrol: the confirm button may be offered."""
        return bool(self.to_enrol) and not self.problems


def parse(text: str) -> list[tuple[int, str]]:
    """(line number, token) for every ID-like piece of the pasted text."""
    out = []
    for n, line in enumerate((text or "").splitlines(), 1):
        for chunk in _SEPARATORS.split(line):
            chunk = chunk.strip()
            if not chunk:
                continue
            if len(normalize(chunk)) == 13 or len(chunk.split()) == 1:
                out.append((n, chunk))  # one ID (perhaps written with spaces or dashes)
            else:
                out.extend((n, part) for part in chunk.split())
    return out


def _shown(user, national_id: str) -> str:
    return format_id(national_id) if permissions.can_see_national_id(user) else mask(national_id)


def preview(course, user, text: str = "", picked=()) -> Preview:
    """What enrolling would do; a fixed number of queries whatever the number of lines."""
    tokens = parse(text)
    ids = {normalize(t) for _, t in tokens}
    ids = {i for i in ids if is_valid(i)}
    scope = Volunteer.objects.visible_to(user)
    by_id = {v.national_id: v for v in scope.filter(national_id__in=ids)} if ids else {}
    picked = [p for p in picked if isinstance(p, int)]
    by_pk = {v.pk: v for v in scope.filter(pk__in=picked)} if picked else {}
    enrolled = set(
        Enrolment.objects.filter(
            course=course,
            volunteer_id__in=[v.pk for v in [*by_id.values(), *by_pk.values()]],
        ).values_list("volunteer_id", flat=True)
    )
    result, seen = Preview(), dict[int, str]()

    def add(where: str, shown: str, volunteer: Volunteer | None, problem: Row | None = None):
        if problem is not None:
            result.rows.append(problem)
        elif volunteer is None:
            result.rows.append(Row(where, shown, MISSING, _("ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน")))
        elif volunteer.pk in enrolled:
            result.rows.append(Row(where, shown, ALREADY, _("อยู่ในหลักสูตรนี้แล้ว"), volunteer))
        elif volunteer.pk in seen:
            note = _("ซ้ำกับ%(where)s") % {"where": seen[volunteer.pk]}
            result.rows.append(Row(where, shown, REPEATED, note, volunteer))
        else:
            seen[volunteer.pk] = where
            result.rows.append(Row(where, shown, FOUND, _("จะเพิ่มเข้าหลักสูตร"), volunteer))

    for pk in picked:
        v = by_pk.get(pk)
        where = _("เลือกจากการค้นหา")
        if v is None:
            add(where, "-", None, Row(where, "-", MISSING, _("ไม่พบ อพม. ที่เลือกในทะเบียนของท่าน")))
        else:
            add(where, _shown(user, v.national_id), v)
    for n, token in tokens:
        where = _("บรรทัด %(n)s") % {"n": n}
        value = normalize(token)
        if not re.fullmatch(r"[0-9]{13}", value):
            note = _("ไม่ใช่เลขประจำตัวประชาชน 13 หลัก")
            add(where, token[:40], None, Row(where, token[:40], INVALID, note))
        elif not is_valid(value):
            note = _("เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)")
            add(where, _shown(user, value), None, Row(where, _shown(user, value), INVALID, note))
        else:
            add(where, _shown(user, value), by_id.get(value))
    return result


def enrol(course, volunteers, user=None) -> list[Enrolment]:
    """The new enrolments (one INSERT, with their history) and applicants put in training;
    call it inside the transaction that claimed the submission. A volunteer enrolled by
    someone else meanwhile makes the unique index refuse the whole batch (IntegrityError), so
    nothing is written."""
    made = bulk_create_with_history(
        [Enrolment(course=course, volunteer=v) for v in volunteers],
        Enrolment,
        default_user=user,
        default_change_reason=_("เพิ่มผู้เข้าอบรม"),
    )
    applicants = list(
        Volunteer.objects.select_for_update()
        .filter(pk__in=[v.pk for v in volunteers], status=Status.APPLICANT)
        .order_by("pk")
    )
    for v in applicants:  # exact: the rows are locked
        v.status, v.version = Status.TRAINING, v.version + 1
    if applicants:
        bulk_update_with_history(
            applicants,
            Volunteer,
            ["status", "version"],
            default_user=user,
            default_change_reason=_("เข้าอบรม"),
        )
    return made
