from django.contrib import messages
from django.core.files.base import ContentFile
from django.db import OperationalError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from core.exports import XLSX_TYPE
from imports import engine, resources
from imports.forms import UploadForm
from imports.models import Upload, UploadStatus
from imports.permissions import can_import
from imports.templates_xlsx import csv_template, xlsx_template


def _resource(kind: str, user):
    resource_class = resources.get(kind)
    if resource_class is None:
        raise Http404(gettext("ไม่รู้จักประเภทข้อมูลนี้"))
    return resource_class(user=user)


def _store(upload: Upload, report: engine.Report) -> None:
    upload.counts = report.counts()
    upload.errors = [
        {"row": e.row, "column": e.column, "message": e.message} for e in report.errors
    ]


@can_import.required
def upload(request):
    # ?kind= (the preview's "upload again") picks the kind of data.
    form = UploadForm(
        request.POST or None, request.FILES or None, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        data = form.cleaned_data["file"].read()
        name = form.cleaned_data["file"].name
        try:
            report = engine.run(_resource(kind, request.user), data, name, dry_run=True)
        except engine.FileProblem as problem:
            form.add_error("file", str(problem))
        else:
            record = Upload(kind=kind, original_name=name, uploaded_by=request.user)
            record.file.save(name, ContentFile(data), save=False)
            _store(record, report)
            record.status = UploadStatus.PREVIEWED if report.ok else UploadStatus.REJECTED
            record.save()
            if report.ignored_headers:
                messages.warning(
                    request, gettext("ไม่ได้ใช้คอลัมน์: ") + ", ".join(report.ignored_headers)
                )
            return redirect("imports:preview", pk=record.pk)
    kinds = sorted(resources.kinds().values(), key=lambda r: r.order)
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "kinds": kinds,
            "recent": Upload.objects.select_related("uploaded_by")[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@can_import.required
def preview(request, pk):
    record = get_object_or_404(Upload.objects.select_related("uploaded_by"), pk=pk)
    resource_class = resources.get(record.kind)
    counts = record.counts or {}
    return render(
        request,
        "imports/preview.html",
        {
            "upload": record,
            "label": resource_class.label if resource_class else record.kind,
            # Uploads made before rows in error were counted hold only the problems' count.
            "error_rows": counts.get("error_rows", counts.get("errors", 0)),
            "problems": counts.get("errors", 0),
            "nothing_to_apply": _nothing_to_apply(record),
            "again": UploadForm(initial={"kind": record.kind}) if resource_class else None,
        },
    )


def _nothing_to_apply(record: Upload) -> bool:
    """A previewed file without errors that would write no row (all unchanged, or empty)."""
    counts = record.counts or {}
    return (
        record.status == UploadStatus.PREVIEWED
        and not counts.get("errors")
        and not counts.get("new")
        and not counts.get("updated")
    )


NOTHING_TEXT = gettext_lazy("ไม่มีข้อมูลที่ต้องเปลี่ยน: ทุกแถวในไฟล์ตรงกับข้อมูลในระบบแล้ว")


BUSY_TEXT = gettext_lazy("ไฟล์นี้กำลังนำเข้าจากอีกคำขอหนึ่ง (อาจกดยืนยันซ้ำ) โปรดรอสักครู่แล้วดูผลในหน้านี้")


@require_POST
@can_import.required
def confirm(request, pk):
    """Apply a previewed upload, exactly once: the upload's row is locked for the whole apply, so
    a second click or a second admin is refused at once (PostgreSQL: NOWAIT) or waits for the
    first and then finds it applied (SQLite serialises writers), and applies nothing."""
    get_object_or_404(Upload, pk=pk)
    try:
        with transaction.atomic():
            record = Upload.objects.select_for_update(nowait=True).get(pk=pk)
            _confirm_locked(request, record)
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        messages.warning(request, BUSY_TEXT)
    return redirect("imports:preview", pk=pk)


def _confirm_locked(request, record: Upload) -> None:
    if record.status != UploadStatus.PREVIEWED:
        messages.error(request, gettext("ไฟล์นี้ยืนยันไม่ได้ (นำเข้าแล้ว ยกเลิก หรือมีข้อผิดพลาด)"))
        return
    if _nothing_to_apply(record):
        messages.info(request, NOTHING_TEXT)
        return
    with record.file.open("rb") as handle:
        data = handle.read()
    try:
        report = engine.run(
            _resource(record.kind, request.user), data, record.original_name, dry_run=False,
            user=request.user,
        )  # fmt: skip
    except engine.FileProblem as problem:
        messages.error(request, str(problem))
        return
    _store(record, report)
    if report.applied:
        record.status = UploadStatus.APPLIED
        record.applied_at = timezone.now()
        messages.success(
            request, gettext("นำเข้าเรียบร้อย: %(summary)s") % {"summary": report.summary()}
        )
    else:
        record.status = UploadStatus.REJECTED
        messages.error(request, gettext("ข้อมูลเปลี่ยนไประหว่างรอยืนยัน พบข้อผิดพลาด ไม่ได้นำเข้าแถวใดเลย"))
    record.save()


@require_POST
@can_import.required
def cancel(request, pk):
    get_object_or_404(Upload, pk=pk)
    # Only a previewed upload is cancelled, in one statement: a cancel that meets a confirm in
    # flight waits for it, then changes nothing.
    if Upload.objects.filter(pk=pk, status=UploadStatus.PREVIEWED).update(
        status=UploadStatus.CANCELLED
    ):
        messages.info(request, gettext("ยกเลิกการนำเข้าแล้ว ไม่มีข้อมูลใดถูกเปลี่ยน"))
    else:
        messages.error(request, gettext("ยกเลิกไม่ได้: ไฟล์นี้นำเข้าแล้วหรือยกเลิกไปแล้ว"))
    return redirect("imports:upload")


@can_import.required
def download(request, pk):
    record = get_object_or_404(Upload, pk=pk)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=record.original_name)


@can_import.required
def template(request, kind, ext):
    resource = _resource(kind, request.user)
    thai = request.GET.get("lang", "th") != "en"
    if ext == "xlsx":
        content = xlsx_template(resource, thai)
        mime = XLSX_TYPE
    else:
        content = csv_template(resource, thai)
        mime = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="template-{kind}.{ext}"'
    return response
