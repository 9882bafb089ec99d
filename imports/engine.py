"""Reading a spreadsheet, previewing what it would change, and applying it all or nothing.

The same pipeline serves the browser (preview, then confirm) and ``manage.py import``. Rows are
cleaned cell by cell with the resource's widgets, resolved against the database in bulk (a fixed
number of queries, not one per row), and written with bulk operations inside one transaction,
with their audit history.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from imports import writer, xlsx
from imports.resources import KpiResource, RowProblem, chunks

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
        return gettext("แถว %(row)s, %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class Report:
    """What a file holds and would change. ``error_count`` counts problems (one row may have
    several); ``error_rows`` the rows that have at least one, which is what the preview shows
    as "ผิดพลาด"."""

    kind: str
    rows: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error_count: int = 0
    errors: list[CellError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    applied: bool = False
    bad_rows: set[int] = field(default_factory=set)

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        self.bad_rows.add(row)
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(CellError(row, column, message))

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def error_rows(self) -> int:
        """Rows with at least one problem (a problem of the whole apply counts as one)."""
        return len(self.bad_rows)

    @property
    def changes(self) -> int:
        """Rows that applying the file would write (new or updated)."""
        return self.new + self.updated

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_rows": self.error_rows,
            "errors": self.error_count,  # problems, kept under the name older uploads use
        }

    def summary(self) -> str:
        text = gettext(
            "%(rows)s แถว: ใหม่ %(new)s, ปรับปรุง %(updated)s, ไม่เปลี่ยนแปลง %(unchanged)s, "
            "ผิดพลาด %(error_rows)s แถว"
        ) % {
            "rows": self.rows, "new": self.new, "updated": self.updated,
            "unchanged": self.unchanged, "error_rows": self.error_rows,
        }  # fmt: skip
        if self.error_count > self.error_rows:
            text += gettext(" (%(count)s ข้อผิดพลาด)") % {"count": self.error_count}
        return text


# -- reading ----------------------------------------------------------------------------------
# Limits on what one upload may hold (settings override the first two). Each breach is a
# FileProblem naming the limit; docs/imports.md states them and the memory they bound.
DEFAULT_MAX_ROWS = 200_000  # settings.IMPORT_MAX_ROWS
DEFAULT_MAX_UNCOMPRESSED_MB = 200  # settings.IMPORT_MAX_UNCOMPRESSED_MB: .csv size, .xlsx inflated
MAX_HEADER_COLUMNS = 256
# Python's csv module refuses a field longer than this (csv.field_size_limit(), left as it is).
MAX_CSV_FIELD = 131_072


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_uncompressed_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNCOMPRESSED_MB", DEFAULT_MAX_UNCOMPRESSED_MB)) << 20


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp874"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(gettext("อ่านไฟล์ CSV ไม่ได้: ต้องเป็น UTF-8 หรือ TIS-620"))


def _csv_rows(data: bytes, columns: list) -> Iterator[tuple[int, list]]:
    cap = max_uncompressed_bytes()
    if len(data) > cap:
        raise FileProblem(
            gettext("ไฟล์ CSV มีขนาด %(len)s MB เกินที่รับได้ %(cap_2_20)s MB: โปรดแบ่งเป็นหลายไฟล์")
            % {"len": f"{len(data) / 2**20:,.0f}", "cap_2_20": f"{cap / 2**20:,.0f}"}
        )
    text = _decode(data)
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream)
    number, start = 0, 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            raise FileProblem(_long_field(text, start, number + 1, columns)) from None
        number += 1
        start = stream.tell()
        yield number, row


def _long_field(text: str, start: int, number: int, columns: list) -> str:
    """The Thai message for the record at ``text[start:]`` that the csv module refused: which
    column holds the field past MAX_CSV_FIELD characters (found by scanning that record)."""
    column, length, quoted, i = 0, 0, False, start
    end = len(text)
    while i < end:
        char = text[i]
        if quoted:
            if char == '"':
                if i + 1 < end and text[i + 1] == '"':
                    i += 1
                else:
                    quoted = False
            length += 1
        elif char == '"':
            quoted = True
        elif char == ",":
            column, length = column + 1, 0
        elif char in "\r\n":
            break
        else:
            length += 1
        if length > MAX_CSV_FIELD:
            name = (
                str(columns[column]).strip()
                if column < len(columns)
                else gettext("ที่ %(column_1)s") % {"column_1": column + 1}
            )
            return gettext(
                "แถว %(number)s, %(name)s: ช่องข้อมูลยาวเกิน %(MAX_CSV_FIELD)s ตัวอักษร ไฟล์นี้จึงอ่านไม่ได้"
            ) % {"number": f"{number:,}", "name": name, "MAX_CSV_FIELD": f"{MAX_CSV_FIELD:,}"}
        i += 1
    return gettext(
        "แถว %(number)s: อ่านไม่ได้ (ช่องข้อมูลยาวเกิน %(MAX_CSV_FIELD)s ตัวอักษร หรือเครื่องหมายคำพูดไม่ครบคู่)"
    ) % {"number": f"{number:,}", "MAX_CSV_FIELD": f"{MAX_CSV_FIELD:,}"}


def _sheet_rows(data: bytes) -> tuple[Iterator, object]:
    try:
        sheet = xlsx.Sheet(data, max_uncompressed_bytes())
    except Exception:  # noqa: BLE001 - a broken zip can fail in many ways
        raise FileProblem(gettext("อ่านไฟล์ Excel ไม่ได้: ไฟล์เสียหรือไม่ใช่ .xlsx")) from None

    def numbered():
        try:
            yield from sheet
        except xlsx.SheetProblem as problem:
            raise FileProblem(str(problem)) from None
        except FileProblem:
            raise
        except Exception:  # noqa: BLE001 - a broken zip or XML can fail in many ways
            raise FileProblem(gettext("อ่านไฟล์ Excel ไม่ได้: ไฟล์เสียหรือไม่ใช่ .xlsx")) from None

    return numbered(), sheet


def read_table(data: bytes, filename: str, keep=None) -> tuple[list, list[tuple[int, tuple]]]:
    """The header row and the data rows with their spreadsheet row numbers (header = row 1).

    ``keep(header) -> [column index, …]``: each data row is cut down to those columns, in that
    order, as it is read, so an upload holds only the cells an import uses. Without it, rows are
    cut to the header's width. Blank rows are skipped; more than ``max_rows()`` data rows, a
    header of more than MAX_HEADER_COLUMNS columns, a CSV field over MAX_CSV_FIELD characters or
    an .xlsx over the uncompressed cap is a FileProblem naming the limit.
    """
    ext = Path(filename).suffix.lower()
    header_names: list = []
    sheet = None
    if ext == ".csv":
        numbered = _csv_rows(data, header_names)
    elif ext == ".xlsx":
        numbered, sheet = _sheet_rows(data)
    else:
        raise FileProblem(gettext("รับเฉพาะไฟล์ %(join)s") % {"join": " หรือ ".join(SUPPORTED)})
    header_row = None
    for _, row in numbered:
        if not all(_blank(c) for c in row):
            header_row = list(row)
            break
    if header_row is None:
        raise FileProblem(gettext("ไฟล์ว่าง: ไม่มีแถวหัวตาราง"))
    while header_row and _blank(header_row[-1]):
        header_row.pop()
    if len(header_row) > MAX_HEADER_COLUMNS:
        raise FileProblem(
            gettext("แถวหัวตารางมี %(len)s คอลัมน์ เกินที่รับได้ %(MAX_HEADER_COLUMNS)s คอลัมน์")
            % {"len": f"{len(header_row):,}", "MAX_HEADER_COLUMNS": MAX_HEADER_COLUMNS}
        )
    width = len(header_row)
    header_names.extend(header_row)
    if sheet is not None:
        sheet.width = width
    indices = list(keep(header_row)) if keep is not None else None
    limit = max_rows()
    body: list[tuple[int, tuple]] = []
    append = body.append
    for number, row in numbered:
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in row):
            continue
        if len(body) >= limit:
            raise FileProblem(
                gettext(
                    "ไฟล์มีข้อมูลเกิน %(limit)s แถว (รับได้ไม่เกิน %(limit)s แถวต่อไฟล์): โปรดแบ่งเป็นหลายไฟล์"
                )
                % {"limit": f"{limit:,}"}
            )
        if indices is not None:
            size = len(row)
            append((number, tuple(row[i] if i < size else None for i in indices)))
        else:
            append((number, tuple(row[:width])))
    return header_row, body


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
            raise FileProblem(gettext("หัวตาราง '%(header)s' ซ้ำกัน") % {"header": header})
        seen.add(name)
        mapping[index] = name
    missing = [c for c in resource.required if c not in seen]
    for group in resource.one_of:
        if not seen & set(group):
            missing.append(gettext(" หรือ ").join(resource.header_for(c, True) for c in group))
    if missing:
        names = ", ".join(
            f"{resource.header_for(c, True)} ({c})" if c in resource.column_names() else c
            for c in missing
        )
        raise FileProblem(gettext("ไม่พบคอลัมน์ที่ต้องมี: %(names)s") % {"names": names})
    return mapping, ignored


# -- the pipeline -----------------------------------------------------------------------------
@dataclass
class Plan:
    report: Report
    to_create: list[dict] = field(default_factory=list)  # field values of the new rows
    to_update: list = field(default_factory=list)
    ctx: object = None


def plan(resource: KpiResource, data: bytes, filename: str) -> Plan:
    found = {}

    def keep(header_row):
        found["mapping"], found["ignored"] = map_headers(resource, header_row)
        return list(found["mapping"])

    # Rows arrive cut down to the mapped columns, in the mapping's order.
    headers, body = read_table(data, filename, keep)
    mapping, ignored = found["mapping"], found["ignored"]
    display = {name: str(headers[i]).strip() for i, name in mapping.items()}
    report = Report(kind=resource.kind, rows=len(body), ignored_headers=ignored)

    cleaned_rows: list[tuple[int, dict]] = []
    cleaners = [
        (position, name, resource.cleaner(name)) for position, name in enumerate(mapping.values())
    ]
    for number, raw in body:
        row, bad = {}, False
        for index, name, clean in cleaners:
            try:
                row[name] = clean(raw[index])
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
            report.add_error(
                number,
                "",
                gettext("ซ้ำกับแถว %(resolved_key_0)s (ข้อมูลเดียวกันมีได้แถวเดียว)")
                % {"resolved_key_0": resolved[key][0]},
            )
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
    for chunk in chunks(changes):
        for instance in resource.model.objects.filter(pk__in=chunk):
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
