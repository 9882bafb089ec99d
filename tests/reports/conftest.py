"""Facilities, residents and assessments for the reports tests, built straight from the models."""

import datetime as dt
from decimal import Decimal

import pytest

from core.models import Province
from shelters.models import Assessment, Facility, FacilityKind, Resident


@pytest.fixture
def facility(db) -> Facility:
    return Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
    )


@pytest.fixture
def residents(facility):
    """populate(n_improved, n_not_improved, facility=…): residents assessed twice in FY2563,
    the first n improved (C→B), the others not (B→C). Returns the residents."""
    counter = {"n": 0}

    def populate(improved: int, not_improved: int, fac: Facility | None = None) -> list:
        made = []
        for _ in range(improved + not_improved):
            counter["n"] += 1
            made.append(
                Resident(
                    facility=fac or facility,
                    case_number=f"R{counter['n']:05d}",
                    full_name=f"ผู้รับบริการ ทดสอบ{counter['n']}",
                    target_group="destitute",
                    admitted_on=dt.date(2019, 1, 1),
                )
            )
        Resident.objects.bulk_create(made)
        assessments = []
        for i, person in enumerate(made):
            first, last = (35, 55) if i < improved else (55, 35)
            assessments += [
                Assessment(
                    resident=person, assessed_on=dt.date(2019, 8, 1), percent=Decimal(first)
                ),
                Assessment(resident=person, assessed_on=dt.date(2020, 2, 1), percent=Decimal(last)),
            ]
        Assessment.objects.bulk_create(assessments)
        return made

    return populate
