"""The year's KPI report as OPDC expects it: the summary table with the weighted total, then one
page per indicator (definition, formula, targets, result, score, evidence list). The same data
gives the HTML page, the .xlsx and the PDF (the page's template fragments, through core.pdf).

Queries: the evaluation (fixed), baselines (1), evidence with its people (1).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.thaidate import format_thai_date
from indicators import evaluation
from indicators.evaluation import IndicatorResult, SetResult
from indicators.models import Baseline, Evidence, IndicatorKind, IndicatorSet
from reports.dashboard import LEVEL_LABELS, TARGET_LABELS

TWO = Decimal("0.01")


def dec2(value) -> str:
    if value is None:
        return "–"
    return f"{Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP):,}"


def num(value) -> str:
    if value is None:
        return "–"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return dec2(value)


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


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
    def result_text(self) -> str:
        return result_text(self.res)

    @property
    def level_text(self) -> str:
        return level_text(self.res)

    @property
    def targets(self) -> list[dict]:
        ind = self.ind
        points = ind.indicator_set.points
        notes = (ind.target_min_note, ind.target_std_note, ind.target_max_note)
        rows = []
        for i, label in enumerate(TARGET_LABELS):
            target = ind.targets[i]
            rows.append(
                {
                    "label": label,
                    "points": num(points[i]),
                    "target": f"ร้อยละ {dec2(target)}" if target is not None else "",
                    "note": notes[i],
                    "deliverables": [
                        {"status": s, "evidence": self.evidence.get(s.deliverable.id, [])}
                        for s in self.res.deliverables_at(i + 1)
                    ],
                }
            )
        return rows

    @property
    def evidence_rows(self) -> list[list[str]]:
        rows = []
        for status in self.res.deliverables:
            d = status.deliverable
            level = TARGET_LABELS[d.level - 1]
            items = self.evidence.get(d.id, [])
            if status.fact is not None:
                rows.append([level, d.title, f"ตัวเลขจากระบบ: {status.fact.figure}", "", ""])
            for ev in items:
                rows.append(
                    [
                        level,
                        d.title,
                        ev.title + (f" ({ev.url})" if ev.url else ""),
                        ev.get_status_display(),
                        _approval(ev),
                    ]
                )
            if not items and status.fact is None:
                rows.append([level, d.title, "ยังไม่มีหลักฐาน", "", ""])
        return rows


def _approval(ev: Evidence) -> str:
    parts = []
    if ev.submitted_at:
        parts.append(f"ส่งโดย {person(ev.submitted_by)} {format_thai_date(ev.submitted_at)}")
    if ev.reviewed_at:
        parts.append(f"พิจารณาโดย {person(ev.reviewed_by)} {format_thai_date(ev.reviewed_at)}")
    return " · ".join(parts)


def result_text(res: IndicatorResult) -> str:
    if res.kind == IndicatorKind.RATIO:
        if res.value is None:
            return "ยังไม่มีผล"
        return f"ร้อยละ {dec2(res.value)} ({num(res.numerator)} / {num(res.denominator)})"
    if res.kind == IndicatorKind.MILESTONE:
        return f"ผ่านระดับ {res.level}" if res.level else "ยังไม่ผ่านระดับใด"
    return ""


def level_text(res: IndicatorResult) -> str:
    if res.level is None:
        return ""
    return LEVEL_LABELS.get(res.level, "")


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
        return f"รายงานผลการดำเนินงานตามตัวชี้วัด {s.agency_name} ปีงบประมาณ พ.ศ. {s.fiscal_year}"

    @property
    def total_text(self) -> str:
        return dec2(self.result.total)

    @property
    def total_level_text(self) -> str:
        return LEVEL_LABELS[self.result.total_level]

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

SUMMARY_HEADER = ["ตัวชี้วัด", "ชื่อตัวชี้วัด", "น้ำหนัก", "ผลการดำเนินงาน", "ระดับ", "คะแนน", "คะแนนถ่วงน้ำหนัก"]


def as_xlsx(report: KpiReport) -> bytes:
    """Written through ``core.exports.Book``: every cell cleaned (no formulas, no control
    characters), numbers as numbers."""
    from openpyxl.styles import Alignment, Font

    from core.exports import Book

    bold = Font(name="Sarabun", bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    book = Book()
    ws = book.active
    ws.title = "สรุป"
    ws.append([report.title])
    ws["A1"].font = Font(name="Sarabun", bold=True, size=14)
    ws.append([f"ข้อมูล ณ วันที่ {format_thai_date(report.as_of, long=True)}"])
    ws.append([])
    ws.append(SUMMARY_HEADER)
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in report.summary_rows():
        res = row["res"]
        ws.append(
            [
                row["code"],
                row["name"],
                float(res.indicator.weight),
                row["result"],
                row["level"],
                float(round(res.score, 2)) if res.score is not None else None,
                float(round(res.weighted_score, 2)) if res.weighted_score is not None else None,
            ]
        )
    ws.append(
        ["รวม", "", 100, "", report.total_level_text, None, float(round(report.result.total, 2))]
    )
    for cell in ws[ws.max_row]:
        cell.font = bold
    for col, width in zip("ABCDEFG", (10, 70, 10, 30, 22, 10, 18), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=5):
        row[1].alignment = wrap

    used = set()
    for page in report.pages:
        name = f"ตัวชี้วัด {page.ind.code}"[:31]
        if name in used:
            continue
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 90
        for label, value in _page_fields(page):
            sheet.append([label, value])
            sheet.cell(sheet.max_row, 1).font = bold
            sheet.cell(sheet.max_row, 2).alignment = wrap
        if page.res.deliverables:
            sheet.append([])
            sheet.append(["ระดับ", "ผลผลิต", "หลักฐาน", "สถานะ", "การส่ง/อนุมัติ"])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in page.evidence_rows:
                sheet.append(row)
    return book.to_bytes()


def _page_fields(page: Page) -> list[tuple[str, str]]:
    ind = page.ind
    fields = [
        ("ตัวชี้วัด", f"{ind.code} {ind.name}"),
        ("น้ำหนัก (ร้อยละ)", num(ind.weight)),
        ("ประเภท", ind.get_kind_display()),
        ("คำอธิบาย", ind.description or "–"),
    ]
    if ind.formula:
        fields.append(("สูตรคำนวณ", ind.formula))
    for b in page.baselines:
        text = dec2(b.value) if b.value is not None else ""
        if b.numerator is not None and b.denominator:
            text = f"{text} ({num(b.numerator)} / {num(b.denominator)})".strip()
        fields.append((f"ข้อมูลพื้นฐาน ปี {b.fiscal_year}", text or b.note or "–"))
    if ind.kind != IndicatorKind.GROUP:
        for t in page.targets:
            fields.append(
                (
                    f"{t['label']} ({t['points']} คะแนน)",
                    " ".join(x for x in (t["target"], t["note"]) if x) or "–",
                )
            )
    if page.children:
        fields.append(
            ("ตัวชี้วัดย่อย", "; ".join(f"{c.code} {c.indicator.name}" for c in page.children))
        )
    fields += [
        ("ผลการดำเนินงาน", page.result_text or "–"),
        ("ระดับ", page.level_text or "–"),
        ("คะแนน", dec2(page.res.score)),
        ("คะแนนถ่วงน้ำหนัก", dec2(page.res.weighted_score)),
    ]
    return fields


# --- PDF --------------------------------------------------------------------------------------


def as_pdf(report: KpiReport) -> bytes:
    """The summary, then one page per indicator: the HTML page's fragments
    (reports/_summary_table.html, reports/_indicator_page.html) in reports/pdf/kpi_report.html."""
    from core.pdf import render_pdf

    return render_pdf("reports/pdf/kpi_report.html", {"report": report})
