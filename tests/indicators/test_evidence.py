import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from indicators.evaluation import evaluate
from indicators.models import Deliverable, Evidence


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _deliverables(fy2563, code):
    return list(
        Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code=code).order_by(
            "level", "sort_order"
        )
    )


def _add(client, deliverable, **data):
    return client.post(reverse("indicators:evidence-add", args=[deliverable.pk]), data)


def test_an_owner_attaches_a_file_and_submits_it(client_for, owner, fy2563):
    plan = _deliverables(fy2563, "2")[0]
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    response = _add(client_for(owner), plan, title="แผน 3 ปี", file=upload, submit="1")
    assert response.status_code == 302
    ev = Evidence.objects.get()
    assert ev.status == "submitted" and ev.submitted_by == owner and ev.submitted_at
    assert ev.file.name.startswith("evidence/2563/")


def test_a_link_alone_is_evidence_too_but_nothing_at_all_is_refused(client_for, owner, fy2563):
    plan = _deliverables(fy2563, "2")[0]
    c = client_for(owner)
    response = _add(c, plan, title="ไม่มีอะไรแนบ")
    assert response.status_code == 400
    assert "แนบไฟล์หรือใส่ลิงก์" in response.content.decode()
    assert 'value="ไม่มีอะไรแนบ"' in response.content.decode()  # what was typed is kept
    assert _add(c, plan, title="ลิงก์", url="https://example.go.th/plan").status_code == 302
    assert Evidence.objects.get().status == "draft"


def test_it_refuses_a_file_type_it_does_not_keep(client_for, owner, fy2563):
    plan = _deliverables(fy2563, "2")[0]
    upload = SimpleUploadedFile("run.exe", b"MZ")
    response = _add(client_for(owner), plan, title="x", file=upload)
    assert response.status_code == 400
    assert "ไม่รับไฟล์ประเภทนี้" in response.content.decode()


def test_it_refuses_a_file_over_the_limit(client_for, owner, fy2563, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    plan = _deliverables(fy2563, "2")[0]
    upload = SimpleUploadedFile("big.pdf", b"x" * 11)
    assert _add(client_for(owner), plan, title="x", file=upload).status_code == 400


def test_only_owners_of_the_indicator_and_admins_attach(
    client_for, other_owner, manager, approver, kpi_admin, fy2563
):
    plan = _deliverables(fy2563, "2")[0]
    for user in (other_owner, manager, approver):
        assert _add(client_for(user), plan, title="x", url="https://a.test/").status_code == 403
    assert _add(client_for(kpi_admin), plan, title="x", url="https://a.test/").status_code == 302


def _submitted(deliverable, user):
    return Evidence.objects.create(
        deliverable=deliverable, title="t", url="https://a.test/", created_by=user,
        status="submitted",
    )  # fmt: skip


def test_an_approver_approves_and_a_return_needs_a_comment(client_for, owner, approver, fy2563):
    plan = _deliverables(fy2563, "2")[0]
    ev = _submitted(plan, owner)
    c = client_for(approver)
    url = reverse("indicators:evidence-review", args=[ev.pk])
    c.post(url, {"decision": "return", "comment": ""})
    ev.refresh_from_db()
    assert ev.status == "submitted"
    c.post(url, {"decision": "return", "comment": "ขาดลายมือชื่อ"})
    ev.refresh_from_db()
    assert ev.status == "returned" and ev.review_comment == "ขาดลายมือชื่อ"
    # The owner fixes and submits again; then it is approved.
    client_for(owner).post(reverse("indicators:evidence-submit", args=[ev.pk]))
    ev.refresh_from_db()
    assert ev.status == "submitted"
    c.post(url, {"decision": "approve"})
    ev.refresh_from_db()
    assert ev.status == "approved" and ev.reviewed_by == approver and ev.reviewed_at


def test_managers_and_owners_cannot_approve(client_for, owner, manager, fy2563):
    ev = _submitted(_deliverables(fy2563, "2")[0], owner)
    for user in (owner, manager):
        url = reverse("indicators:evidence-review", args=[ev.pk])
        assert client_for(user).post(url, {"decision": "approve"}).status_code == 403
    ev.refresh_from_db()
    assert ev.status == "submitted"


def test_a_level_counts_once_it_and_every_lower_level_are_approved(owner, fy2563):
    # 3.1's deliverables are decided by evidence alone (its figures are shown, not decisive).
    l1a, l1b, l2, l3a, l3b, l3c = _deliverables(fy2563, "3.1")
    as_of = dt.date(2020, 9, 30)

    def level():
        return evaluate(fy2563, as_of).by_code("3.1")

    def approve(*deliverables, status="approved"):
        for d in deliverables:
            Evidence.objects.create(
                deliverable=d, title="t", url="https://a.test/", created_by=owner, status=status
            )

    approve(l1a, l2, l3a, l3b, l3c)
    assert level().level == 0 and level().score == 0  # level 1 lacks one deliverable
    approve(l1b, status="submitted")
    assert level().level == 0  # submitted is not approved
    Evidence.objects.filter(deliverable=l1b).update(status="approved")
    assert level().level == 3 and level().score == 100
    Evidence.objects.filter(deliverable=l3c).update(status="returned")
    assert level().level == 2 and level().score == 75


def test_evidence_files_are_served_only_to_logged_in_staff(
    client, client_for, owner, no_role_user, fy2563
):
    plan = _deliverables(fy2563, "2")[0]
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 secret")
    _add(client_for(owner), plan, title="แผน", file=upload)
    url = reverse("indicators:evidence-file", args=[Evidence.objects.get().pk])
    assert client.get(url).status_code == 302
    assert client_for(no_role_user).get(url).status_code == 403
    response = client_for(owner).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret"


def test_the_indicator_page_shows_deliverables_and_evidence(client_for, owner, approver, fy2563):
    plan = _deliverables(fy2563, "2")[0]
    _submitted(plan, owner)
    page = client_for(approver).get(
        reverse("indicators:indicator-detail", args=[plan.indicator_id])
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "ได้รับความเห็นชอบจากหัวหน้าส่วนราชการ" in html
    assert "บันทึกผลพิจารณา" in html  # the approver can review from the page
    assert "แนบหลักฐาน" not in html.split("ผลผลิตและหลักฐานตามระดับ")[1]  # but not attach
