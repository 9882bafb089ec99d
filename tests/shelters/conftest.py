"""Facilities, their staff, and helpers to build residents and assessments quickly."""

import datetime as dt
from decimal import Decimal

import pytest

from core import roles
from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident


@pytest.fixture
def pathum_thani(db) -> Province:
    return Province.objects.get(code="13")


@pytest.fixture
def facility(pathum_thani) -> Facility:
    return Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=pathum_thani,
    )


@pytest.fixture
def other_facility(db) -> Facility:
    return Facility.objects.create(
        code="MTT",
        name="สถานคุ้มครองคนไร้ที่พึ่งบ้านเมตตา",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="30"),
    )


@pytest.fixture
def fourteen_facilities(db) -> list[Facility]:
    province = Province.objects.get(code="10")
    return Facility.objects.bulk_create(
        Facility(
            code=f"F{n:02d}",
            name=f"หน่วยงานทดสอบ {n}",
            kind=FacilityKind.SHELTER if n <= 11 else FacilityKind.LIFE_SKILLS,
            province=province,
        )
        for n in range(1, 15)
    )


@pytest.fixture
def staff(make_user, facility):
    """Facility staff of ``facility``: the owner of its residents."""
    user = make_user(roles.FACILITY_STAFF, username="staff-tyb")
    FacilityStaff.objects.create(user=user, facility=facility)
    return user


@pytest.fixture
def other_staff(make_user, other_facility):
    """Facility staff of another facility: an outsider to ``facility``'s residents."""
    user = make_user(roles.FACILITY_STAFF, username="staff-mtt")
    FacilityStaff.objects.create(user=user, facility=other_facility)
    return user


@pytest.fixture
def make_resident(facility):
    counter = {"n": 0}

    def make(fac=None, *, admitted_on=dt.date(2017, 1, 1), **fields) -> Resident:
        counter["n"] += 1
        fields.setdefault("case_number", f"C{counter['n']:05d}")
        fields.setdefault("full_name", f"ผู้รับบริการ ทดสอบ{counter['n']}")
        fields.setdefault("target_group", "destitute")
        return Resident.objects.create(facility=fac or facility, admitted_on=admitted_on, **fields)

    return make


@pytest.fixture
def assess():
    def add(resident: Resident, *pairs) -> list[Assessment]:
        """assess(resident, ("2019-01-10", 55), ("2019-03-10", 85)): percents on dates."""
        return Assessment.objects.bulk_create(
            Assessment(
                resident=resident,
                assessed_on=dt.date.fromisoformat(day) if isinstance(day, str) else day,
                percent=Decimal(str(percent)),
            )
            for day, percent in pairs
        )

    return add


@pytest.fixture
def resident(make_resident, assess):
    """A resident of ``facility`` in care, assessed twice (C then B)."""
    person = make_resident(
        case_number="TYB-0001",
        full_name="สมชาย ใจดี",
        national_id="1101700203450",
        admitted_on=dt.date(2019, 6, 1),
    )
    assess(person, ("2019-07-01", 35), ("2019-10-01", 55))
    return person


@pytest.fixture
def outsider_resident(make_resident, other_facility, assess):
    person = make_resident(
        other_facility,
        case_number="MTT-0001",
        full_name="สมหญิง มีสุข",
        admitted_on=dt.date(2019, 6, 1),
    )
    assess(person, ("2019-07-01", 35), ("2019-10-01", 85))
    return person
