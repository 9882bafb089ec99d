"""Fixtures and helpers shared by the volunteers import tests (no tests here)."""

import datetime as dt
import itertools

import pytest

from core.nationalid import format_id, make_valid
from imports import engine
from volunteers.models import Course, Kind, Path, Plan, Volunteer

_ids = itertools.count(1)


def new_national_id() -> str:
    return make_valid(f"32{next(_ids):010d}")


def bad_check_digit(nid: str) -> str:
    return nid[:12] + str((int(nid[12]) + 1) % 10)


def dashed(nid: str) -> str:
    return format_id(nid)


def run(resource, data, name="f.csv", dry_run=False):
    return engine.run(resource, data, name, dry_run=dry_run)


def messages(report) -> list[str]:
    return [str(e) for e in report.errors]


@pytest.fixture
def volunteer(db, chiang_mai):
    return Volunteer.objects.create(
        national_id=new_national_id(), first_name="สมศรี", last_name="อาสา", sex="F",
        province=chiang_mai, kind=Kind.PROVINCE,
    )  # fmt: skip


@pytest.fixture
def volunteer2(db, chiang_mai):
    return Volunteer.objects.create(
        national_id=new_national_id(), first_name="สมชาย", last_name="อาสา", sex="M",
        province=chiang_mai, kind=Kind.PROVINCE,
    )  # fmt: skip


@pytest.fixture
def workshop(db, chiang_mai):
    return Course.objects.create(
        kind=Path.WORKSHOP, title="อบรม อพม. รุ่น 1/2563", province=chiang_mai,
        start_date=dt.date(2020, 1, 14), end_date=dt.date(2020, 1, 16), hours=24,
    )  # fmt: skip


@pytest.fixture
def elearning(db, chiang_mai):
    return Course.objects.create(
        kind=Path.ELEARNING, title="E-Learning รุ่น 1/2563", province=chiang_mai,
        start_date=dt.date(2020, 2, 1), end_date=dt.date(2020, 2, 1), hours=6,
    )  # fmt: skip


@pytest.fixture
def plan(db):
    return Plan.objects.create(
        title="แผนพัฒนาศักยภาพ อพม. 2563–2565", first_year=2563, last_year=2565
    )
