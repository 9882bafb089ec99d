from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.backup import backup


class Command(BaseCommand):
    help = (
        "Make a consistent backup (database + uploaded files) in a folder. "
        "Example: manage.py backup --output /var/backups/kpitracker/2026-11-24"
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="folder to create (default: backups/<timestamp>)")

    def handle(self, *args, **options):
        target = Path(options["output"] or f"backups/{timezone.now():%Y%m%d-%H%M%S}")
        manifest = backup(target)
        total = sum(manifest["counts"].values())
        self.stdout.write(f"backup written to {target} ({manifest['database']}, {total} rows)")
