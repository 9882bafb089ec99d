"""The self-assessment report of a round (รายงานผลการประเมินตนเอง), in the shape a department sends
it: a header (agency, fiscal year, round, as-of date, who closed it and when), the summary (every
indicator's weight, result, level, score and weighted score, the total and its level), then one
section per indicator: the targets in force (and the original where revised), the result
(numerator / denominator / percent, or the milestone level and its deliverables), level, score,
weighted score, the narrative's four sections and the evidence list (title, approved by, when).

Where the figures come from (:func:`build`):

- a closed round: its current snapshot (``reporting.snapshot.read``), never recomputed; three
  queries whatever the data (the round, the snapshot, its rows), and a correction made after the
  closing changes nothing in it;
- an earlier (superseded) snapshot of a round, by its number;
- an open round: the live figures as of the round's date, built exactly as closing would freeze
  them (``reporting.services._rows``, the narratives as they stand, drafts too) and marked
  ``LIVE_TEXT`` ("ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)").

The same :class:`RoundReport` gives the page, the .xlsx (:func:`as_xlsx`: numbers as numbers with
number formats, dates as BE date cells, no HTML) and the PDF (:func:`as_pdf`, the page's template
fragments through ``core.pdf.render_pdf``), the comparison of two rounds (:func:`compare`) and the
JSON (:func:`round_as_dict`, the dashboard's shape, for ``kpi --round`` and ``?round=``).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.numbers import count_text, half_up, two_text
from core.numbers import json_number as _json_num
from core.numbers import json_two as _json_two
from core.thaidate import format_thai_date
from indicators import evaluation
from indicators.models import TARGET_LABELS, IndicatorKind
from reporting import services
from reporting import snapshot as snapshot_mod
from reporting.models import Round, Snapshot
from reports.report import note_without_target

LIVE_TEXT = _("ยังไม่ได้รายงาน (ตัวเลขปัจจุบัน)")
LEVEL_NAMES = {0: _("ต่ำกว่าขั้นต่ำ"), 1: _("ขั้นต่ำ"), 2: _("มาตรฐาน"), 3: _("ขั้นสูง")}
NARRATIVE_SECTIONS = (
    ("result_text", _("ผลการดำเนินงาน")),
    ("supporting_factors", _("ปัจจัยสนับสนุน")),
    ("obstacles", _("ปัญหาอุปสรรค")),
    ("actions", _("แนวทางแก้ไขปัญหาอุปสรรค")),
)


def dec2(value) -> str:
    return "–" if value is None else two_text(value, grouped=True)


def weight_text(weight, child: bool) -> str:
    text = count_text(weight)
    return f"({text})" if child else text


def local_date(moment: dt.datetime | None) -> dt.date | None:
    """The day a moment fell on in Bangkok."""
    if moment is None:
        return None
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def level_label(level: int | None) -> str:
    return str(TARGET_LABELS[level - 1]) if level else ""


# --- one indicator -----------------------------------------------------------------------------


class Item:
    """One indicator of the report: a snapshot row (or a live row of the same shape) with what
    the page, the PDF and the .xlsx print of it."""

    def __init__(self, row: snapshot_mod.Row):
        self.row = row

    def __getattr__(self, name):
        return getattr(self.row, name)

    @property
    def is_group(self) -> bool:
        return self.row.kind == IndicatorKind.GROUP

    @property
    def is_child(self) -> bool:
        return bool(self.row.parent_code)

    @property
    def weight_text(self) -> str:
        return weight_text(self.row.weight, self.is_child)

    @property
    def result_text(self) -> str:
        row = self.row
        if row.kind == IndicatorKind.RATIO:
            if row.value is None:
                return str(_("ยังไม่มีผล"))
            return str(_("ร้อยละ %(percent)s (%(numerator)s / %(denominator)s)")) % {
                "percent": dec2(row.value),
                "numerator": count_text(row.numerator),
                "denominator": count_text(row.denominator),
            }
        if row.kind == IndicatorKind.MILESTONE:
            if row.level:
                return str(_("ผ่านระดับ %(level)s")) % {"level": row.level}
            return str(_("ยังไม่ผ่านระดับใด"))
        return ""

    @property
    def numerator_text(self) -> str:
        return count_text(self.row.numerator)

    @property
    def denominator_text(self) -> str:
        return count_text(self.row.denominator)

    @property
    def level_text(self) -> str:
        return "" if self.row.level is None else str(LEVEL_NAMES.get(self.row.level, ""))

    @cached_property
    def targets(self) -> list[dict]:
        """Per level: its points, the target in force (a figure, or the deliverables for a
        milestone), the original where revised, the note, and the deliverables with their
        state."""
        deliverables = self.row.deliverables or []
        rows = []
        for t in self.row.targets:
            level = t["level"]
            rows.append(
                {
                    **t,
                    "label": level_label(level),
                    "points_text": count_text(t.get("points")),
                    "note": note_without_target(t["value"], t.get("note") or ""),
                    # the note before a revision, when the snapshot keeps it and it changed
                    "original_note": t.get("original_note")
                    if t.get("revised") and t.get("original_note") not in (None, t.get("note"))
                    else "",
                    "deliverables": [d for d in deliverables if d["level"] == level],
                }
            )
        return rows

    @property
    def is_revised(self) -> bool:
        return any(t.get("revised") for t in self.row.targets)

    @cached_property
    def narrative(self) -> dict | None:
        return self.row.narrative

    @property
    def narrative_sections(self) -> list[tuple[str, str]]:
        n = self.narrative or {}
        return [(str(label), n.get(key) or "") for key, label in NARRATIVE_SECTIONS]

    @property
    def narrative_is_draft(self) -> bool:
        narrative = self.narrative
        return narrative is not None and narrative.get("status") != "submitted"

    @cached_property
    def evidence(self) -> list[dict]:
        """The approved evidence of the indicator's deliverables (at the closing, or now for an
        open round): level, deliverable, title, link, who approved it and the day (Bangkok), and
        whether the narrative cites it."""
        cited = {e["id"] for e in (self.narrative or {}).get("evidence", [])}
        return [
            {
                **ev,
                "level_label": level_label(ev.get("level")),
                "reviewed_on": local_date(ev.get("reviewed_at")),
                "cited": ev.get("id") in cited,
            }
            for ev in self.row.evidence_items
        ]

    @property
    def facts(self) -> list[dict]:
        """The figures the system computed for deliverables (KPI 2's plan, KPI 3.2's checks)."""
        return [d for d in self.row.deliverables or [] if d.get("fact")]


# --- the report --------------------------------------------------------------------------------


@dataclass
class RoundReport:
    round: Round
    snapshot: Snapshot | None  # None: an open round's live figures
    items: list[Item]
    total: Decimal
    total_level: int
    scoring_rule: str
    points: list

    @property
    def is_live(self) -> bool:
        return self.snapshot is None

    @property
    def is_superseded(self) -> bool:
        return self.snapshot is not None and self.snapshot.superseded_at is not None

    @property
    def fiscal_year(self) -> int:
        return self.snapshot.fiscal_year if self.snapshot else self.round.indicator_set.fiscal_year

    @property
    def agency_name(self) -> str:
        return self.snapshot.agency_name if self.snapshot else self.round.indicator_set.agency_name

    @property
    def round_name(self) -> str:
        return self.snapshot.round_name if self.snapshot else self.round.name

    @property
    def as_of(self) -> dt.date:
        return self.snapshot.as_of if self.snapshot else self.round.as_of

    @property
    def due_on(self) -> dt.date:
        return self.snapshot.due_on if self.snapshot else self.round.due_on

    @property
    def title(self) -> str:
        return str(_("รายงานผลการประเมินตนเอง"))

    @property
    def subtitle(self) -> str:
        return str(_("%(agency)s ปีงบประมาณ พ.ศ. %(year)s %(round)s")) % {
            "agency": self.agency_name,
            "year": self.fiscal_year,
            "round": self.round_name,
        }

    @property
    def state_text(self) -> str:
        """What the figures are: reported (closed by whom, when), superseded, or live."""
        if self.snapshot is None:
            return str(LIVE_TEXT)
        s = self.snapshot
        text = str(_("ปิดรอบแล้ว บันทึกผลครั้งที่ %(number)s โดย %(person)s เมื่อ %(when)s")) % {
            "number": s.number,
            "person": s.closed_by_name,
            "when": _moment_text(s.closed_at),
        }
        if s.superseded_at:
            text += " · " + str(_("ผลครั้งนี้ถูกแทนแล้ว (เปิดรอบใหม่เมื่อ %(when)s เหตุผล: %(reason)s)")) % {
                "when": _moment_text(s.superseded_at),
                "reason": s.superseded_reason,
            }
        return text

    @property
    def total_level_text(self) -> str:
        return str(LEVEL_NAMES[self.total_level])

    @property
    def indicators(self) -> list[Item]:
        """The indicators with a section of their own (every one but the groups)."""
        return [i for i in self.items if not i.is_group]

    def by_code(self, code: str) -> Item:
        return next(i for i in self.items if i.code == code)


def _moment_text(moment) -> str:
    if moment is None:
        return ""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return f"{format_thai_date(local)} {local:%H:%M}"


def from_snapshot(round_: Round, snapshot: Snapshot) -> RoundReport:
    view = snapshot_mod.read(snapshot)
    return RoundReport(
        round=round_,
        snapshot=snapshot,
        items=[Item(r) for r in view.rows],
        total=snapshot.total,
        total_level=snapshot.total_level,
        scoring_rule=snapshot.scoring_rule,
        points=list(snapshot.points),
    )


def live(round_: Round) -> RoundReport:
    """An open round as it stands: the set evaluated as of the round's date and laid out as
    closing would freeze it (the same rows), in Thai whatever the reader's language."""
    indicator_set = round_.indicator_set
    with translation.override(settings.LANGUAGE_CODE):
        result = evaluation.evaluate(indicator_set, round_.as_of)
        rows = services._rows(round_, result)
    return RoundReport(
        round=round_,
        snapshot=None,
        items=[Item(snapshot_mod.Row(r)) for r in rows],
        total=result.total,
        total_level=result.total_level,
        scoring_rule=indicator_set.scoring_rule,
        points=[str(p) for p in indicator_set.points],
    )


