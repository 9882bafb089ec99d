"""Import kinds of the volunteers app (SPEC §4, §7): volunteers, training results, services and
plan targets.

Natural keys (what makes uploading the same file twice change nothing):

- ``volunteers``: the national ID.
- ``trainings``: course + volunteer (the app's own "enrolled once" rule). A course has no code in
  the app, so it is named by its number in the system (``course_id``: the number in the course
  page's address, also in the course list and its export); an optional ``course_title`` column is
  checked against it to catch a mistyped number. After the rows are written, every new or changed
  result goes through the app's own ``services.record_result`` (pass/fail by ``rules.decide``;
  certificate, registration and card on a pass), in the same transaction.
- ``services``: volunteer + date + service type + target group + area + person served. Rows that
  are the same in all six are one service (add their people into ``people_served``); ``people_served``
  and ``note`` are what an upload updates.
- ``plan-targets``: plan + fiscal year + measure + province + specialty + service type; ``planned``
  and ``label`` are updated. The plan is the one that covers the year (the plan the KPI reads,
  ``volunteers.plan.plan_for_year``) unless a ``plan_id`` column names another.

A column left out of the file leaves that field as it is; a column present with an empty cell
clears an optional field.

What a row may hold is asked of ``volunteers.rules``, as the forms ask it: the coded words
(service types, target groups, measures, …), the birth and service dates, the people served,
the hours and score of a result, and what a plan target may combine; a refusal says the same
Thai as the form, with the row and the column. Each column's Thai header is the verbose name of
the model field it fills (``headers_from_model``) unless files have always carried another
(then it is written out in ``thai_headers``).
"""

import re
from collections import defaultdict
from operator import attrgetter

from django.utils import timezone
from django.utils.translation import gettext_lazy

from core import cells
from core.thaidate import to_arabic_digits
from imports import writer
from imports.resources import (
    KpiResource,
    Provinces,
    RowProblem,
    chunks,
    column,
    each_chunk,
    first_problem,
    need,
    register,
    render_date,
)
from volunteers import rules
from volunteers import services as volunteer_services
from volunteers import summary as volunteer_summary
from volunteers.models import (
    Course,
    Enrolment,
    LessonCompletion,
    Path,
    Plan,
    PlanTarget,
    Service,
    Specialty,
    Status,
    Volunteer,
    VolunteerSpecialty,
)
from volunteers.plan import plan_for_year
from volunteers.rules import (
    ACTIVE_NEEDS_CERTIFICATION,
    KIND,
    MEASURE,
    SERVICE_NEEDS,
    SERVICE_TYPE,
    SEX,
    STATUS,
    TARGET_GROUP,
)

__all__ = ["ACTIVE_NEEDS_CERTIFICATION", "PlanTargetResource", "ServiceResource",
           "TrainingResource", "VolunteerResource"]  # fmt: skip

RESULT_COLUMNS = ("hours_attended", "lessons", "session_attended", "test_passed", "test_score")


def _text(max_length: int):
    return lambda value: cells.text(value, max_length)


# A result read exactly (up to float noise): ``rules.result`` refuses more than one decimal
# rather than have 19.15 hours rounded to a pass at 19.2.
EXACT = 10


def exact_decimal(value):
    return cells.decimal(value, EXACT)


def _optional(row: dict, values: dict, name: str, empty="", field: str | None = None) -> None:
    """Copy an optional column into the values only if the file has that column."""
    if name in row:
        values[field or name] = row[name] if row[name] is not None else empty


def _volunteers_by_id(national_ids) -> dict[str, tuple]:
    """(pk, province_id) of the volunteers with these national IDs."""
    found = {}
    for chunk in chunks(sorted(set(national_ids))):
        queryset = Volunteer.objects.filter(national_id__in=chunk)
        for nid, pk, province_id in queryset.values_list("national_id", "pk", "province_id"):
            found[nid] = (pk, province_id)
    return found


def _volunteer(row, ctx, name: str = "national_id") -> tuple:
    nid = need(row, name, str(SERVICE_NEEDS["national_id"]))
    found = ctx["volunteers"].get(nid)
    if found is None:
        raise RowProblem(name, f"ไม่พบ อพม. เลขประจำตัวประชาชน {nid} ในทะเบียน")
    return found


def _words(value) -> tuple[str, ...] | None:
    """A list cell: items separated by commas, semicolons or new lines."""
    cleaned = cells.text(value)
    if cleaned is None:
        return None
    return tuple(w.strip() for w in re.split(r"[,;\n]", cleaned) if w.strip())


