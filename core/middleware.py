"""Behind a reverse proxy, the client's address arrives in X-Forwarded-For.

Only the proxies we run may set it: with ``TRUSTED_PROXY_COUNT = n`` the client address is the
n-th address from the right of X-Forwarded-For (the one our outermost proxy saw); anything a
client wrote further left is ignored. REMOTE_ADDR is rewritten once, here, so that the login
throttle (django-axes) and the public status page's throttle both see the real address.
"""

from django.conf import settings


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