def current_snapshot(round_: Round) -> Snapshot | None:
    return (
        Snapshot.objects.filter(round=round_, superseded_at__isnull=True)
        .select_related("closed_by", "superseded_by")
        .first()
    )


def build(round_: Round, number: int | None = None) -> RoundReport:
    """The round's report: snapshot ``number`` when given (404 if there is none), else the
    current snapshot of a closed round, else (open) the live figures."""
    if number is not None:
        snapshot = (
            Snapshot.objects.filter(round=round_, number=number)
            .select_related("closed_by", "superseded_by")
            .first()
        )
        if snapshot is None:
            raise Http404
        return from_snapshot(round_, snapshot)
    if round_.is_closed:
        snapshot = current_snapshot(round_)
        if snapshot is not None:
            return from_snapshot(round_, snapshot)
    return live(round_)


# --- comparison of two rounds ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """The difference between two shown figures (two decimals, half up): its sign and size."""

    value: Decimal | None
    whole: bool = False  # levels: shown without decimals

    @property
    def arrow(self) -> str:
        if self.value is None:
            return ""
        return "↑" if self.value > 0 else "↓" if self.value < 0 else "="

    @property
    def direction(self) -> str:
        if self.value is None:
            return ""
        return "up" if self.value > 0 else "down" if self.value < 0 else "same"

    @property
    def css(self) -> str:
        return {"up": "text-success", "down": "text-danger"}.get(self.direction, "text-muted")

    @property
    def text(self) -> str:
        if self.value is None:
            return "–"
        if self.value == 0:
            return str(_("คงเดิม"))
        sign = "+" if self.value > 0 else "−"
        size = f"{int(abs(self.value))}" if self.whole else two_text(abs(self.value), grouped=True)
        return f"{self.arrow} {sign}{size}"


