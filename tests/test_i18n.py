"""English mode: the main pages show English labels once the user picks English in the language
menu (a POST to set_language), and Thai stays the default."""

import ast
import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.models import Province
from indicators.models import Indicator
from shelters.models import Facility, FacilityKind, Resident


def english(client: Client) -> Client:
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


@pytest.fixture
def admin_client(client_for, kpi_admin):
    return client_for(kpi_admin)


@pytest.fixture
def resident(db):
    facility = Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )
    return Resident.objects.create(
        facility=facility,
        case_number="TYB-0001",
        full_name="สมชาย ใจดี",
        target_group="destitute",
        admitted_on=dt.date(2019, 1, 1),
    )


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# (English label, the Thai label it replaces) per page
DASHBOARD = [
    ("Total score (out of 100)", "คะแนนรวม (เต็ม 100)"),
    ("Weighted score", "คะแนนถ่วงน้ำหนัก"),
]
INDICATOR = [("Assessment criteria", "เกณฑ์การประเมิน"), ("Change history", "ประวัติการแก้ไข")]
RESIDENT_LIST = [
    ("Export Excel", "ส่งออก Excel"),
    ("Case number", ">เลขทะเบียน<"),
    ("Search", "ค้นหา"),
]
RESIDENT_DETAIL = [("Resident details", "ข้อมูลผู้รับบริการ"), ("Date of birth", "วันเกิด")]
VOLUNTEER_LIST = [("Volunteer register", "ทะเบียน อพม."), ("Filter", ">กรอง<")]
APPLICATION_LIST = [
    ("Subsidy applications", "คำขอรับเงินอุดหนุน"),
    ("Record new application", "บันทึกคำขอใหม่"),
]
PUBLIC_STATUS = [
    ("Subsidy application status check", "ตรวจสอบสถานะการขอรับเงินอุดหนุน"),
    ("Check status", ">ตรวจสอบสถานะ<"),
]
IMPORTS = [
    ("Import data from Excel / CSV files", "นำเข้าข้อมูลจากไฟล์"),
    ("Import history", "ประวัติการนำเข้า"),
]


def check(html: str, labels, *, language: str) -> None:
    for en, th in labels:
        if language == "en":
            assert en in html, en
            assert th not in html, th
        else:
            assert th in html, th
            assert en not in html, en


@pytest.mark.parametrize("language", ["th", "en"])
def test_staff_pages(admin_client, resident, fy2563, language):
    client = english(admin_client) if language == "en" else admin_client
    indicator = Indicator.objects.filter(indicator_set=fy2563, kind="ratio").first()
    check(
        page(client, reverse("indicators:dashboard") + "?year=2563"), DASHBOARD, language=language
    )
    check(
        page(client, reverse("indicators:indicator-detail", args=[indicator.pk])),
        INDICATOR,
        language=language,
    )
    check(page(client, reverse("shelters:resident-list")), RESIDENT_LIST, language=language)
    check(
        page(client, reverse("shelters:resident-detail", args=[resident.pk])),
        RESIDENT_DETAIL,
        language=language,
    )
    check(page(client, reverse("volunteers:list")), VOLUNTEER_LIST, language=language)
    check(page(client, reverse("subsidies:list")), APPLICATION_LIST, language=language)
    check(page(client, reverse("imports:upload")), IMPORTS, language=language)


def test_public_status_page_in_english(client, db):
    check(page(english(client), reverse("subsidies:status")), PUBLIC_STATUS, language="en")
    assert 'lang="en"' in page(client, reverse("subsidies:status"))


def test_thai_is_the_default_even_for_an_english_browser(client, db):
    response = client.get(reverse("subsidies:status"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert 'lang="th"' in html
    check(html, PUBLIC_STATUS, language="th")


def test_form_labels_follow_the_language(admin_client, db):
    html = page(english(admin_client), reverse("shelters:resident-add"))
    assert "Full name" in html and "Admission date" in html
    assert "ชื่อ-นามสกุล" not in html


# --- The translations live in the .po: none missing, none fuzzy, none the code lacks ----------

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MAKEMESSAGES_IGNORE = [".venv", "tests", "benchmarks", "test-artifacts", "media", "staticfiles"]


def test_every_english_entry_is_translated_and_none_is_fuzzy():
    run = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    # e.g. "1074 translated messages." (msgfmt adds ", N fuzzy translations, M untranslated")
    assert "fuzzy" not in run.stderr and "untranslated" not in run.stderr, run.stderr
    assert re.search(r"\d+ translated messages?\.", run.stderr), run.stderr


def _msgids(po: Path) -> set[str]:
    ids, current, in_id = set(), [], False
    for line in po.read_text(encoding="utf-8").splitlines():
        if line.startswith("msgid "):
            current, in_id = [ast.literal_eval(line[6:])], True
        elif line.startswith('"') and in_id:
            current.append(ast.literal_eval(line))
        else:
            if in_id and "".join(current):
                ids.add("".join(current))
            in_id = False
    return ids


def test_every_string_marked_in_the_code_is_in_the_po(tmp_path):
    """makemessages over a copy of the .po adds what the code marks and the .po lacks: nothing.
    It runs in a copy of the project's sources (makemessages writes to ./locale, and writes a
    temporary .py beside each template it reads), so the working tree stays as it is."""
    root = Path(settings.BASE_DIR)
    skip = shutil.ignore_patterns("__pycache__", "*.sqlite3", "*.pyc", "vendor", "*.map")
    for entry in root.iterdir():
        if entry.name not in {"locale", *MAKEMESSAGES_IGNORE} and not entry.name.startswith("."):
            if entry.is_dir():
                shutil.copytree(entry, tmp_path / entry.name, ignore=skip)
            else:
                shutil.copy(entry, tmp_path / entry.name)
    (tmp_path / "locale" / "en" / "LC_MESSAGES").mkdir(parents=True)
    copy = tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po"
    shutil.copy(PO, copy)
    run = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete",
         "--add-location=file", "-v0", *[f"--ignore={p}" for p in MAKEMESSAGES_IGNORE]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    missing = _msgids(copy) - _msgids(PO)
    assert not missing, "strings marked in the code but not in the .po (run `make messages`):\n" + (
        "\n".join(sorted(missing))
    )


def test_the_english_catalogue_is_built_not_committed():
    gitignore = (Path(settings.BASE_DIR) / ".gitignore").read_text()
    assert "locale/*/LC_MESSAGES/*.mo" in gitignore
    assert not (Path(settings.BASE_DIR) / "scripts" / "translations_en.py").exists()