def lessons(value) -> tuple[int, ...] | None:
    """E-learning lessons done: "1,2,3,4,5", "1-5", "๑-๕", "1 2 3"; each 1–10."""
    cleaned = cells.text(value, 200)
    if cleaned is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        cleaned = str(int(value))
    done: set[int] = set()
    for part in re.split(r"[,;\s]+", to_arabic_digits(cleaned)):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if not match:
            raise ValueError(f"'{cleaned}' ต้องเป็นเลขบทเรียน เช่น 1,2,3,4,5 หรือ 1-5")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        for n in (first, last):
            if not 1 <= n <= 10:
                raise ValueError(f"บทเรียนที่ {n} ไม่มี (บทเรียนมี 1 ถึง 10)")
        if last < first:
            raise ValueError(f"'{part}' ช่วงบทเรียนไม่ถูกต้อง")
        done.update(range(first, last + 1))
    return tuple(sorted(done))


def fiscal_year(value) -> int | None:
    number = cells.integer(value)
    if number is None:
        return None
    for problem in rules.be_year(number):  # the plan target form's words
        raise ValueError(problem.message)
    return number


# -- volunteers -------------------------------------------------------------------------------
def _standing(national_ids) -> dict[str, tuple[str, bool]]:
    """(status, registered) of the volunteers already in the registry with these IDs."""
    found = {}
    for chunk in chunks(sorted(set(national_ids))):
        queryset = Volunteer.objects.filter(national_id__in=chunk)
        for nid, status, number in queryset.values_list(
            "national_id", "status", "registration_number"
        ):
            found[nid] = (status, bool(number))
    return found


def _may_be_active(standing: tuple[str, bool] | None) -> bool:
    """``rules.may_be_active`` for a row's volunteer as recorded (a new one may not)."""
    return standing is not None and rules.may_be_active(registered=standing[1], status=standing[0])