def _change(before, after) -> Change:
    if before is None or after is None:
        return Change(None)
    return Change(half_up(after) - half_up(before))


@dataclass
class CompareRow:
    code: str
    name: str
    kind: str
    weight_text: str
    is_child: bool
    weight: Decimal
    a: Item | None
    b: Item | None

    @property
    def result_change(self) -> Change:
        """Ratios: the percentage points between the two results; milestones: the levels."""
        if self.a is None or self.b is None:
            return Change(None)
        if self.kind == IndicatorKind.RATIO:
            return _change(self.a.value, self.b.value)
        if self.kind == IndicatorKind.MILESTONE:
            return Change(Decimal((self.b.level or 0) - (self.a.level or 0)), whole=True)
        return Change(None)

    @property
    def score_change(self) -> Change:
        if self.a is None or self.b is None:
            return Change(None)
        return _change(self.a.score, self.b.score)

    @property
    def weighted_change(self) -> Change:
        if self.a is None or self.b is None:
            return Change(None)
        return _change(self.a.weighted_score, self.b.weighted_score)

    @property
    def arrow(self) -> str:
        """Which way the indicator moved: its result's change, else (a group) its score's."""
        return self.result_change.arrow or self.score_change.arrow

    @property
    def why(self) -> tuple[str, str]:
        """The narratives' result in words, each side's."""

        def text(item):
            return ((item.narrative or {}).get("result_text") or "") if item else ""

        return text(self.a), text(self.b)


