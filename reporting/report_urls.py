"""The self-assessment report and the comparison of rounds (added to reporting/urls.py, so in
the ``reporting`` namespace)."""

from django.urls import path

from reporting import report_views

urlpatterns = [
    path("rounds/<int:pk>/report/", report_views.round_report, name="round-report"),
    path("rounds/<int:pk>/report.xlsx", report_views.round_report_xlsx, name="round-report-xlsx"),
    path("rounds/<int:pk>/report.pdf", report_views.round_report_pdf, name="round-report-pdf"),
    path("compare/", report_views.compare, name="compare"),
    path("compare.xlsx", report_views.compare_xlsx, name="compare-xlsx"),
]
