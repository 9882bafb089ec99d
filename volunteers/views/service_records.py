"""The services volunteers gave (การให้บริการ): the list, one service, or many pasted at once."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import once
from core.exports import requested_format, table_response
from core.tables import paginate
from volunteers import permissions, summary
from volunteers.filters import ServiceFilter
from volunteers.forms import BULK_COLUMNS, BulkServiceForm, ServiceForm
from volunteers.models import Service
from volunteers.tables import ServiceTable
from volunteers.views._common import ctx, visible_volunteer


@permissions.can_view.required
def service_list(request):
    qs = Service.objects.visible_to(request.user).select_related("volunteer", "province")
    volunteer = None
    if request.GET.get("volunteer", "").isdigit():
        volunteer = visible_volunteer(request, int(request.GET["volunteer"]))
        qs = qs.filter(volunteer=volunteer)
    filterset = ServiceFilter(request.GET, queryset=qs, request=request)
    table = ServiceTable(filterset.qs, show_ids=permissions.can_see_national_id(request.user))
    fmt = requested_format(request)
    if fmt:
        paginate(request, table, None)
        return table_response(table, "services", fmt)
    paginate(request, table, 50)
    return render(
        request,
        "volunteers/service_list.html",
        ctx(request, filter=filterset, table=table, volunteer=volunteer),
    )


@permissions.can_edit.required
def service_create(request):
    volunteer = None
    if request.GET.get("volunteer", "").isdigit():
        volunteer = visible_volunteer(request, int(request.GET["volunteer"]))
    form = ServiceForm(request.POST or None, user=request.user, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        service = form.save(commit=False)
        service.created_by = request.user
        with transaction.atomic():  # the token and the service (and its summary cell) together
            first = once.claim(form, request.user)
            if first:
                service.save()
        if first:
            messages.success(request, _("บันทึกการให้บริการแล้ว"))
        else:
            messages.info(request, once.DUPLICATE_TEXT)
        if "again" in request.POST:
            return redirect(reverse("volunteers:service-create"))
        return redirect(service.volunteer)
    return render(
        request,
        "volunteers/service_form.html",
        ctx(request, form=form),
        status=400 if request.method == "POST" else 200,
    )


@permissions.can_edit.required
def service_bulk(request):
    form = BulkServiceForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["rows"]
        with transaction.atomic():
            if not once.claim(form, request.user):
                messages.info(request, once.DUPLICATE_TEXT)
                return redirect("volunteers:service-list")
            _write_bulk(rows, request.user)
        messages.success(request, _("บันทึกการให้บริการ %(len)s รายการแล้ว") % {"len": len(rows)})
        return redirect("volunteers:service-list")
    return render(
        request,
        "volunteers/service_bulk.html",
        ctx(request, form=form, columns=BULK_COLUMNS),
        status=400 if request.method == "POST" else 200,
    )


def _write_bulk(rows, user) -> None:
    with summary.batch():  # one rebuild of the touched months × provinces at the end
        for r in rows:
            Service(
                volunteer=r["volunteer"],
                province_id=r["volunteer"].province_id,
                date=r["date"],
                service_type=r["service_type"],
                target_group=r["target_group"],
                people_served=r["people_served"],
                area=r["area"],
                created_by=user,
            ).save()
