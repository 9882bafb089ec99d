"""The results of a whole course on one page (issue 13), each row version-checked, and the
version checks of the single result form and the plan form (issue 12)."""

import datetime as dt

from django.urls import reverse

from volunteers.models import Enrolment, Path, Plan, PlanTarget, Status, Volunteer
from volunteers.views.training import _row_data


def opened(client, course) -> dict:
    """The results page's form as a browser would send it untouched ({name: [values]})."""
    response = client.get(reverse("volunteers:course-results", args=[course.pk]))
    assert response.status_code == 200
    formset = response.context["formset"]
    data = {
        formset.management_form.add_prefix(key): [str(value)]
        for key, value in formset.management_form.initial.items()
    }
    for form in formset.forms:
        data.update(_row_data(form))
    return data


def row_of(data: dict, enrolment) -> str:
    return next(
        k[: -len("-id")] for k, v in data.items() if k.endswith("-id") and v == [str(enrolment.pk)]
    )


def typed(data: dict, enrolment, **values) -> dict:
    data = dict(data)
    prefix = row_of(data, enrolment)
    for name, value in values.items():
        data[f"{prefix}-{name}"] = value if isinstance(value, list) else [value]
    return data


def test_one_page_records_the_whole_course_and_certifies_who_passed(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a, b, c = (enrol(course, make_volunteer(bangkok, first_name=n)) for n in ("ก", "ข", "ค"))
    client = client_for(officer_bkk)
    data = opened(client, course)
    data = typed(data, a, hours_attended="19.2", test_passed="1", test_score="88")
    data = typed(data, b, hours_attended="19.1", test_passed="1")
    response = client.post(reverse("volunteers:course-results", args=[course.pk]), data)
    assert response.status_code == 302
    a.refresh_from_db(), b.refresh_from_db(), c.refresh_from_db()
    assert a.passed is True and a.test_score == 88 and a.volunteer.registration_number
    assert Volunteer.objects.get(pk=a.volunteer_id).status == Status.ACTIVE  # services.certify
    assert b.passed is False and "19.1 จาก 24" in b.reason
    assert Volunteer.objects.get(pk=b.volunteer_id).status == Status.TRAINING
    assert c.passed is None and c.version == 1 and c.history.count() == 1  # untouched


def test_a_row_recorded_by_someone_else_meanwhile_is_refused_with_its_name_and_kept(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a = enrol(course, make_volunteer(bangkok, first_name="ชนกัน"))
    b = enrol(course, make_volunteer(bangkok, first_name="ไม่ชน"))
    client, url = client_for(officer_bkk), reverse("volunteers:course-results", args=[course.pk])
    mine = opened(client, course)
    theirs = typed(opened(client, course), a, hours_attended="24", test_passed="1")
    assert client.post(url, theirs).status_code == 302  # the other officer, first
    mine = typed(mine, a, hours_attended="10", test_passed="0")
    mine = typed(mine, b, hours_attended="20", test_passed="1")
    response = client.post(url, mine)
    assert response.status_code == 409
    body = response.content.decode()
    assert "มีผู้บันทึกไว้ระหว่างที่ท่านกรอก" in body and "ชนกัน" in body
    assert "ผลล่าสุดในระบบ" in body
    a.refresh_from_db(), b.refresh_from_db()
    assert a.hours_attended == 24 and a.passed is True  # the first officer's result stands
    assert b.hours_attended is None  # and nothing of this page was saved
    again = response.context["formset"]
    row = next(f for f in again.forms if f.instance.pk == a.pk)
    assert row["hours_attended"].value() == "10"  # what was typed is kept
    assert row["version"].value() == str(a.version)  # now at the current version
    sent = response.context["formset"].data
    resend = {key: sent.getlist(key) for key in sent}
    assert client.post(url, resend).status_code == 302  # saving again is a deliberate choice
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.hours_attended, a.passed, b.hours_attended, b.passed) == (10, False, 20, True)


def test_rows_this_officer_did_not_touch_are_not_written_back(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a, b = enrol(course, make_volunteer(bangkok)), enrol(course, make_volunteer(bangkok))
    client, url = client_for(officer_bkk), reverse("volunteers:course-results", args=[course.pk])
    mine = opened(client, course)
    assert (
        client.post(url, typed(opened(client, course), a, hours_attended="24")).status_code == 302
    )
    assert client.post(url, typed(mine, b, hours_attended="20")).status_code == 302
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.hours_attended, b.hours_attended) == (24, 20)


def test_a_bad_row_saves_nothing_and_says_why(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok)
    a, b = enrol(course, make_volunteer(bangkok)), enrol(course, make_volunteer(bangkok))
    client, url = client_for(officer_bkk), reverse("volunteers:course-results", args=[course.pk])
    data = typed(typed(opened(client, course), a, hours_attended="24"), b, hours_attended="30")
    response = client.post(url, data)
    assert response.status_code == 400
    assert "ต้องไม่เกิน 24.0 ชั่วโมงของหลักสูตร" in response.content.decode()
    assert not Enrolment.objects.filter(hours_attended__isnull=False).exists()


def test_elearning_rows_carry_their_lessons(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol
):
    course = make_course(bangkok, kind=Path.ELEARNING)
    a = enrol(course, make_volunteer(bangkok))
    client, url = client_for(officer_bkk), reverse("volunteers:course-results", args=[course.pk])
    data = typed(
        opened(client, course), a, lessons=["1", "2", "3", "4", "5"], session_attended="on",
        test_passed="1",
    )  # fmt: skip
    assert client.post(url, data).status_code == 302
    a.refresh_from_db()
    assert a.passed is True and a.lessons.count() == 5, a.reason


def test_the_results_page_is_for_editors_in_scope(
    client_for, manager, officer_cm, bangkok, make_course, bkk_volunteer, enrol
):
    course = make_course(bangkok)
    enrol(course, bkk_volunteer)
    url = reverse("volunteers:course-results", args=[course.pk])
    assert client_for(manager).get(url).status_code == 403
    assert client_for(officer_cm).get(url).status_code == 404


def test_the_results_page_reads_in_the_same_queries_for_3_or_30_rows(
    client_for, officer_bkk, bangkok, make_course, make_volunteer, enrol,
    django_assert_max_num_queries,
):  # fmt: skip
    course = make_course(bangkok)
    client = client_for(officer_bkk)
    url = reverse("volunteers:course-results", args=[course.pk])
    for n in (3, 30):
        while course.enrolments.count() < n:
            enrol(course, make_volunteer(bangkok))
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


# --- the single result form and the plan form (issue 12) -------------------------------------


def test_a_stale_single_result_is_refused_with_409_and_keeps_what_was_typed(
    client_for, officer_bkk, bangkok, make_course, bkk_volunteer, enrol
):
    e = enrol(make_course(bangkok), bkk_volunteer)
    client, url = client_for(officer_bkk), reverse("volunteers:enrolment-result", args=[e.pk])
    opened_at = e.version
    assert (
        client.post(
            url, {"hours_attended": "24", "test_passed": "1", "version": opened_at}
        ).status_code
        == 302
    )
    response = client.post(
        url, {"hours_attended": "12.5", "test_passed": "0", "version": opened_at}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "มีผู้แก้ไขข้อมูลนี้ระหว่างที่ท่านกรอก" in body and 'value="12.5"' in body
    e.refresh_from_db()
    assert e.passed is True and e.hours_attended == 24
    assert response.context["form"]["version"].value() == str(e.version)
    # without a version: refused too
    assert client.post(url, {"hours_attended": "1"}).status_code == 400
    e.refresh_from_db()
    assert e.hours_attended == 24


def _plan_data(plan, **changes):
    targets = list(plan.targets.order_by("pk"))
    data = {
        "title": plan.title, "first_year": plan.first_year, "last_year": plan.last_year,
        "approved_on": "", "approved_by": plan.approved_by, "note": plan.note,
        "version": plan.version, "t-TOTAL_FORMS": str(len(targets)),
        "t-INITIAL_FORMS": str(len(targets)), "t-MIN_NUM_FORMS": "0", "t-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, t in enumerate(targets):
        data.update({
            f"t-{i}-id": t.pk, f"t-{i}-fiscal_year": t.fiscal_year, f"t-{i}-measure": t.measure,
            f"t-{i}-label": t.label, f"t-{i}-province": t.province_id or "",
            f"t-{i}-planned": t.planned, f"t-{i}-version": t.version,
        })  # fmt: skip
    # what the page was opened with (core's hidden initial values, as the browser sends them)
    data.update({
        f"initial-{k}": v for k, v in data.items()
        if not k.startswith("t-") or k.rsplit("-", 1)[1] not in ("id", "version", "TOTAL_FORMS",
                                                                "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    })  # fmt: skip
    data.pop("initial-version", None)
    data.update(changes)
    return data


def _plan(bangkok):
    plan = Plan.objects.create(title="แผนทดสอบ")
    for label in ("เป้าหนึ่ง", "เป้าสอง"):
        PlanTarget.objects.create(
            plan=plan, fiscal_year=2563, measure="trained", label=label, province=bangkok,
            planned=10,
        )  # fmt: skip
    return plan


def test_two_plan_edits_of_different_targets_both_stand(client_for, kpi_admin, bangkok):
    plan = _plan(bangkok)
    client, url = client_for(kpi_admin), reverse("volunteers:plan-edit", args=[plan.pk])
    opened_plan = _plan_data(plan)
    assert client.post(url, opened_plan | {"t-0-planned": "11"}).status_code == 302
    assert client.post(url, opened_plan | {"t-1-planned": "22"}).status_code == 302
    assert list(plan.targets.order_by("pk").values_list("planned", flat=True)) == [11, 22]


def test_a_plan_target_changed_meanwhile_is_refused_by_name(client_for, kpi_admin, bangkok):
    plan = _plan(bangkok)
    client, url = client_for(kpi_admin), reverse("volunteers:plan-edit", args=[plan.pk])
    opened_plan = _plan_data(plan)
    assert client.post(url, opened_plan | {"t-0-planned": "11"}).status_code == 302
    response = client.post(url, opened_plan | {"t-0-planned": "99", "title": "ชื่อใหม่"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "มีผู้แก้ไขแผนนี้ระหว่างที่ท่านกรอก" in body and "เป้าหนึ่ง" in body
    assert 'value="99"' in body and "ค่าเป้าหมาย 11" in body
    plan.refresh_from_db()
    assert plan.title == "แผนทดสอบ" and plan.targets.order_by("pk").first().planned == 11
    # the plan's own fields changed meanwhile: refused too
    other = _plan_data(plan)
    assert client.post(url, other | {"title": "ก่อน"}).status_code == 302
    assert client.post(url, other | {"note": "หลัง"}).status_code == 409
    plan.refresh_from_db()
    assert (plan.title, plan.note) == ("ก่อน", "")


# --- the year the pages open on --------------------------------------------------------------


def test_the_dashboard_opens_on_the_latest_year_with_data_and_labels_its_year_box(
    client_for, officer_bkk, bkk_volunteer, make_services, cm_volunteer
):
    make_services(bkk_volunteer, 3, date=dt.date(2020, 3, 1))  # FY2563
    make_services(cm_volunteer, 1, date=dt.date(2021, 3, 1))  # FY2564, another province
    client = client_for(officer_bkk)
    response = client.get(reverse("volunteers:home"))
    assert response.context["year"] == 2563
    body = response.content.decode()
    assert '<label class="col-form-label col-form-label-sm text-nowrap" for="id_year">' in body
    assert 'id="id_year" name="year" value="2563"' in body
    report = client.get(reverse("volunteers:report"))
    assert report.context["year"] == 2563 and 'for="id_year"' in report.content.decode()
    assert client.get(reverse("volunteers:home"), {"year": "2564"}).context["year"] == 2564


def test_without_data_the_pages_open_on_the_indicator_sets_year(client_for, officer_bkk, fy2563):
    assert client_for(officer_bkk).get(reverse("volunteers:home")).context["year"] == 2563
