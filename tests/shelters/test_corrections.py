"""Correcting mistakes (issue 13): an IRP assessment edited or deleted, a discharge edited or
undone, in the browser, by the roles that own the record, each with a reason kept in the
record's history; the add forms' rules apply; a stale form is refused with 409 keeping what was
typed; KPI 1.1 and 1.2 follow at once."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.versioned import STALE_TEXT
from shelters import kpi
from shelters.models import Assessment, IrpItem, Resident

FY63_END = dt.date(2020, 9, 30)


def items(*values) -> dict:
    return {f"item_{n}": v for n, v in enumerate(values, start=1)}


def edit_url(a: Assessment) -> str:
    return reverse("shelters:assessment-edit", args=[a.resident_id, a.pk])


def delete_url(a: Assessment) -> str:
    return reverse("shelters:assessment-delete", args=[a.resident_id, a.pk])


def discharge_edit_url(r: Resident) -> str:
    return reverse("shelters:discharge-edit", args=[r.pk])


def undo_url(r: Resident) -> str:
    return reverse("shelters:discharge-undo", args=[r.pk])


def detail(client, r: Resident) -> str:
    return client.get(reverse("shelters:resident-detail", args=[r.pk])).content.decode()


@pytest.fixture
def client(client_for, staff):
    return client_for(staff)


@pytest.fixture
def latest(resident) -> Assessment:
    """The resident's latest assessment: 1 ต.ค. 2562, 55 % (B), after 35 % (C) in July, with its
    history begun (as the add form's save begins it)."""
    assessment = resident.assessments.get(assessed_on=dt.date(2019, 10, 1))
    assessment.save()
    return assessment


@pytest.fixture
def discharged(resident) -> Resident:
    Resident.objects.filter(pk=resident.pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
    )
    resident.refresh_from_db()
    return resident


def improved(as_of=FY63_END):
    return kpi.compute_improved(2563, as_of)


def returned(as_of=FY63_END):
    return kpi.compute_returned(2563, as_of)


# --- Assessments -------------------------------------------------------------------------------


def test_the_resident_page_offers_corrections_to_its_owners_only(
    client, client_for, manager, kpi_admin, discharged, latest
):
    html = detail(client, discharged)
    assert edit_url(latest) in html and delete_url(latest) in html
    assert discharge_edit_url(discharged) in html and undo_url(discharged) in html
    assert discharge_edit_url(discharged) in detail(client_for(kpi_admin), discharged)
    managers = detail(client_for(manager), discharged)
    assert edit_url(latest) not in managers and undo_url(discharged) not in managers


def test_an_assessment_is_corrected_with_a_reason_kept_in_its_history(client, resident, latest):
    response = client.post(
        edit_url(latest),
        {"assessed_on": "02/10/2562", "percent": "85", "version": 0, "reason": "พิมพ์ร้อยละผิด"},
    )
    assert response.status_code == 302
    latest.refresh_from_db()
    assert latest.assessed_on == dt.date(2019, 10, 2) and latest.percent == Decimal("85.00")
    assert latest.version == 1
    record = latest.history.first()
    assert record.history_type == "~" and record.history_change_reason == "พิมพ์ร้อยละผิด"
    html = detail(client, resident)
    history = html.split('data-testid="assessment-history"')[1]
    assert "พิมพ์ร้อยละผิด" in history
    assert "55.00" in history and "85.00" in history  # the change, from → to
    assert "1 ต.ค. 2562" in history and "2 ต.ค. 2562" in history


def test_a_record_saved_without_history_keeps_its_state_before_the_first_correction(
    client, staff, resident
):
    # Imports (COPY) and the demo write without history: the correction would show no "from".
    target = resident.assessments.get(assessed_on=dt.date(2019, 10, 1))
    assert not target.history.exists()
    data = {"assessed_on": "01/10/2562", "percent": "85", "version": 0, "reason": "แก้ร้อยละ"}
    assert client.post(edit_url(target), data).status_code == 302
    baseline, correction = target.history.order_by("history_id")
    assert baseline.percent == Decimal("55.00") and baseline.history_user is None
    assert "ข้อมูลเดิมก่อนการแก้ไขครั้งแรก" in baseline.history_change_reason
    assert correction.percent == Decimal("85.00") and correction.history_user == staff
    history = detail(client, resident).split('data-testid="assessment-history"')[1]
    assert "55.00</del>" in history
    # A second correction adds no second baseline.
    data = {**data, "percent": "86", "version": 1}
    assert client.post(edit_url(target), data).status_code == 302
    assert target.history.count() == 3


def test_the_edit_form_shows_the_saved_items_and_computes_the_percent(client, resident, latest):
    Assessment.objects.filter(pk=latest.pk).update(**items(*[4] * 14), percent=40)
    html = client.get(edit_url(latest)).content.decode()
    assert 'name="item_14" value="4"' in html and 'name="version" value="0"' in html
    assert 'name="reason"' in html
    response = client.post(
        edit_url(latest),
        {"assessed_on": "01/10/2562", **items(*[8] * 14), "version": 0, "reason": "ข้อ 1–14 ผิด"},
    )
    assert response.status_code == 302
    latest.refresh_from_db()
    assert latest.percent == Decimal("80.00") and latest.item_1 == 8


def test_switching_an_assessment_to_its_percent_alone_clears_its_items(client, latest):
    Assessment.objects.filter(pk=latest.pk).update(**items(*[4] * 14), percent=40)
    data = {"assessed_on": "01/10/2562", "percent": "72.50", "version": 0, "reason": "ใช้ Qlife"}
    assert client.post(edit_url(latest), data).status_code == 302
    latest.refresh_from_db()
    assert latest.percent == Decimal("72.50") and not any(latest.items)


def test_a_correction_without_a_reason_is_refused_and_keeps_what_was_typed(client, latest):
    response = client.post(edit_url(latest), {"assessed_on": "01/10/2562", "percent": "91",
                                              "version": 0, "reason": "  "})  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "กรุณาระบุเหตุผลที่แก้ไข" in html and 'value="91"' in html
    latest.refresh_from_db()
    assert latest.percent == Decimal("55.00") and latest.version == 0


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("01/05/2562", "วันที่ประเมินต้องไม่ก่อนวันที่รับเข้า (1 มิ.ย. 2562)"),
        ("01/07/2562", "มีผลการประเมินวันที่ 1 ก.ค. 2562 แล้ว"),
        ("02/03/2563", "วันที่ประเมินต้องไม่หลังวันที่จำหน่าย (1 มี.ค. 2563)"),
        ("01/01/2600", "วันที่ประเมินต้องไม่เป็นวันในอนาคต"),
    ],
)
def test_a_corrected_assessment_follows_the_add_forms_rules(
    client, discharged, latest, day, message
):
    data = {"assessed_on": day, "percent": "60", "version": 0, "reason": "แก้วันที่"}
    response = client.post(edit_url(latest), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    latest.refresh_from_db()
    assert latest.assessed_on == dt.date(2019, 10, 1)


def test_a_corrected_assessment_follows_the_item_rules(client, latest):
    data = {"assessed_on": "01/10/2562", **items(5, 5, 11, *[5] * 11), "version": 0, "reason": "x"}
    response = client.post(edit_url(latest), data)
    assert response.status_code == 400
    assert "ข้อ 3: คะแนนต้องเป็นจำนวนเต็มระหว่าง 1 ถึง 10" in response.content.decode()


def test_a_stale_assessment_correction_is_refused_with_409_and_keeps_what_was_typed(
    client, client_for, kpi_admin, latest
):
    opened = {"assessed_on": "01/10/2562", "version": 0}
    admin = client_for(kpi_admin)
    assert (
        admin.post(edit_url(latest), {**opened, "percent": "60", "reason": "ก่อน"}).status_code
        == 302
    )
    response = client.post(edit_url(latest), {**opened, "percent": "91", "reason": "ทีหลัง"})
    assert response.status_code == 409
    html = response.content.decode()
    assert str(STALE_TEXT) in html
    assert 'value="91"' in html and 'value="ทีหลัง"' in html  # what was typed
    panel = html.split('data-testid="current-values"')[1].split("</section>")[0]
    assert "60.00" in panel  # the saved value beside it
    assert 'name="version" value="1"' in html
    latest.refresh_from_db()
    assert latest.percent == Decimal("60.00")
    again = client.post(edit_url(latest), {**opened, "version": 1, "percent": "91", "reason": "x"})
    assert again.status_code == 302
    latest.refresh_from_db()
    assert latest.percent == Decimal("91.00") and latest.version == 2


def test_managers_read_but_do_not_correct(client_for, manager, discharged, latest):
    client = client_for(manager)
    data = {"assessed_on": "01/10/2562", "percent": "91", "version": 0, "reason": "x"}
    for url in (edit_url(latest), delete_url(latest), discharge_edit_url(discharged),
                undo_url(discharged)):  # fmt: skip
        assert client.get(url).status_code == 403, url
        assert client.post(url, data).status_code == 403, url
    latest.refresh_from_db()
    discharged.refresh_from_db()
    assert latest.percent == Decimal("55.00") and not discharged.in_care


def test_staff_of_another_facility_get_404(client_for, other_staff, discharged, latest):
    client = client_for(other_staff)
    for url in (edit_url(latest), delete_url(latest), discharge_edit_url(discharged),
                undo_url(discharged)):  # fmt: skip
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "version": 0}).status_code == 404, url


