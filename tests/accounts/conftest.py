import pytest

from core.models import Province
from shelters.models import Facility, FacilityKind


@pytest.fixture
def facility(db) -> Facility:
    return Facility.objects.create(
        code="TYB-M",
        name="สถานคุ้มครองคนไร้ที่พึ่งชายธัญบุรี",
        kind=FacilityKind.SHELTER,
        province=Province.objects.get(code="13"),
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
def admin_client(client_for, kpi_admin):
    return client_for(kpi_admin)


GOOD_PASSWORD = "Kluay-Hom-2563!"


def create_data(**overrides) -> dict:
    data = {
        "username": "somsri",
        "first_name": "สมศรี",
        "last_name": "ใจงาม",
        "email": "somsri@example.go.th",
        "position": "นักพัฒนาสังคมชำนาญการ",
        "roles": [],
        "province": "",
        "facility": "",
        "password_mode": "typed",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }
    data.update(overrides)
    return data
