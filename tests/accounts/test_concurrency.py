"""Two admins (or two clicks) at once on the users pages, as real concurrent requests on
PostgreSQL: one create makes one user, of two edits or password resets opened on the same state
one is saved and the others are refused in Thai (409), never a 500 or a lost change."""

import uuid

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from accounts.models import Action, AuditEntry
from accounts.services import audit_stamp
from core import roles
from tests.accounts.conftest import GOOD_PASSWORD, create_data
from tests.accounts.test_users import edit_data
from tests.concurrency import on_postgresql, post_at_once, session_of

pytestmark = [on_postgresql, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _statuses(results) -> list[int]:
    statuses = sorted(status for status, _, _ in results)
    assert all(status < 500 for status in statuses), statuses
    return statuses


def test_six_identical_create_posts_make_one_user(live_server, kpi_admin):
    data = create_data(submission=str(uuid.uuid4()))
    results = post_at_once(
        live_server.url, reverse("accounts:create"), 6, cookies=session_of(kpi_admin), data=data
    )
    assert _statuses(results) == [302] * 6
    assert User.objects.filter(username="somsri").count() == 1
    assert AuditEntry.objects.filter(target__username="somsri", action=Action.CREATED).count() == 1


def test_two_admins_creating_one_username_at_once_get_one_user_and_a_thai_message(
    live_server, kpi_admin, make_user
):
    other = make_user(roles.ADMIN, username="other-admin")
    # Different forms (different tokens) with the same username, from two admins.
    results = []
    for admin in (kpi_admin, other):
        results += post_at_once(
            live_server.url,
            reverse("accounts:create"),
            3,
            cookies=session_of(admin),
            data=create_data(submission=str(uuid.uuid4())),
        )
    assert User.objects.filter(username="somsri").count() == 1
    statuses = _statuses(results)
    assert statuses.count(302) >= 1
    refused = [body for status, body, _ in results if status == 400]
    assert refused and all("มีผู้ใช้ชื่อนี้แล้ว" in body for body in refused)


def test_edits_opened_on_one_state_save_once_and_the_rest_are_refused(
    live_server, kpi_admin, make_user
):
    user = make_user(roles.MANAGER, username="target")
    data = edit_data(user, roles=[roles.MANAGER, roles.APPROVER], first_name="สมหมาย")
    results = post_at_once(
        live_server.url,
        reverse("accounts:edit", args=["target"]),
        5,
        cookies=session_of(kpi_admin),
        data=data,
    )
    assert _statuses(results) == [302] + [409] * 4
    user.refresh_from_db()
    assert user.first_name == "สมหมาย"
    assert set(user.groups.values_list("name", flat=True)) == {roles.MANAGER, roles.APPROVER}
    assert AuditEntry.objects.filter(target=user, action=Action.DETAILS).count() == 1


def test_password_resets_opened_on_one_state_set_one_password(live_server, kpi_admin, make_user):
    user = make_user(username="forgetful")
    data = {
        "password_mode": "typed",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "version": audit_stamp(user),
    }
    results = post_at_once(
        live_server.url,
        reverse("accounts:password", args=["forgetful"]),
        4,
        cookies=session_of(kpi_admin),
        data=data,
    )
    assert _statuses(results) == [302] + [409] * 3
    assert AuditEntry.objects.filter(target=user, action=Action.PASSWORD_SET).count() == 1


def test_deactivating_twice_at_once_is_one_change(live_server, kpi_admin, make_user):
    user = make_user(roles.MANAGER, username="leaving")
    results = post_at_once(
        live_server.url,
        reverse("accounts:set-active", args=["leaving"]),
        4,
        cookies=session_of(kpi_admin),
        data={"active": "0"},
    )
    assert _statuses(results) == [302] * 4
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEntry.objects.filter(target=user, action=Action.DEACTIVATED).count() == 1
