# ruff: noqa: F401, F811 - fixtures are imported from test_application_steps_support
import datetime as dt

from subsidies import services
from subsidies.models import Application, StepEntry, format_reference
from subsidies.resources import ApplicationStepResource
from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_application_steps_support import application, application2, messages, run

EN = ["reference", "step", "acted_on", "decision", "note"]
TH = ["เลขอ้างอิง", "ขั้นตอน", "วันที่", "ผลการพิจารณา", "หมายเหตุ"]


def _run(data, name="s.csv", dry_run=False, user=None):
    return run(ApplicationStepResource(user=user), data, name, dry_run)


def _ref(application):
    return format_reference(application.reference)


def test_steps_move_the_application_in_order_whatever_the_row_order(application, kpi_admin):
    ref = _ref(application)
    rows = [
        EN,
        [ref, "4", "20/02/2563", "approved", "อนุมัติ"],
        [ref, "2", "10/01/2563", "", "เยี่ยมบ้าน"],
        [ref, "3", "01/02/2563", "", ""],
    ]
    report = _run(csv_bytes(rows), user=kpi_admin)
    assert report.ok and report.applied and report.new == 3, messages(report)
    application.refresh_from_db()
    assert (application.step, application.decision) == (4, "approved")
    assert application.step_on == dt.date(2020, 2, 20)
    entries = list(StepEntry.objects.filter(application=application).order_by("step"))
    assert [e.step for e in entries] == [1, 2, 3, 4]
    assert entries[1].note == "เยี่ยมบ้าน" and entries[1].officer == kpi_admin
    assert application.history.count() == 4  # created, then one record per move


def test_thai_headers_labels_be_dates_and_thai_digits(application):
    rows = [TH, [_ref(application), "การตรวจสอบข้อเท็จจริง", "๑๐/๐๑/๒๕๖๓", "", ""],
            [application.reference.lower(), "ขั้นตอนที่ ๓", dt.datetime(2020, 2, 1), "", ""]]  # fmt: skip
    report = _run(xlsx_bytes(rows), "s.xlsx")
    assert report.ok and report.new == 2, messages(report)
    application.refresh_from_db()
    assert application.step == 3


def test_the_apps_step_order_rule_is_enforced(application, application2):
    services.move(application2, to_step=2, acted_on=dt.date(2020, 1, 10), officer=None)
    rows = [
        TH,
        [_ref(application), "3", "10/01/2563", "", ""],  # 2: skips step 2
        [_ref(application2), "3", "05/01/2563", "", ""],  # 3: date before the previous step
        ["ZZZZZ-ZZZZZ", "2", "10/01/2563", "", ""],  # 4: unknown reference
        [_ref(application2), "6", "10/01/2563", "", ""],  # 5: unknown code
        [_ref(application2), "2", "31/02/2562", "", ""],  # 6: no such date
        [_ref(application2), "2", "11/01/2563", "", ""],  # 7: recorded with another date
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 6, found
    assert any(m.startswith("แถว 2, ขั้นตอน: เปลี่ยนได้เฉพาะขั้นตอนถัดไป") for m in found)
    assert "แถว 3, วันที่: วันที่ต้องไม่ก่อนวันที่ของขั้นตอนก่อนหน้า" in found
    assert "แถว 4, เลขอ้างอิง: ไม่พบคำขอเลขอ้างอิง ZZZZZ-ZZZZZ" in found
    assert any(m.startswith("แถว 5, ขั้นตอน: '6' ไม่ใช่ค่าที่รับได้") for m in found)
    assert "แถว 6, วันที่: '31/02/2562' ไม่ใช่วันที่ที่มีอยู่จริง" in found
    assert any(m.startswith("แถว 7, วันที่: ขั้นตอนที่ 2 บันทึกไว้แล้ว") for m in found)


def test_a_decision_is_needed_at_step_4_and_nothing_follows_not_approved(application):
    ref = _ref(application)
    steps = [[ref, "2", "10/01/2563", "", ""], [ref, "3", "11/01/2563", "", ""]]
    report = _run(csv_bytes([EN, *steps, [ref, "4", "12/01/2563", "", ""]]))
    assert messages(report) == ["แถว 4, decision: ขั้นตอนที่ 4 ต้องระบุผลการพิจารณา (อนุมัติ หรือ ไม่อนุมัติ)"]
    rows = [EN, *steps, [ref, "4", "12/01/2563", "ไม่อนุมัติ", ""], [ref, "5", "13/01/2563", "", ""]]
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 5
    assert "สิ้นสุดที่ขั้นตอนที่ 4" in messages(report)[0]


def test_an_error_in_the_last_row_writes_nothing(application, application2):
    rows = [
        EN,
        [_ref(application), "2", "10/01/2563", "", ""],
        [_ref(application2), "2", "10/01/2563", "", ""],
        [_ref(application2), "4", "11/01/2563", "approved", ""],
    ]
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 4
    assert StepEntry.objects.count() == 2
    assert set(Application.objects.values_list("step", flat=True)) == {1}


def test_uploading_the_same_file_twice_changes_nothing_and_a_note_can_change(application):
    rows = [EN, [_ref(application), "2", "10/01/2563", "", "เยี่ยมบ้าน"]]
    assert _run(csv_bytes(rows)).new == 1
    again = _run(csv_bytes(rows))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1), messages(again)
    assert StepEntry.objects.count() == 2 and application.history.count() == 2
    rows[1][4] = "เยี่ยมบ้านครั้งที่ 2"
    changed = _run(csv_bytes(rows))
    assert (changed.new, changed.updated) == (0, 1)
    assert StepEntry.objects.get(step=2).note == "เยี่ยมบ้านครั้งที่ 2"
    application.refresh_from_db()
    assert application.step == 2
