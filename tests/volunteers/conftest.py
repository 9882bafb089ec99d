"""Volunteers fixtures: officers of Bangkok and Chiang Mai, and builders of records."""

import datetime as dt
import itertools

import pytest

from core import roles
from core.nationalid import make_valid
from volunteers.models import Course, Enrolment, Kind, Path, Service, Volunteer

_ids = itertools.count(1)


def new_national_id() -> str:
    return make_valid(f"31{next(_ids):010d}")


@pytest.fixture
def officer_bkk(make_user, bangkok):
    return make_user(roles.PROVINCIAL_OFFICER, username="officer-bkk", province=bangkok)


@pytest.fixture
def officer_cm(make_user, chiang_mai):
    return make_user(roles.PROVINCIAL_OFFICER, username="officer-cm", province=chiang_mai)


@pytest.fixture
def make_volunteer(db):
    def make(province, **kwargs) -> Volunteer:
        defaults = {
            "national_id": new_national_id(),
            "first_name": "สมศรี",
            "last_name": "ทดสอบ",
            "sex": "F",
            "kind": Kind.BANGKOK if province.code == "10" else Kind.PROVINCE,
            "district": "เมือง",
        }
        defaults.update(kwargs)
        return Volunteer.objects.create(province=province, **defaults)

    return make


@pytest.fixture
def make_course(db):
    def make(province, kind=Path.WORKSHOP, **kwargs) -> Course:
        defaults = {
            "title": f"รุ่นทดสอบ {kind}",
            "start_date": dt.date(2020, 1, 14),
            "end_date": dt.date(2020, 1, 16),
            "hours": 24 if kind == Path.WORKSHOP else 6,
        }
        defaults.update(kwargs)
        return Course.objects.create(kind=kind, province=province, **defaults)

    return make


@pytest.fixture
def enrol(db):
    def make(course, volunteer, **kwargs) -> Enrolment:
        return Enrolment.objects.create(course=course, volunteer=volunteer, **kwargs)

    return make


@pytest.fixture
def make_services(db):
    def make(volunteer, n, date=dt.date(2020, 3, 1), service_type="survey", **kwargs):
        return Service.objects.bulk_create(
            Service(
                volunteer=volunteer,
                province_id=volunteer.province_id,
                date=date,
                service_type=service_type,
                target_group=kwargs.get("target_group", "elderly"),
                people_served=kwargs.get("people_served", 1),
            )
            for _ in range(n)
        )

    return make


@pytest.fixture
def bkk_volunteer(make_volunteer, bangkok):
    return make_volunteer(bangkok, first_name="กรุงเทพ", last_name="อาสา")


@pytest.fixture
def cm_volunteer(make_volunteer, chiang_mai):
    return make_volunteer(chiang_mai, first_name="เชียงใหม่", last_name="อาสา")
