"""The self-assessment report of a round (page): a closed round's is its snapshot, never
recomputed and unchanged by later corrections; an open round's is the live figures, marked as
not yet reported; who may read it; revised targets show the original; an earlier snapshot."""

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from core import roles
from indicators import evaluation
from indicators.models import Indicator, RevisionReason, TargetRevision
from reporting import report, services
from reporting.models import Narrative, NarrativeStatus, Snapshot

APPROVED_AT = dt.datetime(2020, 3, 19, 18, 30, tzinfo=dt.UTC)  # 20 มี.ค. 2563 01:30 in Bangkok


@pytest.fixture
def reported_six(six, write_narratives, kpi_admin, add_residents, approved_evidence):
    """The 6-month round closed by the admin: 1.1 = 3 / 4 (75 %), KPI 2's level-1 evidence
    approved on 20 มี.ค. 2563 (Bangkok) and cited by its narrative."""
    add_residents(3, last=85)
    add_residents(1, last=30)
    approved_evidence.reviewed_at = APPROVED_AT
    approved_evidence.save()
    write_narratives(six)
    kpi2 = Narrative.objects.get(round=six, indicator__code="2")
    kpi2.result_text = "จัดทำแผนพัฒนาศักยภาพ อพม. และได้รับความเห็นชอบแล้ว"
    kpi2.save()
    kpi2.evidence.add(approved_evidence)
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    return six


def _url(round_, name="round-report") -> str:
    return reverse(f"reporting:{name}", args=[round_.pk])


def _section(html: str, code: str) -> str:
    return html.split(f'data-indicator="{code}"')[1].split("</section>")[0]


def test_a_closed_rounds_report_has_the_header_every_indicator_and_the_total(
    client_for, manager, reported_six, kpi_admin, approved_evidence
):
    response = client_for(manager).get(_url(reported_six))
    assert response.status_code == 200
    html = response.content.decode()
    assert "รายงานผลการประเมินตนเอง" in html
    assert "กรมพัฒนาสังคมและสวัสดิการ ปีงบประมาณ พ.ศ. 2563 รอบ 6 เดือน" in html
    assert 'data-testid="as-of">31 มีนาคม 2563<' in html
    closed_by = html.split('data-testid="closed-by">')[1].split("</td>")[0]
    assert kpi_admin.get_full_name() in closed_by and "(บันทึกผลครั้งที่ 1)" in closed_by
    assert "ยังไม่ได้รายงาน" not in html
    snapshot = Snapshot.objects.get(round=reported_six)
    total = html.split('data-testid="report-total">')[1].split("<")[0]
    assert total == f"{snapshot.total.quantize(Decimal('0.01'))}"
    # Every indicator but the groups has its own section.
    codes = [c for c in ("1.1", "1.2", "2", "3.1", "3.2") if f'data-indicator="{c}"' in html]
    assert codes == ["1.1", "1.2", "2", "3.1", "3.2"]
    assert 'data-indicator="1"' not in html and 'data-indicator="3"' not in html
    one_one = _section(html, "1.1")
    assert "น้ำหนักร้อยละ 20" in one_one
    assert "ร้อยละ 10.72" in one_one and "ร้อยละ 12.05" in one_one and "ร้อยละ 13.38" in one_one
    assert 'data-testid="result">ร้อยละ 75.00 (3 / 4)' in one_one
    assert "ขั้นสูง" in one_one and 'data-testid="score">100.00<' in one_one
    assert 'data-testid="weighted">20.00<' in one_one
    for heading in ("ผลการดำเนินงาน", "ปัจจัยสนับสนุน", "ปัญหาอุปสรรค", "แนวทางแก้ไขปัญหาอุปสรรค"):
        assert heading in one_one
    assert "ผลการดำเนินงานของตัวชี้วัด 1.1" in one_one and "เร่งรัดการเบิกจ่าย" in one_one
    # The evidence list: title, who approved it, the day in Bangkok (BE), cited by the narrative.
    kpi2 = _section(html, "2")
    evidence = kpi2.split('data-testid="evidence"')[1].split("</table>")[0]
    assert approved_evidence.title in evidence
    assert approved_evidence.reviewed_by.get_full_name() in evidence
    assert "20 มี.ค. 2563" in evidence and "อ้างอิงในคำบรรยาย" in evidence
    assert "ร่างแผนยังไม่ส่ง" not in html  # the draft evidence is not in the report
    assert "ผ่านระดับ 1" in kpi2 and "จัดทำแผนพัฒนาศักยภาพ อพม. และได้รับความเห็นชอบแล้ว" in kpi2