@register
class VolunteerResource(KpiResource):
    kind = "volunteers"
    label = gettext_lazy("อพม. (ทะเบียน)")
    order = 50
    national_id = column("national_id", cells.national_id, "national_id")
    title = column("title", _text(32), "title")
    first_name = column("first_name", _text(100), "first_name")
    last_name = column("last_name", _text(100), "last_name")
    birth_date = column("birth_date", cells.date, "birth_date", render_date)
    sex = column("sex", SEX, "sex")
    phone = column("phone", _text(32), "phone")
    # The province by its Thai name, TIS 1099 code or English name (imports.resources.Provinces).
    province = column("province", cells.text, "province")
    district = column("district", _text(100), "district")
    sub_district = column("sub_district", _text(100), "sub_district")
    kind_ = column("kind", KIND, "kind")
    status = column("status", STATUS, "status")
    specialties = column("specialties", _words, "specialties")
    # Every Thai header is the model field's verbose name (headers_from_model).
    thai_headers: dict[str, str] = {}
    required = ("national_id", "first_name", "last_name", "sex", "province", "kind")
    example = {
        "national_id": "1-1017-00230-70-8", "title": "นาง", "first_name": "สมศรี",
        "last_name": "ใจดี", "birth_date": "12/05/2515", "sex": "หญิง", "phone": "0812345678",
        "province": "เชียงใหม่", "district": "เมืองเชียงใหม่", "sub_district": "ศรีภูมิ",
        "kind": "อพม. จังหวัด", "status": "", "specialties": "ผู้สูงอายุ, คนพิการ",
    }  # fmt: skip
    update_fields = (
        "title", "first_name", "last_name", "birth_date", "sex", "phone", "province_id",
        "district", "sub_district", "kind", "status",
    )  # fmt: skip
    key_fields = ("national_id",)

    model = Volunteer

    def context(self, rows):
        specialties = {}
        for s in Specialty.objects.all():
            specialties.update({s.code.lower(): s.pk, "".join(s.name.split()).lower(): s.pk})
        return {
            "provinces": Provinces(),
            "specialties": specialties,
            "standing": _standing(r["national_id"] for r in rows if r.get("national_id")),
            "wanted_specialties": {},  # national ID → specialty ids, for after_apply
            "today": timezone.localdate(),
            "now": timezone.now(),
        }

    def resolve(self, row, ctx):
        nid = need(row, "national_id", "ต้องระบุเลขประจำตัวประชาชน")
        values = {
            "national_id": nid,
            "first_name": need(row, "first_name", "ต้องระบุชื่อ"),
            "last_name": need(row, "last_name", "ต้องระบุนามสกุล"),
            "sex": need(row, "sex", "ต้องระบุเพศ"),
            "province_id": ctx["provinces"].find(row, "province").pk,
            "kind": need(row, "kind", "ต้องระบุประเภท อพม."),
            # imports.writer's COPY path does not run auto_now_add: set it here (new rows only;
            # an update writes update_fields only).
            "created_at": ctx["now"],
        }
        for name in ("title", "phone", "district", "sub_district"):
            _optional(row, values, name)
        _optional(row, values, "birth_date", None)
        if row.get("status"):  # empty: the app's own status (set by training) stays
            if row["status"] == Status.ACTIVE and not _may_be_active(ctx["standing"].get(nid)):
                raise RowProblem("status", str(ACTIVE_NEEDS_CERTIFICATION))
            values["status"] = row["status"]
        first_problem(rules.volunteer(birth_date=values.get("birth_date"), today=ctx["today"]))
        if "specialties" in row:
            wanted = set()
            for word in row["specialties"] or ():
                pk = ctx["specialties"].get("".join(word.split()).lower())
                if pk is None:
                    raise RowProblem("specialties", f"ไม่พบความเชี่ยวชาญ '{word}'")
                wanted.add(pk)
            ctx["wanted_specialties"][nid] = wanted
        return nid, values

    def existing(self, keys, ctx):
        found = {}
        for chunk in chunks(keys):
            queryset = Volunteer.objects.filter(national_id__in=chunk)
            found.update(self.records(queryset, key=lambda r: r.national_id))
        return found

    def after_apply(self, created, updated, ctx):
        """Specialties (a many-to-many) follow the file: the listed ones are kept or added,
        the others removed, for the rows that have the column."""
        wanted = ctx["wanted_specialties"]
        if not wanted:
            return
        ids = {nid: pk for nid, (pk, _) in _volunteers_by_id(wanted).items()}
        have = defaultdict(dict)
        for chunk in chunks(ids.values()):
            for link in VolunteerSpecialty.objects.filter(volunteer_id__in=chunk):
                have[link.volunteer_id][link.specialty_id] = link
        new, gone = [], []
        for nid, specialty_ids in wanted.items():
            pk = ids[nid]
            current = have.get(pk, {})
            new += [
                {"volunteer_id": pk, "specialty_id": s, "since": ctx["today"]}
                for s in specialty_ids - set(current)
            ]
            gone += [link for s, link in current.items() if s not in specialty_ids]
        writer.create(VolunteerSpecialty, new, self.user)
        for link in gone:  # one by one, so that each removal is in the audit history
            link.delete()