def test_an_assessment_of_another_resident_is_404(
    client, resident, outsider_resident, make_resident, assess
):
    mine = make_resident()
    other_of_mine = assess(mine, ("2019-08-01", 50))[0]
    url = reverse("shelters:assessment-edit", args=[resident.pk, other_of_mine.pk])
    assert client.get(url).status_code == 404


def test_an_assessment_is_deleted_with_a_reason_kept_in_its_history(client, resident, latest):
    page = client.get(delete_url(latest)).content.decode()
    assert "1 ต.ค. 2562" in page and "55.00" in page and 'name="reason"' in page
    refused = client.post(delete_url(latest), {"version": 0, "reason": ""})
    assert refused.status_code == 400
    assert "กรุณาระบุเหตุผลที่ลบผลการประเมินนี้" in refused.content.decode()
    assert Assessment.objects.filter(pk=latest.pk).exists()
    response = client.post(delete_url(latest), {"version": 0, "reason": "บันทึกซ้ำผิดคน"})
    assert response.status_code == 302
    assert not Assessment.objects.filter(pk=latest.pk).exists()
    record = Assessment.history.filter(id=latest.pk).first()
    assert record.history_type == "-" and record.history_change_reason == "บันทึกซ้ำผิดคน"
    history = detail(client, resident).split('data-testid="assessment-history"')[1]
    assert "ลบ (เหตุผล: บันทึกซ้ำผิดคน)" in history


