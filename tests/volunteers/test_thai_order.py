"""Names sort in Thai dictionary order (a leading vowel after its consonant), not by code point,
in the register and the users list, the same on SQLite and PostgreSQL (core.collation)."""

from django.urls import reverse

from core import roles

# Code-point order would put เชียร (U+0E40 first) after ดวง.
THAI_ORDER = ["จันทร์", "ชาญ", "เชียร", "ดวง"]


def _order_in(html: str, names) -> list[str]:
    html = html[html.index("<tbody") :]  # the table's rows, not the filters above it
    found = sorted((html.index(n), n) for n in names if n in html)
    return [n for _, n in found]


def test_the_register_sorts_names_in_thai_order(client_for, kpi_admin, bangkok, make_volunteer):
    for name in reversed(THAI_ORDER):
        make_volunteer(bangkok, first_name=name)
    client = client_for(kpi_admin)
    html = client.get(reverse("volunteers:list") + "?sort=name").content.decode()
    assert _order_in(html, THAI_ORDER) == THAI_ORDER
    html = client.get(reverse("volunteers:list") + "?sort=-name").content.decode()
    assert _order_in(html, THAI_ORDER) == THAI_ORDER[::-1]


def test_the_users_list_sorts_names_in_thai_order(client_for, kpi_admin, make_user):
    for n, name in enumerate(reversed(THAI_ORDER)):
        user = make_user(roles.MANAGER, username=f"u{n}")
        user.first_name = name
        user.save()
    html = client_for(kpi_admin).get(reverse("accounts:list") + "?sort=full_name").content.decode()
    assert _order_in(html, THAI_ORDER) == THAI_ORDER
