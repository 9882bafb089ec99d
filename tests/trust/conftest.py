"""One world for the access matrix: a user per role and an object per scope, built once per module.

``access_world`` builds everything inside an outer transaction that is rolled back when the module
ends; each test runs in its own savepoint (pytest-django's ``db``), so a POST a test makes is undone
before the next test. Every user gets a session up front: a test's client only sets the cookie.

Scopes: facility X and Y (facility staff), province P = Bangkok and Q = Chiang Mai (provincial
officers). The records of Y and Q carry the ``OTHER_*`` markers, those of X and P the ``MINE_*``
markers, so a response can be searched for a record it must never show.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings

from core import roles
from core.models import Profile, Province
from core.nationalid import make_valid
from indicators.models import Deliverable, Evidence, EvidenceStatus, Indicator, IndicatorSet
from indicators.services import copy_set
from shelters.models import Assessment, Facility, FacilityKind, FacilityStaff, Resident

PASSWORD = "x-test-pass-9"

# Names in ASCII so they survive any export format (xlsx shared strings, csv, PDF text).
MINE_RESIDENT = "Xmine Residentalpha"
OTHER_RESIDENT = "Yleak Residentomega"
MINE_CASE = "XCASE-0001"
OTHER_CASE = "YCASE-9001"
MINE_VOLUNTEER = "Pmine Volunteeralpha"
OTHER_VOLUNTEER = "Qleak Volunteeromega"

# Each role of the matrix, by the key used in test ids.
ROLE_KEYS = (
    "anonymous",
    "no_role",
    "staff_x",
    "staff_y",
    "officer_p",
    "officer_q",
    "subsidy",
    "owner",
    "manager",
    "approver",
    "admin",
)


@dataclass
class World:
    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    pk: dict[str, int] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        client = Client()
        if role != "anonymous":
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[role]
        return client


def _user(username: str, *role_names: str, province: Province | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    user.groups.set(Group.objects.filter(name__in=role_names))
    Profile.objects.create(user=user, province=province)
    return user


def _resident(facility, case, name, national_id, percents) -> Resident:
    person = Resident.objects.create(
        facility=facility,
        case_number=case,
        full_name=name,
        national_id=national_id,
        target_group="destitute",
        admitted_on=dt.date(2019, 6, 1),
    )
    for day, percent in zip(
        (dt.date(2019, 7, 1), dt.date(2019, 11, 1), dt.date(2020, 2, 1)), percents, strict=False
    ):
        Assessment.objects.create(resident=person, assessed_on=day, percent=Decimal(percent))
    return person


def _build(world: World) -> None:
    from catalog.models import Dataset
    from imports.models import Upload, UploadStatus
    from subsidies import services as subsidy_services
    from subsidies.models import Application, SubsidyType
    from volunteers.models import (
        Course,
        Enrolment,
        Kind,
        Path,
        Plan,
        PlanTarget,
        Service,
        Volunteer,
    )

    bangkok = Province.objects.get(code="10")
    chiang_mai = Province.objects.get(code="50")
    pathum = Province.objects.get(code="13")
    korat = Province.objects.get(code="30")

    # --- users ------------------------------------------------------------------------------
    u = world.users
    u["no_role"] = _user("t-no-role")
    u["staff_x"] = _user("t-staff-x", roles.FACILITY_STAFF)
    u["staff_y"] = _user("t-staff-y", roles.FACILITY_STAFF)
    u["officer_p"] = _user("t-officer-p", roles.PROVINCIAL_OFFICER, province=bangkok)
    u["officer_q"] = _user("t-officer-q", roles.PROVINCIAL_OFFICER, province=chiang_mai)
    u["subsidy"] = _user("t-subsidy", roles.SUBSIDY_OFFICER)
    u["owner"] = _user("t-owner", roles.INDICATOR_OWNER)
    u["manager"] = _user("t-manager", roles.MANAGER)
    u["approver"] = _user("t-approver", roles.APPROVER)
    u["admin"] = _user("t-admin", roles.ADMIN)

    # --- shelters: facility X and Y, a resident each (assessed in FY2563) ------------------
    fx = Facility.objects.create(
        code="TX-X", name="Facility X", kind=FacilityKind.SHELTER, province=pathum
    )
    fy = Facility.objects.create(
        code="TX-Y", name="Facility Y", kind=FacilityKind.SHELTER, province=korat
    )
    FacilityStaff.objects.create(user=u["staff_x"], facility=fx)
    FacilityStaff.objects.create(user=u["staff_y"], facility=fy)
    mine_id, other_id = make_valid("110170020345"), make_valid("390000012345")
    rx = _resident(fx, MINE_CASE, MINE_RESIDENT, mine_id, (35, 55, 85))
    ry = _resident(fy, OTHER_CASE, OTHER_RESIDENT, other_id, (35, 55, 85))
    # A discharged group-A resident of Y, so KPI 1.2's drill-downs list somebody too.
    ry2 = _resident(fy, "YCASE-9002", OTHER_RESIDENT + " Two", "", (85, 90))
    ry2.discharged_on, ry2.discharge_reason = dt.date(2020, 3, 1), "family"
    ry2.save()
    rx2 = _resident(fx, "XCASE-0002", MINE_RESIDENT + " Two", "", (85, 90))
    rx2.discharged_on, rx2.discharge_reason = dt.date(2020, 3, 1), "family"
    rx2.save()
    world.pk.update(facility_x=fx.pk, facility_y=fy.pk, resident_x=rx.pk, resident_y=ry.pk)
    world.pk.update(
        discharged_x=rx2.pk,
        discharged_y=ry2.pk,
        assessment_x=rx.assessments.order_by("assessed_on").first().pk,
        assessment_y=ry.assessments.order_by("assessed_on").first().pk,
    )
    world.text.update(resident_x_id=mine_id, resident_y_id=other_id)

    # --- volunteers: P (Bangkok) and Q (Chiang Mai) ----------------------------------------
    def volunteer(province, first, last, n, kind):
        return Volunteer.objects.create(
            province=province,
            national_id=make_valid(f"31{n:010d}"),
            first_name=first,
            last_name=last,
            sex="F",
            kind=kind,
            district="เมือง",
            phone=f"08{n:08d}",
            registration_number=f"REG-{n}",
            certificate_number=f"CERT-{n}",
            card_number=f"CARD-{n}",
            card_issued_on=dt.date(2020, 1, 20),
            card_expires_on=dt.date.today() + dt.timedelta(days=30),
            status="active",
        )

    first, last = MINE_VOLUNTEER.split()
    vp = volunteer(bangkok, first, last, 7001, Kind.BANGKOK)
    first, last = OTHER_VOLUNTEER.split()
    vq = volunteer(chiang_mai, first, last, 7002, Kind.PROVINCE)
    world.text.update(volunteer_p_id=vp.national_id, volunteer_q_id=vq.national_id)
    courses = {}
    for key, province, vol in (("p", bangkok, vp), ("q", chiang_mai, vq)):
        course = Course.objects.create(
            kind=Path.WORKSHOP,
            title=f"Course {key.upper()}",
            province=province,
            start_date=dt.date(2020, 1, 14),
            end_date=dt.date(2020, 1, 16),
            hours=24,
        )
        courses[key] = course
        enrolment = Enrolment.objects.create(course=course, volunteer=vol)
        Service.objects.create(
            volunteer=vol,
            province=province,
            date=dt.date(2020, 3, 1),
            service_type="survey",
            target_group="elderly",
            people_served=2,
            person_name=f"Served by {vol.first_name}",
        )
        world.pk.update({f"volunteer_{key}": vol.pk, f"course_{key}": course.pk})
        world.pk[f"enrolment_{key}"] = enrolment.pk
    # A course of P nobody is enrolled in yet (the enrol write goes into it).
    world.pk["course_p_empty"] = Course.objects.create(
        kind=Path.WORKSHOP,
        title="Course P2",
        province=bangkok,
        start_date=dt.date(2020, 2, 4),
        end_date=dt.date(2020, 2, 6),
        hours=24,
    ).pk
    plan = Plan.objects.create(title="Plan 2563-2565", first_year=2563, last_year=2565)
    PlanTarget.objects.create(plan=plan, fiscal_year=2563, measure="trained", planned=10)
    world.pk["plan"] = plan.pk

    # --- subsidies --------------------------------------------------------------------------
    application = subsidy_services.create_application(
        Application(
            first_name="Applicant",
            last_name="Subsidy",
            national_id=make_valid("150000000001"),
            province=bangkok,
            subsidy_type=SubsidyType.LOW_INCOME,
            amount_requested=3000,
            received_on=dt.date(2020, 1, 6),
        ),
        u["subsidy"],
    )
    world.pk["application"] = application.pk
    world.text["application_id"] = application.national_id

    # --- indicators: FY2563 owned by the owner; a copy for FY2564 owned by nobody ----------
    fy2563 = IndicatorSet.objects.get(agency_code="พส.", fiscal_year=2563)
    for indicator in Indicator.objects.filter(indicator_set=fy2563).exclude(kind="group"):
        indicator.owners.add(u["owner"])
    fy2564 = copy_set(fy2563, 2564)
    for indicator in Indicator.objects.filter(indicator_set=fy2564):
        indicator.owners.clear()
    ratio = Indicator.objects.get(indicator_set=fy2563, computation="shelters.improved")
    ratio_other = Indicator.objects.get(indicator_set=fy2564, code=ratio.code)
    deliverable = Deliverable.objects.filter(
        indicator__indicator_set=fy2563, computed_key=""
    ).first()
    deliverable_other = Deliverable.objects.filter(
        indicator__indicator_set=fy2564, computed_key=""
    ).first()
    evidence = {}
    for status in (EvidenceStatus.DRAFT, EvidenceStatus.SUBMITTED):
        item = Evidence(
            deliverable=deliverable,
            title=f"Evidence {status}",
            status=status,
            created_by=u["owner"],
        )
        item.file.save(f"evidence-{status}.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        item.save()
        evidence[status] = item.pk
    from indicators.models import TargetRevision

    revision = TargetRevision(
        indicator=Indicator.objects.get(indicator_set=fy2563, code="2"),
        effective_from=dt.date(2020, 4, 1),
        target_std_note="ปรับ",
        reason="budget",
        reason_text="งบประมาณ",
        approved_by=u["admin"],
        approved_on=dt.date(2020, 3, 25),
        recorded_by=u["admin"],
    )
    revision.letter.save("letter.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    revision.save()
    world.pk["target_revision"] = revision.pk
    world.pk.update(
        set_2563=fy2563.pk,
        set_2564=fy2564.pk,
        indicator_ratio=ratio.pk,
        indicator_ratio_other=ratio_other.pk,
        indicator_returned=Indicator.objects.get(
            indicator_set=fy2563, computation="shelters.returned"
        ).pk,
        deliverable=deliverable.pk,
        deliverable_other=deliverable_other.pk,
        evidence_draft=evidence[EvidenceStatus.DRAFT],
        evidence_submitted=evidence[EvidenceStatus.SUBMITTED],
    )

    # --- catalog and imports ----------------------------------------------------------------
    world.pk["dataset"] = Dataset.objects.order_by("number").first().pk
    upload = Upload(
        kind="residents",
        original_name="residents.csv",
        uploaded_by=u["admin"],
        status=UploadStatus.APPLIED,
    )
    upload.file.save("residents.csv", ContentFile(b"case_number\n"), save=False)
    upload.save()
    world.pk["upload"] = upload.pk

    # --- reporting rounds: FY2563's 6-month round open, its 12-month round closed ------------
    from reporting import services as reporting_services
    from reporting.models import Narrative, NarrativeStatus, Round

    six = Round.objects.get(indicator_set__fiscal_year=2563, as_of=dt.date(2020, 3, 31))
    twelve = Round.objects.get(indicator_set__fiscal_year=2563, as_of=dt.date(2020, 9, 30))
    for indicator in reporting_services.reporting_indicators(twelve.indicator_set):
        Narrative.objects.create(
            round=twelve,
            indicator=indicator,
            result_text="ok",
            status=NarrativeStatus.SUBMITTED,
            created_by=u["owner"],
            updated_by=u["owner"],
        )
    reporting_services.close_round(twelve.pk, u["admin"])
    world.pk.update(round_open=six.pk, round_closed=twelve.pk)

    # --- a session per user -----------------------------------------------------------------
    for key, user in u.items():
        client = Client()
        client.force_login(user)
        world.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="module")
def access_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(
        MEDIA_ROOT=str(tmp_path_factory.mktemp("access-media")),
        CATALOG_HARVEST_TOKEN="matrix-harvest-token",
    )
    media.enable()
    try:
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                world = World()
                _build(world)
                yield world
            finally:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
    finally:
        media.disable()


@pytest.fixture
def world(access_world, db):
    """The module's world, inside this test's savepoint."""
    return access_world