def test_a_delete_sent_again_after_it_was_done_says_so_and_deletes_nothing_more(
    client, resident, latest, make_resident, assess
):
    """A second click arriving after the first one's delete was committed (or another user's
    delete): the same message as one that waited for the lock, not a 404 page."""
    data = {"version": 0, "reason": "บันทึกซ้ำ"}
    assert client.post(delete_url(latest), data).status_code == 302
    again = client.post(delete_url(latest), data, follow=True)
    assert again.redirect_chain[-1][1] == 302
    assert "ผลการประเมินนี้ถูกลบไปแล้ว" in again.content.decode()
    assert Assessment.history.filter(id=latest.pk, history_type="-").count() == 1
    # Never deleted, or another resident's deleted one: still not found.
    never = reverse("shelters:assessment-delete", args=[resident.pk, 999999])
    assert client.post(never, data).status_code == 404
    other = make_resident()
    gone = assess(other, ("2019-08-01", 50))[0]
    client.post(reverse("shelters:assessment-delete", args=[other.pk, gone.pk]), data)
    foreign = reverse("shelters:assessment-delete", args=[resident.pk, gone.pk])
    assert client.post(foreign, data).status_code == 404
    assert client.get(delete_url(latest)).status_code == 404  # the page to delete it: gone


def test_a_stale_delete_is_refused_with_409(client, client_for, kpi_admin, latest):
    data = {"assessed_on": "01/10/2562", "percent": "60", "version": 0, "reason": "แก้"}
    assert client_for(kpi_admin).post(edit_url(latest), data).status_code == 302
    response = client.post(delete_url(latest), {"version": 0, "reason": "ลบทิ้ง"})
    assert response.status_code == 409
    html = response.content.decode()
    assert str(STALE_TEXT) in html and 'value="ลบทิ้ง"' in html and "60.00" in html
    assert Assessment.objects.filter(pk=latest.pk).exists()


