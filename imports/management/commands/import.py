from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from imports import engine, resources
from imports.models import Upload, UploadStatus


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (.xlsx or .csv) of one kind, all or nothing. Examples:\n"
        "  manage.py import assessments irp.xlsx --dry-run\n"
        "  manage.py import residents residents.csv --user admin"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", help="one of: " + ", ".join(sorted(resources.kinds())))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="preview only; change nothing")
        parser.add_argument("--user", help="username recorded as the uploader")

    def handle(self, *args, **options):
        resource_class = resources.get(options["kind"])
        if resource_class is None:
            raise CommandError(
                f"unknown kind {options['kind']!r}; one of: {', '.join(sorted(resources.kinds()))}"
            )
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"no such user: {options['user']}")
        data = path.read_bytes()
        try:
            report = engine.run(
                resource_class(user=user), data, path.name, dry_run=options["dry_run"], user=user
            )
        except engine.FileProblem as problem:
            raise CommandError(str(problem)) from None
        for header in report.ignored_headers:
            self.stderr.write(f"ไม่ได้ใช้คอลัมน์: {header}")
        for error in report.errors:
            self.stderr.write(str(error))
        if report.error_count > len(report.errors):
            self.stderr.write(f"… และอีก {report.error_count - len(report.errors)} ข้อผิดพลาด")
        self.stdout.write(report.summary())
        if not options["dry_run"]:
            record = Upload(
                kind=resource_class.kind, original_name=path.name, uploaded_by=user, source="cli",
                counts=report.counts(),
                status=UploadStatus.APPLIED if report.applied else UploadStatus.REJECTED,
                applied_at=timezone.now() if report.applied else None,
            )  # fmt: skip
            record.file.save(path.name, ContentFile(data), save=True)
        if not report.ok:
            raise CommandError(f"{report.error_count} ข้อผิดพลาด: ไม่ได้นำเข้าแถวใดเลย")
        self.stdout.write("ตรวจสอบเท่านั้น ไม่ได้บันทึก" if options["dry_run"] else "นำเข้าเรียบร้อย")
