"""Reading a spreadsheet, previewing what it would change, and applying it all or nothing.

The same pipeline serves the browser (preview, then confirm) and ``manage.py import``. Rows are
cleaned cell by cell with the resource's widgets, resolved against the database in bulk (a fixed
number of queries, not one per row), and written with bulk operations inside one transaction,
with their audit history.

Planned once: a preview's plan is kept in the process (``_kept``) and the confirm of the same
file by the same user applies it instead of planning again, once it has checked that the
database still answers every query the plan asked exactly as it did (``_digests``: each query's
rows, hashed by the database itself). See docs/imports.md, "Planned once".
"""

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import io
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

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
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline="")), start=1)
    except csv.Error:
        # Where the refused record starts: read again up to it (only when a file is refused).
        failed = _failed_record(text)
        raise FileProblem(_long_field(text, failed[1], failed[0], columns)) from None


def _failed_record(text: str) -> tuple[int, int]:
    """(number, start offset in ``text``) of the record the csv module refuses."""
    stream = io.StringIO(text, newline="")
    reader = csv.reader(stream)
    number, start = 0, 0
    while True:
        try:
            next(reader)
        except csv.Error:
            return number + 1, start
        except StopIteration:  # pragma: no cover - the first reading was refused
            return number + 1, start
        number += 1
        start = stream.tell()


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


def _sheet_rows(data: bytes) -> tuple[Iterator, "xlsx.Sheet | xlsx.FastSheet"]:
    try:
        sheet = xlsx.open_sheet(data, max_uncompressed_bytes(), max_rows())
    except xlsx.SheetProblem as problem:
        raise FileProblem(str(problem)) from None
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
    sheet: xlsx.Sheet | xlsx.FastSheet | None = None
    numbered: Iterator
    if ext == ".csv":
        numbered = _csv_rows(data, header_names)
    elif ext == ".xlsx":
        numbered, sheet = _sheet_rows(data)
    else:
        raise FileProblem(gettext("รับเฉพาะไฟล์ %(join)s") % {"join": " หรือ ".join(SUPPORTED)})
    filled = _csv_filled if sheet is None else _filled
    header_row = None
    for _, row in numbered:
        if filled(row):
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
    if indices is None:  # rows cut to the header's width
        return header_row, _body(numbered, filled, lambda row: tuple(row[:width]))
    # Rows are cut to ``indices`` with one C call when they are wide enough (nearly always).
    take: Callable[[Sequence], tuple]
    if len(indices) > 1:
        take = itemgetter(*indices)
    else:
        few = tuple(indices)

        def take(row):
            return tuple(row[i] for i in few)

    reach = max(indices, default=-1)

    def cut(row):
        if len(row) > reach:
            return take(row)
        size = len(row)
        return tuple(row[i] if i < size else None for i in indices)

    return header_row, _body(numbered, filled, cut)


def _body(numbered, filled, cut) -> list[tuple[int, tuple]]:
    limit = max_rows()
    body: list[tuple[int, tuple]] = []
    append = body.append
    for number, row in numbered:
        if not filled(row):
            continue
        if len(body) >= limit:
            raise FileProblem(
                gettext(
                    "ไฟล์มีข้อมูลเกิน %(limit)s แถว (รับได้ไม่เกิน %(limit)s แถวต่อไฟล์): โปรดแบ่งเป็นหลายไฟล์"
                )
                % {"limit": f"{limit:,}"}
            )
        append((number, cut(row)))
    return body


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _filled(row) -> bool:
    """Whether a row has a cell that is not empty or spaces (a loop: stops at the first)."""
    for cell in row:  # noqa: SIM110 - faster than any() over a generator
        if cell is not None and (not isinstance(cell, str) or cell.strip()):
            return True
    return False


def _csv_filled(row: list[str]) -> bool:
    return any(map(str.strip, row))


def _norm(header) -> str:
    return "".join(str(header or "").replace("\ufeff", "").split()).lower()


