"""The admins' users pages: create with each scope, roles given and taken, deactivate, reset a
password, and the audit trail on the user's page."""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from accounts.models import Action, AuditEntry
from accounts.services import audit_stamp
from core import roles
from shelters.models import FacilityStaff
from tests.accounts.conftest import GOOD_PASSWORD, create_data

# core.versioned.STALE_TEXT, as the page shows it (the tests run in Thai).
STALE = "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก จึงยังไม่ได้บันทึก"
CREATE = reverse("accounts:create")
LOGIN = reverse("login")


def detail(username):
    return reverse("accounts:detail", args=[username])


def edit_data(user, **overrides) -> dict:
    profile = user.profile
    assignment = FacilityStaff.objects.filter(user=user).first()
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "position": profile.position,
        "roles": list(user.groups.values_list("name", flat=True)),
        "province": profile.province_id or "",
        "facility": assignment.facility_id if assignment else "",
        "version": audit_stamp(user),
    }
    data.update(overrides)
    return data


def _changes_shown(response) -> str:
    """The refused form's list of what changed since it was opened."""
    html = response.content.decode()
    start = html.index('data-testid="changes-since"')
    return html[start : html.index("</section>", start)]


def audit_texts(user) -> list[str]:
    return [a.text for a in AuditEntry.objects.filter(target=user).order_by("id")]


def logs_in(username, password) -> bool:
    """Through the login form (django-axes needs the request)."""
    response = Client().post(LOGIN, {"username": username, "password": password})
    return response.status_code == 302


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_users_in_thai_and_filters_by_role_and_status(
    admin_client, make_user, chiang_mai
):
    make_user(roles.PROVINCIAL_OFFICER, username="officer-cm", province=chiang_mai)
    gone = make_user(roles.MANAGER, username="gone-manager")
    gone.is_active = False
    gone.save()
    page = admin_client.get(reverse("accounts:list")).content.decode()
    assert "officer-cm" in page and "เจ้าหน้าที่ พมจ." in page and "จังหวัดเชียงใหม่" in page
    assert "ระงับการใช้งาน" in page
    officers = admin_client.get(reverse("accounts:list"), {"role": roles.PROVINCIAL_OFFICER})
    assert "officer-cm" in officers.content.decode()
    assert "gone-manager" not in officers.content.decode()
    inactive = admin_client.get(reverse("accounts:list"), {"status": "inactive"}).content.decode()
    assert "gone-manager" in inactive and "officer-cm" not in inactive
    found = admin_client.get(reverse("accounts:list"), {"q": "officer"}).content.decode()
    assert "officer-cm" in found and "gone-manager" not in found


def test_the_list_shows_last_login_in_buddhist_era(admin_client, make_user):
    user = make_user(roles.MANAGER, username="logged-in")
    assert logs_in("logged-in", "x-test-pass-9")
    user.refresh_from_db()
    page = admin_client.get(reverse("accounts:list")).content.decode()
    assert str(user.last_login.year + 543) in page


