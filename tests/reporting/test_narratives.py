"""Narratives written in the browser by an indicator's owners: a draft, then submitted; the
evidence drawn from the indicator's approved evidence; a resent first save makes one narrative;
an edit opened before someone else's save is refused (409) keeping what was typed."""

import pytest
from django.urls import reverse

from core.once import DUPLICATE_TEXT
from indicators.models import Indicator
from reporting.models import Narrative, NarrativeStatus


@pytest.fixture
def kpi2(fy2563):
    return Indicator.objects.get(indicator_set=fy2563, code="2")


def url(round_, indicator) -> str:
    return reverse("reporting:narrative-edit", args=[round_.pk, indicator.pk])


def fields(**changes) -> dict:
    data = {
        "result_text": "พัฒนาศักยภาพ อพม. ครบตามแผน",
        "supporting_factors": "หลักสูตรออนไลน์",
        "obstacles": "บางจังหวัดจัดอบรมล่าช้า",
        "actions": "เพิ่มรอบอบรม",
    }
    return data | changes


def token_of(client, round_, indicator) -> str:
    form = client.get(url(round_, indicator)).context["form"]
    return str(form["submission"].value())


def test_an_owner_saves_a_draft_then_submits_it(client_for, owner, six, kpi2, approved_evidence):
    client = client_for(owner)
    page = client.get(url(six, kpi2))
    assert page.status_code == 200
    html = page.content.decode()
    assert approved_evidence.title in html and "ร่างแผนยังไม่ส่ง" not in html
    data = fields(submission=token_of(client, six, kpi2), evidence=[approved_evidence.pk], save="1")
    assert client.post(url(six, kpi2), data).status_code == 302
    narrative = Narrative.objects.get(round=six, indicator=kpi2)
    assert narrative.status == NarrativeStatus.DRAFT and narrative.created_by == owner
    assert list(narrative.evidence.all()) == [approved_evidence]
    assert narrative.version == 0
    response = client.post(
        url(six, kpi2), fields(obstacles="ไม่มี", version=0, evidence=[approved_evidence.pk],
                               submit="1"),
    )  # fmt: skip
    assert response.status_code == 302
    narrative.refresh_from_db()
    assert narrative.status == NarrativeStatus.SUBMITTED and narrative.submitted_by == owner
    assert narrative.obstacles == "ไม่มี" and narrative.version == 1
    records = list(narrative.history.order_by("history_id"))
    assert records[0].history_type == "+" and records[0].status == NarrativeStatus.DRAFT
    assert records[-1].status == NarrativeStatus.SUBMITTED and records[-1].history_user == owner
    shown = client.get(reverse("reporting:round-indicator", args=[six.pk, kpi2.pk]))
    assert "ไม่มี" in shown.content.decode() and approved_evidence.title in shown.content.decode()


def test_submitting_without_the_result_in_words_is_refused_keeping_what_was_typed(
    client_for, owner, six, kpi2
):
    client = client_for(owner)
    response = client.post(
        url(six, kpi2),
        fields(result_text="  ", obstacles="งบมาช้า", submission=token_of(client, six, kpi2),
               submit="1"),
    )  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert "กรุณากรอกผลการดำเนินงานก่อนส่ง" in html and "งบมาช้า" in html
    assert not Narrative.objects.exists()
    # A draft may be incomplete.
    response = client.post(
        url(six, kpi2), fields(result_text="", submission=token_of(client, six, kpi2), save="1")
    )
    assert response.status_code == 302


def test_evidence_that_is_not_approved_cannot_be_cited(
    client_for, owner, six, kpi2, approved_evidence
):
    from indicators.models import Evidence

    draft = Evidence.objects.get(title="ร่างแผนยังไม่ส่ง")
    client = client_for(owner)
    response = client.post(
        url(six, kpi2),
        fields(evidence=[draft.pk], submission=token_of(client, six, kpi2), save="1"),
    )
    assert response.status_code == 400
    assert not Narrative.objects.exists()


def test_a_resent_first_save_makes_one_narrative(client_for, owner, six, kpi2):
    client = client_for(owner)
    data = fields(submission=token_of(client, six, kpi2), save="1")
    assert client.post(url(six, kpi2), data).status_code == 302
    again = client.post(url(six, kpi2), data, follow=True)
    assert DUPLICATE_TEXT in again.content.decode()
    assert Narrative.objects.filter(round=six, indicator=kpi2).count() == 1


def test_a_first_save_after_someone_elses_is_refused_keeping_what_was_typed(
    client_for, owner, kpi_admin, six, kpi2
):
    mine, theirs = client_for(owner), client_for(kpi_admin)
    my_token = token_of(mine, six, kpi2)
    theirs.post(url(six, kpi2), fields(submission=token_of(theirs, six, kpi2), save="1"))
    response = mine.post(
        url(six, kpi2), fields(result_text="ของฉันเอง", submission=my_token, save="1")
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in html and "ของฉันเอง" in html
    assert Narrative.objects.get(round=six, indicator=kpi2).result_text == fields()["result_text"]


def test_a_stale_edit_is_refused_with_409(
    client_for, owner, kpi_admin, six, kpi2, write_narratives
):
    write_narratives(six, status=NarrativeStatus.DRAFT)
    mine, theirs = client_for(owner), client_for(kpi_admin)
    assert (
        theirs.post(url(six, kpi2), fields(result_text="ฉบับผู้ดูแล", version=0, save="1")).status_code
        == 302
    )
    response = mine.post(url(six, kpi2), fields(result_text="ฉบับเจ้าของ", version=0, submit="1"))
    assert response.status_code == 409
    assert "ฉบับเจ้าของ" in response.content.decode()
    narrative = Narrative.objects.get(round=six, indicator=kpi2)
    assert narrative.result_text == "ฉบับผู้ดูแล" and narrative.status == NarrativeStatus.DRAFT
    # The re-shown form carries the current version: a deliberate second save goes through.
    form = response.context["form"]
    assert mine.post(url(six, kpi2), fields(result_text="ฉบับเจ้าของ", version=form["version"].value(),
                                             submit="1")).status_code == 302  # fmt: skip
    narrative.refresh_from_db()
    assert narrative.result_text == "ฉบับเจ้าของ" and narrative.is_submitted


def test_saving_a_submitted_narrative_as_a_draft_takes_it_back(
    client_for, owner, six, kpi2, write_narratives
):
    write_narratives(six)
    response = client_for(owner).post(url(six, kpi2), fields(version=0, save="1"))
    assert response.status_code == 302
    assert Narrative.objects.get(round=six, indicator=kpi2).status == NarrativeStatus.DRAFT
