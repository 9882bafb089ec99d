"""A streaming reader for the first sheet of an .xlsx file.

openpyxl, even in read-only mode, builds a cell object and resolves a style for every cell; for a
100,000-row upload that is most of the time. Uploads need only values: this reads the sheet's XML
with iterparse and yields plain values. Date cells arrive as Excel serial numbers, which the date
parser (``core.cells.date``) turns into dates; nothing here needs styles.

Hostile files meet limits (``SheetProblem``, a Thai message): a cell reference past XFD1048576,
and sheet XML whose uncompressed size passes the engine's cap (checked from the zip's declared
sizes before anything is inflated). Cells to the right of the header are skipped as they are read.
"""

import io
import re
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import fromstring, iterparse
from django.utils.translation import gettext

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
    letters = _COLUMN.match(ref).group()
    if len(letters) > 3:
        raise SheetProblem(_beyond(gettext("เซลล์ '%(ref_20)s'") % {"ref_20": ref[:20]}))
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    if index > MAX_COLUMNS:
        raise SheetProblem(_beyond(gettext("เซลล์ '%(ref_20)s'") % {"ref_20": ref[:20]}))
    return index - 1


def _first_sheet_path(book: zipfile.ZipFile) -> str:
    workbook = fromstring(book.read("xl/workbook.xml"))
    sheet = workbook.find(f"{M}sheets/{M}sheet")
    rid = sheet.get(R_ID)
    rels = fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(r.get("Target") for r in rels if r.get("Id") == rid)
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


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

    def __init__(self, data: bytes, max_uncompressed: int | None = None):
        self.book = zipfile.ZipFile(io.BytesIO(data))
        self.max_uncompressed = max_uncompressed
        self.width = MAX_COLUMNS

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        book = self.book
        _check_size(book, ["xl/workbook.xml", "xl/_rels/workbook.xml.rels"], self.max_uncompressed)
        path = _first_sheet_path(book)
        _check_size(book, [path, "xl/sharedStrings.xml"], self.max_uncompressed)
        shared = _shared_strings(book)
        previous = 0
        for _, element in iterparse(book.open(path)):
            if element.tag != f"{M}row":
                continue
            number = element.get("r")
            number = int(number) if number is not None else previous + 1
            if not 1 <= number <= MAX_ROWS:
                raise SheetProblem(_beyond(gettext("แถว %(number)s") % {"number": f"{number:,}"}))
            previous = number
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
                if kind == "s":
                    value = shared[int(text)] if text is not None else None
                elif kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{M}t"))
                elif kind == "b":
                    value = text == "1"
                elif kind in ("str", "e", "d"):
                    value = text
                else:
                    value = _number(text) if text not in (None, "") else None
                values[column] = value
            row_width = max(values) + 1 if values else 0
            yield number, tuple(values.get(i) for i in range(row_width))
            element.clear()


def rows(data: bytes, max_uncompressed: int | None = None) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for each row of the first sheet, in order."""
    return iter(Sheet(data, max_uncompressed))
