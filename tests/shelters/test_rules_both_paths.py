"""One set of rules for the forms and the imports (shelters/rules.py, issue 14): whatever the
resident, assessment or discharge form refuses, a file refuses too, with the same Thai message:
the form with status 400 and what was typed kept, the import preview naming the row and column."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.thaidate import format_be_numeric
from imports import engine
from imports.models import Upload
from shelters.models import Assessment, Resident
from shelters.resources import (
    AssessmentResource,
    DischargeResource,
    FacilityResource,
    ResidentResource,
)
from tests.imports.conftest import csv_bytes

TOMORROW = format_be_numeric(timezone.localdate() + dt.timedelta(days=1))
FACILITY = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ"]
RESIDENT = [*FACILITY, "ชื่อ-นามสกุล", "เพศ", "วันเกิด", "เลขประจำตัวประชาชน", "กลุ่มเป้าหมาย",
            "วันที่รับเข้า", "วันที่จำหน่าย", "เหตุที่จำหน่าย"]  # fmt: skip
ITEMS = [f"ข้อ {n}" for n in range(1, 15)]
ASSESSMENT = [*FACILITY, "วันที่ประเมิน", "ร้อยละคะแนน", *ITEMS]
DISCHARGE = [*FACILITY, "วันที่จำหน่าย", "เหตุที่จำหน่าย"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def admit(**overrides) -> dict:
    data = {"case_number": "TYB-0100", "full_name": "บุญมี ทองคำ", "sex": "M", "birth_date": "",
            "national_id": "", "target_group": "beggar", "admitted_on": "15/01/2563"}  # fmt: skip
    return {**data, **overrides}


def edit(resident, **overrides) -> dict:
    saved = {
        "case_number": resident.case_number,
        "full_name": resident.full_name,
        "national_id": resident.national_id,
        "admitted_on": format_be_numeric(resident.admitted_on),
        "version": resident.version,
    }
    return admit(**{**saved, **overrides})


def new_resident_row(birth="", admitted="15/01/2563", discharged="", reason="") -> list:
    return ["TYB-M", "TYB-0100", "บุญมี ทองคำ", "ชาย", birth, "", "ผู้ทำการขอทาน", admitted,
            discharged, reason]  # fmt: skip


def items(*values) -> dict:
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def assessment_row(day="10/02/2563", percent="", scores=()) -> list:
    scores = [str(s) for s in scores]
    return ["TYB-M", "TYB-0001", day, percent, *scores, *[""] * (14 - len(scores))]


@dataclass
class Rule:
    id: str
    form: Callable  # resident → (url, POST data)
    typed: str  # what the form must keep
    kind: str
    header: list
    row: list
    column: str
    message: str


def add_url(resident):
    return reverse("shelters:resident-add")


def edit_url(resident):
    return reverse("shelters:resident-edit", args=[resident.pk])


def assess_url(resident):
    return reverse("shelters:assessment-add", args=[resident.pk])


def discharge_url(resident):
    return reverse("shelters:resident-discharge", args=[resident.pk])


RULES = [
    Rule(
        "birth after admission",
        lambda r: (add_url(r), admit(birth_date="16/01/2563")),
        'value="16/01/2563"',
        "residents", RESIDENT, new_resident_row(birth="16/01/2563"),
        "วันเกิด", "วันเกิดต้องไม่หลังวันที่รับเข้า",
    ),
    Rule(
        "birth in the future",
        lambda r: (add_url(r), admit(birth_date=TOMORROW)),
        f'value="{TOMORROW}"',
        "residents", RESIDENT, new_resident_row(birth=TOMORROW),
        "วันเกิด", "วันเกิดต้องไม่เป็นวันในอนาคต",
    ),
    Rule(
        "admission in the future",
        lambda r: (add_url(r), admit(admitted_on=TOMORROW)),
        f'value="{TOMORROW}"',
        "residents", RESIDENT, new_resident_row(admitted=TOMORROW),
        "วันที่รับเข้า", "วันที่รับเข้าต้องไม่เป็นวันในอนาคต",
    ),
    Rule(
        "admission after the first assessment",
        lambda r: (edit_url(r), edit(r, admitted_on="02/07/2562")),
        'value="02/07/2562"',
        "residents", RESIDENT,
        ["TYB-M", "TYB-0001", "สมชาย ใจดี", "", "", "", "คนไร้ที่พึ่ง", "02/07/2562", "", ""],
        "วันที่รับเข้า", "วันที่รับเข้าต้องไม่หลังการประเมินครั้งแรก (1 ก.ค. 2562)",
    ),
    Rule(
        "discharge before the latest assessment",
        lambda r: (discharge_url(r), {"discharged_on": "01/09/2562", "discharge_reason": "family"}),
        'value="01/09/2562"',
        "discharges", DISCHARGE, ["TYB-M", "TYB-0001", "01/09/2562", "กลับสู่ครอบครัว"],
        "วันที่จำหน่าย", "วันที่จำหน่ายต้องไม่ก่อนการประเมินครั้งล่าสุด (1 ต.ค. 2562)",
    ),
    Rule(
        "discharge before admission",
        lambda r: (discharge_url(r), {"discharged_on": "31/05/2562", "discharge_reason": "family"}),
        'value="31/05/2562"',
        "discharges", DISCHARGE, ["TYB-M", "TYB-0001", "31/05/2562", "กลับสู่ครอบครัว"],
        "วันที่จำหน่าย", "วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า (1 มิ.ย. 2562)",
    ),
    Rule(
        "discharge in the future",
        lambda r: (discharge_url(r), {"discharged_on": TOMORROW, "discharge_reason": "family"}),
        f'value="{TOMORROW}"',
        "discharges", DISCHARGE, ["TYB-M", "TYB-0001", TOMORROW, "กลับสู่ครอบครัว"],
        "วันที่จำหน่าย", "วันที่จำหน่ายต้องไม่เป็นวันในอนาคต",
    ),
    Rule(
        "percent that does not match the items",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", "percent": "50", **items(*[8] * 14)}),
        'value="50"',
        "assessments", ASSESSMENT, assessment_row(percent="50", scores=[8] * 14),
        "ร้อยละคะแนน", "ร้อยละคะแนนไม่ตรงกับคะแนนรายข้อ (คำนวณได้ 80.00)",
    ),
    Rule(
        "some items but not all",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", **items(*[5] * 13)}),
        'name="item_13" value="5"',
        "assessments", ASSESSMENT, assessment_row(scores=[5] * 13),
        "ข้อ 14", "กรอกคะแนนให้ครบทั้ง 14 ข้อ (ยังขาดข้อ 14) หรือกรอกร้อยละคะแนนอย่างเดียว",
    ),
    Rule(
        "an item over 10",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", **items(5, 5, 11, *[5] * 11)}),
        'name="item_3" value="11"',
        "assessments", ASSESSMENT, assessment_row(scores=[5, 5, 11, *[5] * 11]),
        "ข้อ 3", "ข้อ 3: คะแนนต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10",
    ),
    Rule(
        "neither items nor a percent",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", "assessor": "นางสาวใจดี"}),
        'value="นางสาวใจดี"',
        "assessments", ASSESSMENT, assessment_row(),
        "ร้อยละคะแนน", "กรอกคะแนนรายข้อให้ครบ 14 ข้อ หรือกรอกร้อยละคะแนน",
    ),
    Rule(
        "percent under 10",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", "percent": "9.99"}),
        'value="9.99"',
        "assessments", ASSESSMENT, assessment_row(percent="9.99"),
        "ร้อยละคะแนน", "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100",
    ),
    Rule(
        "percent over 100",
        lambda r: (assess_url(r), {"assessed_on": "10/02/2563", "percent": "100.01"}),
        'value="100.01"',
        "assessments", ASSESSMENT, assessment_row(percent="100.01"),
        "ร้อยละคะแนน", "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100",
    ),
    Rule(
        "assessment before admission",
        lambda r: (assess_url(r), {"assessed_on": "31/05/2562", "percent": "55"}),
        'value="31/05/2562"',
        "assessments", ASSESSMENT, assessment_row(day="31/05/2562", percent="55"),
        "วันที่ประเมิน", "วันที่ประเมินต้องไม่ก่อนวันที่รับเข้า (1 มิ.ย. 2562)",
    ),
    Rule(
        "assessment in the future",
        lambda r: (assess_url(r), {"assessed_on": TOMORROW, "percent": "55"}),
        f'value="{TOMORROW}"',
        "assessments", ASSESSMENT, assessment_row(day=TOMORROW, percent="55"),
        "วันที่ประเมิน", "วันที่ประเมินต้องไม่เป็นวันในอนาคต",
    ),
]  # fmt: skip


def _state(resident) -> tuple:
    fresh = Resident.objects.get(pk=resident.pk)
    return (
        Resident.objects.count(),
        fresh.admitted_on,
        fresh.discharged_on,
        Assessment.objects.count(),
    )


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_form_refuses_it_in_thai_and_keeps_what_was_typed(client_for, staff, resident, rule):
    before = _state(resident)
    url, data = rule.form(resident)
    response = client_for(staff).post(url, data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert rule.message in html
    assert rule.typed in html
    assert _state(resident) == before


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_import_refuses_it_naming_the_row_and_column(
    client_for, kpi_admin, staff, resident, rule
):
    before = _state(resident)
    c = client_for(kpi_admin)
    file = SimpleUploadedFile("rule.csv", csv_bytes([rule.header, rule.row]))
    c.post(reverse("imports:upload"), {"kind": rule.kind, "file": file})
    upload = Upload.objects.get()
    assert upload.status == "rejected"
    page = unescape(c.get(reverse("imports:preview", args=[upload.pk])).content.decode())
    assert f"แถว 2, {rule.column}: {rule.message}" in page
    c.post(reverse("imports:confirm", args=[upload.pk]))
    assert _state(resident) == before


# --- percents on import: read exactly, checked as given, kept rounded half up -------------------


def _assess(resident, percent, *, scores=()):
    header = ASSESSMENT if scores else ASSESSMENT[:4]
    row = assessment_row(percent=percent, scores=scores)
    return engine.run(AssessmentResource(), csv_bytes([header, row[: len(header)]]), "a.csv",
                      dry_run=False)  # fmt: skip


@pytest.mark.parametrize(
    ("given", "kept", "group"),
    [
        ("40.005", Decimal("40.01"), "B"),  # half up, not half to even (40.00, C)
        ("40.004", Decimal("40.00"), "C"),
        ("79.995", Decimal("80.00"), "A"),
        ("100.00", Decimal("100.00"), "A"),
        ("57.142857142857146", Decimal("57.14"), "B"),  # a spreadsheet formula's float
        ("10", Decimal("10.00"), "C"),
    ],
)
def test_a_percent_alone_is_kept_rounded_half_up_before_grouping(resident, given, kept, group):
    report = _assess(resident, given)
    assert report.ok, [str(e) for e in report.errors]
    saved = Assessment.objects.get(resident=resident, assessed_on=dt.date(2020, 2, 10))
    assert saved.percent == kept and saved.group == group


@pytest.mark.parametrize("given", ["100.004", "100.005", "9.996", "9.999"])
def test_a_percent_outside_10_to_100_as_given_is_refused_whatever_it_rounds_to(resident, given):
    report = _assess(resident, given)
    assert [str(e) for e in report.errors] == ["แถว 2, ร้อยละคะแนน: ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"]
    assert not Assessment.objects.filter(assessed_on=dt.date(2020, 2, 10)).exists()


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("100.004", "ร้อยละคะแนนต้องอยู่ระหว่าง 10 ถึง 100"),
        ("9.996", "ร้อยละคะแนนมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง"),
    ],
)
def test_the_form_refuses_those_percents_too(client_for, staff, resident, given, message):
    response = client_for(staff).post(
        assess_url(resident), {"assessed_on": "10/02/2563", "percent": given}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and f'value="{given}"' in html


def test_items_alone_give_the_percent_and_an_agreeing_percent_is_accepted(resident):
    scores = [5] * 13 + [6]  # 71 / 140 = 50.714…: 50.71
    report = _assess(resident, "", scores=scores)
    assert report.ok and Assessment.objects.get(
        assessed_on=dt.date(2020, 2, 10)
    ).percent == Decimal("50.71")
    report = _assess(resident, "50.7", scores=scores)  # within 0.01 of the items' percent
    assert report.ok and report.unchanged == 1


def test_a_percent_with_agreeing_items_is_accepted_by_the_form(client_for, staff, resident):
    data = {"assessed_on": "10/02/2563", "percent": "50.7", **items(*[5] * 13, 6)}
    assert client_for(staff).post(assess_url(resident), data).status_code == 302
    assert Assessment.objects.get(assessed_on=dt.date(2020, 2, 10)).percent == Decimal("50.71")


# --- Thai headers from the models' verbose names -------------------------------------------------

# The headers files have used since the first import kinds (written out in imports/kinds then).
OLD_HEADERS = {
    FacilityResource: {"code": "รหัสหน่วยงาน", "name": "ชื่อหน่วยงาน", "kind": "ประเภท",
                       "province": "จังหวัด"},
    ResidentResource: dict(zip(
        ["facility_code", "case_number", "full_name", "sex", "birth_date", "national_id",
         "target_group", "admitted_on", "discharged_on", "discharge_reason"], RESIDENT, strict=True,
    )),
    AssessmentResource: {
        "facility_code": "รหัสหน่วยงาน", "case_number": "เลขทะเบียนผู้รับบริการ",
        "assessed_on": "วันที่ประเมิน", "percent": "ร้อยละคะแนน",
        **{f"item_{n}": f"ข้อ {n}" for n in range(1, 15)},
    },
    DischargeResource: {"facility_code": "รหัสหน่วยงาน", "case_number": "เลขทะเบียนผู้รับบริการ",
                        "discharged_on": "วันที่จำหน่าย", "discharge_reason": "เหตุที่จำหน่าย"},
}  # fmt: skip


@pytest.mark.parametrize("resource", list(OLD_HEADERS), ids=lambda r: r.kind)
def test_the_thai_headers_come_from_the_models_and_are_the_ones_files_already_use(resource):
    assert resource.thai_headers == OLD_HEADERS[resource]


def test_the_thai_headers_stay_thai_in_english_mode(db):
    from django.utils import translation

    with translation.override("en"):
        mapping, _ = engine.map_headers(ResidentResource(), RESIDENT)
    assert list(mapping.values()) == list(OLD_HEADERS[ResidentResource])


def test_an_old_residents_file_with_thai_headers_still_imports(facility):
    row = new_resident_row(birth="01/01/2500", discharged="01/02/2563", reason="กลับสู่ครอบครัว")
    report = engine.run(ResidentResource(), csv_bytes([RESIDENT, row]), "r.csv", dry_run=False)
    assert report.ok, [str(e) for e in report.errors]
    person = Resident.objects.get(case_number="TYB-0100")
    assert person.birth_date == dt.date(1957, 1, 1) and person.discharge_reason == "family"


# --- the one province lookup -------------------------------------------------------------------


@pytest.mark.parametrize("label", ["ปทุมธานี", "จังหวัดปทุมธานี", "13", "Pathum Thani", "pathum thani"])
def test_facilities_name_their_province_as_every_import_does(db, label):
    header = ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "จังหวัด"]
    row = ["TYB-M", "สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี", "shelter", label]
    report = engine.run(FacilityResource(), csv_bytes([header, row]), "f.csv", dry_run=True)
    assert report.ok, [str(e) for e in report.errors]


def test_an_unknown_province_is_named_by_row_and_column(db):
    header = ["code", "name", "kind", "province"]
    rows = [header, ["X1", "ก", "shelter", "ปทุมธานีใหม่"], ["X2", "ข", "shelter", ""]]
    report = engine.run(FacilityResource(), csv_bytes(rows), "f.csv", dry_run=True)
    assert [str(e) for e in report.errors] == [
        "แถว 2, province: ไม่พบจังหวัด 'ปทุมธานีใหม่'",
        "แถว 3, province: ต้องระบุจังหวัด",
    ]