# -- training results -------------------------------------------------------------------------
@register
class TrainingResource(KpiResource):
    kind = "trainings"
    label = gettext_lazy("ผลการอบรม อพม.")
    order = 55
    course_id = column("course_id", cells.integer)
    course_title = column("course_title", _text(200), "course__title")
    national_id = column("national_id", cells.national_id, "volunteer__national_id")
    hours_attended = column("hours_attended", exact_decimal, "hours_attended")
    lessons = column("lessons", lessons)
    session_attended = column("session_attended", cells.boolean, "session_attended")
    test_passed = column("test_passed", cells.boolean, "test_passed")
    test_score = column("test_score", exact_decimal, "test_score")
    # The others are the model fields' verbose names (headers_from_model).
    thai_headers = {
        "course_id": "เลขที่หลักสูตร",  # the course's number in the system, not the course
        "lessons": "บทเรียนออนไลน์ที่เรียนจบ",  # not a field: the lesson completions
        "session_attended": "เข้าอบรม 1 วัน",  # the field's name adds "(E-Learning)"
        "test_passed": "ผลแบบทดสอบความรู้",  # the field's: "ผ่านแบบทดสอบความรู้"
    }
    required = ("course_id", "national_id")
    example = {
        "course_id": "12", "course_title": "อบรม อพม. รุ่นที่ 1/2563",
        "national_id": "1-1017-00230-70-8", "hours_attended": "24", "lessons": "",
        "session_attended": "", "test_passed": "ผ่าน", "test_score": "85",
    }  # fmt: skip
    # passed and reason are the app's decision (rules.decide) from the file's values: a row whose
    # outcome would change counts as updated, and after_apply stores it through the app.
    update_fields = (
        "hours_attended", "session_attended", "test_passed", "test_score", "passed", "reason",
    )  # fmt: skip
    key_fields = ("course_id", "volunteer_id")

    model = Enrolment

    def context(self, rows):
        named = {r["course_id"] for r in rows if r.get("course_id")}
        courses = {c.pk: c for part in each_chunk(Course.objects.all(), "pk", named) for c in part}
        done = defaultdict(set)
        for part in each_chunk(LessonCompletion.objects.all(), "enrolment__course_id", courses):
            for course_id, volunteer_id, lesson in part.values_list(
                "enrolment__course_id", "enrolment__volunteer_id", "lesson"
            ):
                done[(course_id, volunteer_id)].add(lesson)
        return {
            "courses": courses,
            "volunteers": _volunteers_by_id(r["national_id"] for r in rows if r.get("national_id")),
            "enrolments": self.records_in(
                Enrolment.objects.all(),
                "course_id",
                courses,
                key=lambda r: (r.course_id, r.volunteer_id),
            ),
            "lessons": done,
            "lesson_changes": {},  # key → lessons from the file that differ from the records
            "decide": set(),  # keys of the rows that carry results (not only an enrolment)
        }

    def resolve(self, row, ctx):
        number = need(row, "course_id", "ต้องระบุเลขที่หลักสูตร")
        course = ctx["courses"].get(number)
        if course is None:
            raise RowProblem("course_id", f"ไม่พบหลักสูตรเลขที่ {number}")
        title = row.get("course_title")
        if title and "".join(title.split()) != "".join(course.title.split()):
            raise RowProblem(
                "course_title", f"หลักสูตรเลขที่ {number} คือ '{course.title}' ไม่ใช่ '{title}'"
            )
        volunteer_id, _ = _volunteer(row, ctx)
        key = (course.pk, volunteer_id)
        values = {"course_id": course.pk, "volunteer_id": volunteer_id}
        _optional(row, values, "hours_attended", None)
        _optional(row, values, "test_passed", None)
        _optional(row, values, "test_score", None)
        first_problem(
            rules.result(
                hours_attended=values.get("hours_attended"),
                test_score=values.get("test_score"),
                course_hours=course.hours,
            )
        )
        for name in ("hours_attended", "test_score"):
            if name in values:
                values[name] = rules.tenths(values[name])
        had = ctx["lessons"].get(key, set())
        done = had
        if course.kind == Path.WORKSHOP:
            if row.get("lessons"):
                raise RowProblem("lessons", "หลักสูตรอบรมเชิงปฏิบัติการไม่มีบทเรียนออนไลน์")
            if row.get("session_attended"):
                raise RowProblem("session_attended", "การเข้าอบรม 1 วันใช้กับหลักสูตร E-Learning")
        else:
            _optional(row, values, "session_attended", False)
            if "lessons" in row:
                done = set(row["lessons"] or ())
                if done != had:
                    ctx["lesson_changes"][key] = sorted(done)
        if not any(name in row for name in RESULT_COLUMNS):
            return key, values  # an enrolment only: no result to decide yet
        # The decision the app will make, from the file's values over the recorded ones.
        current = ctx["enrolments"].get(key)
        merged = {
            name: values.get(name, getattr(current, name, None))
            for name in ("hours_attended", "test_passed", "session_attended")
        }
        decision = rules.decide(
            course.kind,
            course_hours=course.hours,
            hours_attended=merged["hours_attended"],
            test_passed=merged["test_passed"],
            lessons_done=done,
            session_attended=bool(merged["session_attended"]),
        )
        values["passed"] = decision.passed
        values["reason"] = decision.reason
        ctx["decide"].add(key)
        return key, values

    def existing(self, keys, ctx):
        return {k: ctx["enrolments"][k] for k in keys if k in ctx["enrolments"]}

    def after_apply(self, created, updated, ctx):
        """Every new or changed result is decided and stored by the app itself, exactly as the
        browser's result form does (services.record_result: pass/fail, then certificate,
        registration and card on a pass)."""
        new = {(v["course_id"], v["volunteer_id"]) for v in created}
        keys = new | {(e.course_id, e.volunteer_id) for e in updated} | set(ctx["lesson_changes"])
        keys &= ctx["decide"]
        # Enrolled without results yet: as the browser's enrol form, an applicant is in training.
        waiting = {volunteer_id for _, volunteer_id in new - keys}
        for chunk in chunks(waiting):
            for volunteer in Volunteer.objects.filter(pk__in=chunk, status=Status.APPLICANT):
                volunteer.status = Status.TRAINING
                volunteer.save(update_fields=["status"])
        if not keys:
            return
        enrolments = Enrolment.objects.select_related("course", "volunteer", "volunteer__province")
        by_key = {
            (e.course_id, e.volunteer_id): e
            for part in each_chunk(enrolments, "course_id", {c for c, _ in keys})
            for e in part
        }
        today = timezone.localdate()
        for key in sorted(keys):
            enrolment = by_key[key]
            lessons_done = None
            if enrolment.course.kind == Path.ELEARNING:
                lessons_done = ctx["lesson_changes"].get(key, sorted(ctx["lessons"].get(key, ())))
            volunteer_services.record_result(enrolment, lessons_done, today)


