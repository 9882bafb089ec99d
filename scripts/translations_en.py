"""English for the shared chrome (source strings are Thai). Run: python scripts/translations_en.py
after `manage.py makemessages -l en ...`; it fills msgstr and appends the menu labels, which are
registered at run time and so not found by makemessages. Then `manage.py compilemessages`."""

import re
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"

EN = {
    "ปีงบประมาณ": "Fiscal year",
    "ข้อมูล ณ วันที่": "Data as of",
    "แสดง": "Show",
    "ตัวชี้วัด%(agency)s ปีงบประมาณ พ.ศ. %(year)s": "Indicators of %(agency)s, fiscal year %(year)s BE",
    "คะแนนรวม (เต็ม 100)": "Total score (out of 100)",
    "ตัวชี้วัด": "Indicators",
    "น้ำหนัก": "Weight",
    "ผลการดำเนินงาน": "Result",
    "ระดับ": "Level",
    "คะแนน": "Score",
    "คะแนนถ่วงน้ำหนัก": "Weighted score",
    "ที่มา": "Source",
    "รวม": "Total",
    "ระบบติดตามตัวชี้วัด": "Indicator tracker",
    "กรมพัฒนาสังคมและสวัสดิการ": "Department of Social Development and Welfare",
    "เมนู": "Menu",
    "ภาษา": "Language",
    "ออกจากระบบ": "Log out",
    "เข้าสู่ระบบ": "Log in",
    "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง": "Wrong username or password",
    "ชื่อผู้ใช้": "Username",
    "รหัสผ่าน": "Password",
    # menu labels (core.nav)
    "ชุดตัวชี้วัด": "Indicator sets",
    "ผู้รับบริการ": "Residents",
    "สถานคุ้มครอง": "Facilities",
    "อาสาสมัคร อพม.": "Volunteers",
    "เงินอุดหนุน": "Subsidies",
    "บัญชีข้อมูลกลาง": "Data catalog",
    "นำเข้าข้อมูล": "Import",
    "รายงาน": "Reports",
    "แดชบอร์ดผู้บริหาร": "Executive dashboard",
    "อพม.": "Volunteers",
    "แผนพัฒนา อพม.": "Volunteer plan",
}


def main() -> None:
    text = PO.read_text(encoding="utf-8")
    text = text.replace(
        '"Content-Type: text/plain; charset=CHARSET\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
    )
    for thai, english in EN.items():
        pattern = re.compile(r'(msgid "' + re.escape(thai) + r'"\nmsgstr )""')
        if pattern.search(text):
            text = pattern.sub(lambda m, e=english: m.group(1) + f'"{e}"', text)
        elif f'msgid "{thai}"' not in text:
            text += f'\nmsgid "{thai}"\nmsgstr "{english}"\n'
    PO.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
