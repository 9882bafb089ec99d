"""Demo subsidy applications in every step, status checks and ratings — all marked demo."""

import datetime as dt
import random

from django.utils import timezone

from core import demo, roles
from core.models import Province
from core.nationalid import format_id, make_valid
from core.thaidate import fiscal_year_of
from subsidies import services
from subsidies.models import (
    Application,
    Channel,
    Decision,
    Rating,
    StatusCheck,
    Step,
    SubsidyType,
    citizen_key,
    demo_installation,
)

FIRST_NAMES = [
    "สมชาย", "สมหญิง", "มานี", "มานะ", "ปิติ", "ชูใจ", "วีระ", "สุดา", "ประยูร", "บุญมี",
    "จันทร์เพ็ญ", "สมศักดิ์", "อรุณี", "ทองดี", "นิภา", "สายสุนีย์", "ก้องเกียรติ", "พรทิพย์",
]  # fmt: skip
COMMENTS = [
    "ใช้งานง่าย ไม่ต้องโทรไปสอบถาม",
    "อยากให้แจ้งเตือนทาง SMS เมื่อสถานะเปลี่ยน",
    "ตัวอักษรเล็กไปสำหรับผู้สูงอายุ",
    "",
    "สะดวกมาก ขอบคุณครับ",
]


@demo.register(40, "คำขอรับเงินอุดหนุนและการตรวจสอบสถานะ (ตัวอย่าง)")
def build(stdout) -> list[tuple[str, str]]:
    officer = demo.make_user("subsidy", "เจ้าหน้าที่", "เงินอุดหนุน", roles.SUBSIDY_OFFICER)
    Application.objects.filter(is_demo=True).delete()
    StatusCheck.objects.filter(is_demo=True).delete()
    rng = random.Random(2563)
    provinces = list(Province.objects.order_by("code"))
    start = dt.date(2019, 10, 1)
    sample = None
    for i in range(36):
        received = start + dt.timedelta(days=rng.randrange(0, 300))
        nid = make_valid(f"3{rng.randrange(10**10, 10**11)}"[:12])
        app = services.create_application(
            Application(
                first_name=FIRST_NAMES[i % len(FIRST_NAMES)],
                last_name="ตัวอย่าง (DEMO)",
                national_id=nid,
                province=rng.choice(provinces[:10]),
                subsidy_type=list(SubsidyType)[i % 4],
                amount_requested=rng.choice([1000, 2000, 3000, 5000, 10000]),
                received_on=received,
                is_demo=True,
            ),
            officer,
        )
        target = i % 6 + 1  # 1…5, and 6 = stopped at 4 (not approved)
        day = received
        last = 4 if target == 6 else target
        reached = [(Step.RECEIVED, received)]  # (step, from which day)
        for step in range(2, last + 1):
            day += dt.timedelta(days=rng.randrange(3, 20))
            reached.append((step, min(day, timezone.localdate())))
            decision = ""
            if step == Step.DECIDED:
                decision = Decision.NOT_APPROVED if target == 6 else Decision.APPROVED
            services.move(
                app,
                to_step=step,
                acted_on=min(day, timezone.localdate()),
                officer=officer,
                note="ข้อมูลตัวอย่าง",
                decision=decision,
            )
        if target == 3:
            sample = (app.formatted_reference, format_id(nid))
        # Status checks by this citizen (some twice), a few with a rating (one per step).
        rated = set()
        for n in range(rng.choice([0, 1, 1, 2])):
            day = received + dt.timedelta(days=5 + 12 * n)
            step = max(s for s, since in reached if since <= day)
            checked_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10, i % 60)))
            check = StatusCheck.objects.create(
                citizen_key=citizen_key(nid),
                application=app,
                step=step,
                checked_at=checked_at,
                checked_on=day,
                fiscal_year=fiscal_year_of(day),
                channel=Channel.WEB if n == 0 else Channel.API,
                is_demo=True,
            )
            if rng.random() < 0.6 and step not in rated:
                rated.add(step)
                Rating.objects.create(
                    check_record=check,
                    citizen_key=check.citizen_key,
                    application=app,
                    step=step,
                    score=rng.choice([3, 4, 4, 5, 5]),
                    comment=rng.choice(COMMENTS),
                )
    if sample:
        stdout.write(
            f"  ลองหน้าตรวจสอบสถานะ /subsidies/status/ ด้วยเลขอ้างอิง {sample[0]} "
            f"และเลขประจำตัวประชาชน {sample[1]} (ตัวอย่าง)"
        )
    if not demo_installation():
        stdout.write(
            "  ตัวชี้วัด 3.2 ไม่นับข้อมูลตัวอย่าง เว้นแต่ตั้งค่า DEMO_INSTALLATION=1 "
            "(KPI 3.2 counts demo checks only when DEMO_INSTALLATION=1)"
        )
    return [("subsidy", "เจ้าหน้าที่เงินอุดหนุน: บันทึกคำขอและขั้นตอน (ข้อมูลตัวอย่าง)")]