def map_headers(resource: KpiResource, headers: list) -> tuple[dict[int, str], list[str]]:
    """Column index → column name, accepting English or Thai headers; and the unknown headers."""
    aliases: dict[str, str] = {}
    for name in resource.column_names():
        aliases[_norm(name)] = name
        aliases[_norm(resource.thai_headers.get(name, name))] = name
    mapping: dict[int, str] = {}
    ignored: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(headers):
        known = aliases.get(_norm(header))
        if known is None:
            if not _blank(header):
                ignored.append(str(header))
            continue
        if known in seen:
            raise FileProblem(gettext("หัวตาราง '%(header)s' ซ้ำกัน") % {"header": header})
        seen.add(known)
        mapping[index] = known
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
    return _resolve(resource, *_clean(resource, data, filename))


def _clean(resource: KpiResource, data: bytes, filename: str) -> tuple[Report, dict, list]:
    """The file read and its cells cleaned (no query): the report so far, the columns' display
    names, and the rows without a cell error."""
    found = {}

    def keep(header_row):
        found["mapping"], found["ignored"] = map_headers(resource, header_row)
        return list(found["mapping"])

    # Rows arrive cut down to the mapped columns, in the mapping's order.
    headers, body = read_table(data, filename, keep)
    mapping, ignored = found["mapping"], found["ignored"]
    display = {name: str(headers[i]).strip() for i, name in mapping.items()}
    report = Report(kind=resource.kind, rows=len(body), ignored_headers=ignored)

    names = list(mapping.values())
    cleaners = [resource.cleaner(name) for name in names]

    def one_by_one(number: int, raw: tuple, rows: list) -> None:
        """A row whose cleaning failed, cleaned again cell by cell: every bad cell named."""
        row, bad = {}, False
        for name, clean, value in zip(names, cleaners, raw, strict=True):
            try:
                row[name] = clean(value)
            except (ValueError, TypeError) as exc:
                report.add_error(number, display[name], str(exc))
                bad = True
        if not bad:
            rows.append((number, row))

    cleaned_rows = _row_cleaner(tuple(names))(body, one_by_one, *cleaners)
    return report, display, cleaned_rows


@functools.lru_cache(maxsize=64)
def _row_cleaner(names: tuple[str, ...]) -> Callable:
    """``clean(body, one_by_one, *cleaners)``: the (number, row) of each row of ``body`` whose
    cells all clean, a row being {name: its cleaner's value}, in order; a row with a bad cell
    goes to ``one_by_one(number, raw, rows)``, which cleans it again cell by cell and names
    each bad cell.

    Written for these columns (as ``collections.namedtuple`` writes its class): one dict made a
    row, with no loop over its cells, is a third faster than the loop over cells it replaces.
    The names are the resource's column names, written as literals (``repr``)."""
    if not names:
        return lambda body, one_by_one: [(number, {}) for number, _ in body]
    cells = "".join(f"v{i}, " for i in range(len(names)))
    parsers = ", ".join(f"c{i}" for i in range(len(names)))
    row = ", ".join(f"{name!r}: c{i}(v{i})" for i, name in enumerate(names))
    source = (
        f"def clean(body, one_by_one, {parsers}):\n"
        "    rows = []\n"
        "    append = rows.append\n"
        f"    for number, ({cells}) in body:\n"
        "        try:\n"
        f"            append((number, {{{row}}}))\n"
        "        except (ValueError, TypeError):\n"
        f"            one_by_one(number, ({cells}), rows)\n"
        "    return rows\n"
    )
    namespace: dict = {}
    exec(compile(source, f"<row cleaner {names}>", "exec"), namespace)  # noqa: S102
    return namespace["clean"]


