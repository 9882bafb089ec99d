"""Project-wide checks: migrations complete, every named page renders, Thai first with English."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import NoReverseMatch, get_resolver, reverse


def test_there_are_no_missing_migrations(db):
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def _named_urls_without_arguments():
    resolver = get_resolver()
    names = set()
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        for name in sub.reverse_dict:
            if isinstance(name, str):
                try:
                    reverse(f"{namespace}:{name}")
                except NoReverseMatch:
                    continue  # needs arguments
                names.add(f"{namespace}:{name}")
    return sorted(names)


def test_every_page_without_arguments_renders_for_an_admin(client_for, kpi_admin):
    c = client_for(kpi_admin)
    checked = 0
    for name in _named_urls_without_arguments():
        if name.startswith("admin:"):
            continue
        response = c.get(reverse(name))
        assert response.status_code in (200, 302, 405), (name, response.status_code)
        checked += 1
    assert checked >= 3


def test_the_ui_is_thai_first_and_english_is_selectable(client, client_for, manager, fy2563):
    page = client.get(reverse("login"))
    assert 'lang="th"' in page.content.decode() and "เข้าสู่ระบบ" in page.content.decode()
    c = client_for(manager)
    assert "คะแนนรวม (เต็ม 100)" in c.get(reverse("indicators:dashboard")).content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = c.get(reverse("indicators:dashboard")).content.decode()
    assert 'lang="en"' in html
    assert "Total score (out of 100)" in html and "Log out" in html
    assert "30 Sep 2563 BE" in html  # dates keep the Buddhist era in English


@pytest.mark.parametrize("path", ["/", "/indicators/", "/admin/"])
def test_nothing_but_login_is_open_to_anonymous_visitors(client, db, path):
    response = client.get(path)
    assert response.status_code == 302


def test_an_english_browser_still_gets_thai_until_english_is_chosen(client_for, manager, fy2563):
    c = client_for(manager)
    html = c.get(reverse("indicators:dashboard"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content
    assert "คะแนนรวม (เต็ม 100)" in html.decode()


APP_DIRS = ["accounts", "catalog", "core", "imports", "indicators", "reports", "shelters",
            "subsidies", "volunteers"]  # fmt: skip


def test_no_app_code_takes_the_date_or_time_of_the_machines_zone():
    """Every date and time the app writes is Asia/Bangkok (the server's zone is UTC): today is
    ``timezone.localdate()``, now is ``timezone.now()``/``localtime()``, never the machine's."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    banned = re.compile(r"\b(?:dt\.|datetime\.)?date\.today\(\)|datetime\.now\(\)|utcnow\(\)")
    found = [
        f"{path.relative_to(root)}:{number}"
        for app in APP_DIRS
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if banned.search(line)
    ]
    assert not found, found
