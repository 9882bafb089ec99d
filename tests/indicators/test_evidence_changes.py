"""Replacing and deleting evidence while its owners still prepare it (issue 13).

A draft's file, link and description can be replaced by whoever attached it, the indicator's
owners and the admins; so can those of evidence sent back to be fixed. Only a draft can be
deleted, with a reason kept in its history. Submitted and approved evidence stays as it is. An
edit (or deletion) opened before someone else's change is refused with 409, keeping what was
typed. A replaced or deleted file leaves storage and cannot be downloaded any more.
"""

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import roles
from indicators.models import Deliverable, Evidence, EvidenceStatus


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


_commit = {}


@pytest.fixture(autouse=True)
def on_commit(django_capture_on_commit_callbacks):
    """Run what a view leaves for after its commit (the file's removal from storage): the test's
    transaction never commits."""
    _commit["capture"] = django_capture_on_commit_callbacks
    yield
    _commit.clear()


def _post(client, url, data):
    with _commit["capture"](execute=True):
        return client.post(url, data)


@pytest.fixture
def plan(fy2563) -> Deliverable:
    return (
        Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code="2")
        .order_by("level", "sort_order")
        .first()
    )


def _evidence(deliverable, user, status=EvidenceStatus.DRAFT, title="แผน 3 ปี (ร่าง)", **extra):
    item = Evidence(deliverable=deliverable, title=title, status=status, created_by=user, **extra)
    item.file.save("old-plan.pdf", ContentFile(b"%PDF-1.4 old plan"), save=False)
    item.save()
    return item


@pytest.fixture
def draft(plan, owner) -> Evidence:
    return _evidence(plan, owner)


def _edit_url(ev):
    return reverse("indicators:evidence-edit", args=[ev.pk])


def _delete_url(ev):
    return reverse("indicators:evidence-delete", args=[ev.pk])


def _file_url(ev):
    return reverse("indicators:evidence-file", args=[ev.pk])


def _edit(client, ev, version=None, **data):
    data = {"title": ev.title, "url": "", "note": "", "version": ev.version, **data}
    if version is not None:
        data["version"] = version
    return _post(client, _edit_url(ev), data)


