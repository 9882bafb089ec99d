import datetime as dt
import json

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from subsidies import services
from subsidies.models import LookupThrottle, new_reference
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
            URL,
            {"reference": application.reference, "national_id": application.national_id},
            follow=True,
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


# --- behind one address: a service counter, a NAT ------------------------------------------


def test_one_citizens_typos_do_not_lock_out_the_others_behind_the_same_address(
    make_application,
):
    """20 citizens behind one address; one of them mistypes every fifth lookup."""
    apps = [make_application() for _ in range(20)]
    counter = Client(REMOTE_ADDR="203.0.113.7")
    right, refused = 0, 0
    for i in range(100):
        app = apps[i % 20]
        typo = i % 5 == 4
        if typo:
            app = apps[4]  # always the same citizen
        response = counter.post(
            URL,
            {
                "reference": app.reference,
                "national_id": new_national_id() if typo else app.national_id,
            },
        )
        if not typo:
            right += 1
            refused += response.status_code == 429
            # Found: the redirect to the result (post/redirect/get).
            assert response.status_code == 303 or app == apps[4], (i, response.status_code)
    assert right == 80 and refused <= 1  # at most the mistyper's own right lookup waits


def test_guessing_from_one_address_stays_slow_across_references(db):
    t0 = timezone.now()
    req = Client(REMOTE_ADDR="198.51.100.1").get("/").wsgi_request
    now = t0
    for _ in range(services.ADDRESS.free):
        keys = services.throttle_keys(req, new_reference())
        assert services.record_failure(keys, now) == 0
        now += dt.timedelta(seconds=1)
    fresh = services.throttle_keys(req, new_reference())
    assert services.retry_after(fresh, now) > 0  # a new reference does not help
    assert services.record_failure(fresh, now) > 0  # and nothing more is counted
    # Going on at the pace the waits allow ends in the block.
    for _ in range(services.ADDRESS.block_after - services.ADDRESS.free):
        now += dt.timedelta(seconds=services.ADDRESS.max_wait)
        assert services.record_failure(services.throttle_keys(req, new_reference()), now) == 0
    later = now + dt.timedelta(minutes=20)
    assert services.retry_after(services.throttle_keys(req, new_reference()), later) > 0
    # Another address is not affected.
    other = Client(REMOTE_ADDR="198.51.100.2").get("/").wsgi_request
    assert services.retry_after(services.throttle_keys(other, new_reference()), later) == 0


def test_failures_on_one_reference_are_counted_for_that_reference(client, make_application):
    mine, neighbour = make_application(), make_application()
    for _ in range(services.PAIR.free):
        client.post(URL, {"reference": mine.reference, "national_id": new_national_id()})
    assert (
        client.post(URL, {"reference": mine.reference, "national_id": mine.national_id}).status_code
        == 429
    )
    assert (
        client.post(
            URL,
            {"reference": neighbour.reference, "national_id": neighbour.national_id},
            follow=True,
        ).status_code
        == 200
    )


def test_one_ipv6_network_of_64_is_one_address(db):
    def key(addr):
        return services.client_address(Client(REMOTE_ADDR=addr).get("/").wsgi_request)

    assert key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:ffff:1:2:3") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("::ffff:192.0.2.1") == key("192.0.2.1") == "192.0.2.1"


def test_addresses_of_one_ipv6_network_share_the_quota(application):
    for n in range(services.PAIR.free):
        Client(REMOTE_ADDR=f"2001:db8:0:7::{n + 1}").post(
            URL, {"reference": application.reference, "national_id": new_national_id()}
        )
    same_net = Client(REMOTE_ADDR="2001:db8:0:7:dead:beef:0:1")
    other_net = Client(REMOTE_ADDR="2001:db8:0:8::1")
    pair = {"reference": application.reference, "national_id": application.national_id}
    assert same_net.post(URL, pair).status_code == 429
    assert other_net.post(URL, pair, follow=True).status_code == 200


# --- the JSON service takes JSON from other systems or this site's pages only -----------------


def test_the_json_service_refuses_text_plain_and_counts_nothing(client, application):
    body = json.dumps({"reference": application.reference, "national_id": new_national_id()})
    for _ in range(5):
        response = client.post(API, body, content_type="text/plain")
        assert response.status_code == 415 and response.json()["found"] is False
    response = client.post(API, {"reference": application.reference}, content_type="")
    assert response.status_code == 415
    assert not LookupThrottle.objects.exists()


def test_the_json_service_refuses_another_sites_page(client, application):
    wrong = {"reference": application.reference, "national_id": new_national_id()}
    for headers in (
        {"HTTP_ORIGIN": "https://evil.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://testserver"},
    ):
        for _ in range(4):
            response = client.post(API, wrong, content_type="application/json", **headers)
            assert response.status_code == 403, headers
    assert not LookupThrottle.objects.exists()
    # This site's own page, and a program that sends neither header, are answered.
    right = {"reference": application.reference, "national_id": application.national_id}
    own = client.post(
        API, right, content_type="application/json; charset=utf-8",
        HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin",
    )  # fmt: skip
    assert own.status_code == 200
    assert client.post(API, right, content_type="application/json").status_code == 200
