"""The admins' page of cross-scope duplicate national IDs (``core.duplicates``): the open and
resolved reports, the records that hold each ID (with links), and "resolve" with a required note.
Admins only; the resolution is audited by the report's own history (django-simple-history)."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from core.models import DuplicateReport
from core.permissions import can_resolve_duplicates

PER_PAGE = 100

# Per kind: (app label, model, fields to show, detail URL name). Looked up lazily, so that core
# never imports a domain app.
HOLDERS: dict[str, tuple[str, str, str]] = {
    DuplicateReport.Kind.RESIDENT: ("shelters", "Resident", "shelters:resident-detail"),
    DuplicateReport.Kind.VOLUNTEER: ("volunteers", "Volunteer", "volunteers:detail"),
}


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("ผลการดำเนินการ"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        max_length=2000,
        error_messages={"required": gettext_lazy("กรุณาบันทึกผลการดำเนินการก่อนปิดเรื่อง")},
    )


def _holders(reports) -> dict[tuple[str, str], list[dict]]:
    """The records holding each report's ID: one query per kind, whatever the number of reports."""
    wanted: dict[str, set[str]] = {}
    for report in reports:
        wanted.setdefault(report.kind, set()).add(report.national_id)
    found: dict[tuple[str, str], list[dict]] = {}
    for kind, ids in wanted.items():
        if kind not in HOLDERS or not apps.is_installed(HOLDERS[kind][0]):
            continue
        app_label, model_name, url_name = HOLDERS[kind]
        model = apps.get_model(app_label, model_name)
        if kind == DuplicateReport.Kind.RESIDENT:
            rows = model.objects.filter(national_id__in=ids).select_related("facility")
            for r in rows:
                found.setdefault((kind, r.national_id), []).append(
                    {
                        "label": f"{r.case_number} {r.full_name}",
                        "where": str(r.facility),
                        "extra": r.get_target_group_display()
                        + ("" if r.in_care else gettext(" · จำหน่ายแล้ว")),
                        "url": reverse(url_name, args=[r.pk]),
                    }
                )
        else:
            rows = model.objects.filter(national_id__in=ids).select_related("province")
            for v in rows:
                found.setdefault((kind, v.national_id), []).append(
                    {
                        "label": f"{v.first_name} {v.last_name}",
                        "where": gettext("จังหวัด%(name)s") % {"name": v.province.name},
                        "extra": "",
                        "url": reverse(url_name, args=[v.pk]),
                    }
                )
    return found


def _page(request, *, errors=None, status=200):
    show = request.GET.get("show", "open")
    if show not in ("open", "resolved"):
        show = "open"
    reports = DuplicateReport.objects.select_related("reported_by", "resolved_by")
    open_count = reports.filter(resolved_at__isnull=True).count()
    if show == "open":
        reports = reports.filter(resolved_at__isnull=True).order_by("-created_at")
    else:
        reports = reports.filter(resolved_at__isnull=False).order_by("-resolved_at")
    reports = list(reports[:PER_PAGE])
    holders = _holders(reports)
    errors = errors or {}
    rows = [
        {
            "report": r,
            "holders": holders.get((r.kind, r.national_id), []),
            "form": errors.get(r.pk) or ResolveForm(prefix=f"r{r.pk}"),
        }
        for r in reports
    ]
    return render(
        request,
        "core/duplicates.html",
        {"rows": rows, "show": show, "open_count": open_count, "per_page": PER_PAGE},
        status=status,
    )


@can_resolve_duplicates.required
def duplicate_list(request):
    return _page(request)


@require_POST
@can_resolve_duplicates.required
def duplicate_resolve(request, pk):
    report = get_object_or_404(DuplicateReport, pk=pk)
    form = ResolveForm(request.POST, prefix=f"r{pk}")
    if not form.is_valid():
        messages.error(request, gettext("ยังไม่ได้ปิดเรื่อง: กรุณาบันทึกผลการดำเนินการ"))
        return _page(request, errors={report.pk: form}, status=400)
    with transaction.atomic():
        locked = DuplicateReport.objects.select_for_update().get(pk=report.pk)
        if locked.resolved_at is not None:
            messages.info(request, gettext("เรื่องนี้มีผู้ดำเนินการปิดไปแล้ว"))
            return redirect("duplicates")
        locked.resolved_by = request.user
        locked.resolved_at = timezone.now()
        locked.resolution = form.cleaned_data["resolution"]
        locked._change_reason = "ปิดเรื่องเลขประจำตัวซ้ำ"
        locked.save(update_fields=["resolved_by", "resolved_at", "resolution"])
    messages.success(request, gettext("ปิดเรื่องแล้ว"))
    return redirect("duplicates")
