"""The citizen's status page on a phone. With the page's script (status.js): a lookup is one
request whose answer, found or refused, takes the place of the page's body; reload shows the
result again; a second tap sends nothing more; a failed request falls back to the form sent by
the browser. Without the script: post/redirect/get. Either way Back and reload never ask to send
the form again, and the national ID never goes into a URL."""

import datetime as dt

import pytest

from core import roles
from core.models import Province
from subsidies import services
from subsidies.models import Application, Rating, StatusCheck, SubsidyType

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


def fill(page, reference, national_id):
    page.fill("#id_reference", reference)
    page.fill("#id_national_id", national_id)


def watch(page):
    """The page's POSTs (url, resource type) and the URLs it navigated to."""
    posts, urls = [], []
    page.on(
        "request",
        lambda r: posts.append((r.url, r.resource_type)) if r.method == "POST" else None,
    )
    page.on("framenavigated", lambda frame: urls.append(frame.url))
    return posts, urls


def test_with_the_script_a_lookup_is_one_request_and_back_or_reload_sends_nothing(
    phone, live_server, application
):
    page = phone
    posts, urls = watch(page)
    page.goto(f"{live_server.url}/subsidies/status/")
    assert page.get_by_role("heading", level=1).inner_text() == "ตรวจสอบสถานะการขอรับเงินอุดหนุน"
    loaded = len(urls)

    # A wrong pair: the answer replaces the body, no page loads; the reference stays, the
    # national ID is to be typed again, and the cursor is in its box.
    fill(page, application.formatted_reference, WRONG_ID)
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#lookup-error").wait_for()
    assert page.input_value("#id_reference") == application.formatted_reference
    assert page.input_value("#id_national_id") == ""
    assert page.evaluate("document.activeElement.id") == "id_national_id"
    described = page.get_attribute("#id_national_id", "aria-describedby")
    assert "lookup-error" in described.split()  # the message is read with the box
    assert len(urls) == loaded and posts == [(posts[0][0], "fetch")]

    # The right pair: one request, the result in place, read from its heading, page on top.
    page.fill("#id_national_id", NATIONAL_ID)
    page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#status-result").wait_for()
    assert "สมหญิง" in page.locator("#status-result").inner_text()
    assert page.evaluate("document.activeElement.id") == "status-result-title"
    assert page.evaluate("window.scrollY") == 0
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert len(urls) == loaded and len(posts) == 2 and StatusCheck.objects.count() == 1

    # Reload: the same result, read by GET, nothing sent again.
    response = page.reload()
    assert response.status == 200 and response.request.method == "GET"
    assert page.locator("#status-result").is_visible() and len(posts) == 2

    # Rate: the browser sends it (post/redirect/get), thanks on a page reached by GET.
    page.locator("#rating").get_by_text("4", exact=True).click()  # a big button per score
    page.get_by_role("button", name="ส่งแบบประเมิน").click()
    page.wait_for_load_state()
    assert page.locator("#thanks").is_visible()
    assert page.locator("#status-result").is_visible()
    assert Rating.objects.get().score == 4

    # Back: the result, now rated, by GET; nothing sent, no form to rate again.
    sent = len(posts)
    response = page.go_back()
    assert response is not None and response.status == 200
    assert response.request.method == "GET"
    assert page.locator("#status-result").is_visible() and page.locator("#rated").is_visible()
    assert page.locator("#id_score_1").count() == 0
    assert len(posts) == sent and Rating.objects.count() == 1

    # The national ID never was in a URL.
    assert urls and not any(NATIONAL_ID in u or WRONG_ID in u for u in urls + [u for u, _ in posts])


def test_two_taps_send_one_lookup(phone, live_server, application):
    page = phone
    posts, _urls = watch(page)
    page.goto(f"{live_server.url}/subsidies/status/")
    fill(page, application.formatted_reference, NATIONAL_ID)
    page.evaluate(
        "() => { const f = document.querySelector('form[data-lookup]');"
        " f.requestSubmit(); f.requestSubmit(); }"
    )
    page.locator("#status-result").wait_for()
    page.wait_for_timeout(300)
    assert len(posts) == 1


