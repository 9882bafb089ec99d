import hmac
import json
import os

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from catalog import dcat, permissions
from catalog.filters import DatasetFilter
from catalog.forms import DatasetForm
from catalog.models import COMPLETE, Dataset
from catalog.tables import DatasetTable
from core.exports import requested_format, table_response
from core.tables import paginate


def harvest_token() -> str:
    """The token the ministry's data centre sends to harvest the catalog without a login
    (``Authorization: Bearer <token>``). Empty: only logged-in staff may read it."""
    return getattr(settings, "CATALOG_HARVEST_TOKEN", "") or os.getenv("CATALOG_HARVEST_TOKEN", "")


@permissions.can_view.required
def dataset_list(request):
    filterset = DatasetFilter(request.GET or None, queryset=Dataset.objects.all())
    qs = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    totals = Dataset.objects.aggregate(
        total=Count("id"),
        complete=Count("id", filter=COMPLETE),
        linked=Count("id", filter=Q(linked_to_center=True)),
        external=Count("id", filter=Q(external_agencies__isnull=False), distinct=True),
    )
    table = DatasetTable(qs)
    export = requested_format(request)
    if export:
        paginate(request, table, None)
        return table_response(table, "data-catalog", export)
    paginate(request, table, 50)
    return render(
        request,
        "catalog/dataset_list.html",
        {
            "filter": filterset,
            "table": table,
            "totals": totals,
            "can_edit": permissions.can_edit(request.user),
            "dcat_url": request.build_absolute_uri(reverse("catalog:dcat")),
        },
    )


@permissions.can_view.required
def dataset_detail(request, pk):
    dataset = get_object_or_404(Dataset.objects.prefetch_related("external_agencies"), pk=pk)
    history = dataset.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "catalog/dataset_detail.html",
        {"dataset": dataset, "history": history, "can_edit": permissions.can_edit(request.user)},
    )


@permissions.can_edit.required
@require_http_methods(["GET", "POST"])
def dataset_edit(request, pk=None):
    dataset = get_object_or_404(Dataset, pk=pk) if pk else None
    form = DatasetForm(request.POST or None, instance=dataset)
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("บันทึกแล้ว"))
            return redirect("catalog:detail", pk=saved.pk)
        return render(
            request, "catalog/dataset_form.html", {"form": form, "dataset": dataset}, status=400
        )
    return render(request, "catalog/dataset_form.html", {"form": form, "dataset": dataset})


@require_GET
def dcat_catalog(request):
    """DCAT JSON-LD. Staff read it logged in; the data centre's harvester with its token."""
    authorised = permissions.can_view(request.user)
    if not authorised:
        token = harvest_token()
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        authorised = bool(token) and hmac.compare_digest(sent.encode(), token.encode())
    if not authorised:
        if request.user.is_authenticated:
            return JsonResponse({"error": _("ไม่มีสิทธิ์")}, status=403)
        response = JsonResponse(
            {"error": _("ต้องเข้าสู่ระบบ หรือส่ง Authorization: Bearer <token> ของศูนย์ข้อมูล")},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="catalog"'
        return response
    document = dcat.catalog_document(request.build_absolute_uri(reverse("catalog:dcat")))
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type="application/ld+json; charset=utf-8",
    )
