"""The dashboard's JSON takes ?round=: the round's snapshot, not today's figures."""

import datetime as dt
import json
from unittest import mock

from django.urls import reverse

from reporting import services
from reporting.models import Narrative, NarrativeStatus, Round


def _closed_twelve(fy2563, kpi_admin):
    twelve = Round.objects.get(indicator_set=fy2563, as_of=dt.date(2020, 9, 30))
    for indicator in services.reporting_indicators(fy2563):
        Narrative.objects.create(
            round=twelve,
            indicator=indicator,
            result_text="ok",
            status=NarrativeStatus.SUBMITTED,
            created_by=kpi_admin,
            updated_by=kpi_admin,
        )
    services.close_round(twelve.pk, kpi_admin)
    return twelve


def test_the_dashboard_json_of_a_closed_round_is_its_snapshot(
    client_for, manager, kpi_admin, fy2563
):
    twelve = _closed_twelve(fy2563, kpi_admin)
    url = reverse("indicators:dashboard") + f"?year=2563&format=json&round={twelve.pk}"
    with mock.patch("indicators.evaluation.evaluate", side_effect=AssertionError("recomputed")):
        response = client_for(manager).get(url)
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["round"]["reported"] is True
    assert data["fiscal_year"] == 2563
    assert str(data["as_of"]).startswith("2020-09-30")


def test_a_round_of_another_set_or_no_round_is_not_found(client_for, manager, fy2563):
    base = reverse("indicators:dashboard") + "?year=2563&format=json&round="
    assert client_for(manager).get(base + "999999").status_code == 404
    assert client_for(manager).get(base + "abc").status_code == 404
