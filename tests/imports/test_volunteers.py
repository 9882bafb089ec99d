# ruff: noqa: F811 - the shared fixtures are imported from test_volunteers_support
import datetime as dt

from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_volunteers_support import (
    bad_check_digit,
    dashed,
    messages,
    new_national_id,
    run,
    volunteer,  # noqa: F401 - fixture
)
from volunteers.models import Volunteer, VolunteerSpecialty
from volunteers.resources import VolunteerResource

EN = ["national_id", "first_name", "last_name", "sex", "province", "kind", "birth_date"]
TH = ["เลขประจำตัวประชาชน", "ชื่อ", "นามสกุล", "เพศ", "จังหวัด", "ประเภท อพม.", "วันเกิด"]


def _run(data, name="v.csv", dry_run=False):
    return run(VolunteerResource(), data, name, dry_run)


def test_a_clean_file_with_english_headers_is_applied(chiang_mai, bangkok):
    a, b = new_national_id(), new_national_id()
    rows = [
        EN,
        [a, "สมศรี", "ใจดี", "F", "50", "province", "12/05/2515"],
        [b, "สมชาย", "ใจงาม", "M", "กรุงเทพมหานคร", "bangkok", "1970-01-02"],
    ]
    report = _run(csv_bytes(rows))
    assert report.ok and report.applied and (report.new, report.updated) == (2, 0)
    v = Volunteer.objects.get(national_id=a)
    assert v.province == chiang_mai and v.birth_date == dt.date(1972, 5, 12)
    assert v.status == "applicant" and v.history.count() == 1 and v.created_at is not None
    assert Volunteer.objects.get(national_id=b).province == bangkok


def test_thai_headers_thai_labels_be_dates_thai_digits_and_dashed_ids(chiang_mai):
    nid = new_national_id()
    thai_digits = dashed(nid).translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    rows = [TH, [thai_digits, " สมศรี ", "ใจดี", "หญิง", "เชียงใหม่", "อพม. จังหวัด", "๑๒/๐๕/๒๕๑๕"]]
    report = _run(xlsx_bytes(rows), "v.xlsx")
    assert report.ok and report.new == 1, messages(report)
    v = Volunteer.objects.get()
    assert (v.national_id, v.first_name, v.sex, v.kind) == (nid, "สมศรี", "F", "province")
    assert v.birth_date == dt.date(1972, 5, 12)


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(chiang_mai):
    good = new_national_id()
    rows = [
        TH,
        [bad_check_digit(good), "ก", "ข", "F", "50", "province", ""],  # 2: check digit
        [new_national_id(), "ก", "ข", "F", "ไม่มีจังหวัดนี้", "province", ""],  # 3: unknown
        [new_national_id(), "ก", "ข", "F", "50", "province", "31/02/2562"],  # 4: no such date
        [new_national_id(), "ก", "ข", "X", "50", "province", ""],  # 5: unknown code
        [new_national_id(), "ก", "ข", "F", "50", "province", "01/01/2600"],  # 6: future
        [good, "ก", "ข", "F", "50", "province", ""],  # fine
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 5, found
    assert found[0].startswith("แถว 2, เลขประจำตัวประชาชน:") and "เลขตรวจสอบ" in found[0]
    assert "แถว 3, จังหวัด: ไม่พบจังหวัด 'ไม่มีจังหวัดนี้'" in found
    assert "แถว 4, วันเกิด: '31/02/2562' ไม่ใช่วันที่ที่มีอยู่จริง" in found
    assert any(m.startswith("แถว 5, เพศ: 'X' ไม่ใช่ค่าที่รับได้") for m in found)
    assert any(m.startswith("แถว 6, วันเกิด:") and "อนาคต" in m for m in found)
    assert not Volunteer.objects.exists()


def test_an_error_in_the_last_row_writes_nothing(chiang_mai):
    rows = [EN] + [[new_national_id(), "ก", "ข", "F", "50", "province", ""] for _ in range(3)]
    rows.append([new_national_id(), "ก", "ข", "F", "50", "ไม่รู้", ""])
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 5
    assert str(report.errors[0]).startswith("แถว 5, kind:")
    assert not Volunteer.objects.exists()


def test_uploading_the_same_file_twice_changes_nothing(chiang_mai):
    header = [*EN, "phone", "specialties"]
    data = csv_bytes(
        [
            header,
            [new_national_id(), "ก", "ข", "F", "50", "province", "", "081", "ผู้สูงอายุ, disabled"],
        ]
    )
    assert _run(data).new == 1
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 1)
    v = Volunteer.objects.get()
    assert v.history.count() == 1
    assert sorted(v.specialties.values_list("code", flat=True)) == ["disabled", "elderly"]
    assert VolunteerSpecialty.history.count() == 2


