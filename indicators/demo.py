from core import demo, roles
from indicators.models import Indicator


@demo.register(10, "ผู้ใช้และผู้รับผิดชอบตัวชี้วัด")
def build(stdout) -> list[tuple[str, str]]:
    demo.make_user("admin", "ผู้ดูแล", "ระบบ", roles.ADMIN)
    demo.make_user("manager", "ผู้บริหาร", "ตัวอย่าง", roles.MANAGER)
    demo.make_user("approver", "ผู้อนุมัติ", "หลักฐาน", roles.MANAGER, roles.APPROVER)
    owner = demo.make_user("owner", "ผู้รับผิดชอบ", "ตัวชี้วัด", roles.INDICATOR_OWNER)
    for indicator in Indicator.objects.exclude(kind="group"):
        indicator.owners.add(owner)
    return [
        ("admin", "ผู้ดูแลระบบ: ผู้ใช้ ชุดตัวชี้วัด นำเข้าข้อมูล"),
        ("manager", "ผู้บริหาร: อ่านทุกหน้า แก้ไขไม่ได้"),
        ("approver", "ผู้บริหารผู้อนุมัติหลักฐาน"),
        ("owner", "ผู้รับผิดชอบตัวชี้วัดทุกตัว: แนบหลักฐาน บันทึกผล"),
    ]
