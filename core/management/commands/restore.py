from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import restore, row_counts


class Command(BaseCommand):
    help = (
        "Restore a backup folder into an EMPTY database (and the media folder), then check that "
        "every table has the rows the backup recorded. Example: "
        "DATABASE_URL=postgres://postgres@127.0.0.1/kpi_restored manage.py restore backups/20261124"
    )

    def add_arguments(self, parser):
        parser.add_argument("folder")

    def handle(self, *args, **options):
        folder = Path(options["folder"])
        if not (folder / "manifest.json").exists():
            raise CommandError(f"{folder} is not a backup folder (no manifest.json)")
        try:
            manifest = restore(folder)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        now = row_counts()
        missing = {k: (v, now.get(k)) for k, v in manifest["counts"].items() if now.get(k) != v}
        if missing:
            raise CommandError(f"restored counts differ: {missing}")
        self.stdout.write(f"restored {sum(now.values())} rows in {len(now)} tables; counts match")
