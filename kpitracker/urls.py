from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from core import health, views_duplicates

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="indicators:dashboard"), name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz/", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("indicators/", include("indicators.urls")),
    path("shelters/", include("shelters.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("subsidies/", include("subsidies.urls")),
    path("catalog/", include("catalog.urls")),
    path("imports/", include("imports.urls")),
    path("reports/", include("reports.urls")),
    path("reporting/", include("reporting.urls")),
    path("users/", include("accounts.urls")),
    path("duplicates/", views_duplicates.duplicate_list, name="duplicates"),
    path(
        "duplicates/<int:pk>/resolve/", views_duplicates.duplicate_resolve, name="duplicate-resolve"
    ),
    path("admin/", admin.site.urls),
]

# Errors are pages of the site (core/errors.py); 500 is Django's own handler, which renders the
# stand-alone templates/500.html without any context.
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
