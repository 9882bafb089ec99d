"""Who may open which page, asked by the pages that link to it.

A link is shown only to the roles whose request would succeed (a count on a KPI page is plain
text for a role that would get 403 behind it). The rule is the page's own: a view decorated with
a permission (``@permissions.can_view.required``, ``core.roles.Permission``) or with
:func:`core.roles.role_required` needs nothing more, since its roles are read from the view. A
page whose view decides otherwise registers the same check it makes, by URL name, in its app's
``AppConfig.ready``::

    access.register("shelters:kpi", permissions.can_read_kpi)
 A page without a rule is open to every logged-in user (the view itself may still
refuse an object outside the user's scope with a 404, which a link cannot know).

Templates ask with the ``can_open`` filter (``core/templatetags/access.py``)::

    {% if user|can_open:item.url %}<a href="{{ item.url }}">…</a>{% else %}…{% endif %}
"""

from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from core.roles import has_role

Rule = Callable[[object], bool]

_rules: dict[str, Rule] = {}


def _as_rule(rule: Rule | Iterable[str]) -> Rule:
    if callable(rule):
        return rule
    roles = frozenset(rule)
    return lambda user: has_role(user, *roles)


def register(url_name: str, rule: Rule | Iterable[str]) -> None:
    """``rule``: a function of the user (the view's own permission check) or a set of roles."""
    _rules[url_name] = _as_rule(rule)


def _rule_of(url_name: str, view) -> Rule | None:
    rule = _rules.get(url_name)
    if rule is None and view is not None:
        roles = getattr(view, "allowed_roles", None)
        if roles is not None:
            rule = _as_rule(roles)
    return rule


def can_open_name(user, url_name: str, *args, **kwargs) -> bool:
    """May ``user`` open the page named ``url_name`` (``"volunteers:plan-list"``)?"""
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        view = resolve(reverse(url_name, args=args, kwargs=kwargs)).func
    except (NoReverseMatch, Resolver404):  # a name that needs arguments: its rule decides
        view = None
    rule = _rule_of(url_name, view)
    return True if rule is None else bool(rule(user))


def can_open(user, url: str) -> bool:
    """May ``user`` open ``url`` (a path of this site, with or without a query)? Only what a
    rule refuses is hidden: a URL of another site, or a path no URL pattern of ours matches,
    is left to whoever made the link."""
    if not url:
        return False
    parts = urlsplit(str(url))
    if parts.scheme or parts.netloc:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return True
    rule = _rule_of(match.view_name, match.func)
    return True if rule is None else bool(rule(user))