def _resolve(resource: KpiResource, report: Report, display: dict, cleaned_rows: list) -> Plan:
    """The cleaned rows resolved against the database and classified: the plan."""
    ctx = resource.context([row for _, row in cleaned_rows])
    resolve = resource.resolve
    resolved: dict = {}
    setdefault = resolved.setdefault
    for number, row in cleaned_rows:
        try:
            key, values = resolve(row, ctx)
        except RowProblem as problem:
            report.add_error(number, display.get(problem.column, problem.column), problem.message)
            continue
        entry = (number, values)
        first = setdefault(key, entry)  # one lookup: the entry, or the row before with the key
        if first is not entry:
            report.add_error(
                number,
                "",
                gettext("ซ้ำกับแถว %(resolved_key_0)s (ข้อมูลเดียวกันมีได้แถวเดียว)")
                % {"resolved_key_0": first[0]},
            )

    existing = resource.existing(list(resolved), ctx)
    result = Plan(report=report, ctx=ctx)
    if not existing:  # every row is new (a first upload): nothing to compare
        result.to_create = [values for _number, values in resolved.values()]
        report.new += len(result.to_create)
        return result
    compared = resource.update_fields
    changes: dict = {}
    to_create = result.to_create
    new = unchanged = updated = 0
    for key, (_number, values) in resolved.items():
        current = existing.get(key)
        if current is None:
            to_create.append(values)
            new += 1
            continue
        if all(getattr(current, f) == values[f] for f in compared if f in values):
            unchanged += 1
            continue
        changes[current.pk] = {f: values[f] for f in compared if f in values}
        updated += 1
    report.new += new
    report.unchanged += unchanged
    report.updated += updated
    # Only the changed rows become full model instances (their history needs every field).
    for chunk in chunks(changes):
        for instance in resource.model._default_manager.filter(pk__in=chunk):
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
            if connection.vendor == "postgresql":
                # The deferred foreign keys checked now, not at the commit outside this try: a
                # record deleted by someone else meanwhile is this report's error, not a 500.
                connection.check_constraints()
    except RowProblem as problem:
        # The data changed between preview and apply (e.g. an application moved on): nothing
        # was written, and the report says why instead of failing the request.
        report.add_error(0, problem.column, problem.message)
        return report
    except IntegrityError as error:
        if not (_unique_violation(error) or _sqlstate(error) == "23503"):
            raise
        # Someone wrote the same record (a form, another import), or deleted one this file
        # refers to, while this one was applied.
        report.add_error(0, "", str(CHANGED_WHILE_APPLYING))
        return report
    except Exception as error:
        if not _chosen_as_deadlock_victim(error):
            raise
        # PostgreSQL broke a deadlock with a form or a delete writing the same residents at
        # that moment by rolling this import back: nothing was written.
        report.add_error(0, "", str(CHANGED_WHILE_APPLYING))
        return report
    report.applied = True
    return report


def _chosen_as_deadlock_victim(error: Exception) -> bool:
    """PostgreSQL's 40P01 or 40001, from Django (OperationalError) or from the COPY (psycopg's
    own error, which Django does not wrap)."""
    return _sqlstate(error) in {"40P01", "40001"}


def _sqlstate(error: BaseException) -> str | None:
    return getattr(error, "sqlstate", None) or getattr(error.__cause__, "sqlstate", None)


def _unique_violation(error: IntegrityError) -> bool:
    """A unique key already taken (PostgreSQL's 23505, SQLite's "UNIQUE constraint failed"),
    not another broken rule."""
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) == "23505" or "UNIQUE constraint" in str(error)


CHANGED_WHILE_APPLYING = gettext_lazy(
    "มีผู้บันทึกข้อมูลรายการเดียวกันระหว่างนำเข้า ไม่ได้นำเข้าแถวใดเลย โปรดอัปโหลดไฟล์อีกครั้ง"
)


def run(resource: KpiResource, data: bytes, filename: str, *, dry_run: bool, user=None) -> Report:
    """Preview (dry_run) or apply a file. A file-level problem raises FileProblem.

    A preview's plan is kept (``_kept``) for the confirm of the same file by the same user in
    this process. Applying takes the table's import lock (``_lock``: applies to one table go one
    after the other), then uses the kept plan if the database still answers every query it
    asked as it did then, else plans again; either way inside the one transaction that writes.
    """
    key = _key(resource, data, filename)
    with _collector_paused():
        if dry_run:
            the_plan = _preview(resource, data, filename, key)
            return _copy(the_plan.report)
        with transaction.atomic():
            _lock(resource.model)
            the_plan = _kept.take(key) or plan(resource, data, filename)
            return apply(resource, the_plan, user)


_collector = threading.Lock()
_collector_holders = [0, False]  # imports running, whether the collector was on before the first


@contextlib.contextmanager
def _collector_paused():
    """Python's cycle collector off while an import runs: a plan makes a million objects that
    all live to its end, and each of the collector's passes over them finds nothing (it took
    half of a plan's time). Reference counting frees everything as usual; the collector is on
    again when the last import running in the process ends."""
    with _collector:
        if _collector_holders[0] == 0:
            _collector_holders[1] = gc.isenabled()
            gc.disable()
        _collector_holders[0] += 1
    try:
        yield
    finally:
        with _collector:
            _collector_holders[0] -= 1
            if _collector_holders[0] == 0 and _collector_holders[1]:
                gc.enable()


