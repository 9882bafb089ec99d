"""Response headers that keep personal data out of caches and the browser's features locked.

- ``Cache-Control: no-store, private`` on every response to a logged-in user (every staff page
  may carry names, national IDs or case notes; PDPA) and on every response of the public status
  page and its JSON service (a citizen's application status), so that neither a shared proxy
  nor the browser's back/forward cache or disk cache keeps a copy. Static files keep their
  long cache: WhiteNoise answers them before this middleware runs, and a static path that gets
  here anyway is left alone.
- ``Permissions-Policy``: the app uses no camera, microphone, location, payment, USB, sensors
  or ad-interest APIs; no page, nor anything injected into one, may ask for them.

The Content-Security-Policy header comes from django-csp (``csp.middleware.CSPMiddleware``,
policy in ``settings.CONTENT_SECURITY_POLICY``).
"""

from django.conf import settings
from django.utils.cache import patch_cache_control

# The public pages that answer with a citizen's data (subsidies/urls.py).
PUBLIC_PERSONAL_PAGES = frozenset({"subsidies:status", "subsidies:rate", "subsidies:api-status"})

# Features Chromium knows (an unknown one is a console warning on every page).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "interest-cohort",
        "browsing-topics",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def _static_prefix() -> str:
    url = settings.STATIC_URL or "/static/"
    return url if url.startswith("/") else "/" + url


def carries_personal_data(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in PUBLIC_PERSONAL_PAGES


class SecurityHeadersMiddleware:
    """After AuthenticationMiddleware (it reads ``request.user``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = _static_prefix()

    def __call__(self, request):
        response = self.get_response(request)
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = PERMISSIONS_POLICY
        if not request.path_info.startswith(self.static_prefix) and carries_personal_data(request):
            patch_cache_control(response, no_store=True, private=True)
        return response
