import datetime as dt

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils import timezone

from core import demo, roles
from indicators import registry
from indicators.models import (
    Deliverable,
    Evidence,
    EvidenceStatus,
    Indicator,
    RevisionReason,
    TargetRevision,
)


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
    approved_count = demo_evidence.filter(status=EvidenceStatus.APPROVED).count()
    waiting = demo_evidence.filter(status=EvidenceStatus.SUBMITTED).count()
    stdout.write(f"  หลักฐานตัวอย่าง: อนุมัติแล้ว {approved_count} รายการ รอพิจารณา {waiting} รายการ")
    return []


# KPI 2's targets "depend on the budget received": the demo revises its level-75 target for the
# budget the department actually received, in force from 1 เม.ย. 2563 (so the 6-month round, as
# of 31 มี.ค. 2563, keeps the document's target and the 12-month round uses the revised one).
# KPI 3.2 keeps the document's 3,500 (its revision form's calculator shows what a late opening
# would make of it).
DEMO_REVISION_TEXT = (
    "กรมได้รับจัดสรรงบประมาณปี 2563 น้อยกว่าค่าเป้าหมายในแผนฯ ระยะ 3 ปี จึงขอปรับค่าเป้าหมายของแผนปี 2563"
    " ตามงบประมาณที่ได้รับจริง (ข้อมูลตัวอย่าง)"
)
DEMO_LETTER = (
    "(ตัวอย่าง) หนังสืออนุมัติการปรับค่าเป้าหมายตัวชี้วัดที่ 2 ตามงบประมาณที่ได้รับจัดสรร ปีงบประมาณ พ.ศ. 2563\n"
    "ไฟล์นี้เป็นข้อมูลตัวอย่างสำหรับทดลองใช้ระบบ (DEMO)\n"
)


@demo.register(92, "การปรับค่าเป้าหมายตัวอย่าง (ตัวชี้วัดที่ 2)")
def build_target_revision(stdout) -> list[tuple[str, str]]:
    indicator = Indicator.objects.filter(indicator_set__fiscal_year=2563, code="2").first()
    if indicator is None:
        return []
    revision = TargetRevision.objects.filter(
        indicator=indicator, reason_text=DEMO_REVISION_TEXT
    ).first()
    if revision is None:
        revision = TargetRevision(
            indicator=indicator,
            effective_from=dt.date(2020, 4, 1),
            target_std_note=(
                "การดำเนินการตามแผนการพัฒนาศักยภาพ อพม. ตามเป้าหมายในปี 2563 ที่ปรับตามงบประมาณ"
                "ที่ได้รับจัดสรรจริง ได้ร้อยละ 100"
            ),
            reason=RevisionReason.BUDGET,
            reason_text=DEMO_REVISION_TEXT,
            approved_by=User.objects.get(username="approver"),
            approved_on=dt.date(2020, 3, 25),
            letter_number="พม 0403/ตัวอย่าง",
            recorded_by=User.objects.get(username="admin"),
        )
        revision.letter.save(
            "demo-kpi2-revision-letter.txt", ContentFile(DEMO_LETTER.encode()), save=False
        )
        revision.save()
    stdout.write("  การปรับค่าเป้าหมายตัวอย่าง: ตัวชี้วัดที่ 2 มีผลตั้งแต่ 1 เม.ย. 2563")
    return []
