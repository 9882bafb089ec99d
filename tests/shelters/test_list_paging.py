"""The resident list pages by keys first (``core.tables.KeysFirstPaginator``): every sort the
table offers cuts the same ordered list into pages (each resident exactly once, ties included),
the page's rows are read alone, a drill-down's KPI condition is evaluated once per page, and
scope, masking, filters, search and the export are what they were."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.urls import reverse

from core.tables import KeysFirstPaginator, _total_key
from shelters import kpi
from shelters.models import Resident
from shelters.tables import ResidentTable
from shelters.views import facility_list_url

FY63_END = dt.date(2020, 9, 30)
ROW = re.compile(r'<a href="/shelters/residents/(\d+)/">')
FOUND = re.compile(r"พบ ([\d,]+) คน")
SORTS = [
    "case_number",
    "full_name",
    "facility",
    "target_group",
    "admitted_on",
    "current_group",
    "latest_on",
    "discharged_on",
    "discharge_reason",
]
# What each sort orders the whole list by (the table's columns), the reference the pages cut.
ORDER_OF = {
    "case_number": ["case_number"],
    "full_name": ["full_name"],
    "facility": ["facility__code"],
    "target_group": ["target_group"],
    "admitted_on": ["admitted_on"],
    "current_group": ["latest_percent"],
    "latest_on": ["latest_on"],
    "discharged_on": ["discharged_on"],
    "discharge_reason": ["discharge_reason"],
}


def shown(response) -> tuple[int, list[int]]:
    html = response.content.decode()
    count = int(FOUND.search(html).group(1).replace(",", ""))
    return count, [int(pk) for pk in ROW.findall(html)]


def every_page(client, params, per_page=3) -> tuple[int, list[int]]:
    url = reverse("shelters:resident-list")
    ids, page, count = [], 1, None
    while True:
        response = client.get(url, {**params, "per_page": per_page, "page": page})
        assert response.status_code == 200
        count, rows = shown(response)
        ids += rows
        if page * per_page >= count:
            return count, ids
        assert len(rows) == per_page
        page += 1


@pytest.fixture
def crowd(make_resident, assess, facility, other_facility):
    """Eleven residents in two facilities with ties on every sortable column: the same names,
    admission dates, latest percents and dates; some never assessed, some discharged."""
    people = []
    for i in range(11):
        person = make_resident(
            facility if i % 2 else other_facility,
            full_name=f"ผู้รับบริการ ซ้ำ{i % 3}",
            admitted_on=dt.date(2019, 1, 1 + i % 2),
            target_group=("destitute", "beggar")[i % 2],
        )
        if i % 4:
            assess(person, ("2019-08-01", 30), (f"2019-12-0{1 + i % 2}", (35, 55, 85)[i % 3]))
        if i in (3, 8):
            person.discharged_on = dt.date(2020, 1, 5)
            person.discharge_reason = "family"
            person.save()
        people.append(person)
    return people


@pytest.mark.parametrize("sort", SORTS + [f"-{s}" for s in SORTS])
def test_every_sort_cuts_one_ordered_list_into_pages(client_for, manager, crowd, sort):
    count, ids = every_page(client_for(manager), {"sort": sort})
    bare = sort.lstrip("-")
    order = [f"{'-' if sort.startswith('-') else ''}{f}" for f in ORDER_OF[bare]]
    expected = list(
        Resident.objects.with_latest().order_by(*order, "pk").values_list("pk", flat=True)
    )
    assert count == len(crowd)
    assert ids == expected  # each resident once, ties broken by id, the sort's own order


def test_the_default_order_is_facility_then_case_number(client_for, manager, crowd):
    count, ids = every_page(client_for(manager), {})
    expected = Resident.objects.order_by("facility_id", "case_number").values_list("pk", flat=True)
    assert (count, ids) == (len(crowd), list(expected))


def test_filters_and_search_page_the_same_rows(client_for, manager, crowd):
    client = client_for(manager)
    latest = Resident.objects.with_latest()
    cases = [
        ({"group": "B"}, latest.filter(current_group="B")),
        ({"status": "in_care", "target_group": "beggar"}, latest.filter(
            discharged_on__isnull=True, target_group="beggar")),
        ({"q": "ซ้ำ1"}, latest.filter(full_name__contains="ซ้ำ1")),
        ({"q": "c0000"}, latest.filter(case_number__icontains="c0000")),  # any letter case
        ({"group": "A", "sort": "-admitted_on"}, latest.filter(current_group="A")),
    ]  # fmt: skip
    for params, expected in cases:
        order = ["-admitted_on", "pk"] if "sort" in params else ["facility_id", "case_number"]
        want = list(expected.order_by(*order).values_list("pk", flat=True))
        assert want, params
        assert every_page(client, params, per_page=2) == (len(want), want), params


def test_a_page_past_the_end_shows_the_last_page(client_for, manager, crowd):
    client = client_for(manager)
    url = reverse("shelters:resident-list")
    last = shown(client.get(url, {"per_page": 5, "page": 3}))
    assert last[0] == 11 and len(last[1]) == 1
    assert shown(client.get(url, {"per_page": 5, "page": 99})) == last
    searched = shown(client.get(url, {"q": "ซ้ำ", "per_page": 5, "page": 99}))  # one pass
    assert searched == last
    assert shown(client.get(url, {"q": "ไม่มีใคร", "page": 7})) == (0, [])


def test_the_page_rows_carry_their_latest_assessment(client_for, staff, resident, assess):
    assess(resident, ("2020-02-03", 85))
    html = client_for(staff).get(reverse("shelters:resident-list")).content.decode()
    assert "text-bg-success" in html and "85.00" in html  # group A, the latest percent
    assert "1-1017-00203-45-0" in html  # the facility's staff see the ID in full


def test_a_deep_page_reads_no_assessment_for_the_rows_it_skips(client_for, manager, crowd):
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    client = client_for(manager)
    client.get(reverse("shelters:resident-list"))
    with connection.execute_wrapper(record):
        client.get(reverse("shelters:resident-list"), {"per_page": 2, "page": 4})
    (skipping,) = [sql for sql in seen if "OFFSET" in sql]  # the keys and the count only
    assert "full_name" not in skipping  # no column of the rows
    assert "assessment" not in skipping and "latest" not in skipping  # nor their latest one
    (rows,) = [sql for sql in seen if "full_name" in sql]  # then the page's 2 rows alone
    assert "OFFSET" not in rows and "LIMIT" not in rows


def _drill_queries(client, url) -> int:
    raw = kpi.resident_ids(kpi.IMPROVED, "BA", 2563, FY63_END)
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    assert response.status_code == 200
    return sum(sql.count(raw.sql) for sql in seen), response


def test_a_drilldown_evaluates_its_kpi_condition_once(client_for, manager, make_resident, assess):
    people = []
    for _ in range(7):
        person = make_resident()
        assess(person, ("2019-08-01", 60), ("2020-03-01", 85))  # B→A in FY2563
        people.append(person)
    client = client_for(manager)
    url = kpi.list_url(kpi.IMPROVED, "BA", 2563, FY63_END)
    client.get(url)
    evaluations, response = _drill_queries(client, url)
    assert evaluations == 1
    assert shown(response) == (7, [p.pk for p in people])
    evaluations, response = _drill_queries(client, f"{url}&per_page=3&page=3")
    assert evaluations == 1 and shown(response) == (7, [people[-1].pk])
    count, ids = every_page(client, {"kpi": "improved", "cat": "BA", "year": 2563,
                                     "as_of": "2020-09-30"}, per_page=2)  # fmt: skip
    assert (count, ids) == (7, [p.pk for p in people])


def test_pages_stay_in_the_viewers_scope(client_for, staff, manager, crowd, facility):
    count, ids = every_page(client_for(staff), {"sort": "-current_group"}, per_page=2)
    own = set(Resident.objects.filter(facility=facility).values_list("pk", flat=True))
    assert count == len(own) and set(ids) == own and len(ids) == len(own)
    managed = client_for(manager).get(reverse("shelters:resident-list"), {"facility": facility.pk})
    assert set(shown(managed)[1]) == own


def test_the_export_is_still_the_whole_list(client_for, manager, crowd):
    client = client_for(manager)
    text = client.get(reverse("shelters:resident-list"), {"export": "csv", "page": 2}).content
    lines = text.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + len(crowd)
    sorted_export = client.get(
        reverse("shelters:resident-list"), {"export": "csv", "sort": "-admitted_on"}
    )
    assert len(sorted_export.content.decode("utf-8-sig").strip().splitlines()) == 1 + len(crowd)


def test_the_kpi_page_links_the_same_urls_as_kpi_list_url(facility):
    for name in (kpi.IMPROVED, kpi.RETURNED):
        for category in kpi.CONDITIONS[name]:
            url = kpi.list_url(name, category, 2563, FY63_END)
            assert facility_list_url(url, facility) == kpi.list_url(
                name, category, 2563, FY63_END, facility
            )


def test_an_ordering_that_identifies_a_row_is_its_own_key(db):
    assert _total_key(Resident, ["facility_id", "case_number"]) == ["facility_id", "case_number"]
    assert _total_key(Resident, ["-case_number", "facility_id"]) == ["facility_id", "case_number"]
    assert _total_key(Resident, ["-pk"]) == ["pk"]
    assert _total_key(Resident, ["admitted_on"]) is None
    assert _total_key(Resident, ["facility", "case_number"]) is None  # the facility's ordering
    assert _total_key(Resident, ["latest_percent"]) is None  # an annotation


def test_orphans_join_the_last_page_only(rf, manager, crowd):
    request = rf.get("/")
    request.user = manager
    table = ResidentTable(Resident.objects.with_latest().select_related("facility"), user=manager)
    table.paginate(paginator_class=KeysFirstPaginator, per_page=4, page=2, orphans=3)
    assert len(table.page.object_list) == 7 and table.paginator.num_pages == 2
    table = ResidentTable(Resident.objects.with_latest().select_related("facility"), user=manager)
    table.paginate(paginator_class=KeysFirstPaginator, per_page=4, page=1, orphans=3)
    assert len(table.page.object_list) == 4 and table.paginator.count == 11


def test_the_paging_is_in_thai_and_english_in_english(client_for, manager, crowd):
    """django-tables2 ships no Thai: its "previous"/"next" showed on Thai pages until every
    table used templates/core/table.html."""
    client = client_for(manager)
    url = reverse("shelters:resident-list")
    html = client.get(url, {"per_page": 5, "page": 2}).content.decode()
    nav = html[html.index('<ul class="pagination') :]
    nav = nav[: nav.index("</ul>")]
    assert "ก่อนหน้า" in nav and "ถัดไป" in nav and 'aria-current="page">2<' in nav
    assert "previous" not in nav.replace('class="previous', "") and "next<" not in nav
    assert 'aria-label="เลือกหน้าของรายการ"' in html
    # A wide table scrolls in its own box on a phone instead of widening the page.
    assert '<div class="table-responsive">' in html.split("<table", 1)[0][-200:]
    client.cookies["django_language"] = "en"
    html = client.get(url, {"per_page": 5, "page": 2}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Previous" in html or "previous" in html.replace('class="previous', "")
