# ruff: noqa: F811 - the shared fixtures are imported from test_volunteers_support
from tests.imports.conftest import csv_bytes, xlsx_bytes
from tests.imports.test_volunteers_support import messages, plan, run  # noqa: F401 - fixture
from volunteers.models import Plan, PlanTarget
from volunteers.resources import PlanTargetResource

EN = ["fiscal_year", "measure", "province", "specialty", "service_type", "planned"]
TH = ["ปีงบประมาณ", "ตัววัด", "จังหวัด", "ความเชี่ยวชาญ", "ประเภทบริการ", "ค่าเป้าหมาย"]


def _run(data, name="p.csv", dry_run=False):
    return run(PlanTargetResource(), data, name, dry_run)


def test_a_clean_file_goes_to_the_plan_that_covers_the_year(plan, chiang_mai):
    Plan.objects.create(title="ตัวอย่าง", first_year=2563, last_year=2565, is_demo=True)
    rows = [
        EN,
        ["2563", "trained", "50", "", "", "120"],
        ["2563", "specialists", "", "elderly", "", "40"],
        ["2564", "services", "เชียงใหม่", "", "screening", "1000"],
    ]
    report = _run(csv_bytes(rows))
    assert report.ok and report.applied and report.new == 3, messages(report)
    assert set(PlanTarget.objects.values_list("plan_id", flat=True)) == {plan.pk}
    t = PlanTarget.objects.get(measure="trained")
    assert (t.fiscal_year, t.province, t.planned) == (2563, chiang_mai, 120)
    assert PlanTarget.objects.get(measure="specialists").province is None


def test_thai_headers_labels_and_thai_digits(plan):
    rows = [TH, ["๒๕๖๓", "จำนวน อพม. ที่ผ่านการพัฒนาศักยภาพ (คน)", "กรุงเทพมหานคร", "", "", "๑,๒๐๐"]]
    report = _run(xlsx_bytes(rows), "p.xlsx")
    assert report.ok and report.new == 1, messages(report)
    assert PlanTarget.objects.get().planned == 1200


def test_each_bad_cell_is_named_by_row_and_column_and_nothing_is_written(plan):
    rows = [
        TH,
        ["2563", "trained", "ไม่มีจังหวัด", "", "", "10"],  # 2: unknown province
        ["2563", "ทำอาหาร", "", "", "", "10"],  # 3: unknown code
        ["2563", "trained", "", "", "", "0"],  # 4: out of range
        ["2570", "trained", "", "", "", "10"],  # 5: no plan covers the year
        ["2563", "specialists", "", "ดนตรี", "", "10"],  # 6: unknown specialty
        ["2563", "trained", "", "", "survey", "10"],  # 7: service type on another measure
        ["2020", "trained", "", "", "", "10"],  # 8: not a BE year
        ["2563", "trained", "", "", "", "10"],  # fine
    ]
    report = _run(csv_bytes(rows))
    found = messages(report)
    assert not report.applied and report.error_count == 7, found
    assert "แถว 2, จังหวัด: ไม่พบจังหวัด 'ไม่มีจังหวัด'" in found
    assert any(m.startswith("แถว 3, ตัววัด: 'ทำอาหาร' ไม่ใช่ค่าที่รับได้") for m in found)
    assert any(m.startswith("แถว 4, ค่าเป้าหมาย:") for m in found)
    assert "แถว 5, ปีงบประมาณ: ไม่พบแผนพัฒนาศักยภาพ อพม. ที่ครอบคลุมปี 2570" in found
    assert "แถว 6, ความเชี่ยวชาญ: ไม่พบความเชี่ยวชาญ 'ดนตรี'" in found
    assert any(m.startswith("แถว 7, ประเภทบริการ:") for m in found)
    assert any(m.startswith("แถว 8, ปีงบประมาณ:") and "พ.ศ." in m for m in found)
    assert not PlanTarget.objects.exists()


def test_an_error_in_the_last_row_writes_nothing(plan):
    rows = [EN, ["2563", "trained", "", "", "", "10"], ["2563", "services", "", "", "", "x"]]
    report = _run(csv_bytes(rows))
    assert report.error_count == 1 and report.errors[0].row == 3
    assert not PlanTarget.objects.exists()


def test_uploading_the_same_file_twice_changes_nothing_and_a_new_figure_updates(plan):
    data = csv_bytes(
        [EN, ["2563", "trained", "", "", "", "10"], ["2563", "people", "", "", "", "5"]]
    )
    assert _run(data).new == 2
    again = _run(data)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    changed = _run(csv_bytes([EN, ["2563", "trained", "", "", "", "12"]]))
    assert (changed.new, changed.updated) == (0, 1)
    assert PlanTarget.objects.get(measure="trained").planned == 12