def _delete(client, ev, reason="แนบผิดไฟล์", version=None):
    return _post(
        client,
        _delete_url(ev),
        {"delete-reason": reason, "delete-version": ev.version if version is None else version},
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _content(response) -> bytes:
    return b"".join(response.streaming_content)


# --- replacing --------------------------------------------------------------------------------


def test_an_owner_replaces_a_drafts_file_and_the_old_file_is_gone(client_for, owner, draft, media):
    old_name = draft.file.name
    assert (media / old_name).exists()
    c = client_for(owner)
    page = c.get(_edit_url(draft))
    assert page.status_code == 200
    assert 'name="version"' in page.content.decode()
    upload = SimpleUploadedFile("new-plan.pdf", b"%PDF-1.4 new plan")
    response = _edit(c, draft, file=upload, note="ฉบับที่ลงนามแล้ว", title="แผน 3 ปี (ลงนาม)")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "แผน 3 ปี (ลงนาม)" and draft.note == "ฉบับที่ลงนามแล้ว"
    assert draft.status == EvidenceStatus.DRAFT and draft.version == 1
    assert draft.file.name != old_name and draft.file.name.startswith("evidence/2563/")
    # The old file left storage; the download serves the new one only.
    assert not (media / old_name).exists()
    assert _content(c.get(_file_url(draft))) == b"%PDF-1.4 new plan"
    # The change is in the evidence's history.
    assert draft.history.filter(history_type="~", title="แผน 3 ปี (ลงนาม)").exists()


def test_leaving_the_file_box_empty_keeps_the_file(client_for, owner, draft, media):
    response = _edit(client_for(owner), draft, note="เพิ่มหมายเหตุ")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.note == "เพิ่มหมายเหตุ" and (media / draft.file.name).exists()


def test_the_file_can_be_taken_out_when_a_link_replaces_it(client_for, owner, draft, media):
    old_name = draft.file.name
    c = client_for(owner)
    # Without a link, taking the file out would leave nothing: refused, 400, typed text kept.
    response = _edit(c, draft, remove_file="on", note="ลองนำไฟล์ออก")
    assert response.status_code == 400
    assert "แนบไฟล์หรือใส่ลิงก์" in response.content.decode()
    assert "ลองนำไฟล์ออก" in response.content.decode()
    draft.refresh_from_db()
    assert draft.file.name == old_name and (media / old_name).exists()
    response = _edit(c, draft, remove_file="on", url="https://example.go.th/plan")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert not draft.file and draft.url == "https://example.go.th/plan"
    assert not (media / old_name).exists()
    assert c.get(_file_url(draft)).status_code == 404


def test_saving_and_submitting_from_the_edit_page_puts_it_before_the_approvers(
    client_for, owner, draft
):
    response = _edit(client_for(owner), draft, submit="1")
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EvidenceStatus.SUBMITTED and draft.submitted_by == owner
    assert draft.submitted_at is not None


def test_returned_evidence_can_be_replaced_but_not_deleted(
    client_for, owner, approver, plan, media
):
    returned = _evidence(
        plan, owner, EvidenceStatus.RETURNED, review_comment="ขาดลายมือชื่อ",
        reviewed_by=approver, reviewed_at=timezone.now(),
    )  # fmt: skip
    c = client_for(owner)
    page = c.get(_edit_url(returned)).content.decode()
    assert "ขาดลายมือชื่อ" in page  # the reviewer's reason is on the page
    assert 'data-testid="delete-form"' not in page
    response = _delete(c, returned)
    assert response.status_code == 409
    assert Evidence.objects.filter(pk=returned.pk).exists()
    upload = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed")
    assert _edit(c, returned, file=upload).status_code == 302
    returned.refresh_from_db()
    assert _content(c.get(_file_url(returned))) == b"%PDF-1.4 signed"


@pytest.mark.parametrize("status", [EvidenceStatus.SUBMITTED, EvidenceStatus.APPROVED])
def test_submitted_and_approved_evidence_cannot_be_replaced_or_deleted(
    client_for, owner, kpi_admin, plan, media, status
):
    ev = _evidence(plan, owner, status)
    name = ev.file.name
    for user in (owner, kpi_admin):
        c = client_for(user)
        page = c.get(_edit_url(ev)).content.decode()
        assert 'data-testid="edit-form"' not in page and 'data-testid="delete-form"' not in page
        upload = SimpleUploadedFile("other.pdf", b"%PDF-1.4 other")
        response = _edit(c, ev, file=upload, title="เปลี่ยนชื่อ")
        assert response.status_code == 409
        assert any("แก้ไขหรือลบไม่ได้" in m for m in _messages(response))
        assert _delete(c, ev).status_code == 409
    ev.refresh_from_db()
    assert ev.title == "แผน 3 ปี (ร่าง)" and ev.file.name == name and (media / name).exists()
    assert ev.status == status


def test_a_stale_edit_is_refused_with_409_keeping_what_was_typed(
    client_for, owner, kpi_admin, draft
):
    opened_at = draft.version
    assert _edit(client_for(kpi_admin), draft, note="แก้โดยผู้ดูแล").status_code == 302
    response = _edit(client_for(owner), draft, version=opened_at, note="หมายเหตุที่เจ้าของพิมพ์ไว้")
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in html
    assert "หมายเหตุที่เจ้าของพิมพ์ไว้" in html  # what was typed is kept
    assert 'name="version" value="1"' in html  # a second save is a deliberate one
    draft.refresh_from_db()
    assert draft.note == "แก้โดยผู้ดูแล"


def test_an_edit_without_its_version_is_refused(client_for, owner, draft):
    response = client_for(owner).post(_edit_url(draft), {"title": "x", "note": "y"})
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.title == "แผน 3 ปี (ร่าง)"


# --- deleting ---------------------------------------------------------------------------------


def test_an_owner_deletes_a_draft_with_a_reason_kept_in_history(
    client_for, owner, draft, plan, media
):
    name = draft.file.name
    pk = draft.pk
    c = client_for(owner)
    response = _delete(c, draft, reason="แนบไฟล์ผิดฉบับ")
    assert response.status_code == 302
    assert not Evidence.objects.filter(pk=pk).exists()
    assert not (media / name).exists()
    assert c.get(reverse("indicators:evidence-file", args=[pk])).status_code == 404
    record = Evidence.history.get(id=pk, history_type="-")
    assert record.history_change_reason == "แนบไฟล์ผิดฉบับ" and record.history_user == owner
    # The indicator page says what was deleted, by whom and why.
    page = c.get(reverse("indicators:indicator-detail", args=[plan.indicator_id])).content
    section = page.decode().split('data-testid="deleted-evidence"')[1]
    assert "แผน 3 ปี (ร่าง)" in section and "แนบไฟล์ผิดฉบับ" in section


def test_a_deletion_needs_a_reason(client_for, owner, draft, media):
    response = _delete(client_for(owner), draft, reason="  ")
    assert response.status_code == 400
    assert "โปรดระบุเหตุผลที่ลบ" in response.content.decode()
    assert Evidence.objects.filter(pk=draft.pk).exists() and (media / draft.file.name).exists()


def test_a_stale_deletion_is_refused_keeping_the_reason(client_for, owner, kpi_admin, draft):
    opened_at = draft.version
    assert _edit(client_for(kpi_admin), draft, note="ผู้ดูแลแก้แล้ว").status_code == 302
    response = _delete(client_for(owner), draft, reason="เหตุผลที่พิมพ์ไว้", version=opened_at)
    assert response.status_code == 409
    html = response.content.decode()
    assert "เหตุผลที่พิมพ์ไว้" in html and "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in html
    assert Evidence.objects.filter(pk=draft.pk).exists()


def test_who_may_replace_and_delete_a_draft(
    client_for, make_user, owner, other_owner, manager, approver, kpi_admin, plan
):
    # The indicator's other owners and the admins may; whoever attached it may.
    colleague = make_user(roles.INDICATOR_OWNER, username="colleague")
    plan.indicator.owners.add(colleague)
    for user in (owner, colleague, kpi_admin):
        ev = _evidence(plan, owner)
        assert client_for(user).get(_edit_url(ev)).status_code == 200
        assert _delete(client_for(user), ev).status_code == 302, user
    # Approvers see drafts but do not change them; others do not even see them (404).
    ev = _evidence(plan, owner)
    assert client_for(approver).get(_edit_url(ev)).status_code == 403
    assert _delete(client_for(approver), ev).status_code == 403
    assert _edit(client_for(approver), ev, note="x").status_code == 403
    for user in (other_owner, manager):
        assert client_for(user).get(_edit_url(ev)).status_code == 404
        assert _delete(client_for(user), ev).status_code == 404
    assert Evidence.objects.filter(pk=ev.pk).exists()
    # A submitted one that they see: 403, not 404.
    shown = _evidence(plan, owner, EvidenceStatus.SUBMITTED)
    assert client_for(manager).get(_edit_url(shown)).status_code == 403


def test_the_indicator_page_offers_the_change_link_for_drafts_and_returned_only(
    client_for, owner, manager, plan
):
    drafts = [_evidence(plan, owner, s) for s in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED)]
    fixed = [_evidence(plan, owner, s) for s in (EvidenceStatus.SUBMITTED, EvidenceStatus.APPROVED)]
    url = reverse("indicators:indicator-detail", args=[plan.indicator_id])
    page = client_for(owner).get(url).content.decode()
    for ev in drafts:
        assert _edit_url(ev) in page
    for ev in fixed:
        assert _edit_url(ev) not in page
    assert 'data-testid="evidence-edit"' not in client_for(manager).get(url).content.decode()


def test_a_second_deletion_or_an_edit_after_it_is_told_the_draft_is_gone(
    client_for, owner, manager, draft
):
    c = client_for(owner)
    assert _delete(c, draft).status_code == 302
    for response in (_delete(c, draft), _edit(c, draft, note="ช้าไป"), c.get(_edit_url(draft))):
        assert response.status_code == 302
        assert any("ถูกลบไปแล้ว" in m for m in _messages(response))
    # Whoever could not have changed it learns nothing: a 404.
    assert client_for(manager).get(_edit_url(draft)).status_code == 404
