from django.urls import reverse

LOGIN = reverse("login")


def test_a_user_logs_in_through_the_form(client, manager):
    response = client.post(LOGIN, {"username": "manager", "password": "x-test-pass-9"})
    assert response.status_code == 302
    assert response["Location"] == reverse("indicators:dashboard")


def test_a_wrong_password_says_so_in_thai(client, manager):
    response = client.post(LOGIN, {"username": "manager", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()


def test_repeated_failures_lock_the_account_from_that_address(client, manager, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "manager", "password": "wrong"})
    locked = client.post(LOGIN, {"username": "manager", "password": "x-test-pass-9"})
    assert locked.status_code == 429
    assert "ระงับการเข้าสู่ระบบชั่วคราว" in locked.content.decode()
    # Another address is not locked out by these failures.
    other = client.post(
        LOGIN, {"username": "manager", "password": "x-test-pass-9"}, REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302


def test_sessions_expire_and_passwords_are_validated(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    names = [v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "MinimumLengthValidator" in names and "CommonPasswordValidator" in names
