from django.contrib.auth.models import User
from django.utils import timezone

from core import demo, roles
from indicators import registry
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator


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


# Which deliverables the demo shows as done: (indicator code, level) → approved; one submitted
# item waits for the approver, so every state shows on the demo pages.
DEMO_APPROVED = [("2", 1), ("3.1", 1), ("3.1", 2), ("3.2", 1), ("3.2", 2)]
DEMO_SUBMITTED = [("2", 3)]


@demo.register(90, "หลักฐานตัวอย่างของตัวชี้วัด")
def build_evidence(stdout) -> list[tuple[str, str]]:
    owner = User.objects.get(username="owner")
    approver = User.objects.get(username="approver")
    now = timezone.now()
    for code, level, status in [(c, lv, EvidenceStatus.APPROVED) for c, lv in DEMO_APPROVED] + [
        (c, lv, EvidenceStatus.SUBMITTED) for c, lv in DEMO_SUBMITTED
    ]:
        deliverables = Deliverable.objects.filter(
            indicator__indicator_set__fiscal_year=2563, indicator__code=code, level=level
        ).exclude(computed_key__in=registry.deciding_keys())
        for deliverable in deliverables:
            approved = status == EvidenceStatus.APPROVED
            Evidence.objects.update_or_create(
                deliverable=deliverable,
                title=f"(ตัวอย่าง) {deliverable.title[:120]}",
                defaults={
                    "url": f"https://example.go.th/demo/kpi-{code}-{level}",
                    "note": "หลักฐานตัวอย่างสำหรับทดลองใช้ระบบ (DEMO)",
                    "status": status,
                    "created_by": owner,
                    "submitted_by": owner,
                    "submitted_at": now,
                    "reviewed_by": approver if approved else None,
                    "reviewed_at": now if approved else None,
                },
            )
    demo_evidence = Evidence.objects.filter(title__startswith="(ตัวอย่าง)")
    approved = demo_evidence.filter(status=EvidenceStatus.APPROVED).count()
    waiting = demo_evidence.filter(status=EvidenceStatus.SUBMITTED).count()
    stdout.write(f"  หลักฐานตัวอย่าง: อนุมัติแล้ว {approved} รายการ รอพิจารณา {waiting} รายการ")
    return []
