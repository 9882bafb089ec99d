from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook


def test_the_catalog_list_exports_what_it_shows(client_for, manager, db):
    c = client_for(manager)
    response = c.get(reverse("catalog:list"), {"export": "xlsx"})
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][1] == "รายการฐานข้อมูล" and len(rows) == 22  # header + the 21 databases
    text = c.get(reverse("catalog:list"), {"export": "csv"}).content.decode("utf-8-sig")
    assert "ฐานข้อมูลคนไร้ที่พึ่ง" in text
