"""The usage-and-evaluation report of the status service (KPI 3.2 level 100): checks per month,
distinct citizens, ratings and comments, with a drafted text that staff complete before it is
submitted as evidence. Computed in the database in a fixed number of queries."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext

from core.numbers import percent_text
from core.thaidate import (
    MONTHS_EN,
    MONTHS_LONG,
    be_year,
    current_lang,
    default_as_of,
    fiscal_year_bounds,
    format_thai_date,
)
from indicators.services import threshold_for
from subsidies.models import Channel, Rating, StatusCheck

COMMENT_LIMIT = 200
KEY = "status_checks"  # the deliverable KPI 3.2 decides; its threshold is the set's (3,500)


def pct(numerator: int, denominator: int | None) -> str:
    if not denominator:
        return "-"
    return percent_text(numerator, denominator)


@dataclass
class UsageReport:
    fiscal_year: int
    start: dt.date
    as_of: dt.date
    months: list[dict] = field(default_factory=list)
    checks: int = 0
    citizens: int = 0
    web: int = 0
    api: int = 0
    ratings: dict[int, int] = field(default_factory=dict)
    rating_count: int = 0
    rating_average: Decimal | None = None
    comments: list[dict] = field(default_factory=list)
    target: int | None = None  # from the indicator set (indicators.services.threshold_for)

    @property
    def target_met(self) -> bool:
        return self.target is not None and self.citizens >= self.target

    @property
    def satisfied(self) -> int:
        return self.ratings.get(4, 0) + self.ratings.get(5, 0)

    @property
    def rating_rows(self) -> list[dict]:
        return [
            {
                "score": s,
                "count": self.ratings.get(s, 0),
                "pct": pct(self.ratings.get(s, 0), self.rating_count),
            }
            for s in range(5, 0, -1)
        ]

    @property
    def summary(self) -> list[str]:
        avg = f"{self.rating_average:.2f}" if self.rating_average is not None else "-"
        return [
            gettext(
                "ในปีงบประมาณ พ.ศ. %(fiscal_year)s (ข้อมูลตั้งแต่ %(format_thai_date)s ถึง %(format_thai_date2)s) มีการตรวจสอบสถานะการขอรับเงินอุดหนุนสำเร็จ %(checks)s ครั้ง (ผ่านหน้าเว็บ %(web)s ครั้ง ผ่านเว็บเซอร์วิส %(api)s ครั้ง) จากประชาชน %(citizens)s ราย คิดเป็นร้อยละ %(pct)s ของเป้าหมาย %(TARGET)s ราย"
            )
            % {
                "fiscal_year": self.fiscal_year,
                "format_thai_date": format_thai_date(self.start, True),
                "format_thai_date2": format_thai_date(self.as_of, True),
                "checks": f"{self.checks:,}",
                "web": f"{self.web:,}",
                "api": f"{self.api:,}",
                "citizens": f"{self.citizens:,}",
                "pct": pct(self.citizens, self.target),
                "TARGET": f"{self.target:,}" if self.target else "-",
            },
            gettext(
                "ผู้ใช้งานประเมินความพึงพอใจ %(rating_count)s ครั้ง คะแนนเฉลี่ย %(avg)s จาก 5 ผู้ที่พึงพอใจมากถึงมากที่สุด (4–5 คะแนน) ร้อยละ %(pct)s"
            )
            % {
                "rating_count": f"{self.rating_count:,}",
                "avg": avg,
                "pct": pct(self.satisfied, self.rating_count),
            },
        ]

    @property
    def recommendations(self) -> list[str]:
        """A first draft; the officer edits it before the report goes to the head of agency."""
        items = []
        if not self.target_met:
            items.append(
                gettext(
                    "ประชาสัมพันธ์ช่องทางตรวจสอบสถานะเพิ่มเติม เช่น พิมพ์เลขอ้างอิงและช่องทางตรวจสอบ"
                    "ในใบรับคำขอทุกฉบับ และแจ้งผ่านสำนักงานพัฒนาสังคมและความมั่นคงของมนุษย์จังหวัด"
                )
            )
        if self.rating_average is not None and self.rating_average < 4:
            items.append(gettext("ทบทวนความเข้าใจง่ายของหน้าตรวจสอบสถานะตามข้อเสนอแนะของผู้ใช้งาน"))
        if self.comments:
            items.append(
                gettext("พิจารณาข้อเสนอแนะของผู้ใช้งาน %(len)s รายการ (แนบท้ายรายงาน)")
                % {"len": f"{len(self.comments):,}"}
            )
        items.append(gettext("เชื่อมโยงเว็บเซอร์วิสตรวจสอบสถานะกับระบบของหน่วยงานอื่นเพื่อเพิ่มช่องทางให้ประชาชน"))
        return items


def month_label(day: dt.date) -> str:
    months = MONTHS_EN if current_lang() == "en" else MONTHS_LONG
    return f"{months[day.month - 1]} {be_year(day.year)}"


def build(fiscal_year: int, as_of: dt.date | None = None) -> UsageReport:
    start, _ = fiscal_year_bounds(fiscal_year)
    as_of = as_of or default_as_of(fiscal_year)
    checks = StatusCheck.objects.counted().filter(checked_on__gte=start, checked_on__lte=as_of)
    report = UsageReport(fiscal_year, start, as_of, target=threshold_for(KEY, fiscal_year, as_of))

    per_month = {
        row["month"]: row
        for row in checks.annotate(month=TruncMonth("checked_on"))
        .values("month")
        .annotate(checks=Count("id"), citizens=Count("citizen_key", distinct=True))
        .order_by("month")
    }
    day = start
    while day <= as_of:
        row = per_month.get(day, {})
        report.months.append(
            {
                "month": day,
                "label": month_label(day),
                "checks": row.get("checks", 0),
                "citizens": row.get("citizens", 0),
            }
        )
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)

    totals = checks.aggregate(
        checks=Count("id"),
        citizens=Count("citizen_key", distinct=True),
        web=Count("id", filter=Q(channel=Channel.WEB)),
        api=Count("id", filter=Q(channel=Channel.API)),
    )
    report.checks, report.citizens = totals["checks"], totals["citizens"]
    report.web, report.api = totals["web"], totals["api"]

    ratings = Rating.objects.counted().filter(
        check_record__checked_on__gte=start, check_record__checked_on__lte=as_of
    )
    report.ratings = dict(ratings.values_list("score").annotate(n=Count("id")).order_by())
    report.rating_count = sum(report.ratings.values())
    if report.rating_count:
        total = sum(score * n for score, n in report.ratings.items())
        report.rating_average = Decimal(total) / Decimal(report.rating_count)
    report.comments = [
        {"date": row["check_record__checked_on"], "score": row["score"], "comment": row["comment"]}
        for row in ratings.exclude(comment="")
        .order_by("-created_at")
        .values("check_record__checked_on", "score", "comment")[:COMMENT_LIMIT]
    ]
    return report


def as_xlsx(report: UsageReport) -> bytes:
    """Written through ``core.exports.Book``: a citizen's comment is text, whatever it holds."""
    from openpyxl.styles import Font

    from core.exports import Book

    wb = Book()
    ws = wb.active
    ws.title = "สรุป"
    bold = Font(bold=True)
    ws.append(
        [f"รายงานผลการใช้งานระบบตรวจสอบสถานะการขอรับเงินอุดหนุน ปีงบประมาณ พ.ศ. {report.fiscal_year}"]
    )
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["(ร่างโดยระบบ — โปรดตรวจทานและแก้ไขก่อนเสนอหัวหน้าส่วนราชการ)"])
    ws.append([])
    for line in report.summary:
        ws.append([line])
    ws.append([])
    ws.append(["ข้อเสนอแนะในการปรับปรุงพัฒนาระบบ"])
    ws.cell(ws.max_row, 1).font = bold
    for i, line in enumerate(report.recommendations, 1):
        ws.append([f"{i}. {line}"])
    ws.column_dimensions["A"].width = 120

    months = wb.create_sheet("รายเดือน")
    months.append(["เดือน", "จำนวนครั้งที่ตรวจสอบ", "จำนวนประชาชน (ราย)"])
    for row in report.months:
        months.append([row["label"], row["checks"], row["citizens"]])
    months.append(["รวมทั้งปี (นับซ้ำรายเดียวครั้งเดียว)", report.checks, report.citizens])
    for cell in months[1]:
        cell.font = bold
    months.column_dimensions["A"].width = 36
    months.column_dimensions["B"].width = 22
    months.column_dimensions["C"].width = 22

    ratings = wb.create_sheet("ความพึงพอใจ")
    ratings.append(["คะแนน", "จำนวน", "ร้อยละ"])
    for row in report.rating_rows:
        share = Decimal(row["pct"]) if row["pct"] != "-" else None  # a number, or empty
        ratings.append([row["score"], row["count"], share])
    ratings.append(["รวม", report.rating_count, ""])
    avg = float(report.rating_average) if report.rating_average is not None else None
    ratings.append(["คะแนนเฉลี่ย", avg, ""])
    for cell in ratings[1]:
        cell.font = bold

    comments = wb.create_sheet("ข้อเสนอแนะ")
    comments.append(["วันที่", "คะแนน", "ข้อเสนอแนะ"])
    for row in report.comments:
        comments.append([row["date"], row["score"], row["comment"]])
    for cell in comments[1]:
        cell.font = bold
    comments.column_dimensions["A"].width = 16
    comments.column_dimensions["C"].width = 100
    return wb.to_bytes()


def as_pdf(report: UsageReport) -> bytes:
    """The report page's fragments (subsidies/_usage_*.html) in subsidies/pdf/usage_report.html."""
    from core.pdf import render_pdf

    return render_pdf("subsidies/pdf/usage_report.html", {"report": report})
