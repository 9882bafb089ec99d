"""The preview page: rows in error (not problems) are counted, a file that changes nothing says so
and offers no confirm, and a new file can be uploaded from the preview itself."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports import engine, resources
from imports.models import Upload
from shelters.models import Assessment
from tests.imports.conftest import csv_bytes

EN = ["facility_code", "case_number", "assessed_on", "percent"]
GOOD = csv_bytes([EN, ["TYB-M", "63-0001", "15/03/2563", "72.5"]])
# Row 2 has two problems (no such date, no number), row 3 one.
TWO_BAD_ROWS = csv_bytes(
    [
        EN,
        ["TYB-M", "63-0001", "31/02/2562", "abc"],
        ["TYB-M", "63-0002", "30/02/2562", "72.5"],
        ["TYB-M", "63-0003", "15/03/2563", "72.5"],
    ]
)


def _upload(client, data, name="irp.csv", kind="assessments"):
    return client.post(
        reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, data)}
    )


def _count(page: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    return match.group(1).strip() if match else ""


def test_the_report_counts_rows_in_error_apart_from_problems(residents):
    resource = resources.get("assessments")(user=None)
    report = engine.run(resource, TWO_BAD_ROWS, "irp.csv", dry_run=True)
    assert report.error_count == 3 and report.error_rows == 2
    assert report.counts()["error_rows"] == 2 and report.counts()["errors"] == 3
    assert "ผิดพลาด 2 แถว" in report.summary() and "3 ข้อผิดพลาด" in report.summary()


def test_the_preview_shows_rows_in_error_and_the_problems_apart(client_for, kpi_admin, residents):
    c = client_for(kpi_admin)
    _upload(c, TWO_BAD_ROWS)
    upload = Upload.objects.get()
    page = c.get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert _count(page, "count-errors") == "2"
    assert "รวม 3 ข้อผิดพลาด" in page
    assert "พบข้อผิดพลาด 3 รายการใน 2 แถว" in page
    assert 'data-testid="confirm"' not in page


def test_an_upload_of_an_older_kind_of_counts_still_shows(client_for, kpi_admin, residents):
    upload = Upload.objects.create(
        kind="assessments", original_name="old.csv", status="rejected",
        counts={"rows": 1, "new": 0, "updated": 0, "unchanged": 0, "errors": 1},
        errors=[{"row": 2, "column": "percent", "message": "ไม่ใช่ตัวเลข"}],
    )  # fmt: skip
    page = client_for(kpi_admin).get(reverse("imports:preview", args=[upload.pk])).content.decode()
    assert _count(page, "count-errors") == "1"


def test_a_file_that_changes_nothing_says_so_and_offers_no_confirm(
    client_for, kpi_admin, residents
):
    c = client_for(kpi_admin)
    _upload(c, GOOD)
    first = Upload.objects.get()
    c.post(reverse("imports:confirm", args=[first.pk]))
    assert Assessment.objects.count() == 1
    _upload(c, GOOD)
    again = Upload.objects.exclude(pk=first.pk).get()
    assert again.status == "previewed" and again.counts["unchanged"] == 1
    page = c.get(reverse("imports:preview", args=[again.pk])).content.decode()
    assert "ไม่มีข้อมูลที่ต้องเปลี่ยน" in page
    assert 'data-testid="confirm"' not in page and "ยืนยันนำเข้า 0 แถว" not in page
    # A confirm sent anyway (an old page, a script) applies nothing and says why.
    before = Assessment.history.count()
    response = c.post(reverse("imports:confirm", args=[again.pk]), follow=True)
    assert "ไม่มีข้อมูลที่ต้องเปลี่ยน" in response.content.decode()
    again.refresh_from_db()
    assert again.status == "previewed" and again.applied_at is None
    assert Assessment.history.count() == before


def test_a_file_with_changes_still_offers_its_confirm(client_for, kpi_admin, residents):
    c = client_for(kpi_admin)
    _upload(c, GOOD)
    page = c.get(reverse("imports:preview", args=[Upload.objects.get().pk])).content.decode()
    assert 'data-testid="confirm"' in page and "ไม่มีข้อมูลที่ต้องเปลี่ยน" not in page


def test_a_new_file_can_be_uploaded_from_the_preview(client_for, kpi_admin, residents):
    c = client_for(kpi_admin)
    _upload(c, TWO_BAD_ROWS)
    bad = Upload.objects.get()
    page = c.get(reverse("imports:preview", args=[bad.pk])).content.decode()
    section = page[page.index('data-testid="upload-again"') :]
    assert f'action="{reverse("imports:upload")}"' in section
    assert 'name="kind" value="assessments"' in section and 'type="file"' in section
    assert 'enctype="multipart/form-data"' in section
    # What that form sends: the same kind, a corrected file, a new preview.
    response = _upload(c, GOOD)
    fixed = Upload.objects.exclude(pk=bad.pk).get()
    assert response["Location"] == reverse("imports:preview", args=[fixed.pk])
    assert fixed.kind == "assessments" and fixed.status == "previewed"


def test_the_upload_page_preselects_the_kind_it_is_sent_back_with(client_for, kpi_admin, db):
    page = client_for(kpi_admin).get(reverse("imports:upload") + "?kind=assessments")
    assert re.search(r'<option value="assessments"[^>]*selected', page.content.decode())