# -- planned once --------------------------------------------------------------------------------
# A kept plan is used for at most this long after its preview, and at most this many rows are
# kept per process (a plan of 100,000 assessment rows holds 61 MB).
KEEP_SECONDS = 15 * 60
KEEP_ROWS = 200_000
_ISOLATION = {"repeatable read", "serializable"}


def _key(resource: KpiResource, data: bytes, filename: str) -> tuple:
    """What a plan depends on besides the database: the file, the kind, who (the resource's
    user: a kind may record or scope by it), the language of its messages, the limits. The
    user an apply names for the history is the apply's own."""
    return (
        type(resource),
        getattr(resource.user, "pk", None),
        translation.get_language(),
        Path(filename).suffix.lower(),
        hashlib.sha256(data).digest(),
        max_rows(),
        max_uncompressed_bytes(),
    )


def _copy(report: Report) -> Report:
    """The preview's own report: the kept plan's goes on to be applied."""
    return dataclasses.replace(report, errors=list(report.errors), bad_rows=set(report.bad_rows))


class _Recorder:
    """Every query a plan runs (an ``execute_wrapper``), to ask them again before it is applied.
    A plan that runs anything but SELECT is not kept."""

    def __init__(self):
        self.queries: dict[tuple, tuple] = {}
        self.reads_only = True

    def __call__(self, execute, sql, params, many, context):
        if many or sql.lstrip()[:6].upper() != "SELECT":
            self.reads_only = False
        else:
            self.queries.setdefault((sql, repr(params)), (sql, params))
        return execute(sql, params, many, context)


@dataclass
class _Entry:
    plan: Plan
    queries: list[tuple]
    digests: list
    day: dt.date
    at: float


class _Plans:
    """The plans kept in this process, by ``_key``; each is taken (removed) by the apply that
    uses it or finds it stale."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[tuple, _Entry] = {}
        self._timer: threading.Timer | None = None

    def put(self, key: tuple, entry: _Entry) -> None:
        with self._lock:
            self._drop_old(time.monotonic())
            self._entries.pop(key, None)
            rows = entry.plan.report.rows
            while self._entries and self._rows() + rows > KEEP_ROWS:
                self._entries.pop(next(iter(self._entries)))  # the oldest
            if rows <= KEEP_ROWS:
                self._entries[key] = entry
            if self._timer is None:  # one timer lets the process forget plans nobody confirms
                self._timer = threading.Timer(KEEP_SECONDS + 1, self.drop_old)
                self._timer.daemon = True
                self._timer.start()

    def _rows(self) -> int:
        return sum(e.plan.report.rows for e in self._entries.values())

    def drop_old(self) -> None:
        with self._lock:
            self._timer = None
            self._drop_old(time.monotonic())
            if self._entries:
                self._timer = threading.Timer(KEEP_SECONDS + 1, self.drop_old)
                self._timer.daemon = True
                self._timer.start()

    def _drop_old(self, now: float) -> None:
        for key in [k for k, e in self._entries.items() if now - e.at > KEEP_SECONDS]:
            del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def take(self, key: tuple) -> Plan | None:
        """The kept plan for ``key`` if it still holds: planned today (the rules compare dates
        with today), within KEEP_SECONDS, and every query it ran still gives the same rows."""
        with self._lock:
            entry = self._entries.pop(key, None)
        if entry is None:
            return None
        if time.monotonic() - entry.at > KEEP_SECONDS or timezone.localdate() != entry.day:
            return None
        if _digests(entry.queries) != entry.digests:
            return None
        return entry.plan


_kept = _Plans()


def _preview(resource: KpiResource, data: bytes, filename: str, key: tuple) -> Plan:
    """Plan the file; keep the plan if it can be checked later: it only read, in one snapshot
    of the database (a transaction at REPEATABLE READ on PostgreSQL; any SQLite transaction)
    in which its queries are hashed too, its context holds no clock time, and there is
    something to apply. The file is read and cleaned before the transaction (no query, and
    no transaction held open while a large file is read)."""
    recorder = _Recorder()
    day = timezone.localdate()  # before planning: a plan made across midnight is not kept
    outside = _Recorder()
    with connection.execute_wrapper(outside):  # the file alone: a parser that queries is odd
        cleaned = _clean(resource, data, filename)
    with _Snapshot() as consistent:
        with connection.execute_wrapper(recorder):
            the_plan = _resolve(resource, *cleaned)
        report = the_plan.report
        consistent = consistent and not outside.queries and outside.reads_only
        if not (consistent and recorder.reads_only and report.ok and report.changes):
            return the_plan
        if _holds_clock_time(the_plan.ctx):
            return the_plan
        queries = list(recorder.queries.values())
        digests = _digests(queries)
    if digests is not None:
        _kept.put(key, _Entry(the_plan, queries, digests, day, time.monotonic()))
    return the_plan


class _Snapshot:
    """Inside: one consistent view of the database, if it can be had (``as`` gives whether).
    Outside any transaction one is opened (REPEATABLE READ on PostgreSQL); inside one, SQLite's
    is a snapshot already and PostgreSQL's is if its isolation level says so."""

    def __init__(self):
        self.atomic = None

    def __enter__(self) -> bool:
        vendor = connection.vendor
        if vendor not in ("sqlite", "postgresql"):
            return False
        if connection.in_atomic_block:
            if vendor == "sqlite":
                return True
            with connection.cursor() as cursor:
                cursor.execute("SHOW transaction_isolation")
                return cursor.fetchone()[0] in _ISOLATION
        if vendor == "postgresql":
            with connection.cursor():  # a health check runs now, before the transaction
                pass
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        if vendor == "postgresql":
            from psycopg.pq import TransactionStatus

            if connection.connection.info.transaction_status != TransactionStatus.IDLE:
                return False
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return True

    def __exit__(self, *exc):
        if self.atomic is not None:
            return self.atomic.__exit__(*exc)
        return False


