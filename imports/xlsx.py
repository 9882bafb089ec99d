"""Reading the first sheet of an .xlsx file: values only, as (row number, values).

Two readers give the same values. ``open_sheet`` picks:

- ``FastSheet``: python-calamine (Rust) reads the whole sheet at once, ten times faster than
  anything in Python. It holds the sheet as a dense grid from A1 to the last cell, and a grid
  too large to allocate aborts the process, so it is used only once a scan of the sheet's XML
  (``_extent``: every cell reference, with regular expressions) has found the grid small:
  at most ``DENSE_CELLS`` cells. Error cells (``t="e"``, which calamine reads as empty) and ISO
  date cells (``t="d"``) also go to the other reader, which keeps their text as before.
- ``Sheet``: a streaming reader (iterparse) for everything else: a stray cell far to the right
  or below (cells to the right of the header are dropped as they are read), cell references
  past XFD1048576 (refused, ``SheetProblem``), namespace-prefixed XML.

Values are what the sheet stores, whichever reader: text; numbers (integral ones as int); True
or False; None for an empty cell. Dates are Excel serial day numbers, as stored, which the date
parser (``core.cells.date``) turns into dates: in a workbook of the 1904 date system (old Mac
Excel, ``<workbookPr date1904="1">``) every number arrives as ``core.cells.Serial1904``, a float
the date parser counts from 1904-01-01 (and every other parser takes as the number it is).

Hostile files meet limits (``SheetProblem``, a Thai message): a cell reference past XFD1048576,
and XML whose uncompressed size passes the engine's cap (checked from the zip's declared sizes
before anything is inflated; calamine is given only a file whose every part is within it).
"""

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import fromstring, iterparse
from django.utils.translation import gettext

from core.cells import EPOCH_1900, EPOCH_1904, Serial1904

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_COLUMN = re.compile(r"[A-Z]+")
# Excel's last cell is XFD1048576: 16,384 columns, 1,048,576 rows.
MAX_COLUMNS = 16_384
MAX_ROWS = 1_048_576


def _beyond(what: str) -> str:
    return gettext(
        "ไฟล์ Excel อ้างอิง%(what)s เกินขอบเขตของ Excel (สุดที่เซลล์ XFD1048576: 16,384 คอลัมน์ 1,048,576 แถว)"
    ) % {"what": what}


def _column_index(ref: str) -> int:
    found = _COLUMN.match(ref)
    if found is None:
        raise ValueError(ref)  # a reference without letters: the file is unreadable
    letters = found.group()
    if len(letters) > 3:
        raise SheetProblem(_beyond(gettext("เซลล์ '%(ref_20)s'") % {"ref_20": ref[:20]}))
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    if index > MAX_COLUMNS:
        raise SheetProblem(_beyond(gettext("เซลล์ '%(ref_20)s'") % {"ref_20": ref[:20]}))
    return index - 1


def _first_sheet(book: zipfile.ZipFile) -> tuple[str, str, bool]:
    """The first sheet's name and path in the zip, and whether the workbook counts dates in the
    1904 system."""
    workbook = fromstring(book.read("xl/workbook.xml"))
    sheet = workbook.find(f"{M}sheets/{M}sheet")
    rid = sheet.get(R_ID)
    rels = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    properties = workbook.find(f"{M}workbookPr")
    date1904 = properties is not None and properties.get("date1904", "").lower() in ("1", "true")
    return sheet.get("name") or "", path, date1904


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    strings = []
    for _, element in iterparse(book.open("xl/sharedStrings.xml")):
        if element.tag == f"{M}si":
            plain = element.find(f"{M}t")
            if plain is not None:
                strings.append(plain.text or "")
            else:  # rich text: the runs' text, without phonetic hints
                strings.append("".join(t.text or "" for t in element.findall(f"{M}r/{M}t")))
            element.clear()
    return strings


def _number(text: str):
    number = float(text)
    return int(number) if number.is_integer() and "E" not in text.upper() else number


def _number_1904(text: str) -> Serial1904:
    return Serial1904(text)


