"""Error pages as pages of the site (kpitracker/urls.py's handler403/404 and, through
``CSRF_FAILURE_VIEW``, a refused form): in the site's layout, with the user's menu, in the
user's language, and with a way back (the page the user came from, when it is one of ours, and
the home page).

500 is Django's own handler, which renders ``500.html`` with no context at all (no request, no
database, no context processors); 400 (a request Django will not trust, such as an unknown Host
header) is rendered the same way here, because Django's own would run the context processors on
a request that never reached the authentication middleware. Both templates stand alone.
"""

from django.core.exceptions import DisallowedHost
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.csrf import csrf_failure as django_csrf_failure


def _back_url(request) -> str:
    """The page the user came from, if it is one of ours and not this page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer:
        return ""
    try:
        host = request.get_host()
    except DisallowedHost:  # a Host header we do not serve: no way back but home
        return ""
    ours = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={host}, require_https=request.is_secure()
    )
    if not ours or referer.endswith(request.get_full_path()):
        return ""
    return referer


def _page(request, template: str, status: int):
    back = _back_url(request)
    # The page names no address of its own (not even in the language switch, which returns to
    # where the user came from): a refused URL may be another scope's record.
    context = {"back_url": back, "language_next": back or reverse("home")}
    return render(request, template, context, status=status)


def permission_denied(request, exception=None):
    return _page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return _page(request, "404.html", 404)


def bad_request(request, exception=None):
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def csrf_failure(request, reason=""):
    """A form sent with an expired or missing security token (most often: the page stayed
    open past the session's end, or cookies are blocked). Django's own page if ours fails."""
    try:
        return _page(request, "403_csrf.html", 403)
    except Exception:  # never fail on the way to telling the user what went wrong
        return django_csrf_failure(request, reason=reason)
