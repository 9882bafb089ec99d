# ruff: noqa: F401, F811 - fixtures are imported from test_application_steps_support
import datetime as dt
from decimal import Decimal

from subsidies.models import REFERENCE_LENGTH, Application, StepEntry, format_reference
from subsidies.resources import ApplicationResource
from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_application_steps_support import (
    application,
    messages,
    new_national_id,
    run,
)
from tests.imports.test_volunteers_support import bad_check_digit, dashed

EN = ["reference", "first_name", "last_name", "national_id", "province", "subsidy_type",
      "amount_requested", "received_on"]  # fmt: skip
TH = ["เลขอ้างอิง", "ชื่อผู้ยื่นคำขอ", "นามสกุล", "เลขประจำตัวประชาชน", "จังหวัด",
      "ประเภทเงินอุดหนุน", "จำนวนเงินที่ขอ (บาท)", "วันที่รับคำขอ"]  # fmt: skip


def _run(data, name="a.csv", dry_run=False, user=None):
    return run(ApplicationResource(user=user), data, name, dry_run)


def _row(nid=None, ref="", **kw):
    values = {
        "first_name": "สมหญิง", "last_name": "ใจดี", "province": "10", "subsidy_type": "hiv",
        "amount": "3000", "received": "06/01/2563",
    }  # fmt: skip
    values.update(kw)
    return [ref, values["first_name"], values["last_name"], nid or new_national_id(),
            values["province"], values["subsidy_type"], values["amount"], values["received"]]  # fmt: skip


def test_new_rows_get_a_drawn_reference_and_their_first_step(bangkok, kpi_admin):
    report = _run(csv_bytes([EN, _row(), _row(subsidy_type="occupation")]), user=kpi_admin)
    assert report.ok and report.applied and report.new == 2, messages(report)
    for a in Application.objects.all():
        assert len(a.reference) == REFERENCE_LENGTH and a.step == 1 and a.step_on == a.received_on
        assert a.created_by == kpi_admin and a.created_at is not None
        entry = StepEntry.objects.get(application=a)
        assert (entry.step, entry.acted_on, entry.note) == (1, dt.date(2020, 1, 6), "รับคำขอ")
        assert entry.officer == kpi_admin and entry.recorded_at is not None
    assert len({a.reference for a in Application.objects.all()}) == 2


def test_thai_headers_labels_be_dates_thai_digits_and_a_dashed_id(bangkok):
    nid = new_national_id()
    row = ["", "สมหญิง", "ใจดี", dashed(nid), "กรุงเทพมหานคร",
           "เงินสงเคราะห์ผู้ติดเชื้อเอชไอวีและครอบครัว", "๓,๐๐๐.๕๐", "๐๖/๐๑/๒๕๖๓"]  # fmt: skip
    report = _run(xlsx_bytes([TH, row]), "a.xlsx")
    assert report.ok and report.new == 1, messages(report)
    a = Application.objects.get()
    assert (a.national_id, a.subsidy_type, a.amount_requested) == (nid, "hiv", Decimal("3000.50"))
    assert a.received_on == dt.date(2020, 1, 6)


def test_a_reference_updates_its_application(application):
    row = _row(application.national_id, format_reference(application.reference).lower(),
               subsidy_type="low_income", amount="4500")  # fmt: skip
    report = _run(csv_bytes([EN, row]))
    assert (report.new, report.updated) == (0, 1), messages(report)
    application.refresh_from_db()
    assert application.amount_requested == Decimal("4500.00")
    assert StepEntry.objects.filter(application=application).count() == 1


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(application):
    rows = [
        TH,
        _row(bad_check_digit(new_national_id())),  # 2: check digit
        _row(ref="ZZZZZ-ZZZZZ"),  # 3: unknown reference
        _row(received="31/02/2562"),  # 4: no such date
        _row(subsidy_type="ทุนการศึกษา"),  # 5: unknown code
        _row(amount="0"),  # 6: out of range
        _row(province="แอตแลนติส"),  # 7: unknown province
        _row(received="01/01/2600"),  # 8: future
        _row(),  # fine
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 7, found
    assert found[0].startswith("แถว 2, เลขประจำตัวประชาชน:") and "เลขตรวจสอบ" in found[0]
    assert "แถว 3, เลขอ้างอิง: ไม่พบคำขอเลขอ้างอิง ZZZZZ-ZZZZZ" in found
    assert "แถว 4, วันที่รับคำขอ: '31/02/2562' ไม่ใช่วันที่ที่มีอยู่จริง" in found
    assert any(m.startswith("แถว 5, ประเภทเงินอุดหนุน: 'ทุนการศึกษา' ไม่ใช่ค่าที่รับได้") for m in found)
    assert any(m.startswith("แถว 6, จำนวนเงินที่ขอ (บาท):") for m in found)
    assert "แถว 7, จังหวัด: ไม่พบจังหวัด 'แอตแลนติส'" in found
    assert any(m.startswith("แถว 8, วันที่รับคำขอ:") for m in found)
    assert Application.objects.count() == 1


def test_an_error_in_the_last_row_writes_nothing(bangkok):
    rows = [EN, _row(), _row(), _row(amount="-5")]
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 4
    assert not Application.objects.exists() and not StepEntry.objects.exists()


def test_uploading_the_same_file_without_references_twice_changes_nothing(bangkok):
    data = csv_bytes([EN, _row(), _row()])
    assert _run(data).new == 2
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2), messages(again)
    assert Application.objects.count() == 2 and StepEntry.objects.count() == 2
    assert Application.history.count() == 2


def test_the_same_new_application_twice_in_a_file_is_refused(bangkok):
    row = _row()
    report = _run(csv_bytes([EN, row, row]))
    assert report.error_count == 1 and "ซ้ำกับแถว 2" in messages(report)[0]