def test_the_list_exports_csv(admin_client, make_user):
    make_user(roles.MANAGER, username="exported")
    response = admin_client.get(reverse("accounts:list"), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert "exported" in body.decode("utf-8-sig")


def test_the_menu_offers_users_to_admins_only(admin_client, client_for, manager):
    assert (
        reverse("accounts:list") in admin_client.get(reverse("reports:dashboard")).content.decode()
    )
    page = client_for(manager).get(reverse("reports:dashboard")).content.decode()
    assert reverse("accounts:list") not in page


# --- create -----------------------------------------------------------------------------------


def test_an_admin_creates_a_provincial_officer_with_a_province(admin_client, kpi_admin, chiang_mai):
    data = create_data(roles=[roles.PROVINCIAL_OFFICER], province=chiang_mai.pk)
    response = admin_client.post(CREATE, data)
    assert response.status_code == 302
    user = User.objects.get(username="somsri")
    assert set(user.groups.values_list("name", flat=True)) == {roles.PROVINCIAL_OFFICER}
    assert user.profile.province == chiang_mai
    assert user.profile.position == "นักพัฒนาสังคมชำนาญการ"
    assert not user.is_staff and not user.is_superuser
    assert audit_texts(user) == [
        "สร้างผู้ใช้ somsri",
        "ให้บทบาท เจ้าหน้าที่ พมจ.",
        "กำหนดจังหวัด เชียงใหม่",
    ]
    assert AuditEntry.objects.filter(target=user).exclude(actor=kpi_admin).count() == 0
    assert logs_in("somsri", GOOD_PASSWORD)


def test_an_admin_creates_facility_staff_with_a_facility(admin_client, facility):
    data = create_data(roles=[roles.FACILITY_STAFF], facility=facility.pk)
    assert admin_client.post(CREATE, data).status_code == 302
    user = User.objects.get(username="somsri")
    assert FacilityStaff.objects.get(user=user).facility == facility
    assert user.profile.province is None
    assert f"กำหนดหน่วยงาน {facility}" in audit_texts(user)


def test_an_admin_creates_a_manager_without_scope(admin_client):
    assert admin_client.post(CREATE, create_data(roles=[roles.MANAGER])).status_code == 302
    user = User.objects.get(username="somsri")
    assert not FacilityStaff.objects.filter(user=user).exists()
    assert user.profile.province is None


def test_a_provincial_officer_needs_a_province_and_the_form_keeps_what_was_typed(admin_client):
    data = create_data(roles=[roles.PROVINCIAL_OFFICER, roles.MANAGER])
    response = admin_client.post(CREATE, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "เจ้าหน้าที่ พมจ. ต้องกำหนดจังหวัดที่รับผิดชอบ" in html
    assert 'value="somsri"' in html and 'value="สมศรี"' in html
    assert 'value="somsri@example.go.th"' in html
    checked = re.findall(r'value="(\w+)"[^>]*checked', html)
    assert roles.PROVINCIAL_OFFICER in checked and roles.MANAGER in checked
    assert GOOD_PASSWORD not in html  # a password is never echoed back
    assert not User.objects.filter(username="somsri").exists()


def test_facility_staff_need_a_facility(admin_client):
    response = admin_client.post(CREATE, create_data(roles=[roles.FACILITY_STAFF]))
    assert response.status_code == 400
    assert "เจ้าหน้าที่สถานคุ้มครองฯ ต้องกำหนดหน่วยงานที่สังกัด" in response.content.decode()


def test_a_province_without_the_officer_role_is_refused(admin_client, chiang_mai):
    response = admin_client.post(CREATE, create_data(roles=[roles.MANAGER], province=chiang_mai.pk))
    assert response.status_code == 400
    assert "กำหนดจังหวัดได้เฉพาะผู้ที่มีบทบาทเจ้าหน้าที่ พมจ." in response.content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-x", "รหัสผ่านสั้นเกินไป ต้องมีอย่างน้อย 8 ตัวอักษร"),
        ("password123", "รหัสผ่านนี้ใช้กันทั่วไป"),
        ("2563256325632563", "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด"),
        ("somsri99", "รหัสผ่านคล้ายกับชื่อผู้ใช้มากเกินไป"),
    ],
)
def test_a_weak_password_is_refused_in_thai(admin_client, password, message):
    response = admin_client.post(CREATE, create_data(password1=password, password2=password))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.filter(username="somsri").exists()


def test_the_two_passwords_must_match(admin_client):
    response = admin_client.post(CREATE, create_data(password2="Something-else-99"))
    assert response.status_code == 400
    assert "รหัสผ่านทั้งสองช่องไม่ตรงกัน" in response.content.decode()


def test_a_taken_username_is_refused(admin_client, make_user):
    make_user(username="Somsri")
    response = admin_client.post(CREATE, create_data())
    assert response.status_code == 400
    assert "มีผู้ใช้ชื่อนี้แล้ว" in response.content.decode()


