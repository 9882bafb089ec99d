import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_tables2 import RequestConfig

from core.exports import requested_format, table_response
from core.history import history_rows
from core.roles import can_read_everything
from core.thaidate import default_as_of, fiscal_year_bounds, fiscal_year_of, parse_date
from shelters import kpi, permissions
from shelters.filters import ResidentFilter
from shelters.forms import AssessmentForm, DischargeForm, ResidentForm
from shelters.models import (
    DOMAINS,
    GROUP_A_MIN,
    GROUP_C_MAX,
    Assessment,
    Facility,
    Resident,
)
from shelters.tables import ResidentTable

PER_PAGE = 25


def _reader(request):
    if not permissions.can_read_residents(request.user):
        raise PermissionDenied


def _resident(request, pk) -> Resident:
    """A resident in the user's scope, else 404 (whatever the page: view, form, export)."""
    return get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("facility__province"), pk=pk
    )


def _editor(request, resident: Resident | None = None):
    facility_id = resident.facility_id if resident else None
    if not permissions.can_edit(request.user, facility_id):
        raise PermissionDenied


def _year_and_as_of(request) -> tuple[int, dt.date]:
    """?year=2563&as_of=2020-03-31 (BE or CE, Thai digits too); as_of stays within the year."""
    year_text = request.GET.get("year", "")
    if year_text:
        if not year_text.isdigit() or not 2500 <= int(year_text) <= 2700:
            raise Http404("ปีงบประมาณไม่ถูกต้อง")
        year = int(year_text)
    else:
        from indicators.models import IndicatorSet

        latest = IndicatorSet.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=1)
        year = min(fiscal_year_of(dt.date.today()), latest.first() or 9999)
    start, end = fiscal_year_bounds(year)
    as_of = default_as_of(year)
    if request.GET.get("as_of"):
        try:
            as_of = min(max(parse_date(request.GET["as_of"]), start), end)
        except ValueError:
            raise Http404("วันที่ไม่ถูกต้อง") from None
    return year, as_of


def _drilldown(request):
    """The KPI count a list was opened from (?kpi=improved&cat=AA&year=…&as_of=…), or None."""
    name = request.GET.get("kpi")
    if not name:
        return None
    category = request.GET.get("cat", "population")
    if name not in kpi.CONDITIONS or category not in kpi.CONDITIONS[name]:
        raise Http404("ไม่พบรายการตัวชี้วัด")
    year, as_of = _year_and_as_of(request)
    return {
        "kpi": name,
        "category": category,
        "year": year,
        "as_of": as_of,
        "label": kpi.CATEGORY_LABELS[(name, category)],
        "kpi_label": kpi.KPI_LABELS[name],
        "back": kpi.detail_url(year, as_of, name),
    }


@login_required
def resident_list(request):
    _reader(request)
    user = request.user
    facilities = Facility.objects.visible_to(user)
    facility_param = request.GET.get("facility")
    if facility_param and not (
        facility_param.isdigit() and facilities.filter(pk=facility_param).exists()
    ):
        raise Http404("ไม่พบหน่วยงาน")
    residents = Resident.objects.visible_to(user).select_related("facility").with_latest()
    drill = _drilldown(request)
    if drill:
        residents = residents.filter(
            pk__in=kpi.resident_ids(drill["kpi"], drill["category"], drill["year"], drill["as_of"])
        )
    filterset = ResidentFilter(
        request.GET or None, queryset=residents, facilities=facilities, request=request
    )
    table = ResidentTable(filterset.qs, user=user)
    export = requested_format(request)
    if export:
        RequestConfig(request, paginate=False).configure(table)
        return table_response(table, "residents", export)
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)
    return render(
        request,
        "shelters/resident_list.html",
        {
            "filter": filterset,
            "table": table,
            "drill": drill,
            "can_add": permissions.can_edit(user),
        },
    )


@login_required
def resident_detail(request, pk):
    _reader(request)
    resident = _resident(request, pk)
    assessments = list(resident.assessments.select_related("recorded_by").order_by("assessed_on"))
    chart = {
        "labels": [a.assessed_on.isoformat() for a in assessments],
        "percents": [float(a.percent) for a in assessments],
        "groupA": float(GROUP_A_MIN),
        "groupC": float(GROUP_C_MAX),
    }
    return render(
        request,
        "shelters/resident_detail.html",
        {
            "resident": resident,
            "assessments": list(reversed(assessments)),
            "chart": chart,
            "domains": DOMAINS,
            "can_edit": permissions.can_edit(request.user, resident.facility_id),
            "full_id": permissions.sees_full_national_id(request.user, resident.facility_id),
            "history": history_rows(
                resident,
                masked_fields=frozenset()
                if permissions.sees_full_national_id(request.user, resident.facility_id)
                else {"national_id"},
            ),
            "assessment_history": Assessment.history.filter(resident_id=resident.pk)
            .select_related("history_user")
            .order_by("-history_date")[:30],
        },
    )


