"""KPI 3.1: the catalog's completeness and links, shown beside the evidence (met=None)."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from catalog.models import COMPLETE, Dataset
from core.numbers import percent_text
from indicators import registry


def _pct(part: int, total: int) -> str:
    return percent_text(part, total)


def catalog_url(fiscal_year_be: int | None = None, as_of: dt.date | None = None) -> str:
    return reverse("catalog:list")


@registry.register(
    "catalog.completeness",
    _("ความครบถ้วนของบัญชีข้อมูลกลาง"),
    detail_url=catalog_url,
    shows=("catalog_completeness", "catalog_linked"),
    detail_label=_("รายการฐานข้อมูล (บัญชีข้อมูลกลาง)"),
)
def completeness(fiscal_year_be: int, as_of: dt.date) -> registry.MilestoneFacts:
    """One query. The catalog is the current state: it has no history per year to replay."""
    counts = Dataset.objects.aggregate(
        total=Count("id"),
        complete=Count("id", filter=COMPLETE),
        linked=Count("id", filter=Q(linked_to_center=True)),
    )
    total, complete, linked = counts["total"], counts["complete"], counts["linked"]
    url = catalog_url()
    return registry.MilestoneFacts(
        {
            "catalog_completeness": registry.Fact(
                met=None,
                figure=_("ข้อมูลครบถ้วน %(complete)s / %(total)s รายการ (ร้อยละ %(percent)s)")
                % {
                    "complete": format(complete, ","),
                    "total": format(total, ","),
                    "percent": _pct(complete, total),
                },
                url=url,
            ),
            "catalog_linked": registry.Fact(
                met=None,
                figure=_("เชื่อมโยงศูนย์ข้อมูลกลางแล้ว %(linked)s / %(total)s รายการ")
                % {"linked": format(linked, ","), "total": format(total, ",")},
                url=f"{url}?linked_to_center=true",
            ),
        }
    )
