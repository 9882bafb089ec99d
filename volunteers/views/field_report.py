"""The field-work report (รายงานผลการช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่): the page, and the
same report as xlsx and PDF (always in Thai)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from core.exports import XLSX_TYPE
from volunteers import permissions, queries, report
from volunteers.views._common import ctx, pdf_response, year_and_as_of


@permissions.can_view.required
def field_report(request):
    if request.GET.get("format") in ("xlsx", "pdf"):
        # the report is a Thai document, whatever the language of the pages
        with translation.override(settings.LANGUAGE_CODE):
            return _field_report(request)
    return _field_report(request)


def _field_report(request):
    year, as_of = year_and_as_of(request)
    # the same scope as Service.visible_to: all (or one picked province) for managers and
    # admins, the officer's own province, nothing without one
    scope = queries.scope_of(request.user, request.GET.get("province", ""))
    data = report.build(year, as_of, scope.label, province=scope.province, nothing=scope.nothing)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        response = HttpResponse(report.as_xlsx(data), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="field-report-{year}.xlsx"'
        return response
    if fmt == "pdf":
        return pdf_response(report.as_pdf(data), f"field-report-{year}.pdf")
    return render(
        request,
        "volunteers/report.html",
        ctx(
            request,
            report=data,
            title=report.title_of(data),
            sections=[(h, getattr(data, a)) for h, a in report.SECTIONS],
            year=year,
            provinces=scope.choices,
            province_code=request.GET.get("province", ""),
        ),
    )
