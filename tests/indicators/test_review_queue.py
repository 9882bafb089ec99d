"""The approvers' queue of evidence awaiting review, and the review page it opens (issue 13).

The queue lists every submitted piece of evidence oldest first (indicator, level, deliverable,
who submitted it, since when, in BE and Bangkok time), never the approver's own (nobody decides
on what they attached or submitted); each row opens the review page, whose form preselects no
decision: a missing choice is refused in Thai with 400, keeping the comment typed.
"""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from core import roles
from indicators.models import Deliverable, Evidence, EvidenceStatus

QUEUE = reverse("indicators:review-queue")


@pytest.fixture
def deliverables(fy2563) -> dict[str, Deliverable]:
    def first(code, level):
        return Deliverable.objects.filter(
            indicator__indicator_set=fy2563, indicator__code=code, level=level, computed_key=""
        ).first()

    return {"2/1": first("2", 1), "3.1/3": first("3.1", 3)}


def _submitted(deliverable, by, title, at, status=EvidenceStatus.SUBMITTED, creator=None):
    return Evidence.objects.create(
        deliverable=deliverable, title=title, url="https://example.go.th/e", status=status,
        created_by=creator or by, submitted_by=by, submitted_at=at,
    )  # fmt: skip


def _utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def waiting(deliverables, owner):
    newer = _submitted(deliverables["2/1"], owner, "NewerPlan", _utc(2020, 3, 20, 2, 0))
    older = _submitted(deliverables["3.1/3"], owner, "OlderReport", _utc(2020, 3, 12, 7, 30))
    for status, title in (
        (EvidenceStatus.DRAFT, "DraftNotQueued"),
        (EvidenceStatus.APPROVED, "ApprovedNotQueued"),
        (EvidenceStatus.RETURNED, "ReturnedNotQueued"),
    ):
        _submitted(deliverables["2/1"], owner, title, _utc(2020, 1, 1), status=status)
    return {"older": older, "newer": newer}


def _rows(html: str) -> list[str]:
    return re.findall(r'data-evidence="(\d+)"', html)


def test_the_queue_lists_what_awaits_review_oldest_first(client_for, approver, waiting):
    response = client_for(approver).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html) == [str(waiting["older"].pk), str(waiting["newer"].pk)]
    for hidden in ("DraftNotQueued", "ApprovedNotQueued", "ReturnedNotQueued"):
        assert hidden not in html
    older = html[html.index(f'data-evidence="{waiting["older"].pk}"') :]
    older = older[: older.index("</li>")]
    # Since when: BE date and Bangkok time (07:30 UTC = 14:30 in Bangkok).
    assert "12 มี.ค. 2563 14:30 น." in older
    assert "ตัวชี้วัด 3.1" in older and "เป้าหมายขั้นสูง" in older
    assert waiting["older"].deliverable.title[:30] in older
    assert "ผู้ใช้" in older  # the submitter's name (make_user gives first names ผู้ใช้N)
    # The row opens the review.
    review = reverse("indicators:evidence-review", args=[waiting["older"].pk])
    assert f'href="{review}?back=queue"' in older


def test_an_approver_never_finds_their_own_evidence_in_the_queue(
    client_for, make_user, deliverables, owner
):
    both = make_user(roles.INDICATOR_OWNER, roles.APPROVER, username="owner-approver")
    mine = _submitted(deliverables["2/1"], both, "SubmittedByMe", timezone.now())
    attached = _submitted(deliverables["2/1"], owner, "AttachedByMe", timezone.now(), creator=both)
    other = _submitted(deliverables["2/1"], owner, "SomeoneElses", timezone.now())
    html = client_for(both).get(QUEUE).content.decode()
    assert _rows(html) == [str(other.pk)]
    assert "SubmittedByMe" not in html and "AttachedByMe" not in html
    assert "หลักฐานที่ท่านแนบหรือส่งเอง 2 รายการ" in html
    # Another approver finds all three.
    second = make_user(roles.APPROVER, username="second-approver")
    assert set(_rows(client_for(second).get(QUEUE).content.decode())) == {
        str(e.pk) for e in (mine, attached, other)
    }


def test_only_approvers_and_admins_open_the_queue(
    client, client_for, kpi_admin, manager, owner, no_role_user, waiting
):
    assert client.get(QUEUE).status_code == 302
    for user in (manager, owner, no_role_user):
        assert client_for(user).get(QUEUE).status_code == 403
    assert len(_rows(client_for(kpi_admin).get(QUEUE).content.decode())) == 2


def test_the_menu_and_the_dashboard_lead_approvers_to_the_queue(
    client_for, approver, manager, waiting
):
    dashboard = reverse("indicators:dashboard") + "?year=2563"
    html = client_for(approver).get(dashboard).content.decode()
    nav = html[: html.index("</nav>")]
    assert f'href="{QUEUE}"' in nav and "พิจารณาหลักฐาน" in nav
    banner = html[html.index('data-testid="awaiting-review"') :]
    assert "มีหลักฐานรอท่านพิจารณา 2 รายการ" in banner[:300] and QUEUE in banner[:400]
    html = client_for(manager).get(dashboard).content.decode()
    assert QUEUE not in html and 'data-testid="awaiting-review"' not in html