@dataclass
class Comparison:
    a: RoundReport
    b: RoundReport
    rows: list[CompareRow]

    @property
    def total_change(self) -> Change:
        return _change(self.a.total, self.b.total)


def compare(a: RoundReport, b: RoundReport) -> Comparison:
    """Two reports side by side, matched by indicator code in ``a``'s order (an indicator only
    in ``b`` comes after)."""
    first = {i.code: i for i in a.items}
    second = {i.code: i for i in b.items}
    codes = [i.code for i in a.items] + [c for c in second if c not in first]
    rows = []
    for code in codes:
        x, y = first.get(code), second.get(code)
        base = x or y
        assert base is not None
        rows.append(
            CompareRow(
                code=code,
                name=base.name,
                kind=base.kind,
                weight_text=base.weight_text,
                is_child=base.is_child,
                weight=base.weight,
                a=x,
                b=y,
            )
        )
    return Comparison(a, b, rows)


@dataclass(frozen=True)
class Source:
    """What a side of the comparison shows: a round as it stands ("r<id>": its snapshot when
    closed, live figures when open) or one snapshot of it ("s<id>")."""

    token: str
    label: str
    round: Round
    snapshot_number: int | None = None


def sources(indicator_set) -> list[Source]:
    """The choices for the comparison: each round of the set, then each earlier (superseded)
    snapshot of a round. Two queries."""
    rounds = list(Round.objects.filter(indicator_set=indicator_set).order_by("as_of", "pk"))
    found = []
    for r in rounds:
        state = _("ผลที่รายงาน") if r.is_closed else LIVE_TEXT
        found.append(Source(f"r{r.pk}", f"{r.name} — {state}", r))
    by_pk = {r.pk: r for r in rounds}
    for s in Snapshot.objects.filter(round__in=rounds, superseded_at__isnull=False).order_by(
        "round__as_of", "number"
    ):
        found.append(
            Source(
                f"s{s.pk}",
                str(_("%(round)s — บันทึกผลครั้งที่ %(number)s (ถูกแทนแล้ว)"))
                % {"round": s.round_name, "number": s.number},
                by_pk[s.round_id],
                s.number,
            )
        )
    return found


def resolve(token: str) -> Source | None:
    """A source from its token, wherever its set ("r12", "s7"); None when unknown."""
    kind, digits = token[:1], token[1:]
    if not digits.isdigit() or kind not in ("r", "s"):
        return None
    if kind == "r":
        round_ = Round.objects.select_related("indicator_set").filter(pk=int(digits)).first()
        return None if round_ is None else Source(token, round_.name, round_)
    snapshot = (
        Snapshot.objects.select_related("round__indicator_set").filter(pk=int(digits)).first()
    )
    if snapshot is None:
        return None
    return Source(token, snapshot.round_name, snapshot.round, snapshot.number)


def report_of(source: Source) -> RoundReport:
    return build(source.round, source.snapshot_number)


def default_pair(choices: list[Source]) -> tuple[Source | None, Source | None]:
    """The first two rounds of the set (6 and 12 months), else the round and its earlier
    snapshot."""
    if len(choices) >= 2:
        return choices[0], choices[1]
    return (choices[0], choices[0]) if choices else (None, None)


# --- .xlsx --------------------------------------------------------------------------------------