def test_a_changed_name_is_an_update_and_missing_columns_are_left_alone(volunteer):
    volunteer.phone = "0811111111"
    volunteer.status = "active"
    volunteer.save()
    row = [volunteer.national_id, "สมศรีใหม่", "อาสา", "F", "50", "province", ""]
    report = _run(csv_bytes([EN, row]))
    assert (report.new, report.updated) == (0, 1)
    volunteer.refresh_from_db()
    assert volunteer.first_name == "สมศรีใหม่"
    assert volunteer.phone == "0811111111" and volunteer.status == "active"


def test_specialties_follow_the_file_and_an_unknown_one_is_refused(volunteer):
    header = [*EN, "specialties"]
    base = [volunteer.national_id, "สมศรี", "อาสา", "F", "50", "province", ""]
    assert _run(csv_bytes([header, [*base, "children;elderly"]])).ok
    assert _run(csv_bytes([header, [*base, "elderly"]])).ok
    assert list(volunteer.specialties.values_list("code", flat=True)) == ["elderly"]
    report = _run(csv_bytes([header, [*base, "ดนตรี"]]))
    assert messages(report) == ["แถว 2, specialties: ไม่พบความเชี่ยวชาญ 'ดนตรี'"]


def test_registered_status_is_refused_without_certification(volunteer):
    from volunteers.resources import ACTIVE_NEEDS_CERTIFICATION

    header = [*EN, "status"]
    new = [new_national_id(), "สมใหม่", "อาสา", "F", "50", "province", "", "ขึ้นทะเบียนแล้ว"]
    old = [volunteer.national_id, "สมศรี", "อาสา", "F", "50", "province", "", "active"]
    report = _run(csv_bytes([header, new, old]))
    assert not report.applied
    assert messages(report) == [
        f"แถว 2, status: {ACTIVE_NEEDS_CERTIFICATION}",
        f"แถว 3, status: {ACTIVE_NEEDS_CERTIFICATION}",
    ]
    assert Volunteer.objects.get().status == "applicant"


def test_a_certified_volunteer_may_be_imported_as_registered_or_inactive(volunteer):
    from volunteers import services
    from volunteers.models import Path

    services.certify(volunteer, dt.date(2020, 2, 1), Path.WORKSHOP)
    Volunteer.objects.filter(pk=volunteer.pk).update(status="inactive")
    header = [*EN, "status"]
    row = [volunteer.national_id, "สมศรี", "อาสา", "F", "50", "province", "", "active"]
    assert _run(csv_bytes([header, row])).ok
    assert Volunteer.objects.get().status == "active"
    assert _run(csv_bytes([header, [*row[:-1], "พ้นสภาพ"]])).ok
    assert Volunteer.objects.get().status == "inactive"


def test_an_imported_change_makes_an_open_edit_form_stale(volunteer, client_for, kpi_admin):
    from django.urls import reverse

    opened = Volunteer.objects.get().version
    report = _run(csv_bytes([EN, [volunteer.national_id, "ชื่อจากไฟล์", "อาสา", "F", "50",
                                  "province", ""]]))  # fmt: skip
    assert report.updated == 1
    now = Volunteer.objects.get()
    assert now.version == opened + 1 and now.first_name == "ชื่อจากไฟล์"
    form = {
        "national_id": volunteer.national_id, "first_name": "ชื่อจากฟอร์ม", "last_name": "อาสา",
        "sex": "F", "province": volunteer.province_id, "kind": "province",
        "status": "applicant", "version": opened,
    }  # fmt: skip
    response = client_for(kpi_admin).post(reverse("volunteers:edit", args=[volunteer.pk]), form)
    assert response.status_code == 409
    assert Volunteer.objects.get().first_name == "ชื่อจากไฟล์"
