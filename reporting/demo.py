"""Demo data for the reporting rounds: FY2563's 6-month round closed (every narrative submitted,
the snapshot written), then one IRP assessment dated inside it corrected with a reason (it shows
in the round's list of changes, and the recomputed figure differs from the reported one); the
12-month round open with narratives in draft. Rebuilt on every run (the shelters' demo rebuilds
the assessments it was computed from)."""

import datetime as dt

from django.contrib.auth.models import User
from django.db.models import Max
from django.utils import timezone

from core import demo
from indicators.models import Evidence, EvidenceStatus, IndicatorSet
from reporting import services
from reporting.models import Narrative, NarrativeStatus, Round, RoundState, Snapshot

SIX_MONTHS = ("รอบ 6 เดือน", dt.date(2020, 3, 31), dt.date(2020, 4, 30))
TWELVE_MONTHS = ("รอบ 12 เดือน", dt.date(2020, 9, 30), dt.date(2020, 10, 31))
CORRECTION_REASON = "แก้ไขคะแนนตามแบบประเมินฉบับจริง (ตัวอย่าง)"

TEXTS = {
    "1.1": (
        "สถานคุ้มครองคนไร้ที่พึ่ง 11 แห่งและศูนย์ส่งเสริมและพัฒนาทักษะชีวิต 3 แห่ง ประเมินผู้รับบริการตามแผน IRP ครบทุกราย",
        "ทีมสหวิชาชีพประจำหน่วยงานและแบบประเมินมาตรฐานเดียวกันทุกแห่ง",
        "ผู้รับบริการบางกลุ่ม (ผู้ป่วยจิตเวช) ใช้เวลาฟื้นฟูนานกว่ารอบการประเมิน",
        "จัดกิจกรรมฟื้นฟูรายบุคคลเพิ่มและติดตามผลทุกเดือน",
    ),
    "1.2": (
        "ผู้รับบริการกลุ่ม A ได้รับการจำหน่ายกลับสู่ครอบครัวหรือทำงานในสถานประกอบการตามแผน",
        "ความร่วมมือกับเครือข่ายสถานประกอบการในพื้นที่",
        "ครอบครัวบางรายยังไม่พร้อมรับผู้รับบริการกลับ",
        "เตรียมความพร้อมครอบครัวและติดตามเยี่ยมบ้านก่อนจำหน่าย",
    ),
    "2": (
        "พัฒนาศักยภาพ อพม. ตามแผน 3 ปี ในปีงบประมาณ พ.ศ. 2563",
        "หลักสูตร E-Learning ช่วยให้ อพม. เข้าอบรมได้ทั่วประเทศ",
        "บางจังหวัดจัดอบรมในห้องเรียนได้น้อยกว่าแผน",
        "เพิ่มรอบอบรมออนไลน์และติดตามรายจังหวัดทุกเดือน",
    ),
    "3.1": (
        "จัดทำบัญชีข้อมูลและคำอธิบายชุดข้อมูลตามมาตรฐานของสำนักงานรัฐบาลดิจิทัล",
        "คณะทำงานธรรมาภิบาลข้อมูลของกรม",
        "ชุดข้อมูลบางชุดยังไม่มีผู้รับผิดชอบที่ชัดเจน",
        "กำหนดเจ้าของข้อมูลรายชุดและทบทวนทุกไตรมาส",
    ),
    "3.2": (
        "เปิดให้ประชาชนตรวจสอบสถานะการขอรับเงินอุดหนุนผ่านหน้าเว็บและเว็บเซอร์วิส",
        "ประชาสัมพันธ์ผ่านศูนย์ช่วยเหลือสังคม สายด่วน 1300",
        "ประชาชนบางส่วนยังไม่ทราบช่องทางตรวจสอบ",
        "เพิ่มการประชาสัมพันธ์ในพื้นที่และแจ้งช่องทางในใบรับคำขอ",
    ),
}


def _round(indicator_set, name, as_of, due_on) -> Round:
    round_, _ = Round.objects.get_or_create(
        indicator_set=indicator_set, as_of=as_of, defaults={"name": name, "due_on": due_on}
    )
    return round_


