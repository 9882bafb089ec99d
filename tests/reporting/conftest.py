"""FY2563's rounds (made by migration reporting/0002), a facility with residents assessed in the
6-month round, approved evidence, and helpers to write narratives and close rounds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core import roles
from core.models import Province
from indicators.models import Deliverable, Evidence, EvidenceStatus
from reporting import services
from reporting.models import Narrative, NarrativeStatus, Round
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

SIX_AS_OF = dt.date(2020, 3, 31)


@pytest.fixture
def six(fy2563) -> Round:
    return Round.objects.get(indicator_set=fy2563, as_of=SIX_AS_OF)


@pytest.fixture
def twelve(fy2563) -> Round:
    return Round.objects.get(indicator_set=fy2563, as_of=dt.date(2020, 9, 30))


@pytest.fixture
def facility(db) -> Facility:
    return Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )


@pytest.fixture
def staff(make_user, facility):
    user = make_user(roles.FACILITY_STAFF, username="staff-tyb")
    FacilityStaff.objects.create(user=user, facility=facility)
    return user


@pytest.fixture
def add_residents(facility):
    """add_residents(n, last=85): n residents assessed 35 % (C) in July 2562 and ``last`` % on
    1 Feb 2563 (inside the 6-month round); returns their latest assessments."""
    counter = {"n": 0}

    def add(n: int, last=85, fac=None) -> list[Assessment]:
        latest = []
        for _ in range(n):
            counter["n"] += 1
            person = Resident.objects.create(
                facility=fac or facility,
                case_number=f"R{counter['n']:05d}",
                full_name=f"ผู้รับบริการ ทดสอบ{counter['n']}",
                target_group="destitute",
                admitted_on=dt.date(2019, 6, 1),
            )
            Assessment.objects.create(
                resident=person, assessed_on=dt.date(2019, 7, 1), percent=Decimal(35)
            )
            latest.append(
                Assessment.objects.create(
                    resident=person, assessed_on=dt.date(2020, 2, 1), percent=Decimal(last)
                )
            )
        return latest

    return add


@pytest.fixture
def approved_evidence(fy2563, owner, approver) -> Evidence:
    """Approved evidence of KPI 2's level 1 (and a draft beside it, which never counts)."""
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, indicator__code="2", level=1
    ).first()
    now = timezone.now()
    Evidence.objects.create(deliverable=deliverable, title="ร่างแผนยังไม่ส่ง", created_by=owner)
    return Evidence.objects.create(
        deliverable=deliverable,
        title="แผนพัฒนาศักยภาพ อพม. ที่หัวหน้าส่วนราชการเห็นชอบ",
        url="https://example.go.th/plan",
        status=EvidenceStatus.APPROVED,
        created_by=owner,
        submitted_by=owner,
        submitted_at=now,
        reviewed_by=approver,
        reviewed_at=now,
    )


@pytest.fixture
def write_narratives(owner):
    """write_narratives(round, status=SUBMITTED, skip=()): a narrative for every indicator of
    the round's set but the groups (and those coded in ``skip``)."""

    def write(round_, status=NarrativeStatus.SUBMITTED, skip=()) -> list[Narrative]:
        made = []
        for indicator in services.reporting_indicators(round_.indicator_set):
            if indicator.code in skip:
                continue
            made.append(
                Narrative.objects.create(
                    round=round_,
                    indicator=indicator,
                    result_text=f"ผลการดำเนินงานของตัวชี้วัด {indicator.code}",
                    supporting_factors="ความร่วมมือของเครือข่าย",
                    obstacles="งบประมาณล่าช้า",
                    actions="เร่งรัดการเบิกจ่าย",
                    status=status,
                    created_by=owner,
                    updated_by=owner,
                    submitted_by=owner if status == NarrativeStatus.SUBMITTED else None,
                    submitted_at=timezone.now() if status == NarrativeStatus.SUBMITTED else None,
                )
            )
        return made

    return write


@pytest.fixture
def closed_six(six, write_narratives, kpi_admin, add_residents, approved_evidence):
    """The 6-month round closed with 3 residents improved (C→A) and 1 not (C→C)."""
    add_residents(3, last=85)
    add_residents(1, last=30)
    write_narratives(six)
    services.close_round(six.pk, kpi_admin)
    six.refresh_from_db()
    return six