def test_a_failed_request_falls_back_to_the_form_the_browser_sends(phone, live_server, application):
    page = phone
    posts, _urls = watch(page)
    page.route(
        "**/subsidies/status/",
        lambda route: (
            route.abort()
            if route.request.headers.get("x-status-body") == "1"
            else route.continue_()
        ),
    )
    page.goto(f"{live_server.url}/subsidies/status/")
    fill(page, application.formatted_reference, NATIONAL_ID)
    with page.expect_navigation():
        page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#status-result").wait_for()
    assert [kind for _u, kind in posts] == ["fetch", "document"]
    assert StatusCheck.objects.count() == 1


def test_without_the_script_the_page_is_post_redirect_get(
    phone_without_scripts, live_server, application
):
    page = phone_without_scripts
    posts, urls = watch(page)
    page.goto(f"{live_server.url}/subsidies/status/")

    # A wrong pair: the page answers it (404), the reference kept.
    fill(page, application.formatted_reference, WRONG_ID)
    with page.expect_navigation() as refused:
        page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    assert refused.value.status == 404
    assert page.locator("#lookup-error").is_visible()
    assert page.input_value("#id_reference") == application.formatted_reference

    # The right pair: the result, on a page reached by GET.
    page.fill("#id_national_id", NATIONAL_ID)
    with page.expect_navigation() as found:
        page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    assert found.value.status == 200 and found.value.request.method == "GET"
    assert "สมหญิง" in page.locator("#status-result").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Reload: the same result, nothing sent again.
    sent = len(posts)
    response = page.reload()
    assert response.status == 200 and response.request.method == "GET"
    assert page.locator("#status-result").is_visible() and len(posts) == sent

    # Rate: thanks, on a page reached by GET; Back to the result by GET, nothing sent.
    page.locator("#rating").get_by_text("2", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="ส่งแบบประเมิน").click()
    assert page.locator("#thanks").is_visible() and Rating.objects.get().score == 2
    sent = len(posts)
    response = page.go_back()
    assert response is not None and response.request.method == "GET"
    assert page.locator("#rated").is_visible() and len(posts) == sent
    assert all(kind == "document" for _u, kind in posts)
    assert not any(NATIONAL_ID in u or WRONG_ID in u for u in urls + [u for u, _ in posts])


def test_an_answer_that_does_not_come_falls_back_to_the_browsers_form(
    phone, live_server, application
):
    page = phone
    posts, _urls = watch(page)
    held = []
    page.route(
        "**/subsidies/status/",
        lambda route: (
            held.append(route)  # never answered
            if route.request.headers.get("x-status-body") == "1"
            else route.continue_()
        ),
    )
    page.goto(f"{live_server.url}/subsidies/status/")
    page.evaluate("document.getElementById('status-body').setAttribute('data-wait-ms', '500')")
    fill(page, application.formatted_reference, NATIONAL_ID)
    with page.expect_navigation():
        page.get_by_role("button", name="ตรวจสอบสถานะ").click()
    page.locator("#status-result").wait_for()
    assert held and [kind for _u, kind in posts] == ["fetch", "document"]
    assert StatusCheck.objects.count() == 1


def test_the_body_put_in_place_is_the_body_of_the_page_the_server_sends(
    phone, phone_without_scripts, live_server, application
):
    """What the script shows after a lookup is what the browser's own form shows."""
    import re

    def shown(page):
        page.goto(f"{live_server.url}/subsidies/status/")
        fill(page, application.formatted_reference, NATIONAL_ID)
        page.get_by_role("button", name="ตรวจสอบสถานะ").click()
        page.locator("#status-result").wait_for()
        html = page.inner_html("#status-body")
        return re.sub(r'name="(csrfmiddlewaretoken|token)" value="[^"]+"', "", html)

    scripted, plain = shown(phone), shown(phone_without_scripts)
    assert "สมหญิง" in scripted and 'name="score"' in scripted
    # The script's own marks (the heading it focused) aside, the same markup.
    assert scripted.replace(' tabindex="-1"', "") == plain