def test_a_generated_password_is_shown_once_and_works(admin_client):
    response = admin_client.post(
        CREATE, create_data(roles=[roles.MANAGER], password_mode="generate", password1="")
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = re.search(
        r'data-testid="one-time-password">([^<]+)<', response.content.decode()
    ).group(1)
    assert logs_in("somsri", password)
    page = admin_client.get(detail("somsri")).content.decode()
    assert password not in page
    assert not [a for a in AuditEntry.objects.all() if password in a.detail]


# --- edit roles and scope ---------------------------------------------------------------------


def test_roles_are_given_and_taken_and_the_page_shows_it_in_thai(
    admin_client, make_user, chiang_mai, bangkok
):
    user = make_user(roles.PROVINCIAL_OFFICER, username="officer", province=bangkok)
    url = reverse("accounts:edit", args=["officer"])
    data = edit_data(user, roles=[roles.PROVINCIAL_OFFICER, roles.MANAGER], province=chiang_mai.pk)
    assert admin_client.post(url, data).status_code == 302
    data = edit_data(user, roles=[roles.MANAGER], province="")
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert set(user.groups.values_list("name", flat=True)) == {roles.MANAGER}
    assert user.profile.province is None
    assert audit_texts(user) == [
        "ให้บทบาท ผู้บริหาร",
        "กำหนดจังหวัด เชียงใหม่",
        "ถอนบทบาท เจ้าหน้าที่ พมจ.",
        "ยกเลิกจังหวัด",
    ]
    page = admin_client.get(detail("officer")).content.decode()
    for text in audit_texts(user):
        assert text in page
    assert "ผู้ใช้1" in page or "kpi-admin" in page  # who did it
    assert " น." in page  # Bangkok time
    assert roles.MANAGER not in re.sub(r"<[^>]+>", "", page)  # labels, not codes


def test_facility_staff_move_facility_and_lose_it_with_the_role(
    admin_client, make_user, facility, other_facility
):
    user = make_user(roles.FACILITY_STAFF, username="staff")
    FacilityStaff.objects.create(user=user, facility=facility)
    url = reverse("accounts:edit", args=["staff"])
    assert admin_client.post(url, edit_data(user, facility=other_facility.pk)).status_code == 302
    assert FacilityStaff.objects.get(user=user).facility == other_facility
    assert admin_client.post(url, edit_data(user, roles=[], facility="")).status_code == 302
    assert not FacilityStaff.objects.filter(user=user).exists()
    assert audit_texts(user) == [
        f"กำหนดหน่วยงาน {other_facility}",
        "ถอนบทบาท เจ้าหน้าที่สถานคุ้มครองฯ",
        f"ยกเลิกหน่วยงาน {other_facility}",
    ]


def test_a_form_opened_before_another_admins_change_is_refused(admin_client, client_for, make_user):
    user = make_user(roles.MANAGER, username="target")
    stale = edit_data(user, roles=[roles.MANAGER, roles.APPROVER])
    other_admin = client_for(make_user(roles.ADMIN, username="other-admin"))
    url = reverse("accounts:edit", args=["target"])
    assert (
        other_admin.post(
            url, edit_data(user, roles=[roles.MANAGER, roles.SUBSIDY_OFFICER])
        ).status_code
        == 302
    )
    response = admin_client.post(url, stale)
    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert "ให้บทบาท เจ้าหน้าที่เงินอุดหนุน" in _changes_shown(response)
    names = set(user.groups.values_list("name", flat=True))
    assert names == {roles.MANAGER, roles.SUBSIDY_OFFICER}


def test_a_refused_edit_keeps_what_was_typed_and_a_second_save_is_deliberate(
    admin_client, client_for, make_user
):
    """The users pages are version-checked as every edit form is (core.versioned): the refused
    form shows what was typed and carries the user's current version, so saving it again (after
    comparing) is accepted, and saves what was typed."""
    user = make_user(roles.MANAGER, username="target")
    stale = edit_data(user, first_name="สมหญิง", roles=[roles.MANAGER, roles.APPROVER])
    other_admin = client_for(make_user(roles.ADMIN, username="other-admin"))
    url = reverse("accounts:edit", args=["target"])
    assert other_admin.post(url, edit_data(user, position="นักพัฒนาสังคม")).status_code == 302
    response = admin_client.post(url, stale)
    assert response.status_code == 409
    form = response.context["form"]
    assert form["first_name"].value() == "สมหญิง"
    assert form["version"].value() == str(audit_stamp(user)) != str(stale["version"])
    user.refresh_from_db()
    assert user.first_name != "สมหญิง"
    again = dict(stale, version=form["version"].value())
    assert admin_client.post(url, again).status_code == 302
    user.refresh_from_db()
    # What the form held, position included: the admin was shown the other's change and chose.
    assert user.first_name == "สมหญิง" and user.profile.position == ""
    assert set(user.groups.values_list("name", flat=True)) == {roles.MANAGER, roles.APPROVER}


def test_an_edit_without_its_version_is_refused_in_thai(admin_client, make_user):
    user = make_user(roles.MANAGER, username="target")
    data = edit_data(user, first_name="สมหญิง")
    del data["version"]
    response = admin_client.post(reverse("accounts:edit", args=["target"]), data)
    assert response.status_code == 400
    assert "ไม่มีรุ่นของข้อมูล" in response.content.decode()
    user.refresh_from_db()
    assert user.first_name != "สมหญิง"


def test_an_admin_cannot_remove_their_own_admin_role(admin_client, kpi_admin):
    url = reverse("accounts:edit", args=[kpi_admin.username])
    response = admin_client.post(url, edit_data(kpi_admin, roles=[roles.MANAGER]))
    assert response.status_code == 400
    assert "ถอนบทบาทผู้ดูแลระบบของตนเองไม่ได้" in response.content.decode()
    assert kpi_admin.groups.filter(name=roles.ADMIN).exists()


def test_details_changes_are_audited(admin_client, make_user):
    user = make_user(username="renamed")
    url = reverse("accounts:edit", args=["renamed"])
    data = edit_data(user, last_name="ใหม่", position="ผู้อำนวยการ")
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert user.last_name == "ใหม่" and user.profile.position == "ผู้อำนวยการ"
    assert audit_texts(user) == ["แก้ไขข้อมูล นามสกุล, ตำแหน่ง"]


# --- deactivate, reactivate -------------------------------------------------------------------


def test_deactivating_ends_the_users_login_and_reactivating_restores_it(
    admin_client, client_for, make_user
):
    user = make_user(roles.MANAGER, username="leaver")
    their_client = client_for(user)
    assert their_client.get(reverse("reports:dashboard")).status_code == 200
    url = reverse("accounts:set-active", args=["leaver"])
    assert admin_client.post(url, {"active": "0"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    gone = their_client.get(reverse("reports:dashboard"))
    assert gone.status_code == 302 and gone["Location"].startswith(LOGIN)
    assert not logs_in("leaver", "x-test-pass-9")
    assert admin_client.post(url, {"active": "1"}).status_code == 302
    assert logs_in("leaver", "x-test-pass-9")
    assert audit_texts(user) == ["ระงับการใช้งาน", "เปิดใช้งานอีกครั้ง"]


def test_an_admin_cannot_deactivate_themself(admin_client, kpi_admin):
    url = reverse("accounts:set-active", args=[kpi_admin.username])
    response = admin_client.post(url, {"active": "0"})
    assert response.status_code == 400
    assert "ระงับการใช้งานบัญชีของตนเองไม่ได้" in response.content.decode()
    kpi_admin.refresh_from_db()
    assert kpi_admin.is_active


def test_deactivation_is_post_only(admin_client, make_user):
    make_user(username="someone")
    assert admin_client.get(reverse("accounts:set-active", args=["someone"])).status_code == 405


# --- passwords --------------------------------------------------------------------------------


def test_an_admin_sets_a_new_password_and_the_old_one_stops_working(
    admin_client, client_for, make_user
):
    user = make_user(roles.MANAGER, username="forgetful")
    their_client = client_for(user)
    url = reverse("accounts:password", args=["forgetful"])
    data = {
        "password_mode": "typed",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "version": audit_stamp(user),
    }
    assert admin_client.post(url, data).status_code == 302
    assert logs_in("forgetful", GOOD_PASSWORD)
    assert not logs_in("forgetful", "x-test-pass-9")
    ended = their_client.get(reverse("reports:dashboard"))
    assert ended.status_code == 302 and ended["Location"].startswith(LOGIN)
    assert audit_texts(user) == ["ตั้งรหัสผ่านใหม่"]
    page = admin_client.get(detail("forgetful")).content.decode()
    assert "ตั้งรหัสผ่านใหม่" in page and GOOD_PASSWORD not in page


def test_a_generated_reset_password_is_shown_once(admin_client, make_user):
    user = make_user(username="locked-out")
    url = reverse("accounts:password", args=["locked-out"])
    response = admin_client.post(url, {"password_mode": "generate", "version": audit_stamp(user)})
    assert response.status_code == 200
    password = re.search(
        r'data-testid="one-time-password">([^<]+)<', response.content.decode()
    ).group(1)
    assert logs_in("locked-out", password)
    assert AuditEntry.objects.get(target=user).action == Action.PASSWORD_SET


def test_a_password_form_opened_before_another_admins_reset_is_refused(
    admin_client, client_for, make_user
):
    user = make_user(username="twice")
    url = reverse("accounts:password", args=["twice"])
    opened = audit_stamp(user)
    other_admin = client_for(make_user(roles.ADMIN, username="other-admin"))
    assert (
        other_admin.post(url, {"password_mode": "generate", "version": opened}).status_code == 200
    )
    data = {
        "password_mode": "typed",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "version": opened,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 409
    assert STALE in response.content.decode()
    assert "ตั้งรหัสผ่านใหม่ (สร้างรหัสผ่านครั้งเดียว)" in _changes_shown(response)
    assert not logs_in("twice", GOOD_PASSWORD)
    assert audit_texts(user) == ["ตั้งรหัสผ่านใหม่ (สร้างรหัสผ่านครั้งเดียว)"]


def test_a_weak_reset_password_is_refused(admin_client, make_user):
    make_user(username="weak")
    url = reverse("accounts:password", args=["weak"])
    response = admin_client.post(
        url,
        {"password_mode": "typed", "password1": "12345678", "password2": "12345678", "version": 0},
    )
    assert response.status_code == 400
    assert "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in response.content.decode()
    assert logs_in("weak", "x-test-pass-9")


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [
        roles.MANAGER,
        roles.APPROVER,
        roles.INDICATOR_OWNER,
        roles.FACILITY_STAFF,
        roles.PROVINCIAL_OFFICER,
        roles.SUBSIDY_OFFICER,
    ],
)
def test_other_roles_get_403_and_change_nothing(client_for, make_user, role):
    target = make_user(roles.MANAGER, username="target")
    client = client_for(make_user(role, username="intruder"))
    assert client.get(reverse("accounts:list")).status_code == 403
    assert client.get(detail("target")).status_code == 403
    assert client.post(CREATE, create_data(roles=[roles.ADMIN])).status_code == 403
    edit = reverse("accounts:edit", args=["target"])
    assert client.post(edit, edit_data(target, roles=[roles.ADMIN])).status_code == 403
    active = reverse("accounts:set-active", args=["target"])
    assert client.post(active, {"active": "0"}).status_code == 403
    assert not User.objects.filter(username="somsri").exists()
    target.refresh_from_db()
    assert target.is_active and not target.groups.filter(name=roles.ADMIN).exists()


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("accounts:list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_a_superuser_counts_as_admin_and_still_opens_the_django_admin(client_for, db):
    root = User.objects.create_superuser("root", "root@example.go.th", "x-test-pass-9")
    client = client_for(root)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 200
    assert client.get(reverse("accounts:list")).status_code == 200
    assert client.get(detail("root")).status_code == 200  # no profile yet: still a page


def test_writes_need_csrf(kpi_admin, make_user):
    make_user(username="someone")
    client = Client(enforce_csrf_checks=True)
    client.force_login(kpi_admin)
    response = client.post(reverse("accounts:set-active", args=["someone"]), {"active": "0"})
    assert response.status_code == 403
    assert User.objects.get(username="someone").is_active


def test_the_demo_admin_administers_users_in_the_app_not_in_django_admin(client_for, db):
    from core import demo

    admin = demo.make_user("admin", "ผู้ดูแล", "ระบบ", roles.ADMIN)
    assert not admin.is_staff and not admin.is_superuser
    client = client_for(admin)
    assert client.get(reverse("accounts:list")).status_code == 200
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_every_users_page_and_the_menu_entry_take_one_permission(make_user, kpi_admin):
    """accounts.permissions.can_manage_users is the users pages' one rule: each view is decorated
    with it (core.access reads its roles for links) and the menu entry shows by it."""
    from accounts import urls
    from accounts.permissions import can_manage_users
    from core import nav

    assert [p.callback.allowed_roles for p in urls.urlpatterns] == [can_manage_users.roles] * len(
        urls.urlpatterns
    )
    assert "accounts:list" in [i["name"] for i in nav.items_for(kpi_admin)]
    for role in roles.ALL_ROLES:
        if role != roles.ADMIN:
            user = make_user(role, username=f"menu-{role}")
            assert "accounts:list" not in [i["name"] for i in nav.items_for(user)]
