"""The project's middleware.

``RefuseControlCharactersMiddleware``: a query parameter (name or value) holding a control
character, or a posted field holding a NUL, is a 400 (the site's 400 page) before any view runs:
such a request comes from no page of ours, and a NUL would otherwise reach the database
(PostgreSQL refuses it in text, a 500). Other control characters in posted fields reach the forms,
which refuse them with a Thai message and keep what was typed (``core.forms.BootstrapMixin``).

``TrustedProxyMiddleware``: behind a reverse proxy, the client's address arrives in X-Forwarded-For.

Only the proxies we run may set it: with ``TRUSTED_PROXY_COUNT = n`` the client address is the
n-th address from the right of X-Forwarded-For (the one our outermost proxy saw); anything a
client wrote further left is ignored. REMOTE_ADDR is rewritten once, here, so that the login
throttle (django-axes) and the public status page's throttle both see the real address.
"""

import logging
import re

from django.conf import settings
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

# In a query string no control character belongs (C0 but tab and line breaks, DEL); in a posted
# field, NUL (the forms refuse the others themselves, with a message).
QUERY_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
POST_CONTROL = re.compile("\x00")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds(params, pattern) -> bool:
    return any(
        pattern.search(key) or any(pattern.search(value) for value in values)
        for key, values in params.lists()
    )


class RefuseControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refused = _holds(request.GET, QUERY_CONTROL)
        if not refused and request.method == "POST" and request.content_type in FORM_TYPES:
            refused = _holds(request.POST, POST_CONTROL)
        if refused:
            from core.errors import bad_request

            logger.info("control character in a parameter: %s %s", request.method, request.path)
            return bad_request(request)
        return self.get_response(request)


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)

    def __call__(self, request):
        if self.count:
            forwarded = [
                part.strip()
                for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if part.strip()
            ]
            if len(forwarded) >= self.count:
                request.META["REMOTE_ADDR"] = forwarded[-self.count]
        return self.get_response(request)


# PostgreSQL's codes for a statement cancelled by statement_timeout, a lock wait ended by
# lock_timeout (settings.py sets both for the web process), and a transaction chosen as a
# deadlock's victim or refused as a serialization failure: each is "busy, try again" (nothing
# was written), never a server error.
BUSY_SQLSTATES = {"57014", "55P03", "40P01", "40001"}
BUSY_TEXT = "ระบบไม่ว่างชั่วคราว โปรดลองใหม่อีกครั้งในอีกสักครู่"


class DatabaseBusyMiddleware:
    """A request whose query ran out of time answers 503 with a Thai "try again" page and a
    Retry-After, instead of a server error: the rest of the site is fine, this one thing is busy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.template.loader import render_to_string

        cause = exception.__cause__ if isinstance(exception, OperationalError) else None
        if getattr(cause, "sqlstate", None) not in BUSY_SQLSTATES:
            return None
        logger.warning("database busy (%s) on %s %s", cause.sqlstate, request.method, request.path)
        if "json" in request.content_type or "json" in request.headers.get("Accept", ""):
            response = JsonResponse({"error": BUSY_TEXT}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "10"
        # Logged above as a warning: a busy table is not a server error to mail the admins about.
        response._has_been_logged = True
        return response
