"""The citizen's status page on a phone: Back and reload after a lookup, a wrong pair or a
rating never ask to send the form again (post/redirect/get, and a refused form's history entry
made a plain visit), and the national ID never goes into a URL."""

import datetime as dt

import pytest

from core import roles
from core.models import Province
from subsidies import services
from subsidies.models import Application, Rating, SubsidyType

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NATIONAL_ID = "1101700203450"
WRONG_ID = "1101700203468"


@pytest.fixture
def application(make_user):
    officer = make_user(roles.SUBSIDY_OFFICER, username="subsidy-prg")
    return services.create_application(
        Application(
            first_name="สมหญิง", last_name="ใจดี", national_id=NATIONAL_ID,
            province=Province.objects.get(code="10"), subsidy_type=SubsidyType.LOW_INCOME,
            amount_requested=3000, received_on=dt.date(2020, 1, 6),
        ),
        officer,
    )  # fmt: skip


def submit(page, reference, national_id):
    page.fill("#id_reference", reference)
    page.fill("#id_national_id", national_id)
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.wait_for_load_state()


def test_back_and_reload_never_ask_to_send_the_form_again(phone, live_server, application):
    page = phone
    posts, urls = [], []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    page.goto(f"{live_server.url}/subsidies/status/")
    assert page.get_by_role("heading", level=1).inner_text() == "ตรวจสอบสถานะการขอรับเงินอุดหนุน"

    # A wrong pair: the reference stays, the national ID is to be typed again.
    submit(page, application.formatted_reference, WRONG_ID)
    assert page.locator("#lookup-error").is_visible()
    assert page.input_value("#id_reference") == application.formatted_reference
    assert page.input_value("#id_national_id") == ""

    # The right pair: the result, on a page reached by GET.
    page.fill("#id_national_id", NATIONAL_ID)
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.wait_for_load_state()
    assert page.locator("#status-result").is_visible()
    assert "สมหญิง" in page.locator("#status-result").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Reload: the same result, nothing sent again.
    sent = len(posts)
    response = page.reload()
    assert response.status == 200 and response.request.method == "GET"
    assert page.locator("#status-result").is_visible() and len(posts) == sent

    # Rate: thanks, on a page reached by GET.
    page.locator("#rating").get_by_text("4", exact=True).click()  # a big button per score
    page.get_by_role("button", name="ส่งแบบประเมิน").click()
    page.wait_for_load_state()
    assert page.locator("#thanks").is_visible()
    assert page.locator("#status-result").is_visible()
    assert Rating.objects.get().score == 4

    # Back, twice: to the result (now rated), then to the refused wrong pair's entry. Neither
    # asks to resubmit (Chromium would fail with ERR_CACHE_MISS) nor sends anything.
    sent = len(posts)
    response = page.go_back()
    assert response is not None and response.status == 200
    assert response.request.method == "GET"
    assert page.locator("#status-result").is_visible() and page.locator("#rated").is_visible()
    assert page.locator("#id_score_1").count() == 0
    response = page.go_back()
    assert response is not None and response.status == 200
    assert response.request.method == "GET"
    assert len(posts) == sent
    assert Rating.objects.count() == 1

    # The national ID never was in a URL.
    assert urls and not any(NATIONAL_ID in u or WRONG_ID in u for u in urls + posts)
