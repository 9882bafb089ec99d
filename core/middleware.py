"""Behind a reverse proxy, the client's address arrives in X-Forwarded-For.

Only the proxies we run may set it: with ``TRUSTED_PROXY_COUNT = n`` the client address is the
n-th address from the right of X-Forwarded-For (the one our outermost proxy saw); anything a
client wrote further left is ignored. REMOTE_ADDR is rewritten once, here, so that the login
throttle (django-axes) and the public status page's throttle both see the real address.
"""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


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


# PostgreSQL's codes for a statement cancelled by statement_timeout and a lock wait ended by
# lock_timeout (settings.py sets both for the web process).
BUSY_SQLSTATES = {"57014", "55P03"}
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
