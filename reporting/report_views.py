"""The self-assessment report of a round (page, .xlsx, PDF) and the comparison of two rounds
(page, .xlsx), for the readers of the rounds (``reporting.permissions.can_view_rounds``: admins,
approvers, managers, indicator owners; others 403, anonymous users the login page).

A closed round's report is its snapshot (never recomputed); an open round's is the live figures,
marked "ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)". ``?snapshot=<n>`` opens an earlier snapshot of the round."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core.exports import XLSX_TYPE
from core.thaidate import to_arabic_digits
from indicators.models import IndicatorSet
from indicators.period import opening_year, requested_year
from reporting import permissions
from reporting import report as report_mod
from reporting.models import Round


def _round(pk) -> Round:
    return get_object_or_404(Round.objects.select_related("indicator_set", "closed_by"), pk=pk)


def _number(request) -> int | None:
    text = to_arabic_digits(request.GET.get("snapshot", "")).strip()
    if not text:
        return None
    if not text.isdigit():
        raise Http404
    return int(text)


def _report(request, pk) -> report_mod.RoundReport:
    return report_mod.build(_round(pk), _number(request))


def _filename(report: report_mod.RoundReport, ext: str) -> str:
    if report.is_live:
        tail = "-live"
    elif report.is_superseded:
        tail = f"-snapshot-{report.snapshot.number}"  # type: ignore[union-attr]
    else:
        tail = ""
    return f"self-assessment-{report.fiscal_year}-{report.as_of.isoformat()}{tail}.{ext}"


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@permissions.can_view_rounds.required
def round_report(request, pk):
    report = _report(request, pk)
    query = f"?snapshot={report.snapshot.number}" if report.is_superseded else ""  # type: ignore[union-attr]
    return render(
        request,
        "reporting/report.html",
        {
            "report": report,
            "round": report.round,
            "indicator_set": report.round.indicator_set,
            "download_query": query,
            "compare_url": reverse("reporting:compare")
            + f"?year={report.round.indicator_set.fiscal_year}",
        },
    )


@permissions.can_view_rounds.required
def round_report_xlsx(request, pk):
    report = _report(request, pk)
    return _download(report_mod.as_xlsx(report), XLSX_TYPE, _filename(report, "xlsx"))


@permissions.can_view_rounds.required
def round_report_pdf(request, pk):
    report = _report(request, pk)
    return _download(report_mod.as_pdf(report), "application/pdf", _filename(report, "pdf"))


# --- comparison ---------------------------------------------------------------------------------


def _comparison(request):
    """The set (?year=), its choices, and the two sides (?a=, ?b= tokens; by default the set's
    first two rounds). An unknown token is a 404."""
    year = requested_year(request, opening_year)
    indicator_set = IndicatorSet.objects.filter(agency_code="พส.", fiscal_year=year).first()
    if indicator_set is None:
        raise Http404(_("ไม่พบชุดตัวชี้วัดของปีงบประมาณนี้"))
    choices = report_mod.sources(indicator_set)
    by_token = {c.token: c for c in choices}
    default_a, default_b = report_mod.default_pair(choices)
    sides = []
    for key, default in (("a", default_a), ("b", default_b)):
        token = request.GET.get(key, "").strip()
        if not token:
            sides.append(default)
            continue
        source = by_token.get(token) or report_mod.resolve(token)
        if source is None:
            raise Http404
        sides.append(source)
    return indicator_set, choices, sides[0], sides[1]


@permissions.can_view_rounds.required
def compare(request):
    indicator_set, choices, a, b = _comparison(request)
    comparison = None
    if a is not None and b is not None:
        comparison = report_mod.compare(report_mod.report_of(a), report_mod.report_of(b))
    sets = list(
        IndicatorSet.objects.filter(agency_code="พส.")
        .order_by("-fiscal_year")
        .values_list("fiscal_year", flat=True)
    )
    return render(
        request,
        "reporting/compare.html",
        {
            "indicator_set": indicator_set,
            "sets": sets,
            "choices": choices,
            "a": a,
            "b": b,
            "comparison": comparison,
            "query": f"?year={indicator_set.fiscal_year}"
            + (f"&a={a.token}&b={b.token}" if a and b else ""),
        },
    )


@permissions.can_view_rounds.required
def compare_xlsx(request):
    indicator_set, _choices, a, b = _comparison(request)
    if a is None or b is None:
        raise Http404(_("ชุดตัวชี้วัดนี้ยังไม่มีรอบการรายงาน"))
    comparison = report_mod.compare(report_mod.report_of(a), report_mod.report_of(b))
    name = f"compare-{indicator_set.fiscal_year}-{a.token}-{b.token}.xlsx"
    return _download(report_mod.compare_xlsx(comparison), XLSX_TYPE, name)