def test_an_empty_queue_says_so(client_for, approver):
    html = client_for(approver).get(QUEUE).content.decode()
    assert 'data-testid="queue-empty"' in html and "ไม่มีหลักฐานรอท่านพิจารณา" in html


def test_the_queue_takes_a_fixed_number_of_queries(
    client_for, approver, deliverables, owner, django_assert_max_num_queries
):
    c = client_for(approver)

    def add(n):
        for i in range(n):
            _submitted(deliverables["2/1"], owner, f"E{i}", timezone.now())

    add(3)
    with django_assert_max_num_queries(12) as few:
        c.get(QUEUE)
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_rows(c.get(QUEUE).content.decode())) == 23


def test_the_queue_exports_what_it_shows(client_for, approver, waiting):
    response = client_for(approver).get(QUEUE + "?export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[5] for r in rows[1:]] == ["OlderReport", "NewerPlan"]
    assert rows[1][0] == "2020-03-12 14:30"


# --- the review page --------------------------------------------------------------------------


def _review_url(ev):
    return reverse("indicators:evidence-review", args=[ev.pk])


def test_the_review_page_shows_the_evidence_and_preselects_no_decision(
    client_for, approver, waiting
):
    ev = waiting["older"]
    response = client_for(approver).get(_review_url(ev) + "?back=queue")
    assert response.status_code == 200
    html = response.content.decode()
    assert "OlderReport" in html and "เป้าหมายขั้นสูง" in html
    form = html[html.index('data-testid="review-form"') :]
    form = form[: form.index("</form>")]
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', form)
    assert [re.search(r'value="(\w+)"', r).group(1) for r in radios] == ["approve", "return"]
    assert all("checked" not in r for r in radios)
    assert 'name="back" value="queue"' in form


def test_a_review_without_a_decision_is_refused_with_400_keeping_the_comment(
    client_for, approver, waiting
):
    ev = waiting["older"]
    response = client_for(approver).post(
        _review_url(ev), {"decision": "", "comment": "ความเห็นที่พิมพ์ไว้", "back": "queue"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "โปรดเลือกผลการพิจารณา" in html
    assert "ความเห็นที่พิมพ์ไว้" in html
    assert 'name="back" value="queue"' in html
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.SUBMITTED and ev.reviewed_at is None


def test_a_return_without_a_reason_keeps_the_choice(client_for, approver, waiting):
    ev = waiting["older"]
    response = client_for(approver).post(_review_url(ev), {"decision": "return", "comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "โปรดระบุเหตุผลที่ส่งกลับ" in html
    assert re.search(r'<input[^>]*value="return"[^>]*checked', html)
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.SUBMITTED


def test_a_decision_from_the_queue_goes_back_to_the_queue(client_for, approver, waiting):
    ev = waiting["older"]
    response = client_for(approver).post(
        _review_url(ev), {"decision": "approve", "comment": "", "back": "queue"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    ev.refresh_from_db()
    assert ev.status == EvidenceStatus.APPROVED and ev.reviewed_by == approver
    assert _rows(client_for(approver).get(QUEUE).content.decode()) == [str(waiting["newer"].pk)]


def test_the_review_page_of_ones_own_evidence_offers_no_form(
    client_for, make_user, deliverables, owner
):
    both = make_user(roles.INDICATOR_OWNER, roles.APPROVER, username="owner-approver")
    ev = _submitted(deliverables["2/1"], both, "Mine", timezone.now())
    html = client_for(both).get(_review_url(ev)).content.decode()
    assert 'data-testid="review-form"' not in html and 'data-testid="own-evidence"' in html


def test_only_reviewers_open_the_review_page(client_for, manager, owner, waiting):
    for user in (manager, owner):
        assert client_for(user).get(_review_url(waiting["older"])).status_code == 403


def test_the_queue_its_review_page_and_the_menu_entry_take_can_review(approver, owner, manager):
    """indicators.permissions.can_review decorates the queue and the review page (core.access
    reads their roles, so links to them show only to approvers and admins: no registration
    besides) and gives the menu entry its roles."""
    from core import access, nav
    from indicators import permissions, views

    assert views.review_queue.allowed_roles == permissions.can_review.roles
    assert views.evidence_review.allowed_roles == permissions.can_review.roles
    assert "indicators:review-queue" in [i["name"] for i in nav.items_for(approver)]
    for user in (owner, manager):
        assert "indicators:review-queue" not in [i["name"] for i in nav.items_for(user)]
        assert not access.can_open(user, reverse("indicators:evidence-review", args=[1]))
    assert access.can_open(approver, reverse("indicators:evidence-review", args=[1]))
