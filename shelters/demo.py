"""Demo data for the shelters: the 14 facilities (marked as demo), two facility staff, and
residents with IRP assessments and discharges over FY2562–FY2563, enough for the FY2563
dashboard to show computed 1.1 and 1.2. Deterministic (seeded) and quick (bulk_create)."""

import datetime as dt
import random

from core import demo, roles
from core.models import Province
from core.nationalid import make_valid
from shelters.models import (
    ITEM_COUNT,
    Assessment,
    DischargeReason,
    Facility,
    FacilityKind,
    FacilityStaff,
    Resident,
    TargetGroup,
    group_of,
    percent_of_items,
)

SHELTER = FacilityKind.SHELTER
LIFE = FacilityKind.LIFE_SKILLS
# Five names are public (SPEC §3); the others are placeholders until admins load the real list.
FACILITIES = [
    ("TYB-M", "สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี", SHELTER, "13"),
    ("TYB-F", "สถานคุ้มครองคนไร้ที่พึ่งหญิงธัญบุรี", SHELTER, "13"),
    ("STH", "สถานคุ้มครองคนไร้ที่พึ่งภาคใต้", SHELTER, "80"),
    ("MTT", "สถานคุ้มครองคนไร้ที่พึ่งบ้านเมตตา", SHELTER, "30"),
    *[
        (f"DEMO-S{n:02d}", f"สถานคุ้มครองคนไร้ที่พึ่งตัวอย่าง แห่งที่ {n}", SHELTER, province)
        for n, province in zip(
            range(5, 12), ["50", "40", "90", "34", "65", "20", "70"], strict=True
        )
    ],
    ("HSY", "ศูนย์ส่งเสริมและพัฒนาทักษะชีวิตห้วยสัตว์ใหญ่", LIFE, "77"),
    ("DEMO-L02", "ศูนย์ส่งเสริมและพัฒนาทักษะชีวิตตัวอย่าง แห่งที่ 2", LIFE, "52"),
    ("DEMO-L03", "ศูนย์ส่งเสริมและพัฒนาทักษะชีวิตตัวอย่าง แห่งที่ 3", LIFE, "41"),
]
STAFF = [
    ("staff-tyb", "เจ้าหน้าที่", "ชายธัญบุรี", "TYB-M"),
    ("staff-mtt", "เจ้าหน้าที่", "บ้านเมตตา", "MTT"),
]
RESIDENTS_PER_FACILITY = 120
FIRST_NAMES = ["สมชาย", "สมศรี", "บุญมี", "มาลี", "ประยูร", "สุดา", "วิชัย", "อำไพ", "ทองดี", "จันทร์"]
LAST_NAMES = ["ใจดี", "มีสุข", "ทองคำ", "ศรีสวัสดิ์", "บุญยืน", "แก้วใส", "รุ่งเรือง", "สายทอง"]
START = dt.date(2018, 10, 1)  # FY2562
END = dt.date(2020, 9, 30)  # FY2563


def _items_for(rng: random.Random, percent: float) -> list[int]:
    total = max(ITEM_COUNT, min(140, round(percent * 140 / 100)))
    items = [total // ITEM_COUNT] * ITEM_COUNT
    for i in rng.sample(range(ITEM_COUNT), total % ITEM_COUNT):
        items[i] += 1
    return items


def _people(rng: random.Random, facility: Facility, seq: int):
    admitted = (
        START - dt.timedelta(days=rng.randint(0, 400)) + dt.timedelta(days=rng.randint(0, 600))
    )
    resident = Resident(
        facility=facility,
        case_number=f"{facility.code}-{seq:04d}",
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (ตัวอย่าง)",
        sex=rng.choice("MF"),
        national_id=make_valid(f"9{rng.randrange(10**11):011d}") if rng.random() < 0.4 else "",
        target_group=rng.choice(TargetGroup.values),
        admitted_on=admitted,
    )
    level = float(rng.choice([15, 25, 35, 45, 55, 65, 75, 85]))
    assessments = []
    day = admitted + dt.timedelta(days=rng.randint(14, 45))
    while day <= END:
        level = max(10.0, min(100.0, level + rng.gauss(4, 9)))
        items = _items_for(rng, level)
        assessments.append(
            Assessment(
                assessed_on=day,
                percent=percent_of_items(items),
                assessor="นักสังคมสงเคราะห์ (ตัวอย่าง)",
                **{f"item_{n}": v for n, v in enumerate(items, start=1)},
            )
        )
        if (
            group_of(assessments[-1].percent) == "A"
            and len(assessments) >= 2
            and rng.random() < 0.85
        ):
            resident.discharged_on = min(END, day + dt.timedelta(days=rng.randint(10, 90)))
            resident.discharge_reason = rng.choice(
                ["family"] * 5 + ["employment"] * 2 + ["transfer", "absconded", "other"]
            )
            break
        if rng.random() < 0.03:
            resident.discharged_on = day + dt.timedelta(days=rng.randint(1, 30))
            resident.discharge_reason = rng.choice(
                [DischargeReason.DEATH, DischargeReason.TRANSFER, DischargeReason.OTHER]
            )
            break
        day += dt.timedelta(days=rng.randint(60, 120))
    if resident.discharged_on and resident.discharged_on > END:
        resident.discharged_on, resident.discharge_reason = None, ""
    return resident, assessments


@demo.register(20, "สถานคุ้มครอง ผู้รับบริการ และผลการประเมิน IRP (ตัวอย่าง)")
def build(stdout) -> list[tuple[str, str]]:
    rng = random.Random(2563)
    provinces = {p.code: p for p in Province.objects.all()}
    facilities = {}
    for code, name, kind, province in FACILITIES:
        facilities[code], _ = Facility.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "province": provinces[province],
                "is_demo": True,
            },
        )
    # Rebuilt from scratch each time, so that running the command twice changes nothing.
    # Raw deletes: demo rows need no audit trail of their removal, and signals would be slow.
    old = Resident.objects.filter(facility__is_demo=True)
    Assessment.objects.filter(resident__in=old)._raw_delete(Assessment.objects.db)
    old._raw_delete(Resident.objects.db)
    residents, per_resident = [], []
    for facility in facilities.values():
        for seq in range(1, RESIDENTS_PER_FACILITY + 1):
            resident, assessments = _people(rng, facility, seq)
            residents.append(resident)
            per_resident.append(assessments)
    Resident.objects.bulk_create(residents, batch_size=500)
    if residents[0].pk is None:  # backends that do not return ids from bulk_create
        ids = dict(Resident.objects.filter(facility__is_demo=True).values_list("case_number", "pk"))
        for resident in residents:
            resident.pk = ids[resident.case_number]
    rows = []
    for resident, assessments in zip(residents, per_resident, strict=True):
        for assessment in assessments:
            assessment.resident_id = resident.pk
            rows.append(assessment)
    Assessment.objects.bulk_create(rows, batch_size=1000)
    logins = []
    for username, first, last, code in STAFF:
        user = demo.make_user(
            username, first, last, roles.FACILITY_STAFF, province=facilities[code].province
        )
        FacilityStaff.objects.update_or_create(user=user, defaults={"facility": facilities[code]})
        logins.append((username, f"เจ้าหน้าที่{facilities[code].name}: ผู้รับบริการของหน่วยงานนี้เท่านั้น"))
    stdout.write(
        f"  หน่วยงาน {len(facilities)} แห่ง ผู้รับบริการ {len(residents):,} คน "
        f"ผลการประเมิน {len(rows):,} ครั้ง (ข้อมูลตัวอย่าง)"
    )
    return logins
