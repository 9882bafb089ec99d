from django.urls import path

from subsidies import views

app_name = "subsidies"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/move/", views.application_move, name="move"),
    path("<int:pk>/correct/", views.step_correct, name="correct"),
    path("<int:pk>/slip/", views.application_slip, name="slip"),
    path("<int:pk>/slip.pdf", views.application_slip_pdf, name="slip-pdf"),
    path("report/", views.usage_report, name="report"),
    # Public, no login: the citizen's status page and the JSON web service.
    path("status/", views.public_status, name="status"),
    path("status/rate/", views.public_rate, name="rate"),
    path("api/status/", views.api_status, name="api-status"),
]
