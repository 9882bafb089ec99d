"""``reporting.report.round_as_dict``: a round's figures in the dashboard's JSON shape
(``indicators.export.set_result_as_dict``), from the snapshot of a closed round (never
recomputed, unchanged by later corrections) or live for an open one, with a ``round`` key."""

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

from django.utils import timezone

from indicators import evaluation
from indicators.export import set_result_as_dict
from reporting import report, services


def _flat(items):
    for item in items:
        yield item
        yield from _flat(item["children"])


def test_a_closed_round_gives_the_dashboards_json_of_its_date(
    six, write_narratives, add_residents, approved_evidence, kpi_admin
):
    add_residents(3, last=85)
    add_residents(1, last=30)
    write_narratives(six)
    dashboard = set_result_as_dict(evaluation.evaluate(six.indicator_set, six.as_of))
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    with mock.patch.object(evaluation, "evaluate", side_effect=AssertionError("recomputed")):
        data = report.round_as_dict(six)
    json.dumps(data)  # JSON-able as it is
    info = data.pop("round")
    assert data == dashboard  # the same keys, tree and figures as the dashboard's JSON then
    snapshot = six.snapshots.get()
    assert info == {
        "id": six.pk,
        "name": "รอบ 6 เดือน",
        "state": "closed",
        "as_of": "2020-03-31",
        "due_on": "2020-04-30",
        "reported": True,
        "note": "",
        "snapshot": 1,
        "closed_by": kpi_admin.get_full_name(),
        "closed_at": timezone.localtime(snapshot.closed_at).isoformat(),
        "superseded_at": None,
    }
    one_one = next(i for i in _flat(data["indicators"]) if i["code"] == "1.1")
    assert one_one["result"]["numerator"] == 3 and one_one["result"]["value"] == 75.0
    assert one_one["targets"] == [10.72, 12.05, 13.38] and "original_targets" not in one_one
    kpi2 = next(i for i in _flat(data["indicators"]) if i["code"] == "2")
    assert kpi2["result"]["levels_met"][0] is True


def test_a_correction_after_closing_leaves_the_dict_unchanged(closed_six):
    from shelters.models import Assessment

    before = report.round_as_dict(closed_six)
    corrected = Assessment.objects.filter(assessed_on=dt.date(2020, 2, 1), percent=85).first()
    corrected.percent = Decimal(40)
    corrected.save()
    assert report.round_as_dict(closed_six) == before
    live = set_result_as_dict(evaluation.evaluate(closed_six.indicator_set, closed_six.as_of))
    assert live["total"] != before["total"] or live["indicators"] != before["indicators"]


def test_an_open_round_gives_todays_figures_marked_not_reported(twelve, add_residents):
    add_residents(1, last=85)
    data = report.round_as_dict(twelve)
    info = data.pop("round")
    assert info["reported"] is False and info["snapshot"] is None and info["state"] == "open"
    assert info["note"] == "ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)" and info["closed_at"] is None
    assert data == set_result_as_dict(evaluation.evaluate(twelve.indicator_set, twelve.as_of))
