from django.http import HttpResponse
from django.shortcuts import render

from core.exports import XLSX_TYPE
from indicators.period import selected_set
from reports import dashboard as dashboard_mod
from reports import report as report_mod
from reports.permissions import can_read_reports


def _period(indicator_set, as_of) -> str:
    return f"?year={indicator_set.fiscal_year}&as_of={as_of.isoformat()}"


@can_read_reports.required
def dashboard(request):
    indicator_set, as_of, sets = selected_set(request)
    board = dashboard_mod.build(indicator_set, as_of, sets)
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": board,
            "result": board.result,
            "indicator_set": indicator_set,
            "as_of": as_of,
            "sets": sets,
            "period_query": _period(indicator_set, as_of),
        },
    )


@can_read_reports.required
def report(request):
    indicator_set, as_of, sets = selected_set(request)
    data = report_mod.build(indicator_set, as_of, request.user)
    return render(
        request,
        "reports/report.html",
        {
            "report": data,
            "indicator_set": indicator_set,
            "as_of": as_of,
            "sets": sets,
            "period_query": _period(indicator_set, as_of),
        },
    )


def _filename(indicator_set, as_of, ext) -> str:
    return f"kpi-report-{indicator_set.fiscal_year}-{as_of.isoformat()}.{ext}"


@can_read_reports.required
def report_xlsx(request):
    indicator_set, as_of, _problem = selected_set(request)
    response = HttpResponse(
        report_mod.as_xlsx(report_mod.build(indicator_set, as_of, request.user)),
        content_type=XLSX_TYPE,
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(indicator_set, as_of, "xlsx")}"'
    )
    return response


@can_read_reports.required
def report_pdf(request):
    indicator_set, as_of, _problem = selected_set(request)
    response = HttpResponse(
        report_mod.as_pdf(report_mod.build(indicator_set, as_of, request.user)),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename(indicator_set, as_of, "pdf")}"'
    )
    return response
