"""KPI 2, level 75: the FY plan's achievement, computed from the records (SPEC §4)."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from indicators import registry
from reporting import corrections, units
from volunteers import plan as plan_mod
from volunteers.models import Enrolment, Service


def plan_url(fiscal_year: int, as_of: dt.date | None = None) -> str:
    plan = plan_mod.plan_for_year(fiscal_year)
    query = f"?year={fiscal_year}" + (f"&as_of={as_of.isoformat()}" if as_of else "")
    if plan is None:
        return reverse("volunteers:plan-list") + query
    return reverse("volunteers:plan-detail", args=[plan.pk]) + query


@registry.register(
    "volunteers.plan",
    gettext_lazy("ผลการดำเนินงานตามแผนพัฒนาศักยภาพ อพม."),
    detail_url=plan_url,
    decides=("plan_achievement",),
    detail_label=gettext_lazy("รายจังหวัด (แผนพัฒนาศักยภาพ อพม.)"),
)
def compute(fiscal_year_be: int, as_of: dt.date) -> registry.MilestoneFacts:
    plan = plan_mod.plan_for_year(fiscal_year_be)
    result = plan_mod.compute(plan, fiscal_year_be, as_of)
    if plan is None:
        fact = registry.Fact(
            False,
            gettext("ยังไม่มีแผนที่ครอบคลุมปี %(fiscal_year_be)s") % {"fiscal_year_be": fiscal_year_be},
            plan_url(fiscal_year_be),
        )
    elif not result.targets:
        fact = registry.Fact(
            False,
            gettext("แผนยังไม่มีเป้าหมายของปี %(fiscal_year_be)s") % {"fiscal_year_be": fiscal_year_be},
            plan_url(fiscal_year_be, as_of),
        )
    else:
        url = reverse("volunteers:plan-detail", args=[plan.pk])
        url += f"?year={fiscal_year_be}&as_of={result.as_of.isoformat()}"
        fact = registry.Fact(
            result.met,
            gettext("ร้อยละ %(percent_text)s") % {"percent_text": result.percent_text},
            url,
        )
    return registry.MilestoneFacts({"plan_achievement": fact})


# Reporting rounds (reporting/): which records a closed round's KPI 2 came from, by their own
# date (corrections after closing are listed there), and the per-province figures it keeps.
corrections.register(
    "volunteers.plan", Enrolment, "decided_on",
    lambda record: reverse("volunteers:enrolment-result", args=[record.id]),
    label=gettext_lazy("ผลการอบรม อพม."), fields=("passed", "decided_on"),
)  # fmt: skip
corrections.register(
    "volunteers.plan", Service, "date",
    lambda record: reverse("volunteers:detail", args=[record.volunteer_id]),
    label=gettext_lazy("บริการของ อพม."),
    fields=("date", "province", "service_type", "target_group", "people_served"),
)  # fmt: skip


def per_province(fiscal_year_be: int, as_of: dt.date) -> list[units.Unit]:
    plan = plan_mod.plan_for_year(fiscal_year_be)
    result = plan_mod.compute(plan, fiscal_year_be, as_of)
    return [
        units.Unit(
            group.label,
            figure=gettext("ร้อยละ %(percent_text)s") % {"percent_text": group.percent_text},
        )
        for group in result.by_province()
    ]


units.register("volunteers.plan", gettext_lazy("รายจังหวัด (แผนพัฒนาศักยภาพ อพม.)"), per_province)
