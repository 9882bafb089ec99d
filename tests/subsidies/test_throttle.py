import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidies import services
from subsidies.models import LookupThrottle
from tests.subsidies.conftest import new_national_id

URL = reverse("subsidies:status")
API = reverse("subsidies:api-status")
KEY = "k" * 64


def fail(times, start, step=dt.timedelta(minutes=2)):
    now = start
    for _ in range(times):
        services.record_failure(KEY, now)
        now += step
    return now - step


def test_the_first_failures_are_free_then_slowed_then_refused(db):
    t0 = timezone.now()
    last = fail(3, t0, dt.timedelta(seconds=1))
    assert services.retry_after(KEY, last) == 2  # slowed: wait 2 s after the 3rd failure
    assert services.retry_after(KEY, last + dt.timedelta(seconds=2)) == 0
    services.record_failure(KEY, last + dt.timedelta(seconds=2))
    assert services.retry_after(KEY, last + dt.timedelta(seconds=2)) == 4  # then 4 s, 8 s, …
    assert services.wait_after(9) == 60 and services.wait_after(20) == 60


def test_ten_failures_block_the_address_for_half_an_hour(db):
    t0 = timezone.now()
    last = fail(10, t0, dt.timedelta(seconds=61))
    throttle = LookupThrottle.objects.get(key=KEY)
    assert throttle.failures == 10 and throttle.blocked_until == last + services.BLOCK_FOR
    assert services.retry_after(KEY, last + dt.timedelta(minutes=29)) == 60
    assert services.retry_after(KEY, last + dt.timedelta(minutes=31)) == 0
    services.record_failure(KEY, last + dt.timedelta(minutes=31))  # a fresh start after the block
    assert LookupThrottle.objects.get(key=KEY).failures == 1


def test_failures_are_forgotten_after_the_window(db):
    t0 = timezone.now()
    fail(5, t0, dt.timedelta(seconds=1))
    later = t0 + services.WINDOW + dt.timedelta(minutes=1)
    assert services.retry_after(KEY, later) == 0
    services.record_failure(KEY, later)
    assert LookupThrottle.objects.get(key=KEY).failures == 1


def test_the_page_refuses_an_address_after_repeated_failures(client, application):
    for _ in range(3):
        response = client.post(
            URL, {"reference": application.reference, "national_id": new_national_id()}
        )
        assert response.status_code == 404
    # The 4th attempt, straight away: refused, even with the right pair, and nothing is looked up.
    response = client.post(
        URL, {"reference": application.reference, "national_id": application.national_id}
    )
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "โปรดลองใหม่" in response.content.decode()
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert (
        other.post(
            URL, {"reference": application.reference, "national_id": application.national_id}
        ).status_code
        == 200
    )
    # The throttle keeps no address in clear.
    assert not LookupThrottle.objects.filter(key__contains="127.0.0.1").exists()


def test_the_json_service_shares_the_throttle(client, application):
    for _ in range(3):
        client.post(
            API,
            {"reference": application.reference, "national_id": new_national_id()},
            content_type="application/json",
        )
    response = client.post(
        API,
        {"reference": application.reference, "national_id": application.national_id},
        content_type="application/json",
    )
    assert response.status_code == 429 and response.json()["found"] is False


def test_successful_lookups_never_trip_the_throttle(client, application):
    for _ in range(30):
        response = client.post(
            API,
            {"reference": application.reference, "national_id": application.national_id},
            content_type="application/json",
        )
        assert response.status_code == 200
    assert not LookupThrottle.objects.exists()
