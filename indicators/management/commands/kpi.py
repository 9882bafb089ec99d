import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from core.thaidate import default_as_of, fiscal_year_bounds
from indicators.evaluation import evaluate
from indicators.export import set_result_as_dict
from indicators.models import IndicatorSet


class Command(BaseCommand):
    help = (
        "Print a fiscal year's indicators, scored, or a reporting round's figures. "
        "Example: manage.py kpi --year 2563 --as-of 2020-03-31 --json; "
        "manage.py kpi --round 'รอบ 6 เดือน' --year 2563"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="fiscal year in BE, e.g. 2563 (required without --round)"
        )
        parser.add_argument("--as-of", help="YYYY-MM-DD (CE); default: the year's end or today")
        parser.add_argument("--agency", default="พส.", help="agency code (default พส.)")
        parser.add_argument("--json", action="store_true", help="print the indicator tree as JSON")
        parser.add_argument(
            "--round",
            help="a reporting round, by id or name: its snapshot when closed (what was reported), "
            "today's figures as of its date when open (said so)",
        )

    def handle(self, *args, **options):
        if options["round"]:
            self._round(options)
        else:
            self._year(options)

    def _year(self, options):
        year = options["year"]
        if year is None:
            raise CommandError("give --year (or --round)")
        try:
            indicator_set = IndicatorSet.objects.get(
                agency_code=options["agency"], fiscal_year=year
            )
        except IndicatorSet.DoesNotExist:
            raise CommandError(f"no indicator set for {options['agency']} {year}") from None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError:
                raise CommandError("--as-of must be YYYY-MM-DD") from None
            start, end = fiscal_year_bounds(year)
            if not start <= as_of <= end:
                raise CommandError(f"--as-of must lie in FY{year}: {start} … {end}")
        else:
            as_of = default_as_of(year)
        data = set_result_as_dict(evaluate(indicator_set, as_of))
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{data['agency']} ปีงบประมาณ {year} ณ {as_of.isoformat()}")
        self._table(data)

    def _round(self, options):
        """``--round``: the round's figures from ``reporting.report`` (imported here: the
        indicators app does not import reporting at module level)."""
        from reporting import report

        if options["as_of"]:
            raise CommandError("--as-of cannot be used with --round (a round has its own date)")
        try:
            round_ = report.find_round(
                options["round"], agency_code=options["agency"], fiscal_year=options["year"]
            )
        except LookupError as problem:
            raise CommandError(str(problem)) from None
        data = report.round_as_dict(round_)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        info = data["round"]
        self.stdout.write(
            f"{data['agency']} ปีงบประมาณ {data['fiscal_year']} {info['name']} ณ {data['as_of']}"
        )
        if info["reported"]:
            closed_at = dt.datetime.fromisoformat(info["closed_at"])
            self.stdout.write(
                f"ผลที่รายงาน (บันทึกผลครั้งที่ {info['snapshot']}) ปิดรอบโดย {info['closed_by']} "
                f"เมื่อ {closed_at:%Y-%m-%d %H:%M}"
            )
        else:
            self.stdout.write(f"{info['note']}: คำนวณ ณ วันที่ของรอบจากข้อมูลวันนี้")
        self._table(data)

    def _table(self, data):
        self.stdout.write(
            f"{'code':<6}{'weight':>7}{'result':>12}{'level':>7}{'score':>9}{'weighted':>10}  name"
        )
        self._rows(data["indicators"])
        self.stdout.write(
            f"{'total':<6}{100:>7}{'':>12}{data['total_level']:>7}{'':>9}{data['total']:>10.2f}"
        )

    def _rows(self, items):
        for item in items:
            result = item["result"] or {}
            if item["kind"] == "ratio" and result:
                shown = "-" if result["value"] is None else f"{result['value']:.2f}"
            elif item["kind"] == "milestone":
                shown = f"L{item['level']}"
            else:
                shown = ""
            score = "-" if item["score"] is None else f"{item['score']:.2f}"
            weighted = "-" if item["weighted_score"] is None else f"{item['weighted_score']:.2f}"
            level = "" if item["level"] is None else item["level"]
            self.stdout.write(
                f"{item['code']:<6}{item['weight']:>7}{shown:>12}{level:>7}{score:>9}{weighted:>10}"
                f"  {item['name'][:60]}"
            )
            self._rows(item["children"])
