import datetime as dt
from decimal import Decimal

from imports import engine
from shelters.models import Assessment
from shelters.resources import AssessmentResource
from tests.imports.conftest import csv_bytes, xlsx_bytes

EN = ["facility_code", "case_number", "assessed_on", "percent"]
TH = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่ประเมิน", "ร้อยละคะแนน"]


def _run(data, name="a.csv", dry_run=False):
    return engine.run(AssessmentResource(), data, name, dry_run=dry_run)


def test_a_clean_file_with_english_headers_is_applied(residents):
    rows = [
        EN,
        ["TYB-M", "63-0001", "15/03/2563", "72.5"],
        ["TYB-M", "63-0002", "2020-03-16", "85"],
    ]
    report = _run(csv_bytes(rows))
    assert report.ok and report.applied and (report.new, report.updated) == (2, 0)
    a = Assessment.objects.get(resident=residents[0])
    assert a.assessed_on == dt.date(2020, 3, 15) and a.percent == Decimal("72.50")
    assert a.history.count() == 1  # the import is audited


def test_thai_headers_thai_digits_be_dates_and_a_bom(residents):
    rows = [TH, [" TYB-M ", "๖๓-๐๐๐๑", "๑๕/๐๓/๒๕๖๓", "๗๒.๕๐"]]
    report = _run(csv_bytes(rows, bom=True))
    assert report.ok and report.new == 1
    assert Assessment.objects.get().assessed_on == dt.date(2020, 3, 15)


def test_xlsx_with_excel_date_cells(residents):
    rows = [TH, ["TYB-M", "63-0001", dt.datetime(2020, 3, 15), 72.5]]
    report = _run(xlsx_bytes(rows), "a.xlsx")
    assert report.ok and report.new == 1
    assert Assessment.objects.get().percent == Decimal("72.50")


def test_items_instead_of_percent(residents):
    header = ["facility_code", "case_number", "assessed_on"] + [f"item_{n}" for n in range(1, 15)]
    report = _run(csv_bytes([header, ["TYB-M", "63-0001", "15/03/2563"] + ["8"] * 14]))
    assert report.ok
    a = Assessment.objects.get()
    assert a.percent == Decimal("80.00") and a.item_14 == 8


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(residents):
    rows = [
        TH,
        ["TYB-M", "63-0001", "31/02/2562", "50"],  # row 2: no such date
        ["XXX", "63-0001", "01/03/2563", "50"],  # row 3: unknown facility
        ["TYB-M", "99-9999", "01/03/2563", "50"],  # row 4: unknown case number
        ["TYB-M", "63-0002", "01/03/2563", "105"],  # row 5: percent out of range
        ["TYB-M", "63-0003", "01/03/2563", "abc"],  # row 6: not a number
        ["TYB-M", "63-0003", "01/03/2593", "50"],  # row 7: in the future
        ["TYB-M", "63-0001", "01/01/2561", "50"],  # row 8: before admission
        ["TYB-M", "63-0002", "02/03/2563", "50"],  # fine, but the file has errors
    ]
    report = _run(csv_bytes(rows))
    messages = [str(e) for e in report.errors]
    assert not report.applied and report.error_count == 7
    assert messages[0] == "แถว 2, วันที่ประเมิน: '31/02/2562' ไม่ใช่วันที่ที่มีอยู่จริง"
    assert "แถว 3, รหัสหน่วยงาน: ไม่พบรหัสหน่วยงาน 'XXX'" in messages
    assert any(m.startswith("แถว 4, เลขทะเบียนผู้รับบริการ: ไม่พบเลขทะเบียน") for m in messages)
    assert any(m.startswith("แถว 5, ร้อยละคะแนน:") and "10 ถึง 100" in m for m in messages)
    assert any(m.startswith("แถว 6, ร้อยละคะแนน:") for m in messages)
    assert any(m.startswith("แถว 7, วันที่ประเมิน:") and "อนาคต" in m for m in messages)
    assert any(m.startswith("แถว 8, วันที่ประเมิน:") and "ก่อนวันที่รับเข้า" in m for m in messages)
    assert not Assessment.objects.exists()


def test_an_error_in_the_last_row_writes_nothing(residents):
    rows = [EN] + [["TYB-M", f"63-000{n}", "01/03/2563", "50"] for n in (1, 2, 3)]
    rows.append(["TYB-M", "63-0001", "02/03/2563", "5"])
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 5
    assert not Assessment.objects.exists()


def test_uploading_the_same_file_twice_changes_nothing(residents):
    data = csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"]])
    assert _run(data).new == 1
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    assert Assessment.objects.count() == 1
    assert Assessment.objects.get().history.count() == 1


def test_a_changed_percent_is_an_update(residents):
    _run(csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"]]))
    report = _run(csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "81"]]))
    assert (report.new, report.updated) == (0, 1)
    assert Assessment.objects.get().percent == Decimal("81.00")


def test_a_dry_run_writes_nothing(residents):
    report = _run(csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"]]), dry_run=True)
    assert report.new == 1 and not report.applied
    assert not Assessment.objects.exists()


def test_the_same_row_twice_in_a_file_is_refused(residents):
    row = ["TYB-M", "63-0001", "15/03/2563", "72.5"]
    report = _run(csv_bytes([EN, row, row]))
    assert report.error_count == 1 and "ซ้ำกับแถว 2" in str(report.errors[0])


def test_a_missing_column_is_a_file_problem(residents):
    import pytest

    with pytest.raises(engine.FileProblem, match="ไม่พบคอลัมน์ที่ต้องมี"):
        _run(csv_bytes([["facility_code", "case_number", "percent"], ["TYB-M", "63-0001", "50"]]))
    with pytest.raises(engine.FileProblem, match="รับเฉพาะไฟล์"):
        _run(b"x", "a.pdf")
