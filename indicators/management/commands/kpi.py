import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from core.thaidate import default_as_of, fiscal_year_bounds
from indicators.evaluation import evaluate
from indicators.export import set_result_as_dict
from indicators.models import IndicatorSet


class Command(BaseCommand):
    help = (
        "Print a fiscal year's indicators, scored. "
        "Example: manage.py kpi --year 2563 --as-of 2020-03-31 --json"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="fiscal year in BE, e.g. 2563")
        parser.add_argument("--as-of", help="YYYY-MM-DD (CE); default: the year's end or today")
        parser.add_argument("--agency", default="พส.", help="agency code (default พส.)")
        parser.add_argument("--json", action="store_true", help="print the indicator tree as JSON")

    def handle(self, *args, **options):
        year = options["year"]
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