PERCENT = '"ร้อยละ "0.00'
SCORE = "0.00"
# Whole numbers without a decimal point ("0.##" would show "20." in Excel), others with two.
WEIGHT, WEIGHT_FRACTION = "0", "0.00"
CHILD_WEIGHT, CHILD_WEIGHT_FRACTION = '"("0")"', '"("0.00")"'
COUNT, COUNT_FRACTION = "#,##0", "#,##0.00"
SIGNED = "+0.00;-0.00;0.00"
LEVEL = "0"
LEVEL_CHANGE = "+0;-0;0"


@dataclass(frozen=True)
class Num:
    """A number and the number format it is shown in."""

    value: Decimal | int
    format: str


def _whole(value) -> bool:
    return Decimal(value) == Decimal(value).to_integral_value()


def _count(value) -> Num | None:
    if value is None:
        return None
    return Num(Decimal(value), COUNT if _whole(value) else COUNT_FRACTION)


def _weight(value, child: bool = False) -> Num | None:
    if value is None:
        return None
    if child:
        return Num(Decimal(value), CHILD_WEIGHT if _whole(value) else CHILD_WEIGHT_FRACTION)
    return Num(Decimal(value), WEIGHT if _whole(value) else WEIGHT_FRACTION)


def _shown(value, number_format: str) -> Num | None:
    """A figure rounded as the page shows it (two decimals, half up)."""
    return None if value is None else Num(half_up(value), number_format)


class _Writer:
    def __init__(self):
        from openpyxl.styles import Alignment, Font

        from core.exports import Book

        self.book = Book()
        self.bold = Font(name="Sarabun", bold=True)
        self.title_font = Font(name="Sarabun", bold=True, size=14)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.right = Alignment(horizontal="right", vertical="top")

    def row(self, sheet, values, bold=False) -> int:
        sheet.append([v.value if isinstance(v, Num) else v for v in values])
        at = sheet.max_row
        for col, v in enumerate(values, 1):
            cell = sheet.cell(at, col)
            if isinstance(v, Num):
                cell.number_format = v.format
                cell.alignment = self.right
            elif isinstance(v, str):
                cell.alignment = self.wrap
            if bold:
                cell.font = self.bold
        return at

    @staticmethod
    def widths(sheet, widths) -> None:
        from openpyxl.utils import get_column_letter

        for i, width in enumerate(widths, 1):
            sheet.column_dimensions[get_column_letter(i)].width = width


def _header_rows(w: _Writer, sheet, report: RoundReport) -> None:
    sheet.append([report.title])
    sheet["A1"].font = w.title_font
    rows: list[list] = [
        [_("ส่วนราชการ"), report.agency_name],
        [_("ปีงบประมาณ (พ.ศ.)"), report.fiscal_year],
        [_("รอบการรายงาน"), report.round_name],
        [_("ข้อมูล ณ วันที่"), report.as_of],
        [_("กำหนดส่ง"), report.due_on],
    ]
    if report.snapshot is not None:
        rows += [
            [_("ปิดรอบโดย"), report.snapshot.closed_by_name],
            [_("ปิดรอบเมื่อ"), report.snapshot.closed_at],
            [_("บันทึกผลครั้งที่"), report.snapshot.number],
        ]
    rows.append([_("สถานะ"), report.state_text])
    for label, value in rows:
        w.row(sheet, [str(label), value])
        sheet.cell(sheet.max_row, 1).font = w.bold


def _result_cells(item: Item) -> list:
    """The result as cells: percent, numerator, denominator for a ratio; the level passed for a
    milestone (a number) and its text."""
    if item.kind == IndicatorKind.RATIO:
        return [
            _shown(item.value, PERCENT),
            _count(item.numerator),
            _count(item.denominator),
        ]
    if item.kind == IndicatorKind.MILESTONE:
        return [item.result_text, None, None]
    return [None, None, None]


SUMMARY_HEADER = (
    _("ตัวชี้วัด"), _("ชื่อตัวชี้วัด"), _("น้ำหนัก"), _("ผลการดำเนินงาน"), _("ตัวตั้ง"), _("ตัวหาร"),
    _("ระดับ"), _("คะแนน"), _("คะแนนถ่วงน้ำหนัก"),
)  # fmt: skip
EVIDENCE_HEADER = (
    _("ระดับ"), _("ผลผลิต"), _("หลักฐาน"), _("ลิงก์"), _("อนุมัติโดย"), _("วันที่อนุมัติ"),
    _("อ้างอิงในคำบรรยาย"),
)  # fmt: skip


