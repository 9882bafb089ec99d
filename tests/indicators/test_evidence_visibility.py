"""Who sees which evidence, and who decides on it (issue: drafts downloadable by any role, admins
approving their own evidence).

Drafts (and evidence sent back to be fixed) are seen by the indicator's owners, the approvers and
the admins only: on the indicator page, as a file, and in the KPI report (page, .xlsx, .pdf);
everyone else gets a 404 for the file and no line for it. Submitted and approved evidence is
seen by every reader of the indicator pages, as before. Nobody decides on evidence they attached
or submitted, admins and approvers included; a review form preselects no decision.
"""

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from core import roles
from indicators.forms import ReviewForm
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator

PERIOD = "?year=2563&as_of=2020-09-30"
DRAFT = "DraftPlanSecret7731"
RETURNED = "ReturnedPlanSecret4410"
SUBMITTED = "SubmittedPlanShown5520"
APPROVED = "ApprovedPlanShown8841"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def plan(fy2563) -> Deliverable:
    """KPI 2's first deliverable (the approved 3-year plan), decided by evidence."""
    return (
        Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code="2")
        .order_by("level", "sort_order")
        .first()
    )


def _evidence(deliverable, user, title, status, **extra) -> Evidence:
    item = Evidence(
        deliverable=deliverable, title=title, status=status, created_by=user, **extra
    )  # fmt: skip
    item.file.save(f"{title}.pdf", ContentFile(b"%PDF-1.4 " + title.encode()), save=False)
    item.save()
    return item


@pytest.fixture
def evidence(plan, owner):
    return {
        status: _evidence(plan, owner, title, status)
        for status, title in (
            (EvidenceStatus.DRAFT, DRAFT),
            (EvidenceStatus.RETURNED, RETURNED),
            (EvidenceStatus.SUBMITTED, SUBMITTED),
            (EvidenceStatus.APPROVED, APPROVED),
        )
    }


@pytest.fixture
def outsiders(make_user, manager, other_owner):
    """Every reader of the indicator pages who is none of: the indicator's owners, approvers,
    admins."""
    return {
        "manager": manager,
        "subsidy officer": make_user(roles.SUBSIDY_OFFICER, username="subsidy-officer"),
        "facility staff": make_user(roles.FACILITY_STAFF, username="facility-staff"),
        "provincial officer": make_user(roles.PROVINCIAL_OFFICER, username="officer"),
        "owner of other indicators": other_owner,
    }


@pytest.fixture
def insiders(owner, approver, kpi_admin, make_user):
    # An approver without the manager role too, and a superuser (an admin by Django's flag).
    superuser = make_user(username="superuser")
    superuser.is_superuser = True
    superuser.save()
    return {
        "owner": owner,
        "approver": approver,
        "plain approver": make_user(roles.APPROVER, username="plain-approver"),
        "admin": kpi_admin,
        "superuser": superuser,
    }


def _file(client, ev):
    return client.get(reverse("indicators:evidence-file", args=[ev.pk]))


def _page(client, plan) -> str:
    response = client.get(reverse("indicators:indicator-detail", args=[plan.indicator_id]))
    assert response.status_code == 200
    return response.content.decode()


def _report_texts(client) -> dict[str, str]:
    html = client.get(reverse("reports:report") + PERIOD)
    xlsx = client.get(reverse("reports:report-xlsx") + PERIOD)
    assert html.status_code == xlsx.status_code == 200
    book = load_workbook(io.BytesIO(xlsx.content))
    cells = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c
    )
    return {"report page": html.content.decode(), "report xlsx": cells}


def test_a_draft_is_a_404_and_absent_for_every_reader_who_is_not_owner_approver_or_admin(
    client_for, outsiders, evidence, plan
):
    for who, user in outsiders.items():
        c = client_for(user)
        for status in (EvidenceStatus.DRAFT, EvidenceStatus.RETURNED):
            assert _file(c, evidence[status]).status_code == 404, (who, status)
        shown = {"indicator page": _page(c, plan), **_report_texts(c)}
        for where, text in shown.items():
            assert DRAFT not in text and RETURNED not in text, (who, where)
            # Submitted and approved evidence stays visible to them, as before.
            assert SUBMITTED in text and APPROVED in text, (who, where)
        for status in (EvidenceStatus.SUBMITTED, EvidenceStatus.APPROVED):
            response = _file(c, evidence[status])
            assert response.status_code == 200, (who, status)
            assert b"".join(response.streaming_content).endswith(evidence[status].title.encode())


