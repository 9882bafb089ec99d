from django.urls import path

from reporting import views
from reporting.report_urls import urlpatterns as report_urlpatterns

app_name = "reporting"

urlpatterns = [
    path("", views.round_list, name="round-list"),
    path("rounds/new/", views.round_create, name="round-create"),
    path("rounds/<int:pk>/", views.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", views.round_edit, name="round-edit"),
    path("rounds/<int:pk>/close/", views.round_close, name="round-close"),
    path("rounds/<int:pk>/reopen/", views.round_reopen, name="round-reopen"),
    path("rounds/<int:pk>/snapshots/<int:number>/", views.snapshot_detail, name="snapshot-detail"),
    path(
        "rounds/<int:pk>/indicators/<int:indicator_pk>/",
        views.round_indicator,
        name="round-indicator",
    ),
    path(
        "rounds/<int:pk>/indicators/<int:indicator_pk>/narrative/",
        views.narrative_edit,
        name="narrative-edit",
    ),
]

urlpatterns += report_urlpatterns  # the self-assessment report and the comparison
