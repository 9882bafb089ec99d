"""Who may do what: readers (admins, approvers, managers, indicator owners) see rounds; only an
indicator's owners (and admins) write its narrative; admins and approvers close; only admins
define and reopen rounds; every other role gets 403 and an anonymous visitor the login page."""

import pytest
from django.urls import reverse

from core import roles
from indicators.models import Indicator
from reporting.models import Narrative, Snapshot


@pytest.fixture
def domain_users(make_user, bangkok):
    return [
        make_user(roles.FACILITY_STAFF, username="facility-staff"),
        make_user(roles.PROVINCIAL_OFFICER, username="officer", province=bangkok),
        make_user(roles.SUBSIDY_OFFICER, username="subsidy"),
        make_user(username="nobody"),
    ]


def _pages(round_, indicator):
    return [
        reverse("reporting:round-list"),
        reverse("reporting:round-detail", args=[round_.pk]),
        reverse("reporting:round-indicator", args=[round_.pk, indicator.pk]),
        reverse("reporting:narrative-edit", args=[round_.pk, indicator.pk]),
        reverse("reporting:round-create") + "?year=2563",
        reverse("reporting:round-edit", args=[round_.pk]),
        reverse("reporting:round-reopen", args=[round_.pk]),
    ]


@pytest.fixture
def kpi11(fy2563):
    return Indicator.objects.get(indicator_set=fy2563, code="1.1")


def test_anonymous_visitors_are_sent_to_log_in(client, six, kpi11):
    for url in _pages(six, kpi11):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("reporting:round-close", args=[six.pk]))
    assert "/accounts/login/" in response["Location"]


def test_the_domain_roles_get_403_everywhere(client_for, domain_users, six, kpi11):
    for user in domain_users:
        client = client_for(user)
        for url in _pages(six, kpi11):
            assert client.get(url).status_code == 403, (user.username, url)
        assert client.post(reverse("reporting:round-close", args=[six.pk])).status_code == 403


def test_managers_read_every_round_page_and_change_nothing(client_for, manager, closed_six, kpi11):
    client = client_for(manager)
    for url in _pages(closed_six, kpi11)[:3]:
        assert client.get(url).status_code == 200, url
    for url in _pages(closed_six, kpi11)[3:]:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("reporting:round-close", args=[closed_six.pk])).status_code == 403
    response = client.post(
        reverse("reporting:round-reopen", args=[closed_six.pk]), {"reason": "ลองเปิด"}
    )
    assert response.status_code == 403
    closed_six.refresh_from_db()
    assert closed_six.is_closed


def test_an_owner_of_other_indicators_cannot_write_this_ones_narrative(
    client_for, other_owner, six, kpi11, fy2563
):
    Indicator.objects.get(indicator_set=fy2563, code="3.2").owners.add(other_owner)
    client = client_for(other_owner)
    url = reverse("reporting:narrative-edit", args=[six.pk, kpi11.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"result_text": "ไม่ใช่ของฉัน", "submit": "1"}).status_code == 403
    assert not Narrative.objects.exists()
    own = Indicator.objects.get(indicator_set=fy2563, code="3.2")
    assert client.get(reverse("reporting:narrative-edit", args=[six.pk, own.pk])).status_code == 200
    # Owners read the rounds but neither close nor reopen them.
    assert client.get(reverse("reporting:round-detail", args=[six.pk])).status_code == 200
    assert client.post(reverse("reporting:round-close", args=[six.pk])).status_code == 403


def test_the_open_round_page_offers_writing_only_to_the_indicators_owners(
    client_for, other_owner, owner, six, fy2563
):
    Indicator.objects.get(indicator_set=fy2563, code="3.2").owners.add(other_owner)
    html = client_for(other_owner).get(reverse("reporting:round-detail", args=[six.pk]))
    text = html.content.decode()
    assert text.count("เขียนคำบรรยาย") == 1
    assert "ปิดรอบและบันทึกผล" not in text  # the close button is for admins and approvers
    assert (
        client_for(owner)
        .get(reverse("reporting:round-detail", args=[six.pk]))
        .content.decode()
        .count("เขียนคำบรรยาย")
        == 5
    )


def test_approvers_close_but_only_admins_reopen_and_define_rounds(
    client_for, approver, kpi_admin, closed_six
):
    client = client_for(approver)
    assert client.get(reverse("reporting:round-reopen", args=[closed_six.pk])).status_code == 403
    assert client.get(reverse("reporting:round-create") + "?year=2563").status_code == 403
    admin = client_for(kpi_admin)
    assert admin.get(reverse("reporting:round-reopen", args=[closed_six.pk])).status_code == 200
    assert admin.get(reverse("reporting:round-create") + "?year=2563").status_code == 200
    assert Snapshot.objects.filter(round=closed_six).count() == 1


def test_the_menu_shows_the_rounds_to_readers_only(client_for, manager, domain_users):
    url = reverse("reporting:round-list")
    menu = client_for(manager).get(reverse("reports:dashboard")).content.decode()
    assert f'href="{url}"' in menu
    staff_menu = client_for(domain_users[0]).get(reverse("reports:dashboard")).content.decode()
    assert f'href="{url}"' not in staff_menu