def test_a_closed_rounds_report_is_read_from_the_snapshot_without_recomputing(
    client_for, manager, reported_six, add_residents, django_assert_max_num_queries
):
    reader = client_for(manager)
    reader.get(_url(reported_six))  # the session and menu warm up
    add_residents(
        30
    )  # more data since closing: the same queries (session, user, round, snapshot, rows)
    with (
        mock.patch.object(evaluation, "evaluate", side_effect=AssertionError("recomputed")),
        django_assert_max_num_queries(6),
    ):
        page = reader.get(_url(reported_six))
    assert page.status_code == 200 and "ร้อยละ 75.00 (3 / 4)" in page.content.decode()
    with mock.patch.object(evaluation, "evaluate", side_effect=AssertionError("recomputed")):
        assert reader.get(_url(reported_six, "round-report-xlsx")).status_code == 200
        pdf = reader.get(_url(reported_six, "round-report-pdf"))
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_correction_after_closing_does_not_change_the_report(client_for, manager, reported_six):
    from shelters.models import Assessment

    corrected = Assessment.objects.filter(assessed_on=dt.date(2020, 2, 1), percent=85).first()
    corrected.percent = Decimal(40)
    corrected._change_reason = "กรอกคะแนนผิด"
    corrected.save()
    live = evaluation.evaluate(reported_six.indicator_set, reported_six.as_of).by_code("1.1")
    assert (live.numerator, live.denominator) == (2, 4)  # today's figure follows it ...
    html = client_for(manager).get(_url(reported_six)).content.decode()
    assert 'data-testid="result">ร้อยละ 75.00 (3 / 4)' in _section(html, "1.1")  # ... not the report
    assert "ร้อยละ 50.00" not in _section(html, "1.1")
    data = report.round_as_dict(reported_six)
    assert data["indicators"][0]["children"][0]["result"]["numerator"] == 3


def test_an_open_rounds_report_shows_todays_figures_marked_not_yet_reported(
    client_for, owner, six, write_narratives, add_residents
):
    add_residents(1, last=85)
    add_residents(1, last=30)
    write_narratives(six, status=NarrativeStatus.DRAFT, skip=("3.2",))
    response = client_for(owner).get(_url(six))
    assert response.status_code == 200
    html = response.content.decode()
    note = html.split('data-testid="live-note">')[1].split("</div>")[0]
    assert "ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)" in note
    assert 'data-testid="closed-by"' not in html
    assert 'data-testid="result">ร้อยละ 50.00 (1 / 2)' in _section(html, "1.1")
    assert "ร่าง (ยังไม่ได้ส่ง)" in _section(html, "1.1")  # the narrative as it stands
    assert "ยังไม่มีคำบรรยาย" in _section(html, "3.2")
    assert not Snapshot.objects.exists()  # reading the report closes nothing


def test_the_live_report_shows_what_closing_then_freezes(
    six, write_narratives, add_residents, approved_evidence, kpi_admin
):
    add_residents(2, last=85)
    add_residents(1, last=30)
    write_narratives(six)
    before = report.build(six)
    assert before.is_live
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    after = report.build(six)
    assert not after.is_live and after.snapshot.number == 1
    assert after.total == before.total.quantize(Decimal("1e-12"))
    for a, b in zip(before.items, after.items, strict=True):
        assert (a.code, a.result_text, a.level_text, a.weight_text) == (
            b.code, b.result_text, b.level_text, b.weight_text,
        )  # fmt: skip
        assert [t["value"] for t in a.targets] == [t["value"] for t in b.targets]
        assert [e["title"] for e in a.evidence] == [e["title"] for e in b.evidence]
    assert report_dict_without_round(before) == report_dict_without_round(after)


def report_dict_without_round(r):
    data = report.report_as_dict(r)
    data.pop("round")
    return data


