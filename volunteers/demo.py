"""Demo data for the volunteers app (clearly marked: is_demo, "[ตัวอย่าง]" in titles)."""

import datetime as dt
import random

from core import demo, roles
from core.models import Province
from core.nationalid import make_valid
from volunteers import services
from volunteers.models import (
    Course,
    Enrolment,
    Kind,
    Measure,
    Path,
    Plan,
    PlanTarget,
    Service,
    ServiceType,
    Specialty,
    Status,
    TargetGroup,
    Volunteer,
)

FIRST = ["สมชาย", "สมหญิง", "วิชัย", "มาลี", "ประเสริฐ", "สุดา", "อนุชา", "กาญจนา", "ธนพล", "วันเพ็ญ"]
LAST = ["ใจดี", "รักษ์ถิ่น", "มีสุข", "ศรีสวัสดิ์", "บุญมา", "แก้วใส", "ทองคำ", "พรหมมา"]
DISTRICTS = {"10": ["บางรัก", "ดุสิต", "จตุจักร"], "50": ["เมืองเชียงใหม่", "สันทราย", "แม่ริม"]}


@demo.register(40, "อพม. การอบรม บริการ และแผน 3 ปี (ตัวอย่าง)")
def build(stdout) -> list[tuple[str, str]]:
    bkk = Province.objects.get(code="10")
    cm = Province.objects.get(code="50")
    demo.make_user("officer-bkk", "เจ้าหน้าที่", "กรุงเทพฯ", roles.PROVINCIAL_OFFICER, province=bkk)
    demo.make_user("officer-cm", "เจ้าหน้าที่", "เชียงใหม่", roles.PROVINCIAL_OFFICER, province=cm)
    logins = [
        ("officer-bkk", "เจ้าหน้าที่ พมจ. กรุงเทพมหานคร (กรมฯ ดูแล อพม. กทม.)"),
        ("officer-cm", "เจ้าหน้าที่ พมจ. เชียงใหม่"),
    ]
    if Volunteer.objects.filter(is_demo=True).exists():
        stdout.write("  อพม. ตัวอย่างมีอยู่แล้ว: ไม่สร้างซ้ำ")
        return logins
    rng = random.Random(2563)
    specialties = list(Specialty.objects.all())
    made: dict[str, list] = {bkk.code: [], cm.code: []}
    n = 0
    for province in (bkk, cm):
        for i in range(30):
            n += 1
            v = Volunteer.objects.create(
                national_id=make_valid(f"99{n:010d}"),
                title=rng.choice(["นาย", "นาง", "นางสาว"]),
                first_name=rng.choice(FIRST),
                last_name=f"{rng.choice(LAST)} (ตัวอย่าง)",
                birth_date=dt.date(rng.randint(1955, 1995), rng.randint(1, 12), rng.randint(1, 28)),
                sex=rng.choice("MF"),
                phone=f"08{rng.randint(10000000, 99999999)}",
                province=province,
                district=rng.choice(DISTRICTS[province.code]),
                kind=Kind.BANGKOK if province.code == "10" else Kind.PROVINCE,
                is_demo=True,
            )
            if specialties and i % 2 == 0:
                v.specialties.set(
                    rng.sample(specialties, k=rng.randint(1, 2)),
                    through_defaults={"since": dt.date(2019, 11, 1)},
                )
            made[province.code].append(v)
    for province in (bkk, cm):
        people = made[province.code]
        workshop = Course.objects.create(
            kind=Path.WORKSHOP,
            title=f"[ตัวอย่าง] อบรมเชิงปฏิบัติการ อพม. รุ่นที่ 1/2563 {province.name}",
            province=province,
            place=f"ห้องประชุมสำนักงาน พมจ. {province.name}",
            start_date=dt.date(2020, 1, 14),
            end_date=dt.date(2020, 1, 16),
            hours=24,
            is_demo=True,
        )
        elearn = Course.objects.create(
            kind=Path.ELEARNING,
            title=f"[ตัวอย่าง] E-Learning อพม. และอบรม 1 วัน {province.name}",
            province=province,
            place="ออนไลน์ + ห้องประชุม",
            start_date=dt.date(2020, 6, 1),
            end_date=dt.date(2020, 6, 30),
            hours=6,
            is_demo=True,
        )
        for i, v in enumerate(people[:15]):
            e = Enrolment.objects.create(
                course=workshop,
                volunteer=v,
                hours_attended=[24, 21, 19.2, 18][i % 4],
                test_passed=i % 7 != 3,
            )
            services.record_result(e, today=dt.date(2020, 1, 17))
        for i, v in enumerate(people[15:25]):
            e = Enrolment.objects.create(
                course=elearn, volunteer=v, session_attended=i % 5 != 4, test_passed=True
            )
            lessons = [1, 2, 3, 4, 5, 6, 7] if i % 4 else [1, 2, 3, 4]
            services.record_result(e, lessons, today=dt.date(2020, 7, 1))
    active = list(Volunteer.objects.filter(is_demo=True, status=Status.ACTIVE))
    start = dt.date(2019, 10, 1)
    batch = []
    for _ in range(600):
        v = rng.choice(active)
        batch.append(
            Service(
                volunteer=v,
                province_id=v.province_id,
                date=start + dt.timedelta(days=rng.randint(0, 365)),
                service_type=rng.choice(ServiceType.values),
                target_group=rng.choice(TargetGroup.values),
                people_served=rng.randint(1, 5),
                area=v.district,
                note="ข้อมูลตัวอย่าง",
            )
        )
    Service.objects.bulk_create(batch)
    plan = Plan.objects.create(
        title="[ตัวอย่าง] แผนพัฒนาศักยภาพ อพม. ในการช่วยเหลือผู้ประสบปัญหาทางสังคมในพื้นที่ ระยะ 3 ปี (2563–2565)",
        first_year=2563,
        last_year=2565,
        approved_on=dt.date(2019, 12, 20),
        approved_by="อธิบดีกรมพัฒนาสังคมและสวัสดิการ (ตัวอย่าง)",
        note="ข้อมูลตัวอย่างเพื่อทดลองใช้ระบบ ไม่ใช่แผนจริง",
        is_demo=True,
    )
    elderly = Specialty.objects.filter(code="elderly").first()
    for year, scale in ((2563, 1), (2564, 2), (2565, 3)):
        for province in (bkk, cm):
            PlanTarget.objects.create(
                plan=plan, fiscal_year=year, measure=Measure.TRAINED, province=province,
                label=f"อพม. {province.name} ผ่านการพัฒนาศักยภาพ", planned=15 * scale,
            )  # fmt: skip
            PlanTarget.objects.create(
                plan=plan, fiscal_year=year, measure=Measure.SERVICES, province=province,
                label=f"การให้บริการของ อพม. {province.name}", planned=250 * scale,
            )  # fmt: skip
        PlanTarget.objects.create(
            plan=plan, fiscal_year=year, measure=Measure.SPECIALISTS, specialty=elderly,
            label="อพม. ที่มีความเชี่ยวชาญด้านผู้สูงอายุ", planned=5 * scale,
        )  # fmt: skip
        PlanTarget.objects.create(
            plan=plan, fiscal_year=year, measure=Measure.SERVICES,
            service_type=ServiceType.REFERRAL, label="การประสานส่งต่อ (ทั้งประเทศ)",
            planned=80 * scale,
        )  # fmt: skip
    stdout.write(f"  อพม. ตัวอย่าง {n} คน บริการ {len(batch)} รายการ แผนตัวอย่าง 2563–2565")
    return logins
