# ruff: noqa: F811 - the shared fixtures are imported from test_volunteers_support
import datetime as dt

from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_volunteers_support import (  # noqa: F401 - fixtures
    bad_check_digit,
    dashed,
    messages,
    new_national_id,
    run,
    volunteer,
    volunteer2,
)
from volunteers.models import Service
from volunteers.resources import ServiceResource

EN = ["national_id", "date", "service_type", "target_group", "people_served", "area"]
TH = ["เลขประจำตัวประชาชน อพม.", "วันที่ให้บริการ", "ประเภทบริการ", "กลุ่มเป้าหมาย",
      "จำนวนผู้รับบริการ (คน)", "พื้นที่"]  # fmt: skip


def _run(data, name="s.csv", dry_run=False, user=None):
    return run(ServiceResource(user=user), data, name, dry_run)


def test_a_clean_file_is_applied_with_the_volunteers_province(volunteer, volunteer2, kpi_admin):
    rows = [
        EN,
        [volunteer.national_id, "15/03/2563", "screening", "elderly", "3", "ต.ศรีภูมิ"],
        [volunteer2.national_id, "2020-03-16", "help", "disabled", "", ""],
    ]
    report = _run(csv_bytes(rows), user=kpi_admin)
    assert report.ok and report.applied and report.new == 2, messages(report)
    s = Service.objects.get(volunteer=volunteer)
    assert (s.date, s.service_type, s.people_served) == (dt.date(2020, 3, 15), "screening", 3)
    assert s.province_id == volunteer.province_id and s.created_by == kpi_admin
    assert Service.objects.get(volunteer=volunteer2).people_served == 1
    assert s.history.count() == 1


def test_thai_headers_labels_be_dates_thai_digits_and_a_dashed_id(volunteer):
    rows = [TH, [dashed(volunteer.national_id), "๑๕/๐๓/๒๕๖๓", "คัดกรอง", "ผู้สูงอายุ", "๒", ""]]
    report = _run(xlsx_bytes(rows), "s.xlsx")
    assert report.ok and report.new == 1, messages(report)
    s = Service.objects.get()
    assert (s.date, s.target_group, s.people_served) == (dt.date(2020, 3, 15), "elderly", 2)


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(volunteer):
    nid = volunteer.national_id
    rows = [
        TH,
        [bad_check_digit(nid), "15/03/2563", "คัดกรอง", "ผู้สูงอายุ", "1", ""],  # 2
        [new_national_id(), "15/03/2563", "คัดกรอง", "ผู้สูงอายุ", "1", ""],  # 3: unknown
        [nid, "31/02/2562", "คัดกรอง", "ผู้สูงอายุ", "1", ""],  # 4: no such date
        [nid, "15/03/2563", "ทำอาหาร", "ผู้สูงอายุ", "1", ""],  # 5: unknown code
        [nid, "15/03/2563", "คัดกรอง", "ผู้สูงอายุ", "0", ""],  # 6: out of range
        [nid, "15/03/2600", "คัดกรอง", "ผู้สูงอายุ", "1", ""],  # 7: future
        [nid, "16/03/2563", "คัดกรอง", "ผู้สูงอายุ", "1", ""],  # fine
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 6, found
    assert found[0].startswith("แถว 2, เลขประจำตัวประชาชน อพม.:") and "เลขตรวจสอบ" in found[0]
    assert any(m.startswith("แถว 3, เลขประจำตัวประชาชน อพม.: ไม่พบ อพม.") for m in found)
    assert "แถว 4, วันที่ให้บริการ: '31/02/2562' ไม่ใช่วันที่ที่มีอยู่จริง" in found
    assert any(m.startswith("แถว 5, ประเภทบริการ: 'ทำอาหาร' ไม่ใช่ค่าที่รับได้") for m in found)
    assert any(m.startswith("แถว 6, จำนวนผู้รับบริการ (คน):") for m in found)
    assert any(m.startswith("แถว 7, วันที่ให้บริการ:") and "อนาคต" in m for m in found)
    assert not Service.objects.exists()


def test_an_error_in_the_last_row_writes_nothing(volunteer):
    rows = [EN] + [
        [volunteer.national_id, f"0{d}/03/2563", "survey", "elderly", "1", ""] for d in (1, 2, 3)
    ]
    rows.append([volunteer.national_id, "04/03/2563", "survey", "นก", "1", ""])
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 5
    assert not Service.objects.exists()


def test_uploading_the_same_file_twice_changes_nothing(volunteer):
    data = csv_bytes(
        [
            EN,
            [volunteer.national_id, "15/03/2563", "survey", "elderly", "3", "ต.ศรีภูมิ"],
            [volunteer.national_id, "15/03/2563", "survey", "elderly", "2", "ต.ช้างเผือก"],
        ]
    )
    assert _run(data).new == 2
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert Service.objects.count() == 2 and Service.history.count() == 2


def test_a_changed_count_is_an_update_and_a_repeated_key_is_refused(volunteer):
    row = [volunteer.national_id, "15/03/2563", "survey", "elderly", "3", ""]
    _run(csv_bytes([EN, row]))
    report = _run(csv_bytes([EN, [*row[:4], "5", ""]]))
    assert (report.new, report.updated) == (0, 1)
    assert Service.objects.get().people_served == 5
    twice = _run(csv_bytes([EN, row, row]))
    assert twice.error_count == 1 and "ซ้ำกับแถว 2" in messages(twice)[0]
