"""``manage.py createadmin``: the first admin of a new installation."""

import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import AuditEntry
from core import roles
from core.roles import roles_of


def test_it_creates_an_admin_with_a_generated_password(db):
    out = StringIO()
    call_command(
        "createadmin", "--username", "first-admin", "--first-name", "สมชาย", "--noinput", stdout=out
    )
    user = User.objects.get(username="first-admin")
    assert roles.ADMIN in roles_of(user)
    assert not user.is_superuser and not user.is_staff
    assert user.profile is not None
    password = re.search(r"รหัสผ่านครั้งเดียว \(แสดงครั้งเดียว\): (\S+)", out.getvalue()).group(1)
    client = Client()
    assert (
        client.post(
            "/accounts/login/", {"username": "first-admin", "password": password}
        ).status_code
        == 302
    )
    assert client.get("/users/").status_code == 200
    texts = [a.text for a in AuditEntry.objects.filter(target=user).order_by("id")]
    assert texts == ["สร้างผู้ใช้ first-admin (คำสั่ง createadmin)", "ให้บทบาท ผู้ดูแลระบบ"]


def test_it_asks_for_a_password_and_checks_it(db, monkeypatch):
    answers = iter(["12345678", "12345678", "Kluay-Hom-2563!", "Kluay-Hom-2563!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    err = StringIO()
    call_command("createadmin", "--username", "asked", stdout=StringIO(), stderr=err)
    assert "รหัสผ่านต้องไม่เป็นตัวเลขทั้งหมด" in err.getvalue()
    login = {"username": "asked", "password": "Kluay-Hom-2563!"}
    assert Client().post("/accounts/login/", login).status_code == 302


def test_it_refuses_an_existing_user_unless_asked(make_user):
    user = make_user(roles.MANAGER, username="existing")
    with pytest.raises(CommandError, match="มีผู้ใช้ existing อยู่แล้ว"):
        call_command("createadmin", "--username", "existing", "--noinput", stdout=StringIO())
    call_command("createadmin", "--username", "existing", "--existing", stdout=StringIO())
    assert set(user.groups.values_list("name", flat=True)) == {roles.MANAGER, roles.ADMIN}
