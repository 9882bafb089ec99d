from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from imports.models import Upload
from shelters.models import Assessment
from tests.imports.conftest import csv_bytes

EN = ["facility_code", "case_number", "assessed_on", "percent"]
GOOD = csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"]])
BAD = csv_bytes([EN, ["TYB-M", "63-0001", "31/02/2562", "72.5"]])


def _upload(client, data, name="irp.csv", kind="assessments"):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def test_an_admin_previews_then_confirms(client_for, kpi_admin, residents):
    c = client_for(kpi_admin)
    response = _upload(c, GOOD)
    upload = Upload.objects.get()
    assert response["Location"] == reverse("imports:preview", args=[upload.pk])
    assert upload.status == "previewed" and upload.counts["new"] == 1
    assert not Assessment.objects.exists()  # nothing written before confirming
    page = c.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert "ยืนยันนำเข้า 1 แถว" in page
    c.post(reverse("imports:confirm", args=[upload.pk]))
    upload.refresh_from_db()
    assert upload.status == "applied" and upload.applied_at
    assert Assessment.objects.count() == 1
    # The file can be downloaded again.
    response = c.get(reverse("imports:download", args=[upload.pk]))
    assert b"".join(response.streaming_content) == GOOD


def test_a_file_with_errors_shows_them_and_cannot_be_confirmed(client_for, kpi_admin, residents):
    c = client_for(kpi_admin)
    _upload(c, BAD)
    upload = Upload.objects.get()
    assert upload.status == "rejected"
    page = c.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert "แถว 2, assessed_on: &#x27;31/02/2562&#x27; ไม่ใช่วันที่ที่มีอยู่จริง" in page
    c.post(reverse("imports:confirm", args=[upload.pk]))
    assert not Assessment.objects.exists()


def test_an_unreadable_file_keeps_the_form_with_a_thai_message(client_for, kpi_admin, residents):
    response = _upload(client_for(kpi_admin), b"\x00\x01", name="x.xlsx")
    assert response.status_code == 400
    assert "อ่านไฟล์ Excel ไม่ได้" in response.content.decode()


def test_only_admins_import(client_for, manager, owner, residents):
    for user in (manager, owner):
        assert _upload(client_for(user), GOOD).status_code == 403
        assert client_for(user).get(reverse("imports:upload")).status_code == 403
    assert not Upload.objects.exists()


def test_templates_have_thai_or_english_headers_and_an_example(client_for, kpi_admin, db):
    c = client_for(kpi_admin)
    response = c.get(reverse("imports:template", args=["assessments", "xlsx"]))
    sheet = load_workbook(__import__("io").BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == [
        "รหัสหน่วยงาน",
        "เลขทะเบียนผู้รับบริการ",
        "วันที่ประเมิน",
        "ร้อยละคะแนน",
    ]
    assert sheet[2][0].value == "TYB-M"
    english = c.get(reverse("imports:template", args=["assessments", "csv"]) + "?lang=en")
    assert english.content.decode("utf-8-sig").startswith(
        "facility_code,case_number,assessed_on,percent"
    )


def test_the_command_line_prints_errors_and_exits_non_zero(tmp_path, residents, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD)
    try:
        call_command("import", "assessments", str(bad))
    except CommandError as exc:
        assert "1 ข้อผิดพลาด" in str(exc)
    else:
        raise AssertionError("expected a failure")
    assert "แถว 2, assessed_on:" in capsys.readouterr().err
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    call_command("import", "assessments", str(good), "--dry-run")
    assert not Assessment.objects.exists()
    call_command("import", "assessments", str(good))
    assert Assessment.objects.count() == 1
    assert Upload.objects.filter(source="cli", status="applied").count() == 1