def test_the_kpi_report_pdf_leaves_drafts_out_for_a_manager(client_for, manager, evidence):
    response = client_for(manager).get(reverse("reports:report-pdf") + PERIOD)
    assert response.status_code == 200
    text = re.sub(
        r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert APPROVED in text and SUBMITTED in text
    assert DRAFT not in text and RETURNED not in text


def test_the_indicators_owners_approvers_and_admins_see_drafts(
    client_for, insiders, evidence, plan
):
    for who, user in insiders.items():
        c = client_for(user)
        for ev in evidence.values():
            response = _file(c, ev)
            assert response.status_code == 200, (who, ev.status)
            assert b"".join(response.streaming_content).endswith(ev.title.encode())
        page = _page(c, plan)
        assert all(title in page for title in (DRAFT, RETURNED, SUBMITTED, APPROVED)), who
        report = _report_texts(c)["report page"]
        assert DRAFT in report and RETURNED in report, who


def test_an_owner_sees_the_drafts_of_their_own_indicators_only(
    client_for, make_user, fy2563, plan, owner
):
    one_owner = make_user(roles.INDICATOR_OWNER, username="owner-of-3-1")
    Indicator.objects.get(indicator_set=fy2563, code="3.1").owners.add(one_owner)
    mine = _evidence(
        Deliverable.objects.filter(indicator__indicator_set=fy2563, indicator__code="3.1").first(),
        one_owner, "MyOwnDraft", EvidenceStatus.DRAFT,
    )  # fmt: skip
    theirs = _evidence(plan, owner, "SomeoneElsesDraft", EvidenceStatus.DRAFT)
    c = client_for(one_owner)
    assert _file(c, mine).status_code == 200
    assert _file(c, theirs).status_code == 404
    visible = set(Evidence.objects.visible_to(one_owner).values_list("title", flat=True))
    assert visible == {"MyOwnDraft"}


def test_without_a_user_nothing_unreleased_is_visible(evidence):
    from django.contrib.auth.models import AnonymousUser

    titles = set(Evidence.objects.visible_to(AnonymousUser()).values_list("title", flat=True))
    assert titles == {SUBMITTED, APPROVED}
    assert set(Evidence.objects.visible_to(None).values_list("title", flat=True)) == titles


def _review(client, ev, decision="approve", comment="ตรวจแล้ว"):
    return client.post(
        reverse("indicators:evidence-review", args=[ev.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_an_admin_cannot_approve_evidence_they_attached_and_submitted(client_for, kpi_admin, plan):
    c = client_for(kpi_admin)
    c.post(
        reverse("indicators:evidence-add", args=[plan.pk]),
        {"title": "ของผู้ดูแลเอง", "url": "https://example.go.th/plan", "submit": "1"},
    )
    ev = Evidence.objects.get()
    assert ev.status == EvidenceStatus.SUBMITTED and ev.submitted_by == kpi_admin
    for decision in ("approve", "return"):
        response = _review(c, ev, decision)
        assert response.status_code == 200
        assert any("พิจารณาเองไม่ได้" in m for m in _messages(response)), decision
        ev.refresh_from_db()
        assert ev.status == EvidenceStatus.SUBMITTED and ev.reviewed_by is None
    # Their page offers no review form for it, and says why.
    page = _page(c, plan)
    assert reverse("indicators:evidence-review", args=[ev.pk]) not in page
    assert 'data-testid="own-evidence"' in page


def test_an_approver_who_submitted_evidence_cannot_approve_it_but_another_approver_can(
    client_for, make_user, fy2563, plan, approver
):
    both = make_user(roles.INDICATOR_OWNER, roles.APPROVER, username="owner-approver")
    plan.indicator.owners.add(both)
    c = client_for(both)
    ev = _evidence(plan, both, "แผนของผู้อนุมัติเอง", EvidenceStatus.DRAFT)
    c.post(reverse("indicators:evidence-submit", args=[ev.pk]))
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.SUBMITTED
    response = _review(c, ev)
    assert any("พิจารณาเองไม่ได้" in m for m in _messages(response))
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.SUBMITTED
    # Attached by someone else but submitted by them: still theirs.
    other = _evidence(plan, make_user(roles.INDICATOR_OWNER), "แนบโดยคนอื่น", EvidenceStatus.DRAFT)
    c.post(reverse("indicators:evidence-submit", args=[other.pk]))
    _review(c, other)
    other.refresh_from_db()
    assert other.status == EvidenceStatus.SUBMITTED
    # Another approver decides.
    _review(client_for(approver), ev)
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.APPROVED and ev.reviewed_by == approver


def test_a_review_form_preselects_no_decision(client_for, approver, plan, owner):
    ev = _evidence(plan, owner, "รอพิจารณา", EvidenceStatus.SUBMITTED)
    page = _page(client_for(approver), plan)
    form = page[page.index(reverse("indicators:evidence-review", args=[ev.pk])) :]
    select = form[form.index('<select name="decision"') : form.index("</select>")]
    assert "required" in select
    options = re.findall(r"<option[^>]*>", select)
    assert options[0] == '<option value="" selected>'
    assert all("selected" not in o for o in options[1:])
    # The form class agrees, and a post without a decision decides nothing.
    assert ReviewForm().fields["decision"].choices[0][0] == ""
    response = _review(client_for(approver), ev, decision="")
    assert any("โปรดเลือกผลการพิจารณา" in m for m in _messages(response))
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.SUBMITTED


def test_a_decision_on_evidence_already_decided_is_refused_in_thai(
    client_for, approver, make_user, plan, owner
):
    ev = _evidence(plan, owner, "พิจารณาแล้ว", EvidenceStatus.SUBMITTED)
    _review(client_for(approver), ev)
    second = make_user(roles.APPROVER, username="second-approver")
    response = _review(client_for(second), ev, "return", "ขาดลายมือชื่อ")
    assert any("มีผู้พิจารณาไปแล้ว" in m for m in _messages(response))
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.APPROVED and ev.reviewed_by == approver