# -- services ---------------------------------------------------------------------------------
@register
class ServiceResource(KpiResource):
    kind = "services"
    label = gettext_lazy("การให้บริการของ อพม.")
    order = 60
    national_id = column("national_id", cells.national_id, "volunteer__national_id")
    date = column("date", cells.date, "date", render_date)
    service_type = column("service_type", SERVICE_TYPE, "service_type")
    target_group = column("target_group", TARGET_GROUP, "target_group")
    people_served = column("people_served", cells.integer, "people_served")
    person_name = column("person_name", _text(200), "person_name")
    area = column("area", _text(200), "area")
    note = column("note", cells.text, "note")
    # The others are the model fields' verbose names (headers_from_model).
    thai_headers = {
        "national_id": "เลขประจำตัวประชาชน อพม.",  # the volunteer's, not a field of the service
        "person_name": "ชื่อผู้รับบริการ",  # the field's name adds "(ถ้ามี)" for the form
        "area": "พื้นที่",  # the field's name adds "(ตำบล/อำเภอ)" for the form
    }
    required = ("national_id", "date", "service_type", "target_group")
    example = {
        "national_id": "1-1017-00230-70-8", "date": "15/03/2563", "service_type": "คัดกรอง",
        "target_group": "ผู้สูงอายุ", "people_served": "3", "person_name": "",
        "area": "ต.ศรีภูมิ อ.เมืองเชียงใหม่", "note": "",
    }  # fmt: skip
    update_fields = ("people_served", "note")
    key_fields = ("volunteer_id", "date", "service_type", "target_group", "area", "person_name")

    model = Service

    def context(self, rows):
        return {
            "volunteers": _volunteers_by_id(r["national_id"] for r in rows if r.get("national_id")),
            "today": timezone.localdate(),
        }

    def resolve(self, row, ctx):
        volunteer_id, province_id = _volunteer(row, ctx)
        day = need(row, "date", str(SERVICE_NEEDS["date"]))
        people = row.get("people_served")
        if people is None:
            people = rules.PEOPLE_DEFAULT
        first_problem(rules.service(day=day, people_served=people, today=ctx["today"]))
        values = {
            "volunteer_id": volunteer_id,
            "province_id": province_id,
            "date": day,
            "service_type": need(row, "service_type", str(SERVICE_NEEDS["service_type"])),
            "target_group": need(row, "target_group", str(SERVICE_NEEDS["target_group"])),
            "people_served": people,
            "person_name": row.get("person_name") or "",
            "area": row.get("area") or "",
            "created_by_id": getattr(self.user, "pk", None),
        }
        _optional(row, values, "note")
        key = (
            volunteer_id, day, values["service_type"], values["target_group"], values["area"],
            values["person_name"],
        )  # fmt: skip
        return key, values

    def existing(self, keys, ctx):
        if not keys:
            return {}
        days = [k[1] for k in keys]
        wanted = set(keys)
        found = {}
        for chunk in chunks({k[0] for k in keys}):
            queryset = Service.objects.filter(
                volunteer_id__in=chunk, date__range=(min(days), max(days))
            )
            records = self.records(
                queryset,
                key=attrgetter(*ServiceResource.key_fields),
            )
            found.update((k, r) for k, r in records.items() if k in wanted)
        return found

    def after_apply(self, created, updated, ctx):
        """The monthly service summary (volunteers/summary.py) of the months × provinces the
        file touched is rebuilt in the import's transaction (new rows arrive by COPY)."""
        touched = [(v["province_id"], v["date"]) for v in created]
        touched += [(s.province_id, s.date) for s in updated]
        volunteer_summary.rebuild(
            months={volunteer_summary.month_of(day) for _, day in touched},
            provinces={province_id for province_id, _ in touched},
        )