class SheetProblem(ValueError):
    """A limit the file breaks, with a Thai message for the uploader."""


def _check_size(book: zipfile.ZipFile, names: list[str], max_bytes: int | None) -> None:
    """Refuse, before inflating anything, parts whose uncompressed size passes ``max_bytes``.
    zipfile never inflates a member past its declared size (it stops, and the CRC check fails),
    so the declared sizes bound what is read."""
    if max_bytes is None:
        return
    total = sum(book.getinfo(name).file_size for name in names if name in book.NameToInfo)
    if total > max_bytes:
        raise SheetProblem(
            gettext(
                "ไฟล์ Excel เมื่อคลายการบีบอัดมีขนาด %(total_2_20)s MB เกินที่รับได้ %(max_bytes_2_20)s MB: โปรดแบ่งเป็นหลายไฟล์"
            )
            % {"total_2_20": f"{total / 2**20:,.0f}", "max_bytes_2_20": f"{max_bytes / 2**20:,.0f}"}
        )


class Sheet:
    """The first sheet's rows as (row number, values). ``width`` (set once the header is known)
    keeps only that many leading columns, so a stray cell far to the right costs nothing.
    Cell references past Excel's last cell (XFD1048576) are refused."""

    def __init__(self, data: bytes, max_uncompressed: int | None = None, book=None):
        self.book = book or zipfile.ZipFile(io.BytesIO(data))
        self.max_uncompressed = max_uncompressed
        self.width = MAX_COLUMNS

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        book = self.book
        _check_size(book, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"], self.max_uncompressed)
        _, path, date1904 = _first_sheet(book)
        number = _number_1904 if date1904 else _number
        _check_size(book, [path, "xl/sharedStrings.xml"], self.max_uncompressed)
        shared = _shared_strings(book)
        previous = 0
        for _, element in iterparse(book.open(path)):
            if element.tag != f"{M}row":
                continue
            row = element.get("r")
            row = int(row) if row is not None else previous + 1
            if not 1 <= row <= MAX_ROWS:
                raise SheetProblem(_beyond(gettext("แถว %(number)s") % {"number": f"{row:,}"}))
            previous = row
            width = self.width
            values: dict[int, object] = {}
            for position, cell in enumerate(element.iter(f"{M}c")):
                ref = cell.get("r")
                column = _column_index(ref) if ref else position
                if column >= width:
                    continue
                kind = cell.get("t")
                value_node = cell.find(f"{M}v")
                text = value_node.text if value_node is not None else None
                value: object
                if kind == "s":
                    value = shared[int(text)] if text is not None else None
                elif kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{M}t"))
                elif kind == "b":
                    value = text == "1"
                elif kind in ("str", "e", "d"):
                    value = text
                else:
                    value = number(text) if text else None
                values[column] = value
            row_width = max(values) + 1 if values else 0
            yield row, tuple(values.get(i) for i in range(row_width))
            element.clear()


def rows(data: bytes, max_uncompressed: int | None = None) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for each row of the first sheet, in order (the streaming reader)."""
    return iter(Sheet(data, max_uncompressed))


# -- the fast reader ------------------------------------------------------------------------------
# The largest grid (rows × columns, from A1 to the last cell) given to calamine: 200,000 rows
# (the engine's cap) of 20 columns. calamine holds it in Rust (about 32 bytes a cell) and hands
# it over as Python lists; a larger grid is read by the streaming reader.
DENSE_CELLS = 4_000_000
# Blank rows are skipped and not counted against the engine's row cap: this many allowed.
ROW_SLACK = 1000
# A cell's reference as every writer seen puts it (first), then wherever it stands among the
# cell's attributes; groups: column, row.
_REF_FIRST = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"')
_REF_ANYWHERE = re.compile(rb'<c\s[^>]*?(?<![\w:.-])r\s*=\s*["\']([A-Z]{1,3})([0-9]{1,7})["\']')
# What the streaming reader handles and calamine does not read the same way: prefixed element
# names (calamine could read cells the scan does not see), error and ISO date cells.
_PREFIXED = re.compile(rb":(?:c|row|sheetData)[\s/>]")
_ERROR_OR_ISO = re.compile(rb't\s*=\s*["\'][ed]["\']')
# For the count that every r attribute in the sheet data is a reference the scan has read.
_ANY_R = re.compile(rb"(?<![\w:.-])r\s*=")
_ROW_R = re.compile(rb"<row\s[^>]*?(?<![\w:.-])r\s*=")
_PREFIXED_R = re.compile(rb":r\s*=")
_SPACED_R = re.compile(rb"r\s+=")
# Each row's attributes and what it holds (for sheets whose cells have no references).
_ROW_CELLS = re.compile(rb"<row(\s[^>]*?)?(?:/>|>(.*?)</row>)", re.S)
_ROW_NUMBER = re.compile(rb'\s+r="([0-9]{1,7})"')
_CHUNK = 1 << 20  # references are gathered a megabyte of XML at a time, cut before a <row


def _column_number(letters: bytes) -> int:
    index = 0
    for char in letters:
        index = index * 26 + char - 64
    return index


def _extent(xml: bytes) -> tuple[int, int] | None:
    """(rows, columns) of the grid calamine would build from this sheet XML (from A1 to the last
    cell), or None if the scan cannot tell for sure: a cell without a reference it reads, a tag
    with two, prefixed names, error or ISO date cells.

    Every tag starting ``<c`` inside <sheetData> is counted as a cell (only cells start so
    there; anything else makes the count too high, and the file goes to the other reader), and
    each must have one reference the scan reads: calamine takes the last ``r`` of a tag, so
    every ``r=`` in the sheet data must be one the scan has seen."""
    start = xml.find(b"<sheetData")
    if start < 0:
        return None
    end = xml.rfind(b"</sheetData>")
    end = start if end < 0 else end  # <sheetData/>: no cells
    if _PREFIXED.search(xml) or _ERROR_OR_ISO.search(xml, start, end):
        return None
    cells = xml.count(b"<c", start, end)
    if not _SPACED_R.search(xml, start, end):
        # The usual form: <c r="B7" …> and <row r="7" …>, r first, and no other r= anywhere.
        attributes = xml.count(b"r=", start, end)
        if attributes == cells + xml.count(b'<row r="', start, end):
            extent = _gather(_REF_FIRST, xml, start, end, cells)
            if extent is not None:
                return extent
    if _PREFIXED_R.search(xml, start, end):
        return None
    attributes = len(_ANY_R.findall(xml, start, end))
    rows_r = len(_ROW_R.findall(xml, start, end))
    if attributes == rows_r:  # no cell has a reference: each is one column on from the last
        return _extent_by_position(xml, start, end)
    if attributes != cells + rows_r:
        return None
    return _gather(_REF_ANYWHERE, xml, start, end, cells)


def _extent_by_position(xml: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The grid of a sheet whose cells have no reference (some writers leave them out): a row
    without ``r`` follows the one before, a cell the cell before. A row's ``r``, if it has one,
    must come first and alone."""
    rows = _ROW_CELLS.findall(xml, start, end)
    if len(rows) != xml.count(b"<row", start, end):
        return None
    last_row, widest = 0, 0
    for attributes, body in rows:
        references = len(_ANY_R.findall(attributes))
        if references == 0:
            last_row += 1
        elif references == 1 and (number := _ROW_NUMBER.match(attributes)):
            last_row = int(number.group(1))
        else:
            return None
        widest = max(widest, body.count(b"<c"))
    return last_row, widest


def _gather(pattern, xml: bytes, start: int, end: int, cells: int) -> tuple[int, int] | None:
    """The last row and column of the references ``pattern`` finds, if it finds ``cells``."""
    found, last_row, at = 0, 0, start
    letters: set[bytes] = set()
    while at < end:
        cut = xml.find(b"<row", at + _CHUNK, end)
        cut = end if cut < 0 else cut
        refs = pattern.findall(xml, at, cut)
        if refs:
            found += len(refs)
            columns, numbers = zip(*refs, strict=True)
            letters.update(columns)
            last_row = max(last_row, max(map(int, numbers)))
        at = cut
    if found != cells:
        return None
    return last_row, max(map(_column_number, letters), default=0)


def _serial(value, date1904: bool):
    """A date, time or duration calamine made of a date-formatted number, as that number again
    (the serial day in the workbook's date system)."""
    if isinstance(value, dt.datetime):
        day = value.date()
        fraction = (value - dt.datetime.combine(day, dt.time())) / dt.timedelta(days=1)
    elif isinstance(value, dt.date):
        day, fraction = value, 0.0
    elif isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        number = seconds / 86400
        return Serial1904(number) if date1904 else number
    else:  # a duration ([h]:mm)
        number = value / dt.timedelta(days=1)
        return Serial1904(number) if date1904 else (int(number) if number.is_integer() else number)
    if date1904:
        return Serial1904((day - EPOCH_1904).days + fraction)
    days = (day - EPOCH_1900).days
    if day < dt.date(1900, 3, 1):
        days -= 1  # Excel's 1900-02-29 that never was: calamine counts serials 1-60 a day on
    return days + fraction if fraction else days


class FastSheet:
    """The first sheet read by calamine, with ``Sheet``'s interface: (row number, values) with
    values as ``Sheet`` gives them, cut to ``width`` columns."""

    def __init__(self, grid: list[list], date1904: bool):
        self.grid = grid
        self.date1904 = date1904
        self.width = MAX_COLUMNS

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        date1904 = self.date1904
        plain = (str, int, bool)
        for index, cells in enumerate(self.grid):
            width = self.width
            if len(cells) > width:
                cells = cells[:width]
            values: list = []
            append = values.append
            for value in cells:
                kind = type(value)
                if kind is str:
                    append(value or None)
                elif kind is float:
                    if date1904:
                        append(Serial1904(value))
                    elif value.is_integer() and -1e16 < value < 1e16:
                        append(int(value))
                    else:
                        append(value)
                elif kind in plain:
                    append(Serial1904(value) if date1904 and kind is int else value)
                else:
                    append(_serial(value, date1904))
            while values and values[-1] is None:
                values.pop()
            yield index + 1, tuple(values)


def _calamine_grid(data: bytes, name: str) -> list[list] | None:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_object(io.BytesIO(data))
        try:
            return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        finally:
            book.close()
    except Exception:  # noqa: BLE001 - anything calamine cannot read goes to the other reader
        return None
    except BaseException as error:  # a Rust panic arrives as pyo3's PanicException
        if type(error).__name__ == "PanicException":
            return None
        raise


def open_sheet(
    data: bytes, max_uncompressed: int | None = None, max_rows: int | None = None
) -> "Sheet | FastSheet":
    """The first sheet, read by calamine when the scan finds its grid small, else streamed.
    ``max_rows``: the rows an upload may have; a sheet reaching far past them (its last row
    more than ``ROW_SLACK`` rows on) is streamed, and the engine stops at its cap."""
    book = zipfile.ZipFile(io.BytesIO(data))
    _check_size(book, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"], max_uncompressed)
    name, path, date1904 = _first_sheet(book)
    _check_size(book, [path, "xl/sharedStrings.xml"], max_uncompressed)
    # calamine inflates more parts than the sheet (styles, for its dates): all must fit the cap.
    whole = sum(info.file_size for info in book.infolist())
    if (max_uncompressed is None or whole <= max_uncompressed) and path in book.NameToInfo:
        extent = _extent(book.read(path))
        if extent is not None:
            rows, columns = extent
            tallest = MAX_ROWS if max_rows is None else min(MAX_ROWS, max_rows + ROW_SLACK)
            if columns <= MAX_COLUMNS and rows <= tallest and rows * columns <= DENSE_CELLS:
                grid = _calamine_grid(data, name)
                if grid is not None:
                    return FastSheet(grid, date1904)
    return Sheet(data, max_uncompressed, book)
