from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpi-report/", views.report, name="report"),
    path("kpi-report.xlsx", views.report_xlsx, name="report-xlsx"),
    path("kpi-report.pdf", views.report_pdf, name="report-pdf"),
]