def as_xlsx(report: RoundReport) -> bytes:
    """A summary sheet (the header, then every indicator and the total) and a sheet per
    indicator (targets, result, level, scores, the narrative, the evidence). Written through
    ``core.exports.Book``: figures are numbers with number formats, dates BE date cells, texts
    text cells (never formulas), nothing carries HTML."""
    w = _Writer()
    ws = w.book.active
    ws.title = str(_("สรุป"))
    _header_rows(w, ws, report)
    ws.append([])
    w.row(ws, [str(h) for h in SUMMARY_HEADER], bold=True)
    for item in report.items:
        w.row(
            ws,
            [
                item.code,
                item.name,
                _weight(item.weight, item.is_child),
                *_result_cells(item),
                item.level_text or None,
                _shown(item.score, SCORE),
                _shown(item.weighted_score, SCORE),
            ],
            bold=not item.is_child,
        )
    w.row(
        ws,
        [str(_("รวม")), None, Num(100, WEIGHT), None, None, None, report.total_level_text, None,
         _shown(report.total, SCORE)],
        bold=True,
    )  # fmt: skip
    w.widths(ws, (16, 70, 10, 20, 12, 12, 16, 10, 18))

    for item in report.indicators:
        sheet = w.book.create_sheet(str(_("ตัวชี้วัด %(code)s")) % {"code": item.code})
        w.widths(sheet, (28, 60, 18, 40, 22, 16, 18))
        _indicator_sheet(w, sheet, report, item)
    return w.book.to_bytes()


def _indicator_sheet(w: _Writer, sheet, report: RoundReport, item: Item) -> None:
    def field(label, *values):
        w.row(sheet, [str(label), *values])
        sheet.cell(sheet.max_row, 1).font = w.bold

    field(_("ตัวชี้วัด"), f"{item.code} {item.name}")
    field(_("รอบการรายงาน"), report.round_name)
    field(_("ข้อมูล ณ วันที่"), report.as_of)
    field(_("น้ำหนัก (ร้อยละ)"), _weight(item.weight))
    sheet.append([])
    w.row(
        sheet,
        [str(_("ระดับ")), str(_("คะแนน")), str(_("ค่าเป้าหมายที่ใช้")), str(_("คำอธิบาย")),
         str(_("ค่าเป้าหมายเดิม"))],
        bold=True,
    )  # fmt: skip
    for t in item.targets:
        note = t["note"]
        if t["deliverables"]:
            lines = [
                ("✓ " if d["met"] else "✗ ")
                + d["title"]
                + (f" ({d['fact']['figure']})" if d.get("fact") else "")
                for d in t["deliverables"]
            ]
            note = "\n".join(filter(None, [note, *lines]))
        w.row(
            sheet,
            [
                t["label"],
                _weight(t.get("points")),
                _shown(t["value"], PERCENT) if t["value"] is not None else str(_("ตามผลผลิต")),
                note or None,
                _shown(t["original"], PERCENT) if t.get("revised") else None,
            ],
        )
    sheet.append([])
    if item.kind == IndicatorKind.RATIO:
        field(
            _("ผลการดำเนินงาน"),
            _shown(item.value, PERCENT) if item.value is not None else str(_("ยังไม่มีผล")),
        )
        field(_("ตัวตั้ง"), _count(item.numerator))
        field(_("ตัวหาร"), _count(item.denominator))
    else:
        field(_("ผลการดำเนินงาน"), item.result_text)
        field(_("ระดับที่ผ่าน"), Num(item.level or 0, LEVEL))
    field(_("ระดับ"), item.level_text or "–")
    field(_("คะแนน"), _shown(item.score, SCORE))
    field(_("คะแนนถ่วงน้ำหนัก"), _shown(item.weighted_score, SCORE))
    sheet.append([])
    if item.narrative_is_draft:
        field(_("สถานะคำบรรยาย"), str(_("ร่าง (ยังไม่ได้ส่ง)")))
    for label, text in item.narrative_sections:
        field(label, text or "–")
    n = item.narrative or {}
    if n.get("submitted_at"):
        field(_("ส่งคำบรรยายโดย"), n.get("submitted_by") or "–", n["submitted_at"])
    if not item.deliverables:  # a ratio: its result is the system's figure, no evidence
        return
    sheet.append([])
    w.row(sheet, [str(h) for h in EVIDENCE_HEADER], bold=True)
    if not item.evidence:
        w.row(sheet, [str(_("ยังไม่มีหลักฐานที่ได้รับอนุมัติ"))])
    for ev in item.evidence:
        w.row(
            sheet,
            [
                ev["level_label"] or None,
                ev.get("deliverable") or None,
                ev.get("title") or None,
                ev.get("url") or None,
                ev.get("reviewed_by") or None,
                ev["reviewed_on"],
                str(_("ใช่")) if ev["cited"] else None,
            ],
        )


