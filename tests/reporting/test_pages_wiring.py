"""The rounds show where people look: the indicators page and the managers' dashboard say which
round is open; an indicator's page shows what each closed round reported beside today's figure."""

import datetime as dt

from django.urls import reverse

from reporting import services
from reporting.models import Narrative, NarrativeStatus, Round


def _close(fy2563, user, as_of):
    round_ = Round.objects.get(indicator_set=fy2563, as_of=as_of)
    for indicator in services.reporting_indicators(fy2563):
        Narrative.objects.create(
            round=round_, indicator=indicator, result_text="ok",
            status=NarrativeStatus.SUBMITTED, created_by=user, updated_by=user,
        )  # fmt: skip
    services.close_round(round_.pk, user)
    return round_


def test_the_indicators_page_and_the_managers_dashboard_name_the_open_round(
    client_for, manager, fy2563
):
    client = client_for(manager)
    for url in (reverse("indicators:dashboard"), reverse("reports:dashboard")):
        page = client.get(url + "?year=2563").content.decode()
        assert 'data-testid="open-round"' in page, url
        assert "รอบ 6 เดือน" in page, url


def test_an_indicators_page_shows_what_a_closed_round_reported(
    client_for, manager, kpi_admin, fy2563
):
    six = _close(fy2563, kpi_admin, dt.date(2020, 3, 31))
    ratio = fy2563.indicators.get(computation="shelters.improved")
    page = client_for(manager).get(
        reverse("indicators:indicator-detail", args=[ratio.pk]) + "?year=2563&as_of=31/03/2563"
    )
    text = page.content.decode()
    assert 'data-testid="indicator-rounds"' in text
    assert reverse("reporting:round-detail", args=[six.pk]) in text


def test_a_group_indicator_shows_no_round_figures(client_for, manager, kpi_admin, fy2563):
    _close(fy2563, kpi_admin, dt.date(2020, 3, 31))
    group = fy2563.indicators.get(code="1")
    page = client_for(manager).get(reverse("indicators:indicator-detail", args=[group.pk]))
    assert 'data-testid="indicator-rounds"' not in page.content.decode()
