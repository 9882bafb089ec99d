"""A provincial officer sees and changes only their province's volunteers: lists, pages,
forms, exports and PDFs. Managers read all; other roles get 403; anonymous users log in."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core import roles
from volunteers import services
from volunteers.models import Service, Volunteer


@pytest.fixture
def certified_cm(cm_volunteer):
    import datetime as dt

    return services.certify(cm_volunteer, dt.date(2020, 1, 16), "workshop")


def test_the_list_shows_only_the_officers_province(
    client_for, officer_bkk, bkk_volunteer, cm_volunteer
):
    body = client_for(officer_bkk).get(reverse("volunteers:list")).content.decode()
    assert "กรุงเทพ อาสา" in body
    assert "เชียงใหม่ อาสา" not in body


def test_bangkok_volunteers_are_kept_by_the_bangkok_officer(
    client_for, officer_cm, bkk_volunteer, cm_volunteer
):
    body = client_for(officer_cm).get(reverse("volunteers:list")).content.decode()
    assert "เชียงใหม่ อาสา" in body
    assert "กรุงเทพ อาสา" not in body


@pytest.mark.parametrize(
    "name",
    ["volunteers:detail", "volunteers:edit", "volunteers:card-pdf", "volunteers:certificate-pdf"],
)
def test_another_provinces_volunteer_is_a_404(client_for, officer_bkk, certified_cm, name):
    response = client_for(officer_bkk).get(reverse(name, args=[certified_cm.pk]))
    assert response.status_code == 404


def test_an_officer_cannot_change_another_provinces_volunteer(
    client_for, officer_bkk, cm_volunteer
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:edit", args=[cm_volunteer.pk]),
        {"first_name": "แก้", "last_name": "ไข", "national_id": cm_volunteer.national_id},
    )
    assert response.status_code == 404
    cm_volunteer.refresh_from_db()
    assert cm_volunteer.first_name == "เชียงใหม่"


def test_an_officer_cannot_renew_another_provinces_card(client_for, officer_bkk, certified_cm):
    old = certified_cm.card_number
    response = client_for(officer_bkk).post(
        reverse("volunteers:card-renew", args=[certified_cm.pk])
    )
    assert response.status_code == 404
    certified_cm.refresh_from_db()
    assert certified_cm.card_number == old


def test_an_officer_cannot_move_a_volunteer_to_another_province(
    client_for, officer_bkk, bkk_volunteer, chiang_mai
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:edit", args=[bkk_volunteer.pk]),
        {
            "national_id": bkk_volunteer.national_id,
            "first_name": "ก",
            "last_name": "ข",
            "sex": "M",
            "province": chiang_mai.pk,
            "kind": "bangkok",
            "status": "applicant",
        },
    )
    bkk_volunteer.refresh_from_db()
    assert response.status_code == 400, (
        bkk_volunteer.province,
        chiang_mai.pk,
        officer_bkk.profile.province_id,
    )
    assert bkk_volunteer.province.code == "10"


def test_the_export_holds_only_the_officers_province(
    client_for, officer_bkk, bkk_volunteer, cm_volunteer
):
    response = client_for(officer_bkk).get(reverse("volunteers:export"))
    ws = load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert names == ["กรุงเทพ"]


def test_an_officer_cannot_log_a_service_for_another_provinces_volunteer(
    client_for, officer_bkk, cm_volunteer
):
    response = client_for(officer_bkk).post(
        reverse("volunteers:service-create"),
        {
            "volunteer_national_id": cm_volunteer.national_id,
            "date": "01/03/2563",
            "service_type": "survey",
            "target_group": "elderly",
            "people_served": 1,
        },
    )
    assert response.status_code == 400
    assert "ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน" in response.content.decode()
    assert not Service.objects.exists()


def test_the_service_list_of_another_provinces_volunteer_is_a_404(
    client_for, officer_bkk, cm_volunteer, make_services
):
    make_services(cm_volunteer, 2)
    client = client_for(officer_bkk)
    assert (
        client.get(reverse("volunteers:service-list") + f"?volunteer={cm_volunteer.pk}").status_code
        == 404
    )
    body = client.get(reverse("volunteers:service-list")).content.decode()
    assert "เชียงใหม่ อาสา" not in body


def test_an_officer_cannot_open_or_enrol_into_another_provinces_course(
    client_for, officer_bkk, make_course, chiang_mai, bkk_volunteer
):
    course = make_course(chiang_mai)
    client = client_for(officer_bkk)
    assert client.get(reverse("volunteers:course-detail", args=[course.pk])).status_code == 404
    response = client.post(
        reverse("volunteers:course-detail", args=[course.pk]),
        {"national_ids": bkk_volunteer.national_id},
    )
    assert response.status_code == 404
    assert not course.enrolments.exists()


def test_an_officer_cannot_record_a_result_for_another_provinces_enrolment(
    client_for, officer_bkk, make_course, chiang_mai, cm_volunteer, enrol
):
    e = enrol(make_course(chiang_mai), cm_volunteer)
    response = client_for(officer_bkk).post(
        reverse("volunteers:enrolment-result", args=[e.pk]),
        {"hours_attended": "24", "test_passed": "1", "version": e.version},
    )
    assert response.status_code == 404
    e.refresh_from_db()
    assert e.passed is None


def test_an_officer_cannot_enrol_another_provinces_volunteer(
    client_for, officer_bkk, make_course, bangkok, cm_volunteer
):
    course = make_course(bangkok)
    response = client_for(officer_bkk).post(
        reverse("volunteers:course-detail", args=[course.pk]),
        {"national_ids": cm_volunteer.national_id},
    )
    assert response.status_code == 400
    assert not course.enrolments.exists()


def test_the_report_counts_only_the_officers_province(
    client_for, officer_bkk, bkk_volunteer, cm_volunteer, make_services
):
    make_services(bkk_volunteer, 2)
    make_services(cm_volunteer, 5)
    body = client_for(officer_bkk).get(reverse("volunteers:report") + "?year=2563").content.decode()
    assert "รวมให้บริการ 2 ครั้ง" in body


def test_an_officer_without_a_province_sees_nothing(make_user, bkk_volunteer):
    user = make_user(roles.PROVINCIAL_OFFICER)
    assert not Volunteer.objects.visible_to(user).exists()


def test_managers_see_every_province_but_cannot_change(
    client_for, manager, bkk_volunteer, cm_volunteer
):
    client = client_for(manager)
    body = client.get(reverse("volunteers:list")).content.decode()
    assert "กรุงเทพ อาสา" in body and "เชียงใหม่ อาสา" in body
    assert client.get(reverse("volunteers:detail", args=[cm_volunteer.pk])).status_code == 200
    assert client.get(reverse("volunteers:edit", args=[cm_volunteer.pk])).status_code == 403
    assert client.get(reverse("volunteers:create")).status_code == 403
    assert client.get(reverse("volunteers:service-bulk")).status_code == 403


@pytest.mark.parametrize(
    "role", [roles.FACILITY_STAFF, roles.SUBSIDY_OFFICER, roles.INDICATOR_OWNER, None]
)
def test_other_roles_get_403(client_for, make_user, role, bkk_volunteer):
    user = make_user(*([role] if role else []))
    client = client_for(user)
    for url in (
        reverse("volunteers:home"),
        reverse("volunteers:list"),
        reverse("volunteers:detail", args=[bkk_volunteer.pk]),
        reverse("volunteers:export"),
        reverse("volunteers:service-list"),
        reverse("volunteers:report"),
    ):
        assert client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_login(client, bkk_volunteer):
    response = client.get(reverse("volunteers:detail", args=[bkk_volunteer.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
