"""One set of rules for the forms and the imports (subsidies/rules.py, issue 14): whatever the
application form, the move form or the correction refuses, a file refuses too, with the same
Thai message: the form with status 400 and what was typed kept, the import preview naming the
row and the column. Settled on the way: an amount over 10,000,000 baht and a note over 1,000
characters were taken by the forms (the import refused them); an amount in fractions of a satang
was rounded by the import (the form refused it); the form took only the subsidy type codes
where the import also takes the labels and the offices' short names."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from core.nationalid import format_id
from core.thaidate import format_be_numeric
from imports import engine
from subsidies import rules
from subsidies.models import Application, StepEntry, format_reference
from subsidies.resources import ApplicationResource, ApplicationStepResource
from tests.imports.conftest import csv_bytes
from tests.subsidies.conftest import advance, new_national_id

TOMORROW = format_be_numeric(timezone.localdate() + dt.timedelta(days=1))
APPLICATION = ["เลขอ้างอิง", "ชื่อผู้ยื่นคำขอ", "นามสกุล", "เลขประจำตัวประชาชน", "จังหวัด",
               "ประเภทเงินอุดหนุน", "จำนวนเงินที่ขอ (บาท)", "วันที่รับคำขอ"]  # fmt: skip
STEP = ["เลขอ้างอิง", "ขั้นตอน", "วันที่", "ผลการพิจารณา", "หมายเหตุ"]
LONG_NOTE = "ก" * (rules.NOTE_MAX + 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def new_application(bangkok, **overrides) -> dict:
    data = {
        "first_name": "มานี", "last_name": "มีนา", "national_id": format_id(new_national_id()),
        "province": bangkok.pk, "subsidy_type": "hiv", "amount_requested": "2500",
        "received_on": "06/01/2563",
    }  # fmt: skip
    return {**data, **overrides}


def application_row(ref="", nid=None, kind="hiv", amount="2500", received="06/01/2563") -> list:
    return [ref, "มานี", "มีนา", nid or new_national_id(), "10", kind, amount, received]


def preview(resource, header, row) -> list[str]:
    report = engine.run(resource, csv_bytes([header, row]), "a.csv", dry_run=True)
    return [str(e) for e in report.errors]


@dataclass
class Rule:
    id: str
    form: Callable  # (application, bangkok) → (url, POST data)
    typed: str  # what the refused form must keep
    resource: type
    header: list
    row: Callable  # application → the file's row
    column: str
    message: str


def create(**overrides):
    return lambda app, bangkok: (reverse("subsidies:create"), new_application(bangkok, **overrides))


def edit(**overrides):
    def make(app, bangkok):
        data = new_application(bangkok, national_id=format_id(app.national_id), **overrides)
        return reverse("subsidies:edit", args=[app.pk]), {**data, "version": app.version}

    return make


def moved(**overrides):
    def make(app, bangkok):
        data = {"to_step": app.step + 1, "acted_on": "20/01/2563", "note": "", **overrides}
        return reverse("subsidies:move", args=[app.pk]), data

    return make


def ref(app) -> str:
    return format_reference(app.reference)


AMOUNT_RANGE = "จำนวนเงินต้องมากกว่า 0 และไม่เกิน 10,000,000 บาท"
RULES = [
    Rule("amount over the ceiling", create(amount_requested="20000000"), 'value="20000000"',
         ApplicationResource, APPLICATION, lambda a: application_row(amount="20000000"),
         "จำนวนเงินที่ขอ (บาท)", AMOUNT_RANGE),
    Rule("amount of nothing", create(amount_requested="0"), 'value="0"',
         ApplicationResource, APPLICATION, lambda a: application_row(amount="0"),
         "จำนวนเงินที่ขอ (บาท)", AMOUNT_RANGE),
    Rule("amount in fractions of a satang", create(amount_requested="3000.505"),
         'value="3000.505"', ApplicationResource, APPLICATION,
         lambda a: application_row(amount="3000.505"), "จำนวนเงินที่ขอ (บาท)",
         "จำนวนเงินมีทศนิยมได้ไม่เกิน 2 ตำแหน่ง (สตางค์)"),
    Rule("received in the future", create(received_on=TOMORROW), f'value="{TOMORROW}"',
         ApplicationResource, APPLICATION, lambda a: application_row(received=TOMORROW),
         "วันที่รับคำขอ", "วันที่รับคำขอต้องไม่เกินวันนี้"),
    Rule("received after the next step", edit(received_on="10/01/2563"), 'value="10/01/2563"',
         ApplicationResource, APPLICATION,
         lambda a: application_row(ref(a), a.national_id, received="10/01/2563"),
         "วันที่รับคำขอ", "วันที่รับคำขอต้องไม่หลังวันที่ของขั้นตอนถัดไป"),
    Rule("national ID with a wrong check digit",
         create(national_id="1-1017-00230-70-9"), 'value="1-1017-00230-70-9"',
         ApplicationResource, APPLICATION, lambda a: application_row(nid="1-1017-00230-70-9"),
         "เลขประจำตัวประชาชน", "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)"),
    Rule("national ID of 12 digits", create(national_id="110170023070"),
         'value="110170023070"', ApplicationResource, APPLICATION,
         lambda a: application_row(nid="110170023070"), "เลขประจำตัวประชาชน",
         "เลขประจำตัวประชาชนต้องมี 13 หลัก"),
    Rule("unknown subsidy type", create(subsidy_type="ทุนการศึกษา"), "ทุนการศึกษา",
         ApplicationResource, APPLICATION, lambda a: application_row(kind="ทุนการศึกษา"),
         "ประเภทเงินอุดหนุน", "'ทุนการศึกษา' ไม่ใช่ค่าที่รับได้"),
    Rule("step dated before the previous one", moved(acted_on="07/01/2563"),
         'value="07/01/2563"', ApplicationStepResource, STEP,
         lambda a: [ref(a), str(a.step + 1), "07/01/2563", "", ""], "วันที่",
         "วันที่ต้องไม่ก่อนวันที่ของขั้นตอนก่อนหน้า"),
    Rule("step dated in the future", moved(acted_on=TOMORROW), f'value="{TOMORROW}"',
         ApplicationStepResource, STEP, lambda a: [ref(a), str(a.step + 1), TOMORROW, "", ""],
         "วันที่", "วันที่ต้องไม่เกินวันนี้"),
    Rule("decision before step 4", moved(decision="approved", note="อนุมัติก่อน"), "อนุมัติก่อน",
         ApplicationStepResource, STEP,
         lambda a: [ref(a), str(a.step + 1), "20/01/2563", "approved", ""], "ผลการพิจารณา",
         "ผลการพิจารณาบันทึกได้เฉพาะขั้นตอนที่ 4"),
    Rule("skipping a step", moved(to_step=4, note="ข้ามขั้น"), "ข้ามขั้น",
         ApplicationStepResource, STEP, lambda a: [ref(a), "4", "20/01/2563", "approved", ""],
         "ขั้นตอน", "เปลี่ยนได้เฉพาะขั้นตอนถัดไปเท่านั้น (ขั้นตอนที่ 3"),
    Rule("note over 1,000 characters", moved(note=LONG_NOTE), LONG_NOTE,
         ApplicationStepResource, STEP,
         lambda a: [ref(a), str(a.step + 1), "20/01/2563", "", LONG_NOTE], "หมายเหตุ",
         "หมายเหตุยาวได้ไม่เกิน 1,000 ตัวอักษร"),
]  # fmt: skip


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_a_rule_refused_by_the_form_is_refused_by_the_import(
    rule, client_for, officer, kpi_admin, application, bangkok
):
    advance(application, officer, 2)  # step 2 on 8 Jan 2020
    entries, version = StepEntry.objects.count(), application.version
    url, data = rule.form(application, bangkok)
    response = client_for(officer).post(url, data)
    assert response.status_code == 400
    html = unescape(response.content.decode())
    assert rule.message in html and rule.typed in html
    found = preview(rule.resource(user=kpi_admin), rule.header, rule.row(application))
    assert len(found) == 1 and found[0].startswith(f"แถว 2, {rule.column}: {rule.message}"), found
    # Neither path wrote anything.
    assert Application.objects.count() == 1 and StepEntry.objects.count() == entries
    application.refresh_from_db()
    assert application.version == version


@pytest.mark.parametrize("spelling", ["hiv", "เงินสงเคราะห์ผู้ติดเชื้อเอชไอวีและครอบครัว", "เอชไอวี"])
def test_the_form_and_the_import_take_the_same_subsidy_type_spellings(
    spelling, client_for, officer, kpi_admin, bangkok
):
    response = client_for(officer).post(
        reverse("subsidies:create"), new_application(bangkok, subsidy_type=spelling)
    )
    assert response.status_code == 302
    report = engine.run(
        ApplicationResource(user=kpi_admin),
        csv_bytes([APPLICATION, application_row(kind=spelling)]),
        "a.csv",
        dry_run=False,
    )
    assert report.applied, [str(e) for e in report.errors]
    assert list(Application.objects.values_list("subsidy_type", flat=True)) == ["hiv", "hiv"]


def test_a_long_note_is_refused_by_the_correction_too(client_for, officer, application):
    advance(application, officer, 2)
    client = client_for(officer)
    form = client.get(reverse("subsidies:correct", args=[application.pk])).context["form"]
    data = {"entry": form["entry"].value(), "version": form["version"].value(),
            "action": "correct", "acted_on": "09/01/2563", "note": LONG_NOTE, "reason": "ยาว"}  # fmt: skip
    response = client.post(reverse("subsidies:correct", args=[application.pk]), data)
    assert response.status_code == 400
    assert "หมายเหตุยาวได้ไม่เกิน 1,000 ตัวอักษร" in response.content.decode()
    assert StepEntry.objects.get(application=application, step=2).version == 0


def test_an_amount_the_rules_take_is_kept_to_the_satang_by_both(
    client_for, officer, kpi_admin, bangkok
):
    ok = client_for(officer).post(
        reverse("subsidies:create"), new_application(bangkok, amount_requested="10,000,000.00")
    )
    assert ok.status_code == 302
    report = engine.run(
        ApplicationResource(user=kpi_admin),
        csv_bytes([APPLICATION, application_row(amount="2500.5")]),
        "a.csv",
        dry_run=False,
    )
    assert report.applied, [str(e) for e in report.errors]
    assert sorted(Application.objects.values_list("amount_requested", flat=True)) == [
        Decimal("2500.50"),
        Decimal("10000000.00"),
    ]


def test_the_thai_headers_are_the_models_verbose_names_and_the_old_ones_still_import():
    old = {
        "reference": "เลขอ้างอิง", "first_name": "ชื่อผู้ยื่นคำขอ", "last_name": "นามสกุล",
        "national_id": "เลขประจำตัวประชาชน", "province": "จังหวัด",
        "subsidy_type": "ประเภทเงินอุดหนุน", "amount_requested": "จำนวนเงินที่ขอ (บาท)",
        "received_on": "วันที่รับคำขอ",
    }  # fmt: skip
    assert ApplicationResource.thai_headers == old
    for name, header in old.items():
        if name != "reference":
            assert str(Application._meta.get_field(name).verbose_name) == header
    assert ApplicationStepResource.thai_headers == {
        "reference": "เลขอ้างอิง", "step": "ขั้นตอน", "acted_on": "วันที่",
        "decision": "ผลการพิจารณา", "note": "หมายเหตุ",
    }  # fmt: skip
