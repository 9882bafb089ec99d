"""Every spreadsheet the site writes (.xlsx and .csv) goes out through here.

What a cell holds (``clean_cell``): plain values only. Text loses its control characters (all but
tab, newline and carriage return, which a cell may hold); numbers stay numbers (int, Decimal,
float); dates and datetimes stay dates (an aware datetime becomes Asia/Bangkok wall time: a
spreadsheet has no time zones); None stays empty; anything else becomes its text, cleaned. HTML
never reaches a cell: ``table_rows`` takes a list's own values, not its rendered HTML.

How each format carries them:

- .xlsx (``Book``, ``xlsx_bytes``): text is always a text cell (``t="inlineStr"``), never a
  formula or an error value, whatever it starts with; text that a spreadsheet would run as a
  formula once someone edits the cell (it starts with = + - @, tab or carriage return: OWASP's
  list) also gets Excel's "quote prefix" style, which is what Excel itself stores when one types
  ``'=1``: the cell shows the text as it is, no apostrophe in it. Dates are date cells with the
  number format ``BE_DATE`` (``BE_DATETIME`` for a date and time): Thai Excel and LibreOffice show
  them in the Buddhist era (12/03/2563), sort and filter them as dates; a spreadsheet that does not
  know the calendar code (Google Sheets, Numbers) shows the same date with the CE year.
- .csv (``csv_bytes``): UTF-8 with a BOM (Excel reads Thai). CSV has no types, so dates are ISO
  text (``2020-03-12``; a date and time ``2020-03-12 14:30``, Bangkok time), which every
  spreadsheet reads as a date (Excel on a Thai Windows then shows it in its own, BE, date format)
  and every importer of the site reads back; numbers are plain (``3000.50``, no thousands
  separator). A text that would start a formula is written with a leading apostrophe, the one
  neutralisation CSV has.
- ``rows_response`` / ``table_response``: what a list shows, as a download. Lists are
  django-tables2 tables; ``table_rows(table)`` gives the header and each row: a column's
  ``value_<name>`` method if the table has one (masking national IDs for a role that may not see
  them), else the record's own value when it is a date or a number (whatever the page renders for
  it), else the rendered text with any HTML taken off.
"""

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.safestring import SafeData
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's LCID number-format prefix [$-xxyyzzzz]: xx=01 Western digits, yy=07 the Thai Buddhist
# calendar, zzzz=041E Thai. The format Thai Excel writes itself for a BE date; LibreOffice reads it
# as [$-41E][~buddhist] and writes it back unchanged.
BE_DATE = "[$-107041E]dd/mm/yyyy"
BE_DATETIME = "[$-107041E]dd/mm/yyyy hh:mm"

# C0 controls but tab, newline and carriage return; DEL; C1 controls; and the two code points
# XML 1.0 forbids (U+FFFE, U+FFFF), or a lone surrogate, any of which openpyxl refuses or Excel
# cannot open.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sheet title may not hold these (Excel's rule) and has at most 31 characters.
_TITLE = re.compile(r"[\\/*?:\[\]]")
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\n\xa0]+")


def strip_controls(value: str) -> str:
    return CONTROL.sub("", value)


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_STARTS)


def clean_text(value: str) -> str:
    """Text for a CSV cell: control characters stripped, a would-be formula given a leading
    apostrophe (CSV has no other way to say "text")."""
    value = strip_controls(value)
    if looks_like_formula(value):
        return "'" + value
    return value


def plain_text(value) -> str:
    """The text of an HTML fragment (a SafeString from format_html): tags dropped, entities
    decoded, spaces collapsed. Plain text passes unchanged."""
    if isinstance(value, SafeData):
        return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", str(value)))).strip()
    return value


def clean_cell(value):
    """The value a cell holds; see the module's docstring. Text is not neutralised here: the
    xlsx writer types it as text, the CSV writer prefixes it (``clean_text``)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return strip_controls(plain_text(value) if isinstance(value, str) else str(value))


def clean_row(values) -> list:
    return [clean_cell(v) for v in values]


def bind(cell, value) -> None:
    """Put a value in an openpyxl cell with its type and number format (see the docstring)."""
    value = clean_cell(value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # not a formula ("=…"), not an error ("#N/A")
        if looks_like_formula(value):
            cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.number_format = BE_DATETIME
    elif isinstance(value, dt.date):
        cell.number_format = BE_DATE


def _needs_cell(value) -> bool:
    """Whether a cleaned value needs more than openpyxl's own typing."""
    if isinstance(value, str):
        return looks_like_formula(value) or value.startswith("#")
    return isinstance(value, dt.date)


