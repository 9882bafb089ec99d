"""Exporting what a list shows (its filters applied) as .xlsx or .csv.

Lists are django-tables2 tables; ``table.as_values()`` gives the header and each row as the
table's ``value_*`` methods define it, so a table that masks national IDs for a role exports them
masked too. Every text cell that a spreadsheet would run as a formula (= + - @) is neutralised.
"""

import csv
import io

from django.http import HttpResponse
from openpyxl import Workbook

from core.cells import neutralise_formula

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rows_response(header: list, rows, filename: str, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([neutralise_formula(str(h)) for h in header])
        for row in rows:
            writer.writerow([neutralise_formula(v) for v in row])
        response = HttpResponse(
            ("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append([str(h) for h in header])
        for row in rows:
            sheet.append([neutralise_formula(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def table_response(table, filename: str, fmt: str, exclude=()) -> HttpResponse:
    """The whole table (every page, the filters applied) as a download."""
    values = iter(table.as_values(exclude_columns=exclude))
    header = next(values)
    return rows_response(header, values, filename, fmt)


def requested_format(request) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in FORMATS else None
