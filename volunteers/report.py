"""The level-100 field-work report (รายงานผลการช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่), drafted
from the service records of a fiscal year: by type, target group, province and month. Four
grouped queries on the monthly summary (plus the as-of month's days from the records) whatever
the number of records; downloadable as xlsx and PDF."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy

from core.collation import thai_sorted
from core.models import Province
from core.thaidate import (
    MONTHS_EN,
    MONTHS_SHORT,
    be_year,
    current_lang,
    fiscal_year_bounds,
    format_thai_date,
)
from volunteers import summary
from volunteers.models import ServiceType, TargetGroup


@dataclass
class Row:
    label: str
    services: int
    people: int


@dataclass
class FieldReport:
    fiscal_year: int
    as_of: dt.date
    scope_label: str
    by_type: list[Row]
    by_group: list[Row]
    by_province: list[Row]
    by_month: list[Row]

    @property
    def total(self) -> Row:
        return Row(
            gettext("รวม"),
            sum(r.services for r in self.by_type),
            sum(r.people for r in self.by_type),
        )


def _rows(got: dict, labels) -> list[Row]:
    return [Row(label, *got.get((k,), (0, 0))) for k, label in labels]


def build(
    fiscal_year: int,
    as_of: dt.date | None = None,
    scope_label=None,
    province=None,
    nothing: bool = False,
):
    """The report of a fiscal year up to ``as_of``: the whole country, one ``province``, or
    ``nothing`` (a user who sees no services)."""
    start, end = fiscal_year_bounds(fiscal_year)
    as_of = min(as_of or end, end)
    if scope_label is None:
        scope_label = gettext("ทั้งประเทศ")

    def totals(key: str) -> dict:
        return {} if nothing else summary.totals((key,), start, as_of, province)

    by_type = _rows(totals("service_type"), ServiceType.choices)
    by_group = _rows(totals("target_group"), TargetGroup.choices)
    prov = totals("province_id")
    names = dict(Province.objects.filter(pk__in=[k for (k,) in prov]).values_list("pk", "name"))
    by_province = thai_sorted(
        (Row(names[k], n, p) for (k,), (n, p) in prov.items()), key=lambda r: r.label
    )
    months = {(m.year, m.month): v for (m,), v in totals("month").items()}
    by_month = []
    month_names = MONTHS_EN if current_lang() == "en" else MONTHS_SHORT
    y, m = start.year, start.month
    for _ in range(12):
        n, p = months.get((y, m), (0, 0))
        by_month.append(Row(f"{month_names[m - 1]} {be_year(y)}", n, p))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return FieldReport(fiscal_year, as_of, scope_label, by_type, by_group, by_province, by_month)


SECTIONS = (
    (gettext_lazy("ตามประเภทบริการ"), "by_type"),
    (gettext_lazy("ตามกลุ่มเป้าหมาย"), "by_group"),
    (gettext_lazy("ตามจังหวัด"), "by_province"),
    (gettext_lazy("รายเดือน"), "by_month"),
)


def title_of(report: FieldReport) -> str:
    return gettext("รายงานผลการช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่ของ อพม. ปีงบประมาณ %(fiscal_year)s") % {
        "fiscal_year": report.fiscal_year
    }


def as_xlsx(report: FieldReport) -> bytes:
    """Written through ``core.exports.Book``: every cell cleaned, counts as numbers."""
    from openpyxl.styles import Font

    from core.exports import Book

    wb = Book()
    ws = wb.active
    ws.title = "สรุป"
    ws.append([title_of(report)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([f"ขอบเขต: {report.scope_label} ข้อมูล ณ วันที่ {format_thai_date(report.as_of)}"])
    ws.append(["ร่างโดยระบบจากบันทึกการให้บริการของ อพม."])
    for heading, attr in SECTIONS:
        ws.append([])
        ws.append([heading, "จำนวนครั้ง", "จำนวนคน"])
        ws.cell(ws.max_row, 1).font = Font(bold=True)
        for row in getattr(report, attr):
            ws.append([row.label, row.services, row.people])
    ws.append([])
    total = report.total
    ws.append(["รวมทั้งสิ้น", total.services, total.people])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 14
    return wb.to_bytes()


def as_pdf(report: FieldReport) -> bytes:
    """The page's tables (volunteers/_field_table.html) in volunteers/pdf/field_report.html."""
    from core.pdf import render_pdf

    sections = [(heading, getattr(report, attr)) for heading, attr in SECTIONS]
    return render_pdf(
        "volunteers/pdf/field_report.html",
        {"report": report, "title": title_of(report), "sections": sections},
    )
