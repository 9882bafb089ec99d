"""The year's KPI report as OPDC expects it: the summary table with the weighted total, then one
page per indicator (definition, formula, targets, result, score, evidence list). The same data
gives the HTML page, the .xlsx and the PDF (the page's template fragments, through core.pdf).

Dates are Bangkok's: an evidence sent at 01:00 on 12 March (Bangkok) is dated 12 March, though it
is 11 March in UTC. In the .xlsx every figure is a number (weights, percentages, numerators and
denominators, scores) with a number format that shows it as the page does, and every date a date
cell shown in the Buddhist era (core.exports).

Queries: the evaluation (fixed), baselines (1), evidence with its people (1).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.numbers import count_text as num
from core.numbers import half_up, two_text
from core.thaidate import format_thai_date
from indicators import evaluation
from indicators.evaluation import IndicatorResult, SetResult
from indicators.models import (
    LEVEL_NAMES,
    TARGET_LABELS,
    Baseline,
    Evidence,
    IndicatorKind,
    IndicatorSet,
)
from indicators.registry import Label

TWO = Decimal("0.01")


def dec2(value) -> str:
    if value is None:
        return "–"
    return two_text(value, grouped=True)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def local_date(moment: dt.datetime | None) -> dt.date | None:
    """The day a moment fell on in Bangkok (an aware datetime's own ``.date()`` is UTC's)."""
    if moment is None:
        return None
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


_LEADING_PERCENT = re.compile(r"^\s*ร้อยละ\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*")


def note_without_target(target, note: str) -> str:
    """A target's note without the figure it repeats: the FY2563 notes open with the target
    itself ("ร้อยละ 10.72 (ผลการดำเนินงานปี 62)"), which the report shows already."""
    match = _LEADING_PERCENT.match(note or "")
    if target is None or not match:
        return note
    try:
        same = Decimal(match.group(1).replace(",", "")) == Decimal(str(target))
    except InvalidOperation:
        return note
    return note[match.end() :] if same else note


@dataclass
class Page:
    res: IndicatorResult
    baselines: list[Baseline]
    evidence: dict[int, list[Evidence]]  # deliverable id → evidence
    children: list[IndicatorResult] = field(default_factory=list)

    @property
    def ind(self):
        return self.res.indicator

    @property
    def result_text(self) -> Label:
        return result_text(self.res)

    @property
    def level_text(self) -> Label:
        return level_text(self.res)

    @property
    def targets(self) -> list[dict]:
        ind = self.ind
        points = ind.indicator_set.points
        notes = self.res.target_notes  # the targets in force at the report's date
        rows = []
        for i, label in enumerate(TARGET_LABELS):
            target = self.res.targets[i]
            rows.append(
                {
                    "label": label,
                    "points": num(points[i]),
                    "value": target,
                    "target": _("ร้อยละ %(target)s") % {"target": dec2(target)}
                    if target is not None
                    else "",
                    "note": note_without_target(target, notes[i]),
                    "deliverables": [
                        {"status": s, "evidence": self.evidence.get(s.deliverable.id, [])}
                        for s in self.res.deliverables_at(i + 1)
                    ],
                }
            )
        return rows

    @property
    def evidence_items(self) -> list[dict]:
        """One line per evidence of each deliverable (or the figure from the system, or "none
        yet"): level, deliverable, title, link, status, who sent and reviewed it and the day
        (in Bangkok)."""
        items = []
        for status in self.res.deliverables:
            d = status.deliverable
            line = {
                "level": TARGET_LABELS[d.level - 1],
                "deliverable": d.title,
                "title": "",
                "url": "",
                "status": "",
                "submitted_by": "",
                "submitted_on": None,
                "reviewed_by": "",
                "reviewed_on": None,
            }
            evidence = self.evidence.get(d.id, [])
            if status.fact is not None:
                items.append(
                    {
                        **line,
                        "title": _("ตัวเลขจากระบบ: %(figure)s") % {"figure": status.fact.figure},
                    }
                )
            for ev in evidence:
                items.append(
                    {
                        **line,
                        "title": ev.title,
                        "url": ev.url,
                        "status": ev.get_status_display(),
                        "submitted_by": person(ev.submitted_by) if ev.submitted_at else "",
                        "submitted_on": local_date(ev.submitted_at),
                        "reviewed_by": person(ev.reviewed_by) if ev.reviewed_at else "",
                        "reviewed_on": local_date(ev.reviewed_at),
                    }
                )
            if not evidence and status.fact is None:
                items.append({**line, "title": _("ยังไม่มีหลักฐาน")})
        return items

    @property
    def evidence_rows(self) -> list[list[str]]:
        """The evidence lines as the page and the PDF print them."""
        return [
            [
                item["level"],
                item["deliverable"],
                item["title"] + (f" ({item['url']})" if item["url"] else ""),
                item["status"],
                _approval(item),
            ]
            for item in self.evidence_items
        ]


def _approval(item: dict) -> str:
    parts = []
    if item["submitted_on"]:
        parts.append(
            _("ส่งโดย %(person)s %(day)s")
            % {"person": item["submitted_by"], "day": format_thai_date(item["submitted_on"])}
        )
    if item["reviewed_on"]:
        parts.append(
            _("พิจารณาโดย %(person)s %(day)s")
            % {"person": item["reviewed_by"], "day": format_thai_date(item["reviewed_on"])}
        )
    return " · ".join(parts)


def result_text(res: IndicatorResult) -> Label:
    if res.kind == IndicatorKind.RATIO:
        if res.value is None:
            return _("ยังไม่มีผล")
        return _("ร้อยละ %(percent)s (%(numerator)s / %(denominator)s)") % {
            "percent": dec2(res.value),
            "numerator": num(res.numerator),
            "denominator": num(res.denominator),
        }
    if res.kind == IndicatorKind.MILESTONE:
        return _("ผ่านระดับ %(level)s") % {"level": res.level} if res.level else _("ยังไม่ผ่านระดับใด")
    return ""


def level_text(res: IndicatorResult) -> Label:
    if res.level is None:
        return ""
    return LEVEL_NAMES.get(res.level, "")


@dataclass
class KpiReport:
    result: SetResult
    pages: list[Page]

    @property
    def indicator_set(self) -> IndicatorSet:
        return self.result.indicator_set

    @property
    def as_of(self) -> dt.date:
        return self.result.as_of

    @property
    def title(self) -> str:
        s = self.indicator_set
        return _("รายงานผลการดำเนินงานตามตัวชี้วัด %(agency_name)s ปีงบประมาณ พ.ศ. %(fiscal_year)s") % {
            "agency_name": s.agency_name,
            "fiscal_year": s.fiscal_year,
        }

    @property
    def total_text(self) -> str:
        return dec2(self.result.total)

    @property
    def total_level_text(self) -> Label:
        return LEVEL_NAMES[self.result.total_level]

    def summary_rows(self) -> list[dict]:
        rows = []
        for res in self.result.flat():
            rows.append(
                {
                    "res": res,
                    "code": res.code,
                    "name": res.indicator.name,
                    "weight": (
                        f"({num(res.indicator.weight)})"
                        if res.indicator.parent_id
                        else num(res.indicator.weight)
                    ),
                    "result": result_text(res),
                    "level": level_text(res),
                    "score": dec2(res.score),
                    "weighted": dec2(res.weighted_score),
                }
            )
        return rows


def build(indicator_set: IndicatorSet, as_of: dt.date, user=None) -> KpiReport:
    """``user``: whose report it is; the evidence lines are those they may see
    (``Evidence.objects.visible_to``: without a user, no drafts)."""
    result = evaluation.evaluate(indicator_set, as_of)
    baselines: dict[int, list] = {}
    for b in Baseline.objects.filter(indicator__indicator_set=indicator_set).order_by(
        "fiscal_year"
    ):
        baselines.setdefault(b.indicator_id, []).append(b)
    evidence: dict[int, list] = {}
    for ev in (
        Evidence.objects.visible_to(user)
        .filter(deliverable__indicator__indicator_set=indicator_set)
        .select_related("submitted_by", "reviewed_by")
        .order_by("created_at", "pk")
    ):
        evidence.setdefault(ev.deliverable_id, []).append(ev)
    pages = [
        Page(res, baselines.get(res.indicator.id, []), evidence, list(res.children))
        for res in result.flat()
    ]
    return KpiReport(result, pages)


# --- .xlsx ------------------------------------------------------------------------------------

SUMMARY_HEADER = [
    _("ตัวชี้วัด"),
    _("ชื่อตัวชี้วัด"),
    _("น้ำหนัก"),
    _("ผลการดำเนินงาน"),
    _("ระดับ"),
    _("คะแนน"),
    _("คะแนนถ่วงน้ำหนัก"),
]
EVIDENCE_HEADER = [
    _("ระดับ"), _("ผลผลิต"), _("หลักฐาน"), _("ลิงก์"), _("สถานะ"), _("ส่งโดย"), _("วันที่ส่ง"), _("พิจารณาโดย"), _("วันที่พิจารณา"),
]  # fmt: skip

# Number formats: each figure is a number in its cell and reads as the page shows it.
PERCENT = '"ร้อยละ "0.00'
SCORE = "0.00"
WEIGHT = "0.##;-0.##;0"  # 20, 12.5
CHILD_WEIGHT = '"("0.##")"'  # a sub-indicator's weight, part of its parent's: (20)
COUNT = "#,##0"
NUMERATOR = '"ตัวตั้ง "#,##0'
DENOMINATOR = '"ตัวหาร "#,##0'


@dataclass(frozen=True)
class Num:
    """A number and the format it is shown in."""

    value: object
    format: str


def _n(value, number_format: str):
    """A number cell, or empty when there is no figure."""
    return None if value is None else Num(Decimal(value), number_format)


def _two(value, number_format: str):
    """A figure the report shows with two decimals, rounded as shown (half up)."""
    if value is None:
        return None
    return Num(half_up(value), number_format)


def _score(value):
    return _two(value, SCORE)


def _percent(value):
    return _two(value, PERCENT)


def _put_row(sheet, values, font=None, wrap=None, left=None) -> None:
    """Append a row of plain values and ``Num`` figures (number formats applied)."""
    sheet.append([v.value if isinstance(v, Num) else v for v in values])
    row = sheet.max_row
    for col, v in enumerate(values, 1):
        cell = sheet.cell(row, col)
        if isinstance(v, Num):
            cell.number_format = v.format
            if left is not None:
                cell.alignment = left
        elif wrap is not None and isinstance(v, str):
            cell.alignment = wrap
        if font is not None:
            cell.font = font


def _result_figure(res: IndicatorResult):
    """The summary's result cell: the percentage (a number) for a ratio, else the text."""
    if res.kind == IndicatorKind.RATIO and res.value is not None:
        return _percent(res.value)
    return result_text(res) or None


def as_xlsx(report: KpiReport) -> bytes:
    """Written through ``core.exports.Book``: every cell cleaned (no formulas, no control
    characters), numbers as numbers, dates as BE date cells."""
    from openpyxl.styles import Alignment, Font

    from core.exports import Book

    bold = Font(name="Sarabun", bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    left = Alignment(horizontal="left", vertical="top")
    book = Book()
    ws = book.active
    ws.title = _("สรุป")
    ws.append([report.title])
    ws["A1"].font = Font(name="Sarabun", bold=True, size=14)
    ws.append([_("ข้อมูล ณ วันที่ %(day)s") % {"day": format_thai_date(report.as_of, long=True)}])
    ws.append([])
    _put_row(ws, SUMMARY_HEADER, font=bold)
    for row in report.summary_rows():
        res = row["res"]
        weight = CHILD_WEIGHT if res.indicator.parent_id else WEIGHT
        _put_row(
            ws,
            [
                row["code"],
                row["name"],
                _n(res.indicator.weight, weight),
                _result_figure(res),
                row["level"] or None,
                _score(res.score),
                _score(res.weighted_score),
            ],
            wrap=wrap,
        )
    _put_row(
        ws,
        [_("รวม"), None, Num(100, WEIGHT), None, report.total_level_text, None,
         _score(report.result.total)],
        font=bold,
    )  # fmt: skip
    for col, width in zip("ABCDEFG", (10, 70, 10, 22, 22, 10, 18), strict=True):
        ws.column_dimensions[col].width = width

    used = set()
    for page in report.pages:
        name = (_("ตัวชี้วัด %(code)s") % {"code": page.ind.code})[:31]
        if name in used:
            continue
        used.add(name)
        sheet = book.create_sheet(name)
        for col, width in zip("ABCDEFGHI", (26, 60, 40, 30, 16, 22, 14, 22, 14), strict=True):
            sheet.column_dimensions[col].width = width
        for label, *values in _page_fields(page):
            _put_row(sheet, [label, *values], wrap=wrap, left=left)
            sheet.cell(sheet.max_row, 1).font = bold
        if page.res.deliverables:
            sheet.append([])
            _put_row(sheet, EVIDENCE_HEADER, font=bold)
            for item in page.evidence_items:
                _put_row(
                    sheet,
                    [
                        item["level"], item["deliverable"], item["title"], item["url"] or None,
                        item["status"] or None, item["submitted_by"] or None,
                        item["submitted_on"], item["reviewed_by"] or None, item["reviewed_on"],
                    ],
                    wrap=wrap,
                )  # fmt: skip
    return book.to_bytes()


def _page_fields(page: Page) -> list[tuple]:
    """The indicator's sheet, a row per field: the label, then its value(s). Figures are
    ``Num``s; texts stay texts."""
    ind = page.ind
    res = page.res
    fields: list[tuple] = [
        (_("ตัวชี้วัด"), f"{ind.code} {ind.name}"),
        (_("น้ำหนัก (ร้อยละ)"), _n(ind.weight, WEIGHT)),
        (_("ประเภท"), ind.get_kind_display()),
        (_("คำอธิบาย"), ind.description or "–"),
    ]
    if ind.formula:
        fields.append((_("สูตรคำนวณ"), ind.formula))
    for b in page.baselines:
        label = _("ข้อมูลพื้นฐาน ปี %(fiscal_year)s") % {"fiscal_year": b.fiscal_year}
        if b.value is None:
            fields.append((label, b.note or "–"))
        else:
            fields.append(
                (
                    label,
                    _percent(b.value),
                    _n(b.numerator, NUMERATOR) if b.denominator else None,
                    _n(b.denominator, DENOMINATOR) if b.denominator else None,
                    b.note or None,
                )
            )
    if ind.kind != IndicatorKind.GROUP:
        for t in page.targets:
            label = _("%(label)s (%(points)s คะแนน)") % {"label": t["label"], "points": t["points"]}
            if t["value"] is not None:
                fields.append((label, _percent(t["value"]), t["note"] or None))
            else:
                fields.append((label, t["note"] or "–"))
    if page.children:
        fields.append(
            (_("ตัวชี้วัดย่อย"), "; ".join(f"{c.code} {c.indicator.name}" for c in page.children))
        )
    if res.kind == IndicatorKind.RATIO and res.value is not None:
        fields.append(
            (
                _("ผลการดำเนินงาน"),
                _percent(res.value),
                _n(res.numerator, NUMERATOR),
                _n(res.denominator, DENOMINATOR),
            )
        )
    else:
        fields.append((_("ผลการดำเนินงาน"), page.result_text or "–"))
    fields += [
        (_("ระดับ"), page.level_text or "–"),
        (_("คะแนน"), _score(res.score) or "–"),
        (_("คะแนนถ่วงน้ำหนัก"), _score(res.weighted_score) or "–"),
    ]
    return fields


# --- PDF --------------------------------------------------------------------------------------


def as_pdf(report: KpiReport) -> bytes:
    """The summary, then one page per indicator: the HTML page's fragments
    (reports/_summary_table.html, reports/_indicator_page.html) in reports/pdf/kpi_report.html."""
    from core.pdf import render_pdf

    return render_pdf("reports/pdf/kpi_report.html", {"report": report})
