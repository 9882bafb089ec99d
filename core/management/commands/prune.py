from django.core.management import call_command
from django.core.management.base import BaseCommand

from core import once
from subsidies.services import prune_throttle


class Command(BaseCommand):
    help = (
        "Forget what is kept only for a while: submission tokens older than "
        f"{once.KEEP_DAYS} days, lookup-throttle rows whose window and block are over, "
        "expired sessions. Run it daily (cron or a systemd timer); it changes no answer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=once.KEEP_DAYS, help="keep submission tokens this long"
        )

    def handle(self, *args, **options):
        tokens = once.prune(options["days"])
        throttle = prune_throttle()
        call_command("clearsessions")
        self.stdout.write(
            f"pruned {tokens} submission tokens, {throttle} throttle rows, expired sessions"
        )
