import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from core.models import Province
from shelters.models import Facility, Resident


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def facility(db):
    return Facility.objects.create(
        code="TYB-M", name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี", kind="shelter",
        province=Province.objects.get(code="13"),
    )  # fmt: skip


@pytest.fixture
def residents(facility):
    return [
        Resident.objects.create(
            facility=facility,
            case_number=f"63-{n:04d}",
            full_name=f"ผู้รับบริการ {n}",
            target_group="destitute",
            admitted_on=dt.date(2019, 1, 1),
        )  # fmt: skip
        for n in range(1, 4)
    ]


def csv_bytes(rows: list[list], bom: bool = True) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
