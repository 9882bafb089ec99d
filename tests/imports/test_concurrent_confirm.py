# ruff: noqa: F811 - the shared fixtures are imported from test_volunteers_support
"""One upload is applied exactly once, whatever arrives at once: real concurrent confirms (and
a cancel among them) over HTTP to the live server, each on its own database connection."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import Upload
from tests.concurrency import on_postgresql, post_at_once, session_of
from tests.imports.conftest import csv_bytes
from tests.imports.test_volunteers_support import (  # noqa: F401 - fixtures
    new_national_id,
    volunteer,
)
from volunteers.models import Service, ServiceMonthly

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
EN = ["national_id", "date", "service_type", "target_group", "people_served", "area"]


def _previewed(client_for, kpi_admin, volunteer, rows=10) -> Upload:
    data = csv_bytes(
        [EN]
        + [
            [volunteer.national_id, f"{day:02d}/03/2563", "screening", "elderly", "1", ""]
            for day in range(1, rows + 1)
        ]
    )
    client_for(kpi_admin).post(
        reverse("imports:upload"),
        {"kind": "services", "file": SimpleUploadedFile("services.csv", data)},
    )
    upload = Upload.objects.get()
    assert upload.status == "previewed" and upload.counts["new"] == rows
    return upload


def test_four_confirms_at_once_apply_a_services_file_once(
    live_server, client_for, kpi_admin, volunteer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = _previewed(client_for, kpi_admin, volunteer)
    results = post_at_once(
        live_server.url, reverse("imports:confirm", args=[upload.pk]), 4,
        cookies=session_of(kpi_admin),
    )  # fmt: skip
    # Every click is answered (the preview page again), none is a server error.
    assert sorted(status for status, _, _ in results) == [302] * 4
    assert Service.objects.count() == 10
    assert sum(ServiceMonthly.objects.values_list("services", flat=True)) == 10
    upload.refresh_from_db()
    assert upload.status == "applied"
    # A later confirm is refused with a Thai message and changes nothing.
    c = client_for(kpi_admin)
    page = c.post(reverse("imports:confirm", args=[upload.pk]), follow=True).content.decode()
    assert "ไฟล์นี้ยืนยันไม่ได้" in page
    assert Service.objects.count() == 10


def test_a_cancel_meeting_confirms_either_cancels_or_is_refused(
    live_server, client_for, kpi_admin, volunteer, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = _previewed(client_for, kpi_admin, volunteer, rows=3)
    cookies = session_of(kpi_admin)
    confirm = reverse("imports:confirm", args=[upload.pk])
    results = post_at_once(live_server.url, confirm, 3, cookies=cookies)
    results += post_at_once(
        live_server.url, reverse("imports:cancel", args=[upload.pk]), 2, cookies=cookies
    )
    assert all(status == 302 for status, _, _ in results)
    upload.refresh_from_db()
    assert upload.status == "applied" and Service.objects.count() == 3
