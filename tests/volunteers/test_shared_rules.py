"""One set of rules for the forms and the imports (volunteers/rules.py, issue 14): whatever the
service, pasted-table, volunteer, result or plan target form refuses, a file refuses too, with
the same Thai message: the form with status 400 and what was typed kept, the import preview
naming the row and the column. And what a file may say (service types, target groups), a pasted
table may say too."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from core import roles
from core.nationalid import format_id
from core.thaidate import format_be_numeric
from imports import engine
from imports.models import Upload
from tests.imports.conftest import csv_bytes
from tests.volunteers.conftest import new_national_id
from volunteers import rules
from volunteers.models import (
    Course,
    Enrolment,
    Plan,
    PlanTarget,
    Service,
    Specialty,
    Volunteer,
)
from volunteers.resources import (
    PlanTargetResource,
    ServiceResource,
    TrainingResource,
    VolunteerResource,
)

TODAY = timezone.localdate()
AHEAD = format_be_numeric(TODAY + dt.timedelta(days=400))
TOMORROW = format_be_numeric(TODAY + dt.timedelta(days=1))

SERVICE = ["เลขประจำตัวประชาชน อพม.", "วันที่ให้บริการ", "ประเภทบริการ", "กลุ่มเป้าหมาย",
           "จำนวนผู้รับบริการ (คน)", "พื้นที่"]  # fmt: skip
VOLUNTEER = ["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "เพศ", "จังหวัด", "ประเภท อพม.", "วันเกิด",
             "สถานะ"]  # fmt: skip
RESULT = ["เลขที่หลักสูตร", "เลขประจำตัวประชาชน", "ชั่วโมงที่เข้าอบรม", "ผลแบบทดสอบความรู้",
          "คะแนนแบบทดสอบ"]  # fmt: skip
TARGET = ["เลขที่แผน", "ปีงบประมาณ", "ตัววัด", "จังหวัด", "ความเชี่ยวชาญ", "ประเภทบริการ",
          "ค่าเป้าหมาย"]  # fmt: skip


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@dataclass
class World:
    volunteer: Volunteer
    course: Course
    enrolment: Enrolment
    plan: Plan


@pytest.fixture
def world(bkk_volunteer, make_course, enrol, bangkok) -> World:
    course = make_course(bangkok)
    plan = Plan.objects.create(title="แผนทดสอบ", first_year=2563, last_year=2565)
    return World(bkk_volunteer, course, enrol(course, bkk_volunteer), plan)


def _state() -> tuple:
    return (
        Service.objects.count(),
        Volunteer.objects.count(),
        list(Enrolment.objects.values_list("hours_attended", "test_score", "version")),
        PlanTarget.objects.count(),
    )


def preview(client, kind: str, header: list, row: list) -> tuple[list[str], str]:
    """Upload a one-row file: the problems it was refused for, and the preview page that shows
    them; confirming it is tried too (and must write nothing)."""
    file = SimpleUploadedFile("rule.csv", csv_bytes([header, row]))
    client.post(reverse("imports:upload"), {"kind": kind, "file": file})
    upload = Upload.objects.latest("pk")
    assert upload.status == "rejected"
    page = unescape(client.get(reverse("imports:preview", args=[upload.pk])).content.decode())
    client.post(reverse("imports:confirm", args=[upload.pk]))
    problems = [str(engine.CellError(e["row"], e["column"], e["message"])) for e in upload.errors]
    return problems, page


# --- services: the single form, the pasted table and the file ---------------------------------


@dataclass
class ServiceRule:
    id: str
    date: str
    people: str
    field: str
    message: str


SERVICE_RULES = [
    ServiceRule("a date 400 days ahead", AHEAD, "1", "date", "วันที่ให้บริการต้องไม่เป็นวันในอนาคต"),
    ServiceRule("a date tomorrow", TOMORROW, "1", "date", "วันที่ให้บริการต้องไม่เป็นวันในอนาคต"),
    ServiceRule("a date before 2000", "31/12/2542", "1", "date",
                "วันที่ให้บริการต้องไม่ก่อน 1 ม.ค. 2543"),
    ServiceRule("over 100,000 people", "01/03/2563", "100001", "people_served",
                "จำนวนผู้รับบริการต้องอยู่ระหว่าง 1 ถึง 100,000 คน"),
    ServiceRule("no one served", "01/03/2563", "0", "people_served",
                "จำนวนผู้รับบริการต้องอยู่ระหว่าง 1 ถึง 100,000 คน"),
    ServiceRule("fewer than no one", "01/03/2563", "-3", "people_served",
                "จำนวนผู้รับบริการต้องอยู่ระหว่าง 1 ถึง 100,000 คน"),
]  # fmt: skip
IMPORT_COLUMN = {"date": "วันที่ให้บริการ", "people_served": "จำนวนผู้รับบริการ (คน)"}
BULK_COLUMN = {"date": "วันที่", "people_served": "จำนวนคน"}


@pytest.mark.parametrize("rule", SERVICE_RULES, ids=[r.id for r in SERVICE_RULES])
def test_the_service_form_refuses_it_in_thai_and_keeps_what_was_typed(
    client_for, officer_bkk, world, rule
):
    data = {
        "volunteer_national_id": world.volunteer.national_id, "date": rule.date,
        "service_type": "survey", "target_group": "elderly", "people_served": rule.people,
        "area": "สีลม",
    }  # fmt: skip
    response = client_for(officer_bkk).post(reverse("volunteers:service-create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[rule.field] == [rule.message]
    html = unescape(response.content.decode())
    assert rule.message in html
    assert (
        f'name="{rule.field}" value="{rule.people if rule.field == "people_served" else rule.date}"'
        in html
    )
    assert not Service.objects.exists()


@pytest.mark.parametrize("rule", SERVICE_RULES, ids=[r.id for r in SERVICE_RULES])
def test_the_pasted_table_refuses_it_naming_the_row_and_column(
    client_for, officer_bkk, world, rule
):
    good = f"{world.volunteer.national_id}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t2\tสีลม"
    bad = f"{world.volunteer.national_id}\t{rule.date}\tคัดกรอง\tผู้สูงอายุ\t{rule.people}\tสีลม"
    response = client_for(officer_bkk).post(
        reverse("volunteers:service-bulk"), {"rows": f"{good}\n{bad}"}
    )
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert f"แถว 2, {BULK_COLUMN[rule.field]}: {rule.message}" in html
    assert bad in html  # the pasted table is still there to correct
    assert not Service.objects.exists()


@pytest.mark.parametrize("rule", SERVICE_RULES, ids=[r.id for r in SERVICE_RULES])
def test_the_services_import_refuses_it_naming_the_row_and_column(
    client_for, kpi_admin, world, rule
):
    row = [world.volunteer.national_id, rule.date, "คัดกรอง", "ผู้สูงอายุ", rule.people, "สีลม"]
    problems, page = preview(client_for(kpi_admin), "services", SERVICE, row)
    expected = f"แถว 2, {IMPORT_COLUMN[rule.field]}: {rule.message}"
    assert problems == [expected] and expected in page
    assert not Service.objects.exists()


# (service type, target group) as typed, and the codes they are.
SPELLINGS = [
    ("ค้นหา", "ผู้สูงอายุ", "survey", "elderly"),
    ("สำรวจ", "ผู้สูงอายุ", "survey", "elderly"),
    ("ค้นหา/ สำรวจ", "ผู้สูงอายุ", "survey", "elderly"),
    ("ค้นหา/สำรวจ", "ผู้สูงอายุ", "survey", "elderly"),
    ("Screening", "ผู้สูงอายุ", "screening", "elderly"),
    ("screening", "elderly", "screening", "elderly"),
    ("Outreach/survey", "Older people", "survey", "elderly"),  # the English labels
    ("ส่งต่อ", "คนไร้ที่พึ่ง", "referral", "destitute"),
    ("ประสานส่งต่อ", "ผู้ทำการขอทาน", "referral", "destitute"),
    ("รณรงค์", "อื่นๆ", "publicity", "other"),
]


@pytest.mark.parametrize(("word", "group", "code", "group_code"), SPELLINGS)
def test_the_pasted_table_takes_every_spelling_a_file_takes(
    client_for, officer_bkk, world, word, group, code, group_code
):
    nid = format_id(world.volunteer.national_id)  # dashes too, as a file may have them
    rows = f"{nid}\t01/03/2563\t{word}\t{group}\t\t"
    response = client_for(officer_bkk).post(reverse("volunteers:service-bulk"), {"rows": rows})
    assert response.status_code == 302, unescape(response.content.decode())[-3000:]
    service = Service.objects.get()
    assert (service.service_type, service.target_group) == (code, group_code)
    assert service.people_served == 1  # an empty count


@pytest.mark.parametrize(("word", "group", "code", "group_code"), SPELLINGS)
def test_the_services_import_takes_the_same_spellings(world, word, group, code, group_code):
    row = [world.volunteer.national_id, "01/03/2563", word, group, "", ""]
    report = engine.run(ServiceResource(), csv_bytes([SERVICE, row]), "s.csv", dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    service = Service.objects.get()
    assert (service.service_type, service.target_group) == (code, group_code)


def test_an_unknown_service_type_is_refused_in_the_same_words_by_both(
    client_for, officer_bkk, world
):
    nid = world.volunteer.national_id
    response = client_for(officer_bkk).post(
        reverse("volunteers:service-bulk"), {"rows": f"{nid}\t01/03/2563\tเยี่ยมบ้าน\tผู้สูงอายุ\t1\t"}
    )
    form_error = response.context["form"].errors["rows"][0]
    row = [nid, "01/03/2563", "เยี่ยมบ้าน", "ผู้สูงอายุ", "1", ""]
    report = engine.run(ServiceResource(), csv_bytes([SERVICE, row]), "s.csv", dry_run=True)
    assert form_error.startswith("แถว 1, ประเภทบริการ: 'เยี่ยมบ้าน' ไม่ใช่ค่าที่รับได้")
    assert form_error.split(": ", 1)[1] == report.errors[0].message


def test_an_area_longer_than_its_field_is_refused_by_the_pasted_table_as_by_a_file(
    client_for, officer_bkk, world
):
    nid = world.volunteer.national_id
    rows = f"{nid}\t01/03/2563\tคัดกรอง\tผู้สูงอายุ\t1\t{'ก' * 201}"
    response = client_for(officer_bkk).post(reverse("volunteers:service-bulk"), {"rows": rows})
    assert response.status_code == 400
    assert "แถว 1, พื้นที่: ข้อความยาวเกิน 200 ตัวอักษร" in unescape(response.content.decode())
    assert not Service.objects.exists()


def test_an_empty_count_is_one_person_in_the_form_as_in_a_file(client_for, officer_bkk, world):
    data = {
        "volunteer_national_id": world.volunteer.national_id, "date": "01/03/2563",
        "service_type": "survey", "target_group": "elderly", "people_served": "",
    }  # fmt: skip
    response = client_for(officer_bkk).post(reverse("volunteers:service-create"), data)
    assert response.status_code == 302
    assert Service.objects.get().people_served == 1


def test_today_and_the_first_day_of_2000_are_accepted_by_the_form_and_the_file(
    client_for, officer_bkk, world
):
    client = client_for(officer_bkk)
    for day in (format_be_numeric(TODAY), "01/01/2543"):
        data = {
            "volunteer_national_id": world.volunteer.national_id, "date": day,
            "service_type": "survey", "target_group": "elderly", "people_served": "100000",
        }  # fmt: skip
        assert client.post(reverse("volunteers:service-create"), data).status_code == 302
    rows = [SERVICE] + [
        [world.volunteer.national_id, day, "คัดกรอง", "ผู้สูงอายุ", "100000", ""]
        for day in (format_be_numeric(TODAY), "01/01/2543")
    ]
    assert engine.run(ServiceResource(), csv_bytes(rows), "s.csv", dry_run=False).ok
    assert Service.objects.count() == 4


# --- volunteers, results and plan targets: the form and the file -------------------------------


@dataclass
class Rule:
    id: str
    form: Callable  # world → (url, POST data)
    user: str  # the fixture that posts the form
    typed: str  # what the re-rendered form must still show
    kind: str
    header: list
    row: Callable  # world → the file's row
    column: str
    message: str


def volunteer_form(**changes):
    def make(world):
        data = {
            "national_id": new_national_id(), "title": "นาง", "first_name": "สมใจ",
            "last_name": "อาสาดี", "birth_date": "15/03/2510", "sex": "F",
            "province": world.volunteer.province_id, "kind": "bangkok", "status": "applicant",
        }  # fmt: skip
        return reverse("volunteers:create"), data | changes

    return make


def volunteer_row(birth="15/03/2510", status=""):
    return lambda world: [new_national_id(), "สมใจ", "อาสาดี", "หญิง", "กรุงเทพมหานคร",
                          "อพม. กรุงเทพมหานคร", birth, status]  # fmt: skip


def result_form(**changes):
    def make(world):
        data = {"hours_attended": "24", "test_passed": "1", "test_score": "80",
                "version": world.enrolment.version}  # fmt: skip
        return reverse("volunteers:enrolment-result", args=[world.enrolment.pk]), data | changes

    return make


def result_row(hours="24", score="80"):
    return lambda world: [world.course.pk, world.volunteer.national_id, hours, "ผ่าน", score]


def target_form(**changes):
    """The plan's page with one new target row typed in."""

    def make(world):
        plan = world.plan
        fields = {
            "title": plan.title,
            "first_year": plan.first_year,
            "last_year": plan.last_year,
            "approved_on": "",
            "approved_by": "",
            "note": "",
        }
        data = {
            **fields, **{f"initial-{k}": v for k, v in fields.items()}, "version": plan.version,
            "t-TOTAL_FORMS": "1", "t-INITIAL_FORMS": "0", "t-MIN_NUM_FORMS": "0",
            "t-MAX_NUM_FORMS": "1000", "t-0-fiscal_year": "2563", "t-0-measure": "trained",
            "t-0-label": "เป้าทดสอบ", "t-0-province": "", "t-0-specialty": "",
            "t-0-service_type": "", "t-0-planned": "10",
        }  # fmt: skip
        data |= {f"t-0-{k}": v for k, v in changes.items()}
        if "specialty" in changes:
            data["t-0-specialty"] = Specialty.objects.get(code=changes["specialty"]).pk
        return reverse("volunteers:plan-edit", args=[plan.pk]), data

    return make