def _holds_clock_time(ctx) -> bool:
    """A context with the time of day in it (``now``: stamps the new rows get) is planned
    again at apply, so the rows carry the time they were written."""
    values = ctx.values() if isinstance(ctx, dict) else ()
    return any(isinstance(value, dt.datetime) for value in values)


# Each query's rows, hashed in the database: how many, and two sums of a 64-bit hash of each
# row (PostgreSQL's hash_record_extended, seeds 0 and 1: the hashes of its columns' values, no
# text made). Sums do not depend on the order rows come in (the same rows may come in another
# order) and count every row as often as it comes. A column type without a hash (json) makes
# the query fail: that plan is not kept.
_PG_DIGEST = (
    "SELECT count(*), sum(hash_record_extended(t, 0)), sum(hash_record_extended(t, 1)) "
    "FROM ({}) AS t"
)


# A closing ORDER BY of plain columns (nothing after it: no LIMIT, no subquery), in a query
# whose rows do not depend on it (no LIMIT, OFFSET, FETCH, DISTINCT ON): the digest is the same
# whatever the order, so the database need not sort for it.
_CLOSING_ORDER = re.compile(r"\sORDER BY [\w\s.,\"]+$")
_ORDER_MATTERS = re.compile(r"\s(?:LIMIT|OFFSET|FETCH|DISTINCT\s+ON)\b", re.IGNORECASE)


def _unordered(sql: str) -> str:
    return sql if _ORDER_MATTERS.search(sql) else _CLOSING_ORDER.sub("", sql)


def _digests(queries: list[tuple]) -> list | None:
    """What each query answers now, hashed (None if one cannot be asked again)."""
    found: list = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for sql, params in queries:
                if connection.vendor == "postgresql":
                    cursor.execute(_PG_DIGEST.format(_unordered(sql)), params)
                    found.append(tuple(cursor.fetchone()))
                else:
                    cursor.execute(sql, params)
                    digest = hashlib.sha256()
                    while rows := cursor.fetchmany(5000):
                        digest.update(repr(rows).encode())
                    found.append(digest.digest())
    except DatabaseError:
        return None
    return found


def _lock(model) -> None:
    """The import lock of ``model``'s table for the rest of the transaction (PostgreSQL; SQLite
    has one writer at a time): a second apply to the table waits (at most the lock timeout),
    then checks or plans against what the first wrote."""
    if connection.vendor != "postgresql":
        return
    table = zlib.crc32(model._meta.db_table.encode()) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, table])


_LOCK_CLASS = 0x494D5054 - 2**31  # "IMPT"
