"""Enrolling a whole course at once (issue 13): by search or pasted IDs, a preview naming
each line, then all-or-nothing, once."""

import uuid

import pytest
from django.urls import reverse

from core import once
from tests.volunteers.conftest import new_national_id
from volunteers import enrolling
from volunteers.models import Enrolment, Status, Volunteer

THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
FULL = str.maketrans("0123456789", "０１２３４５６７８９")


def confirmed(client, url, **data) -> dict:
    """The data of the confirm button of a clean preview of ``data``."""
    data = {"submission": str(uuid.uuid4()), **data}
    response = client.post(url, {**data, "action": "preview"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return {**data, "action": "confirm", "previewed": response.context["form"].data["previewed"]}


def _dashed(nid: str) -> str:
    return f"{nid[0]}-{nid[1:5]}-{nid[5:10]}-{nid[10:12]}-{nid[12]}"


def test_parse_reads_one_a_line_or_many_separated_by_spaces_and_commas():
    a, b, c = new_national_id(), new_national_id(), new_national_id()
    text = f"{a}\n{b}, {c}\n\n{_dashed(a).translate(THAI)}\n{' '.join(_dashed(b).split('-'))}"
    assert enrolling.parse(text) == [
        (1, a), (2, b), (2, c), (4, _dashed(a).translate(THAI)), (5, " ".join(_dashed(b).split("-"))),
    ]  # fmt: skip
    assert enrolling.parse(f"{a} {b}") == [(1, a), (1, b)]


def test_the_preview_names_what_happens_to_each_line_and_enrols_nothing(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, cm_volunteer, enrol
):
    course = make_course(bangkok)
    new = make_volunteer(bangkok, first_name="คนใหม่")
    arabic = make_volunteer(bangkok, first_name="เลขอารบิก")
    there = make_volunteer(bangkok, first_name="อยู่แล้ว")
    enrol(course, there)
    bad = new.national_id[:12] + str((int(new.national_id[12]) + 1) % 10)
    unknown = new_national_id()
    indic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in arabic.national_id)
    text = "\n".join([
        _dashed(new.national_id).translate(FULL).replace("-", "－"),  # 1 full-width
        indic,  # 2
        there.national_id,  # 3
        unknown,  # 4
        cm_volunteer.national_id,  # 5 another province: the same words as unknown
        bad,  # 6
        new.national_id,  # 7 repeated
        "สมชาย",  # 8
    ])  # fmt: skip
    url = reverse("volunteers:course-enrol", args=[course.pk])
    response = client_for(officer_bkk).post(url, {"national_ids": text, "action": "preview"})
    assert response.status_code == 400  # problems: nothing may be confirmed yet
    rows = {r.where: (r.status, r.note) for r in response.context["preview"].rows}
    assert rows == {
        "บรรทัด 1": ("found", "จะเพิ่มเข้าหลักสูตร"),
        "บรรทัด 2": ("found", "จะเพิ่มเข้าหลักสูตร"),
        "บรรทัด 3": ("already", "อยู่ในหลักสูตรนี้แล้ว"),
        "บรรทัด 4": ("missing", "ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน"),
        "บรรทัด 5": ("missing", "ไม่พบ อพม. เลขนี้ในทะเบียนของท่าน"),
        "บรรทัด 6": ("invalid", "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบผิด)"),
        "บรรทัด 7": ("repeated", "ซ้ำกับบรรทัด 1"),
        "บรรทัด 8": ("invalid", "ไม่ใช่เลขประจำตัวประชาชน 13 หลัก"),
    }
    body = response.content.decode()
    assert "คนใหม่" in body and "ยืนยันเพิ่มผู้เข้าอบรม" not in body
    assert cm_volunteer.first_name not in body  # nothing told about another province
    assert course.enrolments.count() == 1
    # and a confirm of the same lines is refused whole
    response = client_for(officer_bkk).post(url, {"national_ids": text, "action": "confirm"})
    assert response.status_code == 400 and course.enrolments.count() == 1


def test_confirm_enrols_everyone_at_once_and_puts_applicants_in_training(
    client_for, officer_bkk, bangkok, make_course, make_volunteer
):
    course = make_course(bangkok)
    people = [make_volunteer(bangkok) for _ in range(3)]
    client, url = client_for(officer_bkk), reverse("volunteers:course-enrol", args=[course.pk])
    text = ", ".join(v.national_id.translate(THAI) for v in people)
    data = confirmed(client, url, national_ids=text)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == course.get_absolute_url()
    assert set(course.enrolments.values_list("volunteer_id", flat=True)) == {v.pk for v in people}
    for v in Volunteer.objects.filter(pk__in=[p.pk for p in people]):
        assert v.status == Status.TRAINING and v.version == 2
        assert v.history.latest().status == Status.TRAINING
    assert Enrolment.history.count() == 3
    again = client.post(url, data, follow=True)  # the same submission again
    assert once.DUPLICATE_TEXT in again.content.decode()
    assert course.enrolments.count() == 3


def test_a_confirm_of_other_lines_than_previewed_is_previewed_again(
    client_for, officer_bkk, bangkok, make_course, make_volunteer
):
    course = make_course(bangkok)
    a, b = make_volunteer(bangkok), make_volunteer(bangkok)
    client, url = client_for(officer_bkk), reverse("volunteers:course-enrol", args=[course.pk])
    data = confirmed(client, url, national_ids=a.national_id)
    response = client.post(url, {**data, "national_ids": f"{a.national_id}\n{b.national_id}"})
    assert response.status_code == 200
    assert "รายชื่อเปลี่ยนไปจากที่ตรวจสอบไว้" in response.content.decode()
    assert not course.enrolments.exists()


def test_search_finds_by_name_or_whole_id_in_scope_and_ticks_enrol(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, cm_volunteer
):
    course = make_course(bangkok)
    v = make_volunteer(bangkok, first_name="ค้นเจอ", last_name="ด้วยชื่อ")
    client, url = client_for(officer_bkk), reverse("volunteers:course-enrol", args=[course.pk])

    def found(q):
        response = client.post(url, {"q": q, "action": "search"})
        assert response.status_code == 200
        return [x.pk for x in response.context["results"]]

    assert found("ค้นเจอ") == [v.pk]
    assert found(v.national_id.translate(THAI)) == [v.pk]  # a whole ID, in any digits
    assert found(v.national_id[:12]) == []  # never a partial ID
    assert found(cm_volunteer.national_id) == []  # outside the officer's scope
    assert found("เชียงใหม่") == []
    page = client.get(url, {"q": "ค้นเจอ"}).content.decode()
    assert f'name="volunteer" value="{v.pk}"' in page
    data = confirmed(client, url, volunteer=[v.pk])
    assert client.post(url, data).status_code == 302
    assert course.enrolments.get().volunteer == v


def test_a_ticked_volunteer_of_another_province_is_not_found(
    client_for, officer_bkk, bangkok, make_course, cm_volunteer
):
    course = make_course(bangkok)
    url = reverse("volunteers:course-enrol", args=[course.pk])
    response = client_for(officer_bkk).post(url, {"volunteer": [cm_volunteer.pk]})
    assert response.status_code == 400
    assert [r.status for r in response.context["preview"].rows] == ["missing"]
    assert cm_volunteer.first_name not in response.content.decode()


def test_someone_enrolling_one_of_them_meanwhile_enrols_none_and_says_so(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, monkeypatch
):
    course = make_course(bangkok)
    a, b = make_volunteer(bangkok), make_volunteer(bangkok)
    client, url = client_for(officer_bkk), reverse("volunteers:course-enrol", args=[course.pk])
    data = confirmed(client, url, national_ids=f"{a.national_id}\n{b.national_id}")
    real, calls = enrolling.preview, []

    def racing(*args, **kwargs):  # another officer enrols b right after this preview
        result = real(*args, **kwargs)
        if not calls:
            Enrolment.objects.create(course=course, volunteer=b)
        calls.append(1)
        return result

    monkeypatch.setattr(enrolling, "preview", racing)
    response = client.post(url, data)
    assert response.status_code == 409
    assert "จึงยังไม่ได้เพิ่มผู้ใด" in response.content.decode()
    assert list(course.enrolments.values_list("volunteer_id", flat=True)) == [b.pk]
    assert Volunteer.objects.get(pk=a.pk).status == Status.APPLICANT


def test_a_manager_may_not_enrol_and_another_provinces_course_is_a_404(
    client_for, manager, officer_bkk, chiang_mai, make_course
):
    course = make_course(chiang_mai)
    url = reverse("volunteers:course-enrol", args=[course.pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(officer_bkk).get(url).status_code == 404


@pytest.mark.parametrize("n", [5, 60])
def test_the_preview_takes_the_same_queries_for_5_or_60_lines(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, django_assert_max_num_queries, n
):
    course = make_course(bangkok)
    text = "\n".join(make_volunteer(bangkok).national_id for _ in range(n))
    client = client_for(officer_bkk)
    url = reverse("volunteers:course-enrol", args=[course.pk])
    with django_assert_max_num_queries(14):
        response = client.post(url, {"national_ids": text})
    assert response.status_code == 200 and response.context["preview"].n_found == n
