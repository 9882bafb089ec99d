"""The main menu: each app adds its entries in ``AppConfig.ready``; the menu shows an entry only
to the roles that may open it."""

from dataclasses import dataclass

from django.urls import reverse

from core.roles import roles_of


@dataclass(frozen=True)
class NavItem:
    order: int
    label: str
    url_name: str
    roles: frozenset[str]


_items: dict[str, NavItem] = {}


def register(order: int, label: str, url_name: str, roles) -> None:
    _items[url_name] = NavItem(order, label, url_name, frozenset(roles))


def items_for(user) -> list[dict]:
    mine = roles_of(user)
    return [
        {"label": item.label, "url": reverse(item.url_name), "name": item.url_name}
        for item in sorted(_items.values(), key=lambda i: i.order)
        if item.roles & mine
    ]