def compare_xlsx(comparison: Comparison) -> bytes:
    w = _Writer()
    ws = w.book.active
    ws.title = str(_("เปรียบเทียบ"))
    a, b = comparison.a, comparison.b
    ws.append([str(_("เปรียบเทียบผลการดำเนินงานสองรอบ"))])
    ws["A1"].font = w.title_font
    for side, report in (("A", a), ("B", b)):
        w.row(
            ws,
            [side, report.subtitle, report.as_of, report.state_text],
        )
        ws.cell(ws.max_row, 1).font = w.bold
    ws.append([])
    header = [
        _("ตัวชี้วัด"), _("ชื่อตัวชี้วัด"), _("น้ำหนัก"),
        f"{_('ผล')} (A)", f"{_('ระดับ')} (A)", f"{_('คะแนน')} (A)",
        f"{_('ผล')} (B)", f"{_('ระดับ')} (B)", f"{_('คะแนน')} (B)",
        _("ผลเปลี่ยน"), _("คะแนนเปลี่ยน"), _("ทิศทาง"),
        f"{_('ผลการดำเนินงาน (คำบรรยาย)')} (A)", f"{_('ผลการดำเนินงาน (คำบรรยาย)')} (B)",
    ]  # fmt: skip
    w.row(ws, [str(h) for h in header], bold=True)
    for row in comparison.rows:
        why_a, why_b = row.why
        w.row(
            ws,
            [
                row.code,
                row.name,
                _weight(row.weight, row.is_child),
                *_side_cells(row.a),
                *_side_cells(row.b),
                _signed(row.result_change, row.kind),
                _signed(row.score_change, "score"),
                row.arrow or None,
                why_a or None,
                why_b or None,
            ],
            bold=not row.is_child,
        )
    total = comparison.total_change
    w.row(
        ws,
        [str(_("รวม")), None, Num(100, WEIGHT), None, a.total_level_text, _shown(a.total, SCORE),
         None, b.total_level_text, _shown(b.total, SCORE), None, _signed(total, "score"),
         total.arrow or None, None, None],
        bold=True,
    )  # fmt: skip
    w.widths(ws, (10, 50, 9, 14, 14, 9, 14, 14, 9, 12, 12, 8, 50, 50))
    return w.book.to_bytes()


def _side_cells(item: Item | None) -> list:
    if item is None:
        return [None, None, None]
    result: Num | str | None
    if item.kind == IndicatorKind.RATIO:
        result = _shown(item.value, PERCENT)
    elif item.kind == IndicatorKind.MILESTONE:
        result = item.result_text
    else:
        result = None
    return [result, item.level_text or None, _shown(item.score, SCORE)]


def _signed(change: Change, kind: str) -> Num | None:
    if change.value is None:
        return None
    return Num(change.value, LEVEL_CHANGE if kind == IndicatorKind.MILESTONE else SIGNED)


# --- PDF ------------------------------------------------------------------------------------


def as_pdf(report: RoundReport) -> bytes:
    """The header and summary, then a section per indicator: the page's fragments
    (reporting/report_head.html, report_summary.html, report_indicator.html) in
    reporting/pdf/report.html, through ``core.pdf.render_pdf`` (Thai whatever the language)."""
    from core.pdf import render_pdf

    return render_pdf("reporting/pdf/report.html", {"report": report})


# --- JSON (the dashboard's shape) ---------------------------------------------------------------