def target_row(year="2563", measure="trained", specialty="", service_type="", planned="10"):
    return lambda world: [world.plan.pk, year, measure, "", specialty, service_type, planned]


RULES = [
    Rule("a birth date tomorrow", volunteer_form(birth_date=TOMORROW), "officer_bkk",
         f'value="{TOMORROW}"', "volunteers", VOLUNTEER, volunteer_row(birth=TOMORROW),
         "วันเกิด", "วันเกิดต้องไม่เป็นวันในอนาคต"),
    Rule("a birth date before 1900", volunteer_form(birth_date="31/12/2442"), "officer_bkk",
         'value="31/12/2442"', "volunteers", VOLUNTEER, volunteer_row(birth="31/12/2442"),
         "วันเกิด", "วันเกิดต้องไม่ก่อน 1 ม.ค. 2443"),
    Rule("registered without certification", volunteer_form(status="active", first_name="ทดลอง"),
         "officer_bkk", 'value="ทดลอง"', "volunteers", VOLUNTEER, volunteer_row(status="active"),
         "สถานะ", str(rules.ACTIVE_NEEDS_CERTIFICATION)),
    Rule("hours above the course", result_form(hours_attended="24.5"), "officer_bkk",
         'value="24.5"', "trainings", RESULT, result_row(hours="24.5"),
         "ชั่วโมงที่เข้าอบรม", "ชั่วโมงที่เข้าอบรมต้องไม่เกิน 24.0 ชั่วโมงของหลักสูตร"),
    Rule("negative hours", result_form(hours_attended="-1"), "officer_bkk", 'value="-1"',
         "trainings", RESULT, result_row(hours="-1"),
         "ชั่วโมงที่เข้าอบรม", "ชั่วโมงที่เข้าอบรมต้องไม่น้อยกว่า 0"),
    Rule("hours with two decimals", result_form(hours_attended="19.15"), "officer_bkk",
         'value="19.15"', "trainings", RESULT, result_row(hours="19.15"),
         "ชั่วโมงที่เข้าอบรม", "ชั่วโมงที่เข้าอบรมมีทศนิยมได้ไม่เกิน 1 ตำแหน่ง"),
    Rule("a score over 100", result_form(test_score="101"), "officer_bkk", 'value="101"',
         "trainings", RESULT, result_row(score="101"),
         "คะแนนแบบทดสอบ", "คะแนนแบบทดสอบต้องอยู่ระหว่าง 0 ถึง 100"),
    Rule("a score with two decimals", result_form(test_score="85.55"), "officer_bkk",
         'value="85.55"', "trainings", RESULT, result_row(score="85.55"),
         "คะแนนแบบทดสอบ", "คะแนนแบบทดสอบมีทศนิยมได้ไม่เกิน 1 ตำแหน่ง"),
    Rule("a specialty on another measure", target_form(specialty="elderly"), "kpi_admin",
         'value="เป้าทดสอบ"', "plan-targets", TARGET, target_row(specialty="elderly"),
         "ความเชี่ยวชาญ", "ระบุความเชี่ยวชาญได้เฉพาะตัววัดความเชี่ยวชาญเฉพาะด้าน"),
    Rule("a service type on another measure", target_form(service_type="survey"), "kpi_admin",
         'value="เป้าทดสอบ"', "plan-targets", TARGET, target_row(service_type="survey"),
         "ประเภทบริการ", "ระบุประเภทบริการได้เฉพาะตัววัดการให้บริการ"),
    Rule("nothing planned", target_form(planned="0"), "kpi_admin", 'name="t-0-planned" value="0"',
         "plan-targets", TARGET, target_row(planned="0"),
         "ค่าเป้าหมาย", "ค่าเป้าหมายต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 10,000,000"),
    Rule("over 10,000,000 planned", target_form(planned="10000001"), "kpi_admin",
         'value="10000001"', "plan-targets", TARGET, target_row(planned="10000001"),
         "ค่าเป้าหมาย", "ค่าเป้าหมายต้องเป็นจำนวนเต็มตั้งแต่ 1 ถึง 10,000,000"),
    Rule("a year outside the plan", target_form(fiscal_year="2566"), "kpi_admin",
         'value="2566"', "plan-targets", TARGET, target_row(year="2566"),
         "ปีงบประมาณ", "ปีต้องอยู่ในช่วงของแผน 2563–2565"),
    Rule("a CE year", target_form(fiscal_year="2020"), "kpi_admin", 'value="2020"',
         "plan-targets", TARGET, target_row(year="2020"),
         "ปีงบประมาณ", "ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2563"),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_form_refuses_it_in_thai_and_keeps_what_was_typed(request, client_for, world, rule):
    before = _state()
    url, data = rule.form(world)
    response = client_for(request.getfixturevalue(rule.user)).post(url, data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert rule.message in html
    assert rule.typed in html
    assert _state() == before


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_import_refuses_it_naming_the_row_and_column(client_for, kpi_admin, world, rule):
    before = _state()
    problems, page = preview(client_for(kpi_admin), rule.kind, rule.header, rule.row(world))
    expected = f"แถว 2, {rule.column}: {rule.message}"
    assert problems == [expected] and expected in page
    assert _state() == before


def test_the_rules_edges_are_accepted_by_the_forms_and_the_files(client_for, kpi_admin, world):
    client = client_for(kpi_admin)
    url, data = result_form(hours_attended="24.0", test_score="100")(world)
    assert client.post(url, data).status_code == 302
    e = Enrolment.objects.get()
    assert (e.hours_attended, e.test_score, e.passed) == (24, 100, True)
    row = [world.course.pk, world.volunteer.national_id, "19.2", "ผ่าน", "0"]
    report = engine.run(TrainingResource(), csv_bytes([RESULT, row]), "t.csv", dry_run=False)
    assert report.ok and report.updated == 1, [str(e) for e in report.errors]
    assert Enrolment.objects.get().hours_attended == Decimal("19.2")
    url, data = target_form(fiscal_year="2565", planned="10000000", measure="specialists",
                            specialty="elderly")(world)  # fmt: skip
    assert client.post(url, data).status_code == 302
    rows = [TARGET, [world.plan.pk, "2565", "services", "", "", "survey", "1"]]
    assert engine.run(PlanTargetResource(), csv_bytes(rows), "p.csv", dry_run=False).ok
    assert PlanTarget.objects.count() == 2
    row = [new_national_id(), "ก", "ข", "ชาย", "10", "bangkok", "01/01/2443", ""]
    assert engine.run(VolunteerResource(), csv_bytes([VOLUNTEER, row]), "v.csv", dry_run=False).ok


# --- Thai headers from the models' verbose names -------------------------------------------------

# The headers files have used since the first import kinds (written out in imports/kinds then).
OLD_HEADERS = {
    VolunteerResource: {
        "national_id": "เลขประจำตัวประชาชน", "title": "คำนำหน้า", "first_name": "ชื่อ",
        "last_name": "นามสกุล", "birth_date": "วันเกิด", "sex": "เพศ", "phone": "โทรศัพท์",
        "province": "จังหวัด", "district": "อำเภอ/เขต", "sub_district": "ตำบล/แขวง",
        "kind": "ประเภท อพม.", "status": "สถานะ", "specialties": "ความเชี่ยวชาญเฉพาะด้าน",
    },
    TrainingResource: {
        "course_id": "เลขที่หลักสูตร", "course_title": "ชื่อหลักสูตร/รุ่น",
        "national_id": "เลขประจำตัวประชาชน", "hours_attended": "ชั่วโมงที่เข้าอบรม",
        "lessons": "บทเรียนออนไลน์ที่เรียนจบ", "session_attended": "เข้าอบรม 1 วัน",
        "test_passed": "ผลแบบทดสอบความรู้", "test_score": "คะแนนแบบทดสอบ",
    },
    ServiceResource: {
        "national_id": "เลขประจำตัวประชาชน อพม.", "date": "วันที่ให้บริการ",
        "service_type": "ประเภทบริการ", "target_group": "กลุ่มเป้าหมาย",
        "people_served": "จำนวนผู้รับบริการ (คน)", "person_name": "ชื่อผู้รับบริการ",
        "area": "พื้นที่", "note": "หมายเหตุ",
    },
    PlanTargetResource: {
        "fiscal_year": "ปีงบประมาณ", "measure": "ตัววัด", "province": "จังหวัด",
        "specialty": "ความเชี่ยวชาญ", "service_type": "ประเภทบริการ", "planned": "ค่าเป้าหมาย",
        "label": "เป้าหมาย", "plan_id": "เลขที่แผน",
    },
}  # fmt: skip


@pytest.mark.parametrize("resource", list(OLD_HEADERS), ids=lambda r: r.kind)
def test_the_thai_headers_come_from_the_models_and_are_the_ones_files_already_use(resource):
    assert resource.thai_headers == OLD_HEADERS[resource]


@pytest.mark.parametrize("resource", list(OLD_HEADERS), ids=lambda r: r.kind)
def test_a_file_with_every_old_thai_header_is_read_in_english_mode_too(db, resource):
    with translation.override("en"):
        mapping, ignored = engine.map_headers(resource(), list(OLD_HEADERS[resource].values()))
    assert list(mapping.values()) == list(OLD_HEADERS[resource]) and not ignored


# --- the one province lookup and the province fields ---------------------------------------------


@pytest.mark.parametrize("label", ["กรุงเทพมหานคร", "จังหวัดกรุงเทพมหานคร", "10", "Bangkok",
                                   "bangkok", " กรุงเทพมหานคร "])  # fmt: skip
def test_volunteers_and_plan_targets_name_their_province_as_every_import_does(world, label):
    row = [new_national_id(), "ก", "ข", "ชาย", label, "bangkok", "", ""]
    report = engine.run(VolunteerResource(), csv_bytes([VOLUNTEER, row]), "v.csv", dry_run=True)
    assert report.ok, [str(e) for e in report.errors]
    row = [world.plan.pk, "2563", "trained", label, "", "", "5"]
    report = engine.run(PlanTargetResource(), csv_bytes([TARGET, row]), "p.csv", dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    assert PlanTarget.objects.get().province == world.volunteer.province


def test_an_unknown_or_missing_province_is_named_by_row_and_column(db):
    header = ["national_id", "first_name", "last_name", "sex", "province", "kind"]
    rows = [header, [new_national_id(), "ก", "ข", "M", "กรุงเทพใหม่", "bangkok"],
            [new_national_id(), "ก", "ข", "M", "", "bangkok"]]  # fmt: skip
    report = engine.run(VolunteerResource(), csv_bytes(rows), "v.csv", dry_run=True)
    assert [str(e) for e in report.errors] == [
        "แถว 2, province: ไม่พบจังหวัด 'กรุงเทพใหม่'",
        "แถว 3, province: ต้องระบุจังหวัด",
    ]


def test_each_role_picks_the_provinces_it_picked_before(
    client_for, kpi_admin, officer_bkk, officer_cm, make_user, bangkok, chiang_mai
):
    """Province.objects.visible_to in the volunteer and course forms: every province for admins
    (superusers too), their own for officers, none for an officer without one (managers and
    the other roles do not open these forms: 403)."""
    superuser = make_user(username="root")
    superuser.is_superuser = True
    superuser.save()
    lost = make_user(roles.PROVINCIAL_OFFICER, username="no-province")
    for url in (reverse("volunteers:create"), reverse("volunteers:course-create")):
        for admin in (kpi_admin, superuser):
            provinces = client_for(admin).get(url).context["form"].fields["province"].queryset
            assert provinces.count() == 77
        for officer, own in ((officer_bkk, bangkok), (officer_cm, chiang_mai)):
            form = client_for(officer).get(url).context["form"]
            assert list(form.fields["province"].queryset) == [own]
            assert form.fields["province"].initial == own.pk or "course" in url
        form = client_for(lost).get(url).context["form"]
        assert not form.fields["province"].queryset.exists()
