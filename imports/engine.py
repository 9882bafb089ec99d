"""Reading a spreadsheet, previewing what it would change, and applying it all or nothing.

The same pipeline serves the browser (preview, then confirm) and ``manage.py import``. Rows are
cleaned cell by cell with the resource's widgets, resolved against the database in bulk (a fixed
number of queries, not one per row), and written with bulk operations inside one transaction,
with their audit history.
"""

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from imports import writer, xlsx
from imports.resources import KpiResource, RowProblem

MAX_ERRORS_KEPT = 1000
SUPPORTED = (".csv", ".xlsx")


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, no header, missing columns)."""


@dataclass
class CellError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"แถว {self.row}, {self.column}: {self.message}"


@dataclass
class Report:
    kind: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[CellError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    applied: bool = False

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(CellError(row, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.error_count,
        }

    def summary(self) -> str:
        return (
            f"{self.rows} แถว: ใหม่ {self.new}, ปรับปรุง {self.updated}, ไม่เปลี่ยนแปลง "
            f"{self.unchanged}, ผิดพลาด {self.error_count}"
        )


# -- reading ----------------------------------------------------------------------------------
def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem("อ่านไฟล์ CSV ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620")


def read_table(data: bytes, filename: str) -> tuple[list, list[tuple[int, tuple]]]:
    """The header row and the data rows with their spreadsheet row numbers (header = row 1)."""
    ext = Path(filename).suffix.lower()
    if ext == ".csv":
        reader = csv.reader(io.StringIO(_decode(data), newline=""))
        numbered = [(n, tuple(r)) for n, r in enumerate(reader, start=1)]
    elif ext == ".xlsx":
        try:
            numbered = list(xlsx.rows(data))
        except Exception:  # noqa: BLE001 - a broken zip or XML can fail in many ways
            raise FileProblem("อ่านไฟล์ Excel ไม่ได้: ไฟล์เสียหรือไม่ใช่ .xlsx") from None
    else:
        raise FileProblem(f"รับเฉพาะไฟล์ {' หรือ '.join(SUPPORTED)}")
    while numbered and all(_blank(c) for c in numbered[0][1]):
        numbered.pop(0)
    if not numbered:
        raise FileProblem("ไฟล์ว่าง: ไม่มีแถวหัวตาราง")
    header_row = numbered[0][1]
    body = [(n, r) for n, r in numbered[1:] if not all(_blank(c) for c in r)]
    return list(header_row), body


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _norm(header) -> str:
    return "".join(str(header or "").replace("\ufeff", "").split()).lower()


def map_headers(resource: KpiResource, headers: list) -> tuple[dict[int, str], list[str]]:
    """Column index → column name, accepting English or Thai headers; and the unknown headers."""
    aliases = {}
    for name in resource.column_names():
        aliases[_norm(name)] = name
        aliases[_norm(resource.thai_headers.get(name, name))] = name
    mapping, ignored, seen = {}, [], set()
    for index, header in enumerate(headers):
        name = aliases.get(_norm(header))
        if name is None:
            if not _blank(header):
                ignored.append(str(header))
            continue
        if name in seen:
            raise FileProblem(f"หัวตาราง '{header}' ซ้ำกัน")
        seen.add(name)
        mapping[index] = name
    missing = [c for c in resource.required if c not in seen]
    for group in resource.one_of:
        if not seen & set(group):
            missing.append(" หรือ ".join(resource.header_for(c, True) for c in group))
    if missing:
        names = ", ".join(
            f"{resource.header_for(c, True)} ({c})" if c in resource.column_names() else c
            for c in missing
        )
        raise FileProblem(f"ไม่พบคอลัมน์ที่ต้องมี: {names}")
    return mapping, ignored


# -- the pipeline -----------------------------------------------------------------------------
@dataclass
class Plan:
    report: Report
    to_create: list[dict] = field(default_factory=list)  # field values of the new rows
    to_update: list = field(default_factory=list)
    ctx: object = None


def plan(resource: KpiResource, data: bytes, filename: str) -> Plan:
    headers, body = read_table(data, filename)
    mapping, ignored = map_headers(resource, headers)
    display = {name: str(headers[i]).strip() for i, name in mapping.items()}
    report = Report(kind=resource.kind, rows=len(body), ignored_headers=ignored)

    cleaned_rows: list[tuple[int, dict]] = []
    cleaners = [(index, name, resource.cleaner(name)) for index, name in mapping.items()]
    for number, raw in body:
        row, bad = {}, False
        width = len(raw)
        for index, name, clean in cleaners:
            try:
                row[name] = clean(raw[index] if index < width else None)
            except (ValueError, TypeError) as exc:
                report.add_error(number, display[name], str(exc))
                bad = True
        if not bad:
            cleaned_rows.append((number, row))

    ctx = resource.context([row for _, row in cleaned_rows])
    resolved: dict = {}
    for number, row in cleaned_rows:
        try:
            key, values = resource.resolve(row, ctx)
        except RowProblem as problem:
            report.add_error(number, display.get(problem.column, problem.column), problem.message)
            continue
        if key in resolved:
            report.add_error(number, "", f"ซ้ำกับแถว {resolved[key][0]} (ข้อมูลเดียวกันมีได้แถวเดียว)")
            continue
        resolved[key] = (number, values)

    existing = resource.existing(list(resolved), ctx)
    result = Plan(report=report, ctx=ctx)
    compared = resource.update_fields
    changes: dict = {}
    for key, (_number, values) in resolved.items():
        current = existing.get(key)
        if current is None:
            result.to_create.append(values)
            report.new += 1
            continue
        if all(getattr(current, f) == values[f] for f in compared if f in values):
            report.unchanged += 1
            continue
        changes[current.pk] = {f: values[f] for f in compared if f in values}
        report.updated += 1
    # Only the changed rows become full model instances (their history needs every field).
    pks = list(changes)
    for start in range(0, len(pks), 5000):
        for instance in resource.model.objects.filter(pk__in=pks[start : start + 5000]):
            for name, value in changes[instance.pk].items():
                setattr(instance, name, value)
            result.to_update.append(instance)
    return result


def apply(resource: KpiResource, the_plan: Plan, user=None) -> Report:
    """Write the plan in one transaction; refuses a plan with any error."""
    report = the_plan.report
    if not report.ok:
        return report
    try:
        with transaction.atomic():
            writer.create(resource.model, the_plan.to_create, user)
            writer.update(resource.model, the_plan.to_update, list(resource.update_fields), user)
            resource.after_apply(the_plan.to_create, the_plan.to_update, the_plan.ctx)
    except RowProblem as problem:
        # The data changed between preview and apply (e.g. an application moved on): nothing
        # was written, and the report says why instead of failing the request.
        report.add_error(0, problem.column, problem.message)
        return report
    report.applied = True
    return report


def run(resource: KpiResource, data: bytes, filename: str, *, dry_run: bool, user=None) -> Report:
    """Preview (dry_run) or apply a file. A file-level problem raises FileProblem."""
    the_plan = plan(resource, data, filename)
    if dry_run:
        return the_plan.report
    return apply(resource, the_plan, user)