def test_an_earlier_snapshot_of_a_reopened_round_has_its_own_report(
    client_for, manager, reported_six, kpi_admin, add_residents
):
    services.reopen_round(reported_six, kpi_admin, "สลก. ขอให้ทบทวนผล 1.1")
    add_residents(1, last=30)  # 3 / 5 when closed again
    services.close_round(reported_six.pk, kpi_admin)
    reader = client_for(manager)
    current = reader.get(_url(reported_six)).content.decode()
    assert "ร้อยละ 60.00 (3 / 5)" in current and "(บันทึกผลครั้งที่ 2)" in current
    old = reader.get(_url(reported_six) + "?snapshot=1")
    html = old.content.decode()
    assert "ร้อยละ 75.00 (3 / 4)" in html
    note = html.split('data-testid="superseded-note">')[1].split("</div>")[0]
    assert "สลก. ขอให้ทบทวนผล 1.1" in note
    assert f"{_url(reported_six, 'round-report-pdf')}?snapshot=1" in html
    assert reader.get(_url(reported_six) + "?snapshot=9").status_code == 404


@pytest.fixture
def revised_kpi11(fy2563, settings, tmp_path, kpi_admin, approver):
    settings.MEDIA_ROOT = tmp_path
    revision = TargetRevision(
        indicator=Indicator.objects.get(indicator_set=fy2563, code="1.1"),
        effective_from=dt.date(2020, 1, 1),
        target_min=Decimal("20.00"),
        reason=RevisionReason.BUDGET,
        reason_text="ได้รับงบประมาณน้อยกว่าแผน",
        approved_by=approver,
        approved_on=dt.date(2020, 1, 1),
        recorded_by=kpi_admin,
    )
    revision.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"), save=False)
    revision.save()
    return revision


def test_a_revised_target_shows_the_figure_in_force_and_the_original(
    client_for, manager, revised_kpi11, six, write_narratives, kpi_admin, add_residents
):
    add_residents(1, last=85)
    write_narratives(six)
    services.close_round(six.pk, kpi_admin)
    html = client_for(manager).get(_url(six)).content.decode()
    minimum = _section(html, "1.1").split('data-level="1"')[1].split("</tr>")[0]
    assert "ร้อยละ 20.00" in minimum and "ปรับแล้ว" in minimum
    assert 'data-testid="original-target">(เดิม ร้อยละ 10.72)' in minimum
    standard = _section(html, "1.1").split('data-level="2"')[1].split("</tr>")[0]
    assert "ร้อยละ 12.05" in standard and "ปรับแล้ว" not in standard
    one_one = report.round_as_dict(six)["indicators"][0]["children"][0]
    assert one_one["targets"] == [20, 12.05, 13.38]
    assert one_one["original_targets"] == [10.72, 12.05, 13.38]


@pytest.mark.parametrize(
    "role", [roles.ADMIN, roles.APPROVER, roles.MANAGER, roles.INDICATOR_OWNER]
)
def test_the_readers_of_the_rounds_read_the_report(client_for, make_user, reported_six, role):
    reader = client_for(make_user(role, username=f"reader-{role}"))
    for name in ("round-report", "round-report-xlsx", "round-report-pdf"):
        assert reader.get(_url(reported_six, name)).status_code == 200, name


@pytest.mark.parametrize(
    "role", [roles.FACILITY_STAFF, roles.PROVINCIAL_OFFICER, roles.SUBSIDY_OFFICER, None]
)
def test_other_roles_are_refused_and_anonymous_visitors_log_in(
    client, client_for, make_user, six, role, bangkok
):
    extra = {"province": bangkok} if role == roles.PROVINCIAL_OFFICER else {}
    user = make_user(*([role] if role else []), username="someone", **extra)
    urls = [_url(six, n) for n in ("round-report", "round-report-xlsx", "round-report-pdf")]
    urls += [reverse("reporting:compare"), reverse("reporting:compare-xlsx")]
    for url in urls:
        assert client_for(user).get(url).status_code == 403, url
        anonymous = client.get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_an_unknown_round_is_a_404(client_for, manager, six):
    reader = client_for(manager)
    assert reader.get(reverse("reporting:round-report", args=[99999])).status_code == 404
    assert reader.get(_url(six) + "?snapshot=abc").status_code == 404


def test_the_report_page_fits_a_phone_and_prints_one_indicator_a_page(
    client_for, manager, reported_six
):
    html = client_for(manager).get(_url(reported_six)).content.decode()
    # The summary is a table from md up and a list below it; so is the evidence.
    assert 'class="d-none d-md-block report-summary-table"' in html
    assert 'class="list-group d-md-none mb-2 report-summary-list"' in html
    assert "report-evidence-list" in html
    assert ".report-indicator { page-break-before: always; }" in html
