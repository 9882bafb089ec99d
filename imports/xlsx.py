"""A streaming reader for the first sheet of an .xlsx file.

openpyxl, even in read-only mode, builds a cell object and resolves a style for every cell; for a
100,000-row upload that is most of the time. Uploads need only values: this reads the sheet's XML
with iterparse and yields plain values. Date cells arrive as Excel serial numbers, which the date
parser (``core.cells.date``) turns into dates; nothing here needs styles.
"""

import io
import re
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import fromstring, iterparse

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_COLUMN = re.compile(r"[A-Z]+")


def _column_index(ref: str) -> int:
    index = 0
    for char in _COLUMN.match(ref).group():
        index = index * 26 + ord(char) - 64
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


def rows(data: bytes) -> Iterator[tuple[int, tuple]]:
    """(row number, values) for each row of the first sheet, in order."""
    book = zipfile.ZipFile(io.BytesIO(data))
    shared = _shared_strings(book)
    for _, element in iterparse(book.open(_first_sheet_path(book))):
        if element.tag != f"{M}row":
            continue
        values: dict[int, object] = {}
        for position, cell in enumerate(element.iter(f"{M}c")):
            ref = cell.get("r")
            column = _column_index(ref) if ref else position
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
        width = max(values) + 1 if values else 0
        yield int(element.get("r")), tuple(values.get(i) for i in range(width))
        element.clear()