# -- plan targets -----------------------------------------------------------------------------
@register
class PlanTargetResource(KpiResource):
    kind = "plan-targets"
    label = gettext_lazy("เป้าหมายตามแผนพัฒนาศักยภาพ อพม.")
    order = 65
    fiscal_year = column("fiscal_year", fiscal_year, "fiscal_year")
    measure = column("measure", MEASURE, "measure")
    province = column("province", cells.text, "province")
    specialty = column("specialty", cells.text, "specialty")
    service_type = column("service_type", SERVICE_TYPE, "service_type")
    planned = column("planned", cells.integer, "planned")
    label_ = column("label", _text(300), "label")
    plan_id = column("plan_id", cells.integer, "plan")
    # The others are the model fields' verbose names (headers_from_model).
    thai_headers = {
        "fiscal_year": "ปีงบประมาณ",  # the field's name adds "(พ.ศ.)" for the form
        "plan_id": "เลขที่แผน",  # the plan's number in the system
    }
    required = ("fiscal_year", "measure", "planned")
    example = {
        "fiscal_year": "2563", "measure": "trained", "province": "เชียงใหม่", "specialty": "",
        "service_type": "", "planned": "120", "label": "อพม. ผ่านการพัฒนาศักยภาพ", "plan_id": "",
    }  # fmt: skip
    update_fields = ("planned", "label")
    key_fields = (
        "plan_id",
        "fiscal_year",
        "measure",
        "province_id",
        "specialty_id",
        "service_type",
    )

    model = PlanTarget

    def context(self, rows):
        years = {r["fiscal_year"] for r in rows if r.get("fiscal_year")}
        specialties = {}
        for s in Specialty.objects.all():
            specialties.update({s.code.lower(): s, "".join(s.name.split()).lower(): s})
        return {
            "provinces": Provinces(),
            "specialties": specialties,
            "plans": {p.pk: p for p in Plan.objects.all()},
            "plan_of_year": {year: plan_for_year(year) for year in sorted(years)},
        }

    def resolve(self, row, ctx):
        year = need(row, "fiscal_year", "ต้องระบุปีงบประมาณ")
        measure = need(row, "measure", "ต้องระบุตัววัด")
        planned = need(row, "planned", "ต้องระบุค่าเป้าหมาย")
        if row.get("plan_id"):
            plan = ctx["plans"].get(row["plan_id"])
            if plan is None:
                raise RowProblem("plan_id", f"ไม่พบแผนเลขที่ {row['plan_id']}")
        else:
            plan = ctx["plan_of_year"].get(year)
            if plan is None:
                raise RowProblem("fiscal_year", f"ไม่พบแผนพัฒนาศักยภาพ อพม. ที่ครอบคลุมปี {year}")
        service_type = row.get("service_type") or ""
        first_problem(
            rules.plan_target(
                plan=plan,
                fiscal_year=year,
                measure=measure,
                specialty=row.get("specialty"),
                service_type=service_type,
                planned=planned,
            )
        )
        province = ctx["provinces"].find(row, "province", required=False)
        specialty = None
        if row.get("specialty"):
            specialty = ctx["specialties"].get("".join(row["specialty"].split()).lower())
            if specialty is None:
                raise RowProblem("specialty", f"ไม่พบความเชี่ยวชาญ '{row['specialty']}'")
        values = {
            "plan_id": plan.pk,
            "fiscal_year": year,
            "measure": measure,
            "province_id": province.pk if province else None,
            "specialty_id": specialty.pk if specialty else None,
            "service_type": service_type,
            "planned": planned,
        }
        _optional(row, values, "label")
        key = (plan.pk, year, measure, values["province_id"], values["specialty_id"], service_type)
        return key, values

    def existing(self, keys, ctx):
        if not keys:
            return {}
        wanted = set(keys)
        queryset = PlanTarget.objects.filter(plan_id__in={k[0] for k in keys})
        records = self.records_in(
            queryset, "fiscal_year", {k[1] for k in keys}, key=attrgetter(*self.key_fields)
        )
        return {k: r for k, r in records.items() if k in wanted}
