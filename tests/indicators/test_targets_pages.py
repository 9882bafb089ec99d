"""Target revisions in the browser: admins record them (KPI 3.2's calculator on the form),
every reader of the indicator pages sees the original and revised targets, withdrawals are
version-checked, and a rejected form keeps what was typed and says why in Thai."""

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import roles
from indicators.models import Deliverable, Indicator, RevisionReason, TargetRevision

APRIL_1 = dt.date(2020, 4, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def kpi(fy2563, code) -> Indicator:
    return Indicator.objects.get(indicator_set=fy2563, code=code)


def letter(name="letter.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 approval", content_type="application/pdf")


def add_url(indicator) -> str:
    return reverse("indicators:target-revision-add", args=[indicator.pk])


def page(client, indicator, as_of: str) -> str:
    url = reverse("indicators:indicator-detail", args=[indicator.pk])
    response = client.get(f"{url}?year=2563&as_of={as_of}")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def recorded(kpi_admin, approver, fy2563):
    """KPI 2's level-75 target revised for the budget received, from 1 Apr 2563, and KPI 3.2's
    3,500 revised to 2,302 for a system opened in August."""

    def make(indicator, effective_from=APRIL_1, **values):
        revision = TargetRevision(
            indicator=indicator, effective_from=effective_from,
            reason=values.pop("reason", RevisionReason.BUDGET),
            reason_text=values.pop("reason_text", "ได้รับงบประมาณน้อยกว่าแผน"),
            approved_by=approver, approved_on=dt.date(2020, 3, 25), recorded_by=kpi_admin,
            letter_number="พม 0403/123", **values,
        )  # fmt: skip
        revision.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 approval"), save=False)
        revision.save()
        return revision

    return make


def test_the_kpi_2_page_shows_the_original_and_the_revised_target(
    client_for, manager, fy2563, recorded
):
    two = kpi(fy2563, "2")
    revision = recorded(two, target_std_note="ตามเป้าหมายที่ปรับตามงบประมาณที่ได้รับ ได้ร้อยละ 100")
    html = page(client_for(manager), two, "30/09/2563")
    assert "ปรับค่าเป้าหมายแล้ว" in html
    assert "ตามเป้าหมายที่ปรับตามงบประมาณที่ได้รับ ได้ร้อยละ 100" in html
    assert f"<s>{two.target_std_note}</s>" in html  # the document's target, struck through
    assert "งบประมาณที่ได้รับจัดสรร" in html and "ได้รับงบประมาณน้อยกว่าแผน" in html
    assert f"อนุมัติโดย {revision.approved_by.get_full_name()}" in html
    assert "25 มี.ค. 2563" in html and "1 เม.ย. 2563" in html and "พม 0403/123" in html
    assert reverse("indicators:target-revision-letter", args=[revision.pk]) in html
    assert "ใช้อยู่ ณ วันที่แสดง" in html
    # Shown as of a date before the revision: the document's target is the one in force.
    before = page(client_for(manager), two, "31/03/2563")
    assert "ปรับค่าเป้าหมายแล้ว" not in before
    assert "ยังไม่มีผล ณ วันที่แสดง" in before  # the revision is still listed


def test_the_kpi_3_2_page_shows_the_revised_threshold(client_for, manager, fy2563, recorded):
    three_two = kpi(fy2563, "3.2")
    deliverable = Deliverable.objects.get(indicator=three_two, computed_key="status_checks")
    recorded(
        three_two, dt.date(2020, 8, 1), reason=RevisionReason.OPENING,
        deliverable=deliverable, threshold=2302, opened_on=dt.date(2020, 8, 1),
    )  # fmt: skip
    html = page(client_for(manager), three_two, "30/09/2563")
    assert "เกณฑ์ที่ใช้: <strong>2,302</strong>" in html
    assert "<s>3,500</s>" in html
    assert "3,500 → <strong>2,302</strong>" in html.replace(
        '<span class="text-muted">', ""
    ).replace("</span>", "")
    assert "เปิดระบบ สิงหาคม 2563" in html
    assert "0 / 2,302 ราย" in html  # the computed figure against the revised threshold
    july = page(client_for(manager), three_two, "31/07/2563")
    assert "0 / 3,500 ราย" in july and "เกณฑ์ที่ใช้: <strong>3,500</strong>" in july


def form_data(**overrides) -> dict:
    data = {
        "effective_from": "01/04/2563",
        "target_std_note": "ตามเป้าหมายที่ปรับตามงบประมาณที่ได้รับ ได้ร้อยละ 100",
        "reason": RevisionReason.BUDGET,
        "reason_text": "ได้รับงบประมาณน้อยกว่าแผน",
        "approved_on": "25/03/2563",
        "letter_number": "พม 0403/123",
        "letter": letter(),
        "submission": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_records_a_revision_with_an_approver_and_the_letter(
    client_for, kpi_admin, approver, fy2563
):
    two = kpi(fy2563, "2")
    c = client_for(kpi_admin)
    form = c.get(add_url(two))
    assert form.status_code == 200
    html = form.content.decode()
    assert "บันทึกการปรับค่าเป้าหมาย" in html and "calculator" not in html  # no figure to revise
    response = c.post(add_url(two), form_data(approved_by=approver.pk))
    assert response.status_code == 302
    revision = TargetRevision.objects.get()
    assert (revision.indicator, revision.effective_from) == (two, APRIL_1)
    assert (revision.approved_by, revision.recorded_by) == (approver, kpi_admin)
    assert revision.letter.name.startswith("target-revisions/2563/")
    assert revision.target_min_note == "" and revision.threshold is None
    assert revision.history.count() == 1
    assert (
        c.get(reverse("indicators:target-revision-letter", args=[revision.pk])).status_code == 200
    )


def test_the_approver_defaults_to_the_admin_who_records_it(client_for, kpi_admin, fy2563):
    html = client_for(kpi_admin).get(add_url(kpi(fy2563, "2"))).content.decode()
    assert f'<option value="{kpi_admin.pk}" selected>' in html


def test_a_resent_form_records_one_revision(client_for, kpi_admin, fy2563):
    c = client_for(kpi_admin)
    data = form_data(approved_by=kpi_admin.pk)
    token = data["submission"]
    assert c.post(add_url(kpi(fy2563, "2")), data).status_code == 302
    again = c.post(add_url(kpi(fy2563, "2")), form_data(approved_by=kpi_admin.pk, submission=token))
    assert again.status_code == 302
    assert TargetRevision.objects.count() == 1


@pytest.mark.parametrize("role", [roles.MANAGER, roles.APPROVER, roles.INDICATOR_OWNER])
def test_only_admins_record_or_withdraw_revisions(client_for, make_user, fy2563, recorded, role):
    user = make_user(role)
    two = kpi(fy2563, "2")
    c = client_for(user)
    assert c.get(add_url(two)).status_code == 403
    assert c.post(add_url(two), form_data(approved_by=user.pk)).status_code == 403
    revision = recorded(two, target_std_note="ปรับ")
    withdraw = reverse("indicators:target-revision-withdraw", args=[revision.pk])
    assert c.post(withdraw, {"reason": "ผิด", "version": 0}).status_code == 403
    assert TargetRevision.objects.get().withdrawn_at is None
    # They read the revisions, their letters and their history.
    assert "ปรับ" in page(c, two, "30/09/2563")
    assert "บันทึกการปรับค่าเป้าหมาย</a>" not in page(c, two, "30/09/2563")
    detail = reverse("indicators:target-revision-detail", args=[revision.pk])
    assert c.get(detail).status_code == 200
    assert (
        c.get(reverse("indicators:target-revision-letter", args=[revision.pk])).status_code == 200
    )
    assert c.get(reverse("indicators:target-revision-list") + "?year=2563").status_code == 200


def test_anonymous_visitors_are_sent_to_log_in(client, fy2563, recorded):
    revision = recorded(kpi(fy2563, "2"), target_std_note="ปรับ")
    for url in (
        add_url(kpi(fy2563, "2")),
        reverse("indicators:target-revision-letter", args=[revision.pk]),
        reverse("indicators:target-revision-detail", args=[revision.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_a_rejected_form_keeps_what_was_typed_and_says_why_in_thai(client_for, kpi_admin, fy2563):
    one_one = kpi(fy2563, "1.1")
    response = client_for(kpi_admin).post(
        add_url(one_one),
        form_data(
            effective_from="01/10/2563",  # the next fiscal year
            target_std_note=None,
            target_min="13.50",  # above the standard target in force (12.05)
            approved_on="01/01/2600",
            reason_text="เหตุผลที่พิมพ์ไว้",
            letter=None,
            approved_by=kpi_admin.pk,
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "วันที่มีผลต้องอยู่ในปีงบประมาณ 2563" in html
    assert "วันที่อนุมัติต้องไม่เป็นวันในอนาคต" in html
    assert "โปรดแนบไฟล์หนังสืออนุมัติ" in html
    assert "เหตุผลที่พิมพ์ไว้" in html and 'value="13.50"' in html and 'value="01/10/2563"' in html
    assert not TargetRevision.objects.exists()
    # Within the year, the order of the targets in force is checked.
    response = client_for(kpi_admin).post(
        add_url(one_one),
        form_data(target_std_note=None, target_min="13.50", approved_by=kpi_admin.pk),
    )
    assert response.status_code == 400
    assert "ค่าเป้าหมายที่จะใช้ต้องเรียงจากน้อยไปมาก" in response.content.decode()
    # Nothing to change at all.
    response = client_for(kpi_admin).post(
        add_url(one_one), form_data(target_std_note=None, approved_by=kpi_admin.pk)
    )
    assert response.status_code == 400
    assert "ยังไม่ได้ระบุค่าเป้าหมายใหม่" in response.content.decode()


def test_the_calculator_proposes_the_figure_and_keeps_what_was_typed(client_for, kpi_admin, fy2563):
    three_two = kpi(fy2563, "3.2")
    c = client_for(kpi_admin)
    html = c.get(add_url(three_two)).content.decode()
    assert 'data-testid="calculator"' in html and 'value="11512"' in html
    response = c.post(
        add_url(three_two),
        {
            "calculate": "1", "opened_on": "2020-08-01", "calc_average": "๑๑,๕๑๒",
            "calc_share": "10", "effective_from": "01/08/2563", "reason_text": "เปิดระบบล่าช้า",
        },
    )  # fmt: skip
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 เดือน" in html and "2,302.4" in html
    assert 'name="threshold" value="2302"' in html
    assert "เปิดระบบล่าช้า" in html and 'value="01/08/2563"' in html
    assert '<option value="opening" selected>' in html
    assert '<option value="2020-08-01" selected>' in html
    assert not TargetRevision.objects.exists()  # the calculator saves nothing
    missing = c.post(add_url(three_two), {"calculate": "1", "calc_average": "11512"})
    assert missing.status_code == 400
    assert "โปรดเลือกเดือนที่เปิดระบบ" in missing.content.decode()


def test_a_threshold_revision_is_saved_with_its_deliverable_and_opening_month(
    client_for, kpi_admin, fy2563
):
    three_two = kpi(fy2563, "3.2")
    response = client_for(kpi_admin).post(
        add_url(three_two),
        form_data(
            effective_from="01/08/2563", target_std_note=None, threshold="2302",
            opened_on="2020-08-01", reason=RevisionReason.OPENING, approved_by=kpi_admin.pk,
        ),
    )  # fmt: skip
    assert response.status_code == 302
    revision = TargetRevision.objects.get()
    assert revision.deliverable.computed_key == "status_checks"
    assert (revision.threshold, revision.opened_on) == (2302, dt.date(2020, 8, 1))


def test_an_opening_month_reason_needs_the_month(client_for, kpi_admin, fy2563):
    response = client_for(kpi_admin).post(
        add_url(kpi(fy2563, "3.2")),
        form_data(
            effective_from="01/08/2563", target_std_note=None, threshold="2302",
            reason=RevisionReason.OPENING, approved_by=kpi_admin.pk,
        ),
    )  # fmt: skip
    assert response.status_code == 400
    assert "โปรดเลือกเดือนที่เปิดระบบ" in response.content.decode()


def test_a_withdrawn_revision_no_longer_counts_and_stays_in_the_history(
    client_for, kpi_admin, manager, fy2563, recorded
):
    two = kpi(fy2563, "2")
    revision = recorded(two, target_std_note="ปรับตามงบประมาณ")
    c = client_for(kpi_admin)
    url = reverse("indicators:target-revision-withdraw", args=[revision.pk])
    refused = c.post(url, {"reason": "", "version": revision.version})
    assert refused.status_code == 400
    assert "โปรดระบุเหตุผลที่ยกเลิก" in refused.content.decode()
    stale = c.post(url, {"reason": "บันทึกวันที่ผิด", "version": revision.version + 5})
    assert stale.status_code == 409
    assert "บันทึกวันที่ผิด" in stale.content.decode()
    assert c.post(url, {"reason": "บันทึกวันที่ผิด", "version": revision.version}).status_code == 302
    revision.refresh_from_db()
    assert revision.is_withdrawn and revision.withdrawn_by == kpi_admin
    assert revision.history.first().history_change_reason == "บันทึกวันที่ผิด"
    html = page(client_for(manager), two, "30/09/2563")
    assert "ปรับค่าเป้าหมายแล้ว" not in html and "ยกเลิกแล้ว" in html
    detail = c.get(
        reverse("indicators:target-revision-detail", args=[revision.pk])
    ).content.decode()
    assert "บันทึกวันที่ผิด" in detail and "ประวัติการแก้ไข" in detail