class Sheet:
    """A worksheet whose written values all pass through ``bind``; everything else (styles,
    widths, ``max_row``, ``iter_rows``) is the openpyxl worksheet's own."""

    def __init__(self, worksheet, write_only: bool = False):
        self._ws = worksheet
        self._write_only = write_only

    def append(self, values) -> None:
        row = []
        for value in values:
            value = clean_cell(value)
            if _needs_cell(value):
                cell = Cell(self._ws, row=1, column=1)
                bind(cell, value)
                value = cell
            row.append(value)
        self._ws.append(row)

    def cell(self, row: int, column: int, value=None):
        cell = self._ws.cell(row, column)
        if value is not None:
            bind(cell, value)
        return cell

    def __getitem__(self, key):
        return self._ws[key]

    def __setitem__(self, key, value):
        bind(self._ws[key], value)

    def __getattr__(self, name):
        return getattr(self._ws, name)

    def __setattr__(self, name, value):
        if name in ("_ws", "_write_only"):
            object.__setattr__(self, name, value)
        elif name == "title":
            self._ws.title = sheet_title(value)
        else:  # freeze_panes, sheet_properties, …: the worksheet's own
            setattr(self._ws, name, value)


def sheet_title(value) -> str:
    return _TITLE.sub(" ", CONTROL.sub("", str(value))).strip()[:31] or "Sheet"


class Book:
    """An openpyxl workbook that writes only clean cells. ``write_only`` for long lists."""

    def __init__(self, write_only: bool = False):
        self._book = Workbook(write_only=write_only)
        self._write_only = write_only
        self._sheets: dict[int, Sheet] = {}

    def _wrap(self, worksheet) -> Sheet:
        return self._sheets.setdefault(id(worksheet), Sheet(worksheet, self._write_only))

    @property
    def active(self) -> Sheet:
        return self._wrap(self._book.active)

    def create_sheet(self, title: str | None = None) -> Sheet:
        return self._wrap(self._book.create_sheet(sheet_title(title) if title else None))

    @property
    def sheetnames(self) -> list[str]:
        return self._book.sheetnames

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        self._book.save(out)
        return out.getvalue()


def xlsx_bytes(header: list, rows) -> bytes:
    """One sheet: the header, then the rows (streamed: write-only mode)."""
    book = Book(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    return book.to_bytes()


def csv_cell(value) -> str:
    """A value as CSV text: dates ISO (a datetime in Bangkok time, to the minute), numbers
    plain, text neutralised (``clean_text``), None empty."""
    value = clean_cell(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, str):
        return clean_text(value)
    return str(value)


def csv_bytes(rows) -> bytes:
    """Rows as CSV in UTF-8 with a BOM, every cell through ``csv_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def rows_response(header: list, rows, filename: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if fmt == "csv":
        body = csv_bytes(_chain([header], rows))
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _chain(first, rest):
    yield from first
    yield from rest


# --- django-tables2 tables ---------------------------------------------------------------------

TYPED = (int, float, Decimal, dt.date, dt.time)


def _raw(row, bound_column):
    """The record's value for a column as django-tables2 resolves it (a choice's label), before
    any render_* method; None for an empty value."""
    return row._get_and_render_with(
        bound_column, render_func=lambda _column, value=None: value, default=None
    )


def cell_value(table, row, bound_column):
    """One exported cell: ``value_<name>`` if the table has it; else the record's date or number;
    else the rendered text, HTML taken off."""
    name = bound_column.name
    if not hasattr(table, f"value_{name}"):
        raw = _raw(row, bound_column)
        if isinstance(raw, TYPED) and not isinstance(raw, bool):
            return raw
    return plain_text(force_str(row.get_cell_value(name), strings_only=True))


def table_rows(table, exclude=()):
    """The header, then every row of the table (every page, the filters applied) as plain
    values; columns marked ``exclude_from_export`` or named in ``exclude`` left out; columns
    with ``visible=False`` included (export-only columns)."""
    columns = [
        column
        for column in table.columns.iterall()
        if not (column.column.exclude_from_export or column.name in exclude)
    ]
    yield [plain_text(force_str(column.header)) for column in columns]
    for row in table.rows:
        yield [cell_value(table, row, column) for column in columns]


def table_response(table, filename: str, fmt: str, exclude=()) -> HttpResponse:
    """The whole table (every page, the filters applied) as a download."""
    values = table_rows(table, exclude)
    header = next(values)
    return rows_response(header, values, filename, fmt)


def requested_format(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in FORMATS else None
