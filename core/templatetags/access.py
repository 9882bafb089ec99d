"""``{% load access %}``: show a link only to a user who may open it (``core.access``).

``{% if user|can_open:item.url %}`` for a URL (a path of the site, with its query), or
``{% if user|can_open:"volunteers:list" %}`` for a page by its URL name.
"""

from django import template

from core import access

register = template.Library()


@register.filter
def can_open(user, target) -> bool:
    target = str(target or "")
    if ":" in target and not target.startswith("/") and "//" not in target:
        return access.can_open_name(user, target)
    return access.can_open(user, target)
