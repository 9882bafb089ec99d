"""Every spreadsheet the site writes (.xlsx and .csv) goes out through here.

- ``clean_cell(value)``: the one rule for a cell. Text loses its control characters (all but tab,
  newline and carriage return, which a cell may hold) and, if a spreadsheet would run it as a
  formula (it starts with = + - @, tab or carriage return: OWASP's list), is written as text with
  a leading apostrophe. Numbers stay numbers, dates and datetimes stay date cells (an aware
  datetime becomes local time: Excel has no time zones), None stays empty; anything else becomes
  its text, cleaned.
- ``Book``: an openpyxl workbook whose sheets pass every value through ``clean_cell`` (``append``,
  ``cell(value=)``, ``sheet["A1"] = …``); the reports build their styled workbooks with it and
  ``Book.to_bytes()`` saves them.
- ``csv_bytes(rows)``: UTF-8 with a BOM (Excel reads Thai), every cell cleaned.
- ``rows_response`` / ``table_response``: what a list shows, as a download. Lists are
  django-tables2 tables; ``table.as_values()`` gives the header and each row as the table's
  ``value_*`` methods define it, so a table that masks national IDs for a role exports them
  masked too.
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# C0 controls but tab, newline and carriage return; DEL; C1 controls; and the two code points
# XML 1.0 forbids (U+FFFE, U+FFFF), or a lone surrogate, any of which openpyxl refuses or Excel
# cannot open.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A sheet title may not hold these (Excel's rule) and has at most 31 characters.
_TITLE = re.compile(r"[\\/*?:\[\]]")


def clean_text(value: str) -> str:
    """Text for a spreadsheet: control characters stripped, a would-be formula made text."""
    value = CONTROL.sub("", value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def clean_cell(value):
    """The value a spreadsheet cell may hold; see the module's docstring."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date | dt.time):
        return value
    return clean_text(value if isinstance(value, str) else str(value))


def clean_row(values) -> list:
    return [clean_cell(v) for v in values]


class Sheet:
    """A worksheet whose written values all pass through ``clean_cell``; everything else
    (styles, widths, ``max_row``, ``iter_rows``) is the openpyxl worksheet's own."""

    def __init__(self, worksheet):
        self._ws = worksheet

    def append(self, values) -> None:
        self._ws.append(clean_row(values))

    def cell(self, row: int, column: int, value=None):
        cell = self._ws.cell(row, column)
        if value is not None:
            cell.value = clean_cell(value)
        return cell

    def __getitem__(self, key):
        return self._ws[key]

    def __setitem__(self, key, value):
        self._ws[key] = clean_cell(value)

    def __getattr__(self, name):
        return getattr(self._ws, name)

    def __setattr__(self, name, value):
        if name == "_ws":
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
        self._sheets: dict[int, Sheet] = {}

    def _wrap(self, worksheet) -> Sheet:
        return self._sheets.setdefault(id(worksheet), Sheet(worksheet))

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


def csv_bytes(rows) -> bytes:
    """Rows as CSV in UTF-8 with a BOM, every cell cleaned (dates as ISO text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else v for v in clean_row(row)])
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


def table_response(table, filename: str, fmt: str, exclude=()) -> HttpResponse:
    """The whole table (every page, the filters applied) as a download."""
    values = iter(table.as_values(exclude_columns=exclude))
    header = next(values)
    return rows_response(header, values, filename, fmt)


def requested_format(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in FORMATS else None
