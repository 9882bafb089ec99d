"""KPI 3.2: the distinct citizens who checked their application's status in the fiscal year."""

import datetime as dt

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from core.thaidate import fiscal_year_bounds
from indicators import registry
from indicators.services import threshold_for
from reporting import corrections
from subsidies.models import StatusCheck, StepEntry
from subsidies.report import KEY


def distinct_citizens(fiscal_year_be: int, as_of: dt.date) -> int:
    """One query: a citizen who checked twice counts once; each fiscal year counts on its own.
    Demo checks count only in a demo installation (``StatusCheck.objects.counted``)."""
    start, end = fiscal_year_bounds(fiscal_year_be)
    return (
        StatusCheck.objects.counted()
        .filter(checked_on__gte=start, checked_on__lte=min(end, as_of))
        .aggregate(n=Count("citizen_key", distinct=True))["n"]
    )


def report_url(fiscal_year_be: int, as_of: dt.date | None = None) -> str:
    return f"{reverse('subsidies:report')}?year={fiscal_year_be}"


@registry.register(
    "subsidies.status_checks",
    gettext_lazy("ประชาชนที่ตรวจสอบสถานะการขอรับเงินอุดหนุน (ราย)"),
    detail_url=report_url,
    decides=("status_checks",),
    detail_label=gettext_lazy("รายเดือน (การตรวจสอบสถานะ)"),
)
def status_checks(fiscal_year_be: int, as_of: dt.date) -> registry.MilestoneFacts:
    distinct = distinct_citizens(fiscal_year_be, as_of)
    target = threshold_for(KEY, fiscal_year_be, as_of)
    return registry.MilestoneFacts(
        {
            KEY: registry.Fact(
                met=None if target is None else distinct >= target,
                figure=gettext("%(distinct)s / %(TARGET)s ราย")
                % {"distinct": f"{distinct:,}", "TARGET": f"{target:,}" if target else "-"},
                url=report_url(fiscal_year_be),
            )
        }
    )


# Reporting rounds (reporting/): the application steps dated inside a closed round whose
# corrections after closing are listed there.
corrections.register(
    "subsidies.status_checks", StepEntry, "acted_on",
    lambda record: reverse("subsidies:detail", args=[record.application_id]),
    label=gettext_lazy("ขั้นตอนคำขอรับเงินอุดหนุน"), fields=("step", "decision", "acted_on"),
)  # fmt: skip