def test_kpi_1_1_follows_an_assessment_correction(client, resident, latest):
    # July 35 % (C), October 55 % (B): C→B, improved.
    assert (improved().numerator, improved().denominator) == (1, 1)
    data = {"assessed_on": "01/10/2562", "percent": "30", "version": 0, "reason": "แก้ร้อยละ"}
    assert client.post(edit_url(latest), data).status_code == 302
    assert (improved().numerator, improved().denominator) == (0, 1)  # C→C


def test_kpi_1_1_follows_an_assessment_deletion(client, resident, latest):
    assert improved().denominator == 1
    assert client.post(delete_url(latest), {"version": 0, "reason": "ซ้ำ"}).status_code == 302
    assert improved().denominator == 0  # one assessment left: not counted


# --- Discharges --------------------------------------------------------------------------------


@pytest.fixture
def returned_case(resident):
    """Assessed A in the year, discharged in the year: in KPI 1.2's population."""
    Assessment.objects.filter(resident=resident, assessed_on=dt.date(2019, 10, 1)).update(
        percent=90
    )
    Resident.objects.filter(pk=resident.pk).update(
        discharged_on=dt.date(2020, 3, 1), discharge_reason="death"
    )
    resident.refresh_from_db()
    return resident


def test_a_discharge_is_corrected_with_a_reason_and_kpi_1_2_follows(client, returned_case):
    assert (returned().numerator, returned().denominator) == (0, 1)
    html = client.get(discharge_edit_url(returned_case)).content.decode()
    assert 'value="01/03/2563"' in html and 'name="version" value="0"' in html
    data = {"discharged_on": "05/03/2563", "discharge_reason": "family", "version": 0,
            "reason": "เลือกเหตุผิด"}  # fmt: skip
    assert client.post(discharge_edit_url(returned_case), data).status_code == 302
    returned_case.refresh_from_db()
    assert returned_case.discharged_on == dt.date(2020, 3, 5)
    assert returned_case.discharge_reason == "family" and returned_case.version == 1
    assert returned_case.history.first().history_change_reason == "เลือกเหตุผิด"
    assert (returned().numerator, returned().denominator) == (1, 1)
    assert "เลือกเหตุผิด" in detail(client, returned_case)  # the resident's history


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("31/05/2562", "วันที่จำหน่ายต้องไม่ก่อนวันที่รับเข้า (1 มิ.ย. 2562)"),
        ("30/09/2562", "วันที่จำหน่ายต้องไม่ก่อนการประเมินครั้งล่าสุด (1 ต.ค. 2562)"),
        ("01/01/2600", "วันที่จำหน่ายต้องไม่เป็นวันในอนาคต"),
    ],
)
def test_a_corrected_discharge_follows_the_discharge_rules(client, discharged, day, message):
    data = {"discharged_on": day, "discharge_reason": "family", "version": 0, "reason": "แก้"}
    response = client.post(discharge_edit_url(discharged), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    discharged.refresh_from_db()
    assert discharged.discharged_on == dt.date(2020, 3, 1)


def test_a_discharge_correction_needs_a_reason(client, discharged):
    data = {"discharged_on": "02/03/2563", "discharge_reason": "family", "version": 0}
    response = client.post(discharge_edit_url(discharged), data)
    assert response.status_code == 400
    assert "กรุณาระบุเหตุผลที่แก้ไข" in response.content.decode()


def test_a_stale_discharge_correction_is_refused_with_409(
    client, client_for, kpi_admin, discharged
):
    base = {"discharged_on": "02/03/2563", "version": 0}
    admin = client_for(kpi_admin)
    first = admin.post(discharge_edit_url(discharged), {**base, "discharge_reason": "transfer",
                                                        "reason": "ส่งต่อ"})  # fmt: skip
    assert first.status_code == 302
    response = client.post(
        discharge_edit_url(discharged), {**base, "discharge_reason": "family", "reason": "ครอบครัว"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert str(STALE_TEXT) in html and 'value="ครอบครัว"' in html
    assert "ส่งต่อ" in html.split('data-testid="current-values"')[1]
    discharged.refresh_from_db()
    assert discharged.discharge_reason == "transfer"


def test_a_discharge_is_undone_with_a_reason_and_kpi_1_2_follows(client, returned_case):
    Resident.objects.filter(pk=returned_case.pk).update(discharge_reason="family")
    assert (returned().numerator, returned().denominator) == (1, 1)
    page = client.get(undo_url(returned_case)).content.decode()
    assert "1 มี.ค. 2563" in page and 'name="reason"' in page
    refused = client.post(undo_url(returned_case), {"version": 0})
    assert refused.status_code == 400
    assert "กรุณาระบุเหตุผลที่ยกเลิกการจำหน่าย" in refused.content.decode()
    response = client.post(undo_url(returned_case), {"version": 0, "reason": "จำหน่ายผิดคน"})
    assert response.status_code == 302
    returned_case.refresh_from_db()
    assert returned_case.in_care and returned_case.discharge_reason == ""
    assert returned_case.history.first().history_change_reason == "จำหน่ายผิดคน"
    assert (returned().numerator, returned().denominator) == (0, 1)  # still A in the year
    html = detail(client, returned_case)
    assert "จำหน่ายผิดคน" in html and "อยู่ในความดูแล" in html


def test_a_stale_undo_is_refused_with_409(client, client_for, kpi_admin, discharged):
    data = {"discharged_on": "02/03/2563", "discharge_reason": "family", "version": 0,
            "reason": "แก้วันที่"}  # fmt: skip
    assert client_for(kpi_admin).post(discharge_edit_url(discharged), data).status_code == 302
    response = client.post(undo_url(discharged), {"version": 0, "reason": "ยกเลิก"})
    assert response.status_code == 409
    assert 'value="ยกเลิก"' in response.content.decode()
    discharged.refresh_from_db()
    assert not discharged.in_care


def test_a_resident_in_care_has_no_discharge_to_correct(client, resident):
    for url in (discharge_edit_url(resident), undo_url(resident)):
        response = client.get(url, follow=True)
        assert "ไม่มีการจำหน่ายให้แก้ไข" in response.content.decode()


def test_a_correction_of_a_discharge_undone_meanwhile_is_refused_with_409(
    client, client_for, kpi_admin, discharged
):
    assert (
        client_for(kpi_admin).post(undo_url(discharged), {"version": 0, "reason": "ผิด"}).status_code
        == 302
    )
    data = {"discharged_on": "02/03/2563", "discharge_reason": "family", "version": 0,
            "reason": "แก้วันที่"}  # fmt: skip
    response = client.post(discharge_edit_url(discharged), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้ยกเลิกการจำหน่าย" in html and 'value="แก้วันที่"' in html
    discharged.refresh_from_db()
    assert discharged.in_care


# --- The IRP items -----------------------------------------------------------------------------


def test_the_14_items_are_seeded_in_their_4_domains(db):
    rows = list(IrpItem.objects.values_list("number", "domain"))
    assert [n for n, _ in rows] == list(range(1, 15))
    assert {d for _, d in rows} == {"ด้านร่างกาย", "ด้านจิตใจ/อารมณ์", "ด้านสติปัญญา",
                                    "ด้านศักยภาพในการดำรงชีพ"}  # fmt: skip
    assert all(IrpItem.objects.values_list("text", flat=True))


def test_the_assessment_form_shows_each_items_text_under_its_domain(client, resident):
    IrpItem.objects.filter(number=3).update(text="การรับประทานอาหารครบ 3 มื้อ")
    IrpItem.objects.filter(number__gte=11).update(domain="ด้านอาชีพ")
    html = client.get(reverse("shelters:assessment-add", args=[resident.pk])).content.decode()
    assert "การรับประทานอาหารครบ 3 มื้อ" in html
    headings = [part.split("</legend>")[0] for part in html.split('<legend class="h6">')[1:]]
    assert headings == ["ด้านร่างกาย", "ด้านจิตใจ/อารมณ์", "ด้านสติปัญญา", "ด้านอาชีพ"]
    body = html.split(">ด้านอาชีพ</legend>")[1]
    assert all(f'name="item_{n}"' in body for n in range(11, 15))
    assert 'name="item_10"' not in body
    assert 'name="submission"' in html  # the add form carries its token (core.once)


def test_an_admin_sets_an_items_text_and_domain(client_for, kpi_admin, resident):
    admin = client_for(kpi_admin)
    listing = admin.get(reverse("shelters:irp-item-list")).content.decode()
    assert reverse("shelters:irp-item-edit", args=[5]) in listing
    assert "14 ข้อยังใช้ข้อความตั้งต้นของระบบ" in listing
    url = reverse("shelters:irp-item-edit", args=[5])
    assert 'name="version" value="0"' in admin.get(url).content.decode()
    data = {"domain": "ด้านจิตใจ", "text": "การจัดการความเครียด", "version": 0}
    assert admin.post(url, data).status_code == 302
    item = IrpItem.objects.get(number=5)
    assert (item.domain, item.text, item.version) == ("ด้านจิตใจ", "การจัดการความเครียด", 1)
    assert item.history.first().history_user == kpi_admin
    form = admin.get(reverse("shelters:assessment-add", args=[resident.pk])).content.decode()
    assert "การจัดการความเครียด" in form and ">ด้านจิตใจ</legend>" in form
    listing = admin.get(reverse("shelters:irp-item-list")).content.decode()
    assert "13 ข้อยังใช้ข้อความตั้งต้นของระบบ" in listing
    stale = admin.post(url, {**data, "text": "อีกข้อความ"})
    assert stale.status_code == 409 and 'value="อีกข้อความ"' in stale.content.decode()
    empty = admin.post(url, {"domain": "", "text": "", "version": 1})
    assert empty.status_code == 400 and "กรุณากรอกข้อความของข้อ" in empty.content.decode()


def test_only_admins_edit_the_items(client_for, staff, manager):
    url = reverse("shelters:irp-item-edit", args=[1])
    for user in (staff, manager):
        client = client_for(user)
        assert client.get(reverse("shelters:irp-item-list")).status_code == 200
        assert url not in client.get(reverse("shelters:irp-item-list")).content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, {"domain": "x", "text": "y", "version": 0}).status_code == 403
    assert IrpItem.objects.get(number=1).domain == "ด้านร่างกาย"
