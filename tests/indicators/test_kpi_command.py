import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import Indicator, ManualResult


def _run(*args) -> str:
    out = StringIO()
    call_command("kpi", *args, stdout=out)
    return out.getvalue()


def test_it_prints_the_scored_set_as_json(fy2563, owner, plug_ratio):
    plug_ratio(1271, 10000)
    ManualResult.objects.create(
        indicator=Indicator.objects.get(indicator_set=fy2563, code="1.2"),
        numerator=7136, denominator=10000, as_of=dt.date(2020, 9, 30), entered_by=owner,
    )  # fmt: skip
    data = json.loads(_run("--year", "2563", "--json"))
    assert data["fiscal_year"] == 2563 and data["as_of"] == "2020-09-30"
    group1 = data["indicators"][0]
    assert {"code", "name", "weight", "kind", "result", "level", "score", "weighted_score",
            "source", "children"} <= set(group1)  # fmt: skip
    i11, i12 = group1["children"]
    assert i11["result"]["numerator"] == 1271 and i11["result"]["denominator"] == 10000
    assert i11["result"]["value"] == 12.71 and i11["score"] == 87.41
    assert i11["source"] == "computed" and i12["source"] == "manual"
    assert i12["score"] == 75.0 and i12["level"] == 2
    assert group1["score"] == pytest.approx(81.205, abs=0.01)
    assert data["total"] == pytest.approx(17.48 + 15.0, abs=0.01)


def test_it_prints_a_table_by_default(fy2563):
    out = _run("--year", "2563", "--as-of", "2020-03-31")
    assert "2020-03-31" in out and "total" in out and "3.2" in out


def test_it_refuses_an_as_of_outside_the_year_and_an_unknown_year(fy2563):
    with pytest.raises(CommandError, match="must lie in FY2563"):
        _run("--year", "2563", "--as-of", "2021-01-01")
    with pytest.raises(CommandError, match="no indicator set"):
        _run("--year", "2599")
