"""The main menu: each app adds its entries in ``AppConfig.ready``; the menu shows an entry only
to the roles that may open it: the entry's roles, and the page's own rule (``core.access``:
the roles of a ``role_required`` view or the check its app registered), so that an entry never
leads to a 403."""

from dataclasses import dataclass

from django.urls import reverse

from core import access
from core.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str  # a gettext_lazy string: the menu shows it in the current language
    url_name: str
    roles: frozenset[str] | None


_items: dict[str, NavItem] = {}


def register(order: int, label: str, url_name: str, roles=None) -> None:
    """``roles=None``: the entry shows to whoever may open the page (its ``core.access`` rule)."""
    _items[url_name] = NavItem(order, label, url_name, None if roles is None else frozenset(roles))


def items_for(user) -> list[dict]:
    mine = roles_of(user)
    return [
        {"label": item.label, "url": reverse(item.url_name), "name": item.url_name}
        for item in sorted(_items.values(), key=lambda i: i.order)
        if (item.roles is None or item.roles & mine) and access.can_open_name(user, item.url_name)
    ]
