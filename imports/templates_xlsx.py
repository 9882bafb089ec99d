"""Downloadable templates: the kind's headers (Thai or English) and an example row, written
through ``core.exports`` like every spreadsheet the site sends."""

from openpyxl.styles import Font, PatternFill

from core.exports import Book, csv_bytes
from imports.resources import KpiResource


def _header_and_example(resource: KpiResource, thai: bool) -> tuple[list[str], list]:
    names = resource.column_names()
    return (
        [resource.header_for(n, thai) for n in names],
        [resource.example.get(n, "") for n in names],
    )


def xlsx_template(resource: KpiResource, thai: bool = True) -> bytes:
    header, example = _header_and_example(resource, thai)
    book = Book()
    sheet = book.active
    sheet.title = resource.kind
    sheet.append(header)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[2]:
        cell.number_format = "@"  # keep IDs and BE dates as typed
    for index, title in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(14, len(title) + 4)
    notes = book.create_sheet("คำอธิบาย")
    notes.append(["คอลัมน์", "หัวตารางภาษาไทย", "ตัวอย่าง"])
    for name, thai_header, value in zip(
        resource.column_names(), _header_and_example(resource, True)[0], example, strict=True
    ):
        notes.append([name, thai_header, value])
    notes.append([])
    notes.append(["วันที่ใช้ได้ทั้ง พ.ศ. และ ค.ศ. (วว/ดด/ปปปป หรือ ปปปป-ดด-วว) และเลขไทย"])
    return book.to_bytes()


def csv_template(resource: KpiResource, thai: bool = True) -> bytes:
    return csv_bytes(_header_and_example(resource, thai))
