"""KPI 3.2's citizens: one rating per citizen and application per step, one check per day and
step, a key that survives rotating SECRET_KEY, demo records only in a demo installation, and
every digit form a citizen may type."""

import datetime as dt
import json

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from core.nationalid import format_id
from subsidies import services, views
from subsidies.kpi import distinct_citizens, status_checks
from subsidies.models import Rating, StatusCheck, citizen_key
from tests.subsidies.conftest import advance

URL = reverse("subsidies:status")
API = reverse("subsidies:api-status")
RATE = reverse("subsidies:rate")
END_2563 = dt.date(2020, 9, 30)


def look(client, app):
    """A lookup on the page, following its redirect to the result (post/redirect/get)."""
    return client.post(
        URL, {"reference": app.reference, "national_id": app.national_id}, follow=True
    )


def test_one_person_rates_one_application_once_per_step(client, application, officer):
    tokens = [look(client, application).context["rating_form"].initial["token"] for _ in range(2)]
    assert client.post(RATE, {"token": tokens[0], "score": 1}, follow=True).status_code == 200
    for token in tokens:
        assert client.post(RATE, {"token": token, "score": 1}).status_code == 409
    # Further lookups of that step ask no more and say so.
    page = look(client, application)
    assert "rating_form" not in page.context and "ประเมินความพึงพอใจสำหรับขั้นตอนนี้" in (
        page.content.decode()
    )
    # Another day at the same step: a new check, but no second rating of that step.
    tomorrow = timezone.now() + dt.timedelta(days=1)
    later = services.lookup(application.reference, application.national_id, now=tomorrow)
    assert later.rated
    token = signing.dumps(later.check.pk, salt=views.RATING_SALT)
    assert client.post(RATE, {"token": token, "score": 1}).status_code == 409
    # A new step may be rated again.
    advance(application, officer, 2)
    token = look(client, application).context["rating_form"].initial["token"]
    assert client.post(RATE, {"token": token, "score": 5}, follow=True).status_code == 200
    assert sorted(Rating.objects.values_list("step", "score")) == [(1, 1), (2, 5)]


def test_twenty_lookups_in_a_day_are_one_check(client, application):
    for _ in range(20):
        assert look(client, application).status_code == 200
    check = StatusCheck.objects.get()
    assert (check.application, check.step) == (application, 1)
    assert distinct_citizens(2563, timezone.localdate()) in (0, 1)  # depending on today's year


def test_rotating_secret_key_does_not_count_a_returning_citizen_twice(application, settings):
    before = dt.datetime(2020, 2, 1, 10, tzinfo=dt.UTC)
    services.lookup(application.reference, application.national_id, now=before)
    key = citizen_key(application.national_id)
    settings.SECRET_KEY = "a-completely-new-secret-key-" + "x" * 40
    assert citizen_key(application.national_id) == key
    services.lookup(
        application.reference, application.national_id, now=before + dt.timedelta(days=30)
    )
    assert StatusCheck.objects.count() == 2
    assert distinct_citizens(2563, END_2563) == 1


def _demo_and_real_checks(make_application):
    real, demo = make_application(), make_application(is_demo=True)
    day = dt.datetime(2020, 3, 1, 10, tzinfo=dt.UTC)
    services.lookup(real.reference, real.national_id, now=day)
    services.lookup(demo.reference, demo.national_id, now=day)
    return real, demo


def test_demo_records_are_not_counted_outside_a_demo_installation(make_application, settings):
    settings.DEMO_INSTALLATION = False
    _real, demo = _demo_and_real_checks(make_application)
    assert StatusCheck.objects.get(application=demo).is_demo  # a lookup of a demo application
    assert distinct_citizens(2563, END_2563) == 1
    assert status_checks(2563, END_2563).facts["status_checks"].figure == "1 / 3,500 ราย"


def test_a_demo_installation_counts_its_demo_records(make_application, settings):
    settings.DEMO_INSTALLATION = True
    _demo_and_real_checks(make_application)
    assert distinct_citizens(2563, END_2563) == 2


# --- digits --------------------------------------------------------------------------------

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans(
    "0123456789-ABCDEFGHJKMNPQRSTUVWXYZ",
    "０１２３４５６７８９－ＡＢＣＤＥＦＧＨＪＫＭＮＰＱＲＳＴＵＶＷＸＹＺ",
)
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH, THAI])
def test_the_page_and_the_service_take_every_digit_form(client, application, digits):
    reference = application.formatted_reference.translate(digits)
    national_id = format_id(application.national_id).translate(digits)
    page = client.post(URL, {"reference": reference, "national_id": national_id}, follow=True)
    assert page.status_code == 200 and "คุณสมหญิง" in page.content.decode()
    api = client.post(
        API,
        json.dumps({"reference": reference, "national_id": national_id}),
        content_type="application/json",
    )
    assert api.status_code == 200 and api.json()["found"] is True
