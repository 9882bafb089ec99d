from django.core.management.base import BaseCommand
from django.db import transaction

from core import demo


class Command(BaseCommand):
    help = (
        "Load the demo data (clearly marked as demo) and demo users for every role, then print "
        "their logins. Safe to run again. Example: manage.py demo"
    )

    def handle(self, *args, **options):
        logins: list[tuple[str, str]] = []
        with transaction.atomic():
            for _order, label, builder in demo.builders():
                self.stdout.write(f"· {label}")
                logins.extend(builder(self.stdout) or [])
        self.stdout.write(self.style.SUCCESS("\nข้อมูลตัวอย่าง (DEMO) พร้อมแล้ว — demo data loaded."))
        self.stdout.write(
            f"รหัสผ่านของผู้ใช้ตัวอย่างทุกคน / password for every demo user: {demo.DEMO_PASSWORD}"
        )
        width = max(len(u) for u, _ in logins) if logins else 10
        for username, what in logins:
            self.stdout.write(f"  {username:<{width}}  {what}")
