"""The citizen's page: post/redirect/get (the result kept in a signed cookie, never the
national ID in a URL or in a cookie), a wrong pair keeps the reference, the wait in minutes, an h1,
no developer text, the department's helpline."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.core import signing
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from core.nationalid import format_id
from subsidies import services, views
from subsidies.models import LookupThrottle, Rating, StatusCheck
from tests.subsidies.conftest import new_national_id

URL = reverse("subsidies:status")
RATE = reverse("subsidies:rate")


def right(app):
    return {"reference": app.formatted_reference, "national_id": format_id(app.national_id)}


def test_a_found_lookup_redirects_to_the_page_which_shows_the_result(client, application):
    response = client.post(URL, right(application))
    assert response.status_code == 303 and response["Location"] == URL
    # Nothing personal in the URL nor in the cookie: the check's id, its tag and a time only,
    # signed, for the page's path, out of the page's scripts' reach, ending with the browser
    # (no Max-Age, no Expires: a shared computer's closed browser forgets it); no session row.
    kept = response.cookies[views.RESULT_COOKIE]
    assert kept["path"] == URL and kept["httponly"] and kept["samesite"] == "Lax"
    assert not kept["max-age"] and not kept["expires"]
    request = RequestFactory().get(URL)
    request.COOKIES[views.RESULT_COOKIE] = kept.value
    value = request.get_signed_cookie(views.RESULT_COOKIE, salt=views.KEPT_SALT)
    check, tag, at = value.split(":")
    record = StatusCheck.objects.get()
    assert int(check) == record.pk and tag == views._result_tag(record.pk, record.citizen_key)
    assert float(at) <= timezone.now().timestamp()
    assert application.national_id not in str(response.cookies)
    assert not Session.objects.exists() and "sessionid" not in response.cookies
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="status-result"' in html and "คุณสมหญิง" in html
    assert 'name="score"' in html
    # Reloading (or Back) shows it again and records no new check.
    assert 'id="status-result"' in client.get(URL).content.decode()
    assert StatusCheck.objects.count() == 1
    assert not Session.objects.exists()


def signed(value: str) -> str:
    """``value`` signed as the app signs the kept result (what one with the SECRET_KEY can do)."""
    response = HttpResponse()
    response.set_signed_cookie(views.RESULT_COOKIE, value, salt=views.KEPT_SALT)
    return response.cookies[views.RESULT_COOKIE].value


def test_a_kept_result_not_made_by_the_app_shows_nothing(client, application, make_application):
    other = make_application()
    client.post(URL, right(other))
    record = StatusCheck.objects.get()
    now = timezone.now().timestamp()
    tag = views._result_tag(record.pk, record.citizen_key)
    client.cookies[views.RESULT_COOKIE] = signed(f"{record.pk}:{tag}:{now}")
    assert other.first_name in client.get(URL).content.decode()  # the real one shows
    forged = f"{record.pk}:{tag}:{now}"
    for value in (
        forged,  # not signed
        signing.get_cookie_signer(salt="another").sign(forged),
        # signed with the SECRET_KEY but without the citizen key: a guessed tag, none, the
        # tag of another check
        signed(f"{record.pk}:{'0' * 32}:{now}"),
        signed(f"{record.pk}:{now}"),
        signed(f"{record.pk}:{views._result_tag(record.pk + 1, record.citizen_key)}:{now}"),
        signed(f"{record.pk}:{tag}:x"),
        "1:x",
        "",
    ):
        client.cookies[views.RESULT_COOKIE] = value
        html = client.get(URL).content.decode()
        assert 'id="status-result"' not in html and other.first_name not in html


def test_the_kept_result_is_secure_in_production(client, application, settings):
    settings.SESSION_COOKIE_SECURE = True
    assert client.post(URL, right(application)).cookies[views.RESULT_COOKIE]["secure"]


def test_the_kept_result_is_short_lived(client, application, monkeypatch):
    client.post(URL, right(application))
    later = timezone.now() + dt.timedelta(seconds=views.RESULT_MAX_AGE + 1)
    monkeypatch.setattr(views.timezone, "now", lambda: later)
    response = client.get(URL)
    html = response.content.decode()
    assert 'id="status-result"' not in html and "คุณสมหญิง" not in html
    assert response.cookies[views.RESULT_COOKIE].value == ""  # dropped
    assert response.cookies[views.RESULT_COOKIE]["path"] == URL


@pytest.mark.parametrize("script", [False, True], ids=["form", "script"])
@pytest.mark.parametrize("outcome", [400, 404, 429])
def test_a_new_lookup_forgets_the_previous_result(client, application, script, outcome):
    """Whatever the new lookup's outcome, sent by the browser or by the page's script."""
    headers = {views.BODY_HEADER: "1"} if script else {}
    client.post(URL, right(application), headers=headers)
    assert "คุณสมหญิง" in client.get(URL).content.decode()
    if outcome == 429:
        now = timezone.now()
        (_address, _), (pair_key, _) = services.throttle_keys(
            RequestFactory().post(URL), application.reference
        )
        LookupThrottle.objects.create(
            key=pair_key,
            failures=services.PAIR.block_after,
            window_started_at=now,
            last_failure_at=now,
            blocked_until=now + dt.timedelta(hours=1),
        )
    national_id = "12" if outcome == 400 else new_national_id()
    new = client.post(
        URL, {"reference": application.reference, "national_id": national_id}, headers=headers
    )
    assert new.status_code == outcome
    assert (new.get(views.BODY_HEADER) == "1") is script
    assert new.cookies[views.RESULT_COOKIE].value == ""  # dropped
    assert 'id="status-result"' not in client.get(URL).content.decode()


def test_a_rating_redirects_to_the_page_which_thanks_and_asks_no_more(client, application):
    token = client.post(URL, right(application), follow=True).context["rating_form"]
    response = client.post(RATE, {"token": token.initial["token"], "score": 5})
    assert response.status_code == 303 and response["Location"] == URL
    assert Rating.objects.get().score == 5
    html = client.get(URL).content.decode()
    assert 'id="thanks"' in html and 'id="status-result"' in html and 'name="score"' not in html
    # Back or reload: the result, saying it was rated, no second thanks, no form.
    html = client.get(URL).content.decode()
    assert 'id="thanks"' not in html and 'id="rated"' in html and 'name="score"' not in html


def test_a_wrong_pair_keeps_the_reference_but_not_the_national_id(client, application):
    typed = new_national_id()
    response = client.post(
        URL, {"reference": application.formatted_reference, "national_id": typed}
    )
    assert response.status_code == 404
    html = response.content.decode()
    assert f'value="{application.formatted_reference}"' in html
    assert typed not in html and format_id(typed) not in html
    assert "autofocus" in html  # the national ID box, to type it again


def test_the_throttled_page_says_how_many_minutes_to_wait(client, application):
    for _ in range(services.PAIR.block_after):
        LookupThrottle.objects.all().update(last_failure_at=timezone.now() - dt.timedelta(hours=1))
        client.post(URL, {"reference": application.reference, "national_id": new_national_id()})
    response = client.post(URL, right(application))
    assert response.status_code == 429
    html = response.content.decode()
    assert "โปรดลองใหม่อีกครั้งในอีกประมาณ 30 นาที" in html
    assert f'value="{application.formatted_reference}"' in html


@pytest.mark.parametrize(("seconds", "minutes"), [(2, 1), (60, 1), (61, 2), (1800, 30)])
def test_the_wait_is_told_in_whole_minutes(seconds, minutes):
    assert f"ในอีกประมาณ {minutes} นาที" in views.throttled_text(seconds)


def test_the_page_has_a_heading_and_no_developer_text(client, db):
    html = client.get(URL).content.decode()
    assert html.count("<h1") == 1 and "ตรวจสอบสถานะการขอรับเงินอุดหนุน</h1>" in html
    assert "POST" not in html and "JSON" not in html
    assert reverse("subsidies:api-status") not in html


def test_the_page_shows_the_departments_helpline(client, db, settings):
    settings.SUBSIDY_HELPLINE = "ศูนย์ช่วยเหลือสังคม สายด่วน 1300 (ตลอด 24 ชั่วโมง)"
    html = client.get(URL).content.decode()
    assert "สอบถามเพิ่มเติม: ศูนย์ช่วยเหลือสังคม สายด่วน" in html
    assert '<a href="tel:1300" class="text-nowrap">1300</a> (ตลอด 24 ชั่วโมง)' in html


def test_the_helpline_is_read_from_the_environment(client, db, settings, monkeypatch):
    if hasattr(settings, "SUBSIDY_HELPLINE"):
        del settings.SUBSIDY_HELPLINE
    monkeypatch.setenv("SUBSIDY_HELPLINE", "กองส่งเสริมสวัสดิการ โทร 02-659-6234")
    html = client.get(URL).content.decode()
    assert 'href="tel:026596234"' in html and "02-659-6234" in html
    monkeypatch.setenv("SUBSIDY_HELPLINE", "")
    html = client.get(URL).content.decode()
    assert "หากมีข้อสงสัย โปรดติดต่อหน่วยงานที่ท่านยื่นคำขอ" in html and "tel:" not in html


def test_the_greeting_names_the_applicant_in_thai_and_in_english(client, application):
    client.post(URL, right(application))
    assert '<p class="mb-1">เรียน คุณสมหญิง</p>' in client.get(URL).content.decode()
    client.cookies["django_language"] = "en"
    assert '<p class="mb-1">Dear สมหญิง</p>' in client.get(URL).content.decode()