def _render_form(request, template, context, form):
    status = 400 if form.is_bound and form.errors else 200
    return render(request, template, {**context, "form": form}, status=status)


@login_required
def resident_add(request):
    _reader(request)
    _editor(request)
    facilities = Facility.objects.visible_to(request.user)
    form = ResidentForm(request.POST or None, facilities=facilities)
    if request.method == "POST" and form.is_valid():
        resident = form.save()
        messages.success(request, f"รับเข้า {resident} แล้ว")
        return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(request, "shelters/resident_form.html", {"title": "รับผู้รับบริการเข้า"}, form)


@login_required
def resident_edit(request, pk):
    _reader(request)
    resident = _resident(request, pk)
    _editor(request, resident)
    form = ResidentForm(
        request.POST or None,
        instance=resident,
        facilities=Facility.objects.filter(pk=resident.facility_id),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "บันทึกข้อมูลผู้รับบริการแล้ว")
        return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(
        request,
        "shelters/resident_form.html",
        {"title": f"แก้ไขข้อมูล {resident}", "resident": resident},
        form,
    )


@login_required
def assessment_add(request, pk):
    _reader(request)
    resident = _resident(request, pk)
    _editor(request, resident)
    form = AssessmentForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            assessment = form.save(commit=False)
            assessment.recorded_by = request.user
            assessment.save()
        messages.success(
            request, f"บันทึกผลการประเมิน ร้อยละ {assessment.percent} (กลุ่ม {assessment.group}) แล้ว"
        )
        return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(
        request,
        "shelters/assessment_form.html",
        {"resident": resident, "groupA": GROUP_A_MIN, "groupC": GROUP_C_MAX},
        form,
    )


@login_required
def resident_discharge(request, pk):
    _reader(request)
    resident = _resident(request, pk)
    _editor(request, resident)
    form = DischargeForm(request.POST or None, instance=resident)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"บันทึกการจำหน่าย {resident} แล้ว")
        return redirect("shelters:resident-detail", pk=resident.pk)
    return _render_form(request, "shelters/discharge_form.html", {"resident": resident}, form)


@login_required
def facility_list(request):
    _reader(request)
    facilities = Facility.objects.visible_to(request.user).select_related("province")
    return render(request, "shelters/facility_list.html", {"facilities": facilities})


@login_required
def kpi_detail(request):
    """KPI 1.1 and 1.2 per facility; each count opens the residents behind it."""
    if not permissions.can_read_kpi(request.user):
        raise PermissionDenied
    user = request.user
    year, as_of = _year_and_as_of(request)
    shelter_reader = permissions.can_read_residents(user)
    facilities = list(
        (Facility.objects.visible_to(user) if shelter_reader else Facility.objects.all())
        .select_related("province")
        .order_by("code")
    )
    links_total = shelter_reader and can_read_everything(user)
    sections = []
    both = kpi.counts_per_facility_all(year, as_of)
    for name in (kpi.IMPROVED, kpi.RETURNED):
        per_facility = both[name]
        categories = list(kpi.CONDITIONS[name])
        rows = []
        for facility in facilities:
            counts = per_facility.get(facility.pk, dict.fromkeys(categories, 0))
            linked = shelter_reader and permissions.in_scope(user, facility.pk)
            rows.append(_kpi_row(name, facility, counts, categories, year, as_of, linked))
        total = _kpi_row(
            name, None, kpi.totals(per_facility, name), categories, year, as_of, links_total
        )
        sections.append(
            {
                "key": name,
                "label": kpi.KPI_LABELS[name],
                "headers": [kpi.CATEGORY_LABELS[(name, c)] for c in categories],
                "rows": rows,
                "total": total,
            }
        )
    return render(
        request,
        "shelters/kpi.html",
        {
            "year": year,
            "as_of": as_of,
            "sections": sections,
            "scoped": shelter_reader and not can_read_everything(user),
            "dashboard_url": f"{reverse('indicators:dashboard')}?year={year}&as_of={as_of}",
        },
    )


def _kpi_row(name, facility, counts, categories, year, as_of, linked):
    num, den = counts[kpi.NUMERATOR[name]], counts["population"]
    return {
        "facility": facility,
        "cells": [
            {
                "count": counts[c],
                "url": kpi.list_url(name, c, year, as_of, facility) if linked else "",
            }
            for c in categories
        ],
        "value": Decimal(num * 100) / Decimal(den) if den else None,
    }
