import datetime as dt

from core.nationalid import make_valid
from imports import engine
from shelters.models import Facility, Resident
from shelters.resources import DischargeResource, FacilityResource, ResidentResource
from tests.imports.conftest import csv_bytes

NID = make_valid("310170012345")
RES = ["facility_code", "case_number", "full_name", "sex", "birth_date", "national_id",
       "target_group", "admitted_on", "discharged_on", "discharge_reason"]  # fmt: skip


def _run(resource, rows, dry_run=False):
    return engine.run(resource(), csv_bytes(rows), "f.csv", dry_run=dry_run)


def test_facilities_take_codes_or_thai_labels_and_province_names(db):
    rows = [
        ["รหัสหน่วยงาน", "ชื่อหน่วยงาน", "ประเภท", "จังหวัด"],
        ["TYB-M", "สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี", "สถานคุ้มครองคนไร้ที่พึ่ง", "ปทุมธานี"],
        ["HSY", "ศูนย์ส่งเสริมและพัฒนาทักษะชีวิตห้วยสัตว์ใหญ่", "life_skills", "77"],
    ]
    report = _run(FacilityResource, rows)
    assert report.ok and report.new == 2
    assert Facility.objects.get(code="HSY").province.name == "ประจวบคีรีขันธ์"
    assert Facility.objects.get(code="TYB-M").kind == "shelter"
    rows[2][2] = "บ้านพัก"
    report = _run(FacilityResource, rows)
    assert report.error_count == 1 and "ไม่ใช่ค่าที่รับได้" in str(report.errors[0])


def test_residents_with_a_dashed_national_id_and_thai_labels(facility):
    dashed = f"{NID[0]}-{NID[1:5]}-{NID[5:10]}-{NID[10:12]}-{NID[12]}"
    rows = [
        RES,
        ["TYB-M", "63-0001", "นาย ก", "ชาย", "", dashed, "ผู้ป่วยจิตเวช", "01/10/2562", "", ""],
    ]
    report = _run(ResidentResource, rows)
    assert report.ok, [str(e) for e in report.errors]
    r = Resident.objects.get()
    assert (r.national_id, r.sex, r.target_group) == (NID, "M", "psychiatric")
    assert r.admitted_on == dt.date(2019, 10, 1) and r.birth_date is None


def test_residents_refuse_a_bad_check_digit_and_an_id_used_by_someone_else(facility):
    bad = NID[:12] + str((int(NID[12]) + 1) % 10)
    rows = [RES, ["TYB-M", "63-0001", "นาย ก", "M", "", bad, "destitute", "01/10/2562", "", ""]]
    report = _run(ResidentResource, rows)
    assert "แถว 2, national_id:" in str(report.errors[0]) and "เลขตรวจสอบ" in str(report.errors[0])
    Resident.objects.create(facility=facility, case_number="X1", full_name="ข", target_group="beggar",
                            admitted_on=dt.date(2019, 1, 1), national_id=NID)  # fmt: skip
    rows[1][5] = NID
    report = _run(ResidentResource, rows)
    assert "มีผู้รับบริการอื่นใช้อยู่แล้ว" in str(report.errors[0])


def test_residents_need_a_discharge_reason_with_a_discharge_date(facility):
    rows = [
        RES,
        ["TYB-M", "63-0001", "นาย ก", "M", "", "", "destitute", "01/10/2562", "01/05/2563", ""],
    ]
    report = _run(ResidentResource, rows)
    assert report.error_count == 1 and "ต้องกรอกคู่กัน" in str(report.errors[0])


def test_discharges_update_residents_idempotently(residents):
    rows = [["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่จำหน่าย", "เหตุที่จำหน่าย"],
            ["TYB-M", "63-0001", "30/09/2563", "ทำงานในสถานประกอบการ"]]  # fmt: skip
    report = _run(DischargeResource, rows)
    assert report.ok and report.updated == 1 and report.new == 0
    r = Resident.objects.get(case_number="63-0001")
    assert (r.discharged_on, r.discharge_reason) == (dt.date(2020, 9, 30), "employment")
    assert _run(DischargeResource, rows).unchanged == 1


def test_an_import_that_changes_a_resident_makes_open_edit_forms_stale(facility):
    rows = [RES, ["TYB-M", "63-0001", "นาย ก", "ชาย", "", "", "ผู้ป่วยจิตเวช", "01/10/2562", "", ""]]
    assert _run(ResidentResource, rows).ok
    before = Resident.objects.get().version
    rows[1][2] = "นาย ข"
    report = _run(ResidentResource, rows)
    assert report.ok and report.updated == 1
    resident = Resident.objects.get()
    assert resident.full_name == "นาย ข" and resident.version == before + 1
    # Re-uploading the same file changes nothing, the version included.
    assert _run(ResidentResource, rows).updated == 0
    assert Resident.objects.get().version == before + 1
