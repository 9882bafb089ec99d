"""Errors are pages of the site: 403 and 404 in the site's layout with the user's menu and a way
back, Thai first and English when chosen; 400 and 500 stand alone (no request, no context
processors, no database) and still look like the site, in both languages."""

import pytest
from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse
from django.template import loader
from django.test import Client, override_settings
from django.urls import include, path

from core import roles


def _boom(request):
    raise RuntimeError("a bug in a view")


def _database_down(request):
    raise OperationalError("could not connect to server")


def _form(request):
    return HttpResponse("sent")


# A URL conf of the project plus views that fail, with the project's error handlers.
urlpatterns = [
    path("boom/", _boom),
    path("database-down/", _database_down),
    path("form/", _form),
    path("", include("kpitracker.urls")),
]
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def owner_client(client_for, make_user):
    return client_for(make_user(roles.INDICATOR_OWNER, username="err-owner"))


def test_a_403_is_a_thai_page_of_the_site_with_the_menu_and_a_way_back(owner_client):
    response = owner_client.get("/shelters/")  # residents: not for indicator owners
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-status="403"' in html
    assert "ไม่มีสิทธิ์เปิดหน้านี้" in html
    assert "ผู้รับผิดชอบตัวชี้วัด" in html  # the user's role, said in words
    assert 'class="navbar' in html and 'href="/reports/"' in html  # the user's menu
    assert 'href="/shelters/"' not in html  # …without the page that refused
    assert "ย้อนกลับ" in html and 'href="/" data-testid="error-home"' in html
    assert "403 Forbidden" not in html


def test_a_403_in_english_mode_is_in_english(owner_client):
    html = english(owner_client).get("/shelters/").content.decode()
    assert "You may not open this page" in html
    assert "Indicator owner" in html and "Back" in html and "Go to the home page" in html
    assert "ไม่มีสิทธิ์เปิดหน้านี้" not in html
    assert 'lang="en"' in html


def test_the_way_back_is_the_page_the_user_came_from_when_it_is_ours(owner_client):
    ours = owner_client.get("/shelters/", HTTP_REFERER="http://testserver/reports/?year=2563")
    assert 'href="http://testserver/reports/?year=2563"' in ours.content.decode()
    theirs = owner_client.get("/shelters/", HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in theirs.content.decode()


def test_a_user_without_a_role_is_told_to_ask_an_admin_and_not_sent_round_in_circles(
    client_for, no_role_user
):
    response = client_for(no_role_user).get("/reports/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "บัญชีนี้ยังไม่ได้รับบทบาทใดในระบบ" in html
    assert 'data-testid="error-home"' not in html  # home would be one more 403


def test_a_404_is_a_thai_page_of_the_site_with_the_menu(client_for, manager):
    response = client_for(manager).get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-status="404"' in html and "ไม่พบหน้าที่ต้องการ" in html
    assert 'href="/reports/"' in html and 'href="/subsidies/"' in html  # manager's menu
    assert "ย้อนกลับ" in html
    assert "/no/such/page/" not in html  # a refused address may name another scope's record
    assert "Not Found" not in html


def test_an_object_outside_the_scope_is_the_same_404_page(client_for, manager):
    response = client_for(manager).get("/indicators/999999/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


def test_a_404_in_english_mode_is_in_english(client_for, manager):
    html = english(client_for(manager)).get("/no/such/page/").content.decode()
    assert "Page not found" in html and "Executive dashboard" in html
    assert "ไม่พบหน้าที่ต้องการ" not in html


def test_a_404_for_someone_not_logged_in_has_no_menu_but_a_way_home(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "ไม่พบหน้าที่ต้องการ" in html and 'href="/" data-testid="error-home"' in html
    assert 'href="/reports/"' not in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
@pytest.mark.parametrize("url", ["/boom/", "/database-down/"])
def test_a_500_is_a_page_of_the_site_in_thai_and_english(db, url):
    client = Client(raise_request_exception=False)
    response = client.get(url)
    assert response.status_code == 500
    html = response.content.decode()
    assert 'data-status="500"' in html
    assert "ระบบขัดข้องชั่วคราว" in html and "Server error" in html
    assert 'href="/"' in html and "ย้อนกลับ" in html
    assert "KPI Tracker" in html and "กรมพัฒนาสังคมและสวัสดิการ" in html
    assert "a bug in a view" not in html and "could not connect" not in html
    assert "Traceback" not in html


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_500_renders_even_when_the_context_processors_fail(db, monkeypatch):
    def broken(request):
        raise OperationalError("the database is gone")

    monkeypatch.setattr("core.context_processors.roles", broken)
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert "ระบบขัดข้องชั่วคราว" in response.content.decode()


def test_the_500_and_400_templates_need_no_context_and_no_database():
    """No ``db`` fixture: any database access here would raise."""
    for name, thai, english_text in (
        ("500.html", "ระบบขัดข้องชั่วคราว", "Server error"),
        ("400.html", "คำขอไม่ถูกต้อง", "Bad request"),
    ):
        html = loader.get_template(name).render()
        assert thai in html and english_text in html and 'href="/"' in html, name
        assert "/static/vendor/bootstrap/" in html or name == "400.html"


def test_a_request_for_a_host_we_do_not_serve_gets_the_400_page(db):
    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    html = response.content.decode()
    assert "คำขอไม่ถูกต้อง" in html and "Bad request" in html


def test_a_form_sent_without_its_security_token_gets_a_thai_page(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in html and "ย้อนกลับ" in html
    assert "CSRF verification failed" not in html


@override_settings(CSRF_FAILURE_VIEW="core.errors.csrf_failure")
def test_the_csrf_page_through_our_view_keeps_the_users_menu(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in html and 'href="/reports/"' in html