def _write(round_, indicator, author, status) -> Narrative:
    texts = TEXTS.get(indicator.code, ("ผลการดำเนินงานตามตัวชี้วัด",) * 4)
    suffix = " (ข้อมูลตัวอย่าง)"
    narrative = Narrative(
        round=round_,
        indicator=indicator,
        result_text=texts[0] + suffix,
        supporting_factors=texts[1],
        obstacles=texts[2],
        actions=texts[3],
        status=status,
        created_by=author,
        updated_by=author,
    )
    if status == NarrativeStatus.SUBMITTED:
        narrative.submitted_by = author
        narrative.submitted_at = timezone.now()
    narrative._history_user = author  # type: ignore[attr-defined]
    narrative.save()
    narrative.evidence.set(
        Evidence.objects.filter(deliverable__indicator=indicator, status=EvidenceStatus.APPROVED)
    )
    return narrative


def _correct_an_assessment(round_, user) -> str:
    """An assessment of TYB-M dated inside the round, corrected after closing: the latest one of
    a resident counted as improved in KPI 1.1 (group A), corrected to a low score."""
    from shelters.models import ITEM_FIELDS, Assessment

    start = dt.date(2019, 10, 1)
    latest = (
        Assessment.objects.filter(resident__facility__code="TYB-M", assessed_on__lte=round_.as_of)
        .values("resident_id")
        .annotate(last=Max("assessed_on"))
        .filter(last__gte=start)
    )
    for row in latest.order_by("resident_id"):
        assessments = list(
            Assessment.objects.filter(
                resident_id=row["resident_id"], assessed_on__lte=round_.as_of
            ).order_by("-assessed_on")[:2]
        )
        if len(assessments) == 2 and assessments[0].group == "A":
            chosen = assessments[0]
            for name in ITEM_FIELDS:
                setattr(chosen, name, 3)
            if not chosen.has_items:
                chosen.percent = 30
            chosen.version += 1
            chosen._change_reason = CORRECTION_REASON  # type: ignore[attr-defined]
            chosen._history_user = user  # type: ignore[attr-defined]
            chosen.save()
            return f"{chosen.resident.case_number} {chosen.assessed_on}"
    return ""


@demo.register(95, "รอบการรายงานปีงบประมาณ 2563 (ตัวอย่าง)")
def build(stdout) -> list[tuple[str, str]]:
    indicator_set = IndicatorSet.objects.filter(agency_code="พส.", fiscal_year=2563).first()
    if indicator_set is None:
        return []
    six = _round(indicator_set, *SIX_MONTHS)
    twelve = _round(indicator_set, *TWELVE_MONTHS)
    # Rebuilt from scratch: the demo's rounds, narratives and snapshots only.
    Snapshot.objects.filter(round__in=[six, twelve]).delete()
    Narrative.objects.filter(round__in=[six, twelve]).delete()
    Round.objects.filter(pk__in=[six.pk, twelve.pk]).update(
        state=RoundState.OPEN, closed_by=None, closed_at=None
    )
    owner = User.objects.get(username="owner")
    admin = User.objects.get(username="admin")
    indicators = list(services.reporting_indicators(indicator_set))
    for indicator in indicators:
        _write(six, indicator, owner, NarrativeStatus.SUBMITTED)
    snapshot = services.close_round(six.pk, admin)
    staff = User.objects.filter(username="staff-tyb").first()
    corrected = _correct_an_assessment(six, staff or admin)
    for indicator in indicators[:3]:
        _write(twelve, indicator, owner, NarrativeStatus.DRAFT)
    stdout.write(
        f"  {six.name}: ปิดรอบแล้ว คะแนนรวม {snapshot.total:.2f}"
        + (f" แล้วแก้ไขผลการประเมิน {corrected} หลังปิดรอบ" if corrected else "")
        + f"; {twelve.name}: เปิดอยู่ คำบรรยายร่าง {min(3, len(indicators))} ตัวชี้วัด"
    )
    return []
