"""Rebuild the monthly service summary (ServiceMonthly) from the service records: all of it,
or one fiscal year (``--year 2563``). Safe to run at any time (one transaction)."""

from django.core.management.base import BaseCommand

from core.thaidate import fiscal_year_bounds
from volunteers import summary


class Command(BaseCommand):
    help = "สร้างตารางสรุปการให้บริการรายเดือนใหม่จากบันทึกการให้บริการ (ทั้งหมด หรือ --year ปีงบประมาณ พ.ศ.)"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="ปีงบประมาณ (พ.ศ.) เช่น 2563")

    def handle(self, *args, year=None, **options):
        months = None
        if year is not None:
            start, end = fiscal_year_bounds(year)
            months, m = [], start
            while m <= end:
                months.append(m)
                m = summary.next_month(m)
        written = summary.rebuild(months=months)
        scope = f"ปีงบประมาณ {year}" if year else "ทั้งหมด"
        self.stdout.write(f"สรุปการให้บริการรายเดือน ({scope}): {written:,} แถว")