def _item_dict(item: Item, children: list[dict]) -> dict:
    data: dict = {
        "code": item.code,
        "name": item.name,
        "weight": _json_num(item.weight),
        "kind": item.kind,
        "result": None,
        "level": item.level,
        "score": _json_two(item.score),
        "weighted_score": _json_two(item.weighted_score),
        "source": item.source or None,
        "children": children,
    }
    deliverables = item.deliverables or []
    if item.kind == IndicatorKind.RATIO:
        targets = item.targets
        data["targets"] = [_json_num(t["value"]) for t in targets]
        if any(t.get("revised") for t in targets):
            data["original_targets"] = [_json_num(t["original"]) for t in targets]
        if item.source:
            data["result"] = {
                "numerator": _json_num(item.numerator),
                "denominator": _json_num(item.denominator),
                "value": _json_two(item.value),
                "breakdown": {b["label"]: b["count"] for b in item.breakdown},
            }
    elif item.kind == IndicatorKind.MILESTONE:
        levels = [[d for d in deliverables if d["level"] == lv] for lv in (1, 2, 3)]
        data["result"] = {
            "levels_met": [bool(ds) and all(d["met"] for d in ds) for ds in levels],
            "deliverables": [
                {
                    "level": d["level"],
                    "title": d["title"],
                    "met": d["met"],
                    "approved_evidence": d["approved_evidence"],
                    "figure": d["fact"]["figure"] if d.get("fact") else None,
                }
                for d in deliverables
            ],
        }
    return data


def report_as_dict(report: RoundReport) -> dict:
    """The report as the dashboard's JSON (``indicators.export.set_result_as_dict``'s keys and
    tree), with a ``round`` key saying which round and whether these are its reported figures."""
    children: dict[str, list[Item]] = {}
    for item in report.items:
        children.setdefault(item.parent_code, []).append(item)

    def tree(parent: str) -> list[dict]:
        return [_item_dict(i, tree(i.code)) for i in children.get(parent, [])]

    s = report.snapshot
    return {
        "agency": report.agency_name,
        "fiscal_year": report.fiscal_year,
        "as_of": report.as_of.isoformat(),
        "scoring_rule": report.scoring_rule,
        "points": [_json_num(p) for p in report.points],
        "indicators": tree(""),
        "total": _json_two(report.total),
        "total_level": report.total_level,
        "round": {
            "id": report.round.pk,
            "name": report.round_name,
            "state": report.round.state,
            "as_of": report.as_of.isoformat(),
            "due_on": report.due_on.isoformat(),
            "reported": s is not None,
            "note": "" if s is not None else str(LIVE_TEXT),
            "snapshot": None if s is None else s.number,
            "closed_by": None if s is None else s.closed_by_name,
            "closed_at": None if s is None else timezone.localtime(s.closed_at).isoformat(),
            "superseded_at": None
            if s is None or s.superseded_at is None
            else timezone.localtime(s.superseded_at).isoformat(),
        },
    }


def round_as_dict(round_: Round) -> dict:
    """The round's figures as JSON-able data in the dashboard's shape: the snapshot of a closed
    round (never recomputed), the live figures of an open one (``round.reported`` false)."""
    return report_as_dict(build(round_))


def find_round(value: str, *, agency_code: str = "พส.", fiscal_year: int | None = None) -> Round:
    """A round by id or by name (within ``fiscal_year`` when given). Raises ``LookupError`` with
    the reason when there is none or several."""
    rounds = Round.objects.select_related("indicator_set").filter(
        indicator_set__agency_code=agency_code
    )
    if fiscal_year is not None:
        rounds = rounds.filter(indicator_set__fiscal_year=fiscal_year)
    query = Q(name=value.strip())
    if value.strip().isdigit():
        query |= Q(pk=int(value))
    found = list(rounds.filter(query).order_by("indicator_set__fiscal_year", "as_of")[:3])
    by_pk = [r for r in found if str(r.pk) == value.strip()]
    if by_pk:
        return by_pk[0]
    if not found:
        raise LookupError(f"no round {value!r}" + (f" in FY{fiscal_year}" if fiscal_year else ""))
    if len(found) > 1:
        years = ", ".join(str(r.indicator_set.fiscal_year) for r in found)
        raise LookupError(f"several rounds are named {value!r} (FY {years}): give --year")
    return found[0]
