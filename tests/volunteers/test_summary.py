"""The monthly service summary (ServiceMonthly) stays equal to a fresh aggregate of the service
records after every kind of write, and the national pages show what the records say."""

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse

from core.thaidate import fiscal_year_bounds
from imports import engine
from tests.imports.conftest import csv_bytes
from volunteers import plan as plan_mod
from volunteers import report, summary
from volunteers.models import (
    Measure,
    Plan,
    PlanTarget,
    Service,
    ServiceMonthly,
    ServiceType,
    TargetGroup,
)
from volunteers.resources import ServiceResource

TYPES = ServiceType.values
GROUPS = TargetGroup.values


def _day(value) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def fresh() -> dict:
    """What the summary must hold: the records aggregated now."""
    rows = (
        Service.objects.annotate(m=TruncMonth("date"))
        .values("province_id", "m", "service_type", "target_group")
        .annotate(n=Count("id"), p=Sum("people_served"))
        .order_by()
    )
    return {
        (r["province_id"], _day(r["m"]), r["service_type"], r["target_group"]): (r["n"], r["p"])
        for r in rows
    }


def stored() -> dict:
    return {
        (s.province_id, s.month, s.service_type, s.target_group): (s.services, s.people)
        for s in ServiceMonthly.objects.all()
    }


def assert_exact():
    assert stored() == fresh()


def random_day(rng) -> dt.date:
    # FY2563 mostly, a few in the years around it; month ends and starts on purpose
    day = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 365))
    return rng.choice([day, day, day, dt.date(2020, 10, 1), dt.date(2019, 9, 30)])


def new_service(rng, volunteers) -> Service:
    v = rng.choice(volunteers)
    return Service(
        volunteer=v,
        province_id=v.province_id,
        date=random_day(rng),
        service_type=rng.choice(TYPES),
        target_group=rng.choice(GROUPS),
        people_served=rng.randint(1, 9),
    )


@pytest.fixture
def volunteers(make_volunteer, bangkok, chiang_mai):
    return [make_volunteer(bangkok), make_volunteer(bangkok), make_volunteer(chiang_mai)]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_summary_is_exact_after_random_creates_changes_and_deletes(seed, volunteers):
    rng = random.Random(seed)
    for _ in range(25):
        new_service(rng, volunteers).save()
    assert_exact()
    for step in range(40):
        services = list(Service.objects.all())
        op = rng.choice(["create", "change", "change", "delete", "bulk", "update", "qs_delete"])
        if op == "create" or not services:
            Service.objects.create(**{
                f: getattr(new_service(rng, volunteers), f)
                for f in ("volunteer", "province_id", "date", "service_type", "target_group",
                          "people_served")
            })  # fmt: skip
        elif op == "change":
            s = rng.choice(services)
            field = rng.choice(["date", "service_type", "target_group", "people", "volunteer"])
            if field == "date":
                s.date = random_day(rng)
            elif field == "service_type":
                s.service_type = rng.choice(TYPES)
            elif field == "target_group":
                s.target_group = rng.choice(GROUPS)
            elif field == "people":
                s.people_served = rng.randint(1, 9)
            else:  # moved to a volunteer of another province
                s.volunteer = rng.choice(volunteers)
                s.province_id = s.volunteer.province_id
            s.save()
        elif op == "delete":
            rng.choice(services).delete()
        elif op == "bulk":
            Service.objects.bulk_create([new_service(rng, volunteers) for _ in range(6)])
        elif op == "update":
            pks = [s.pk for s in rng.sample(services, min(3, len(services)))]
            Service.objects.filter(pk__in=pks).update(
                service_type=rng.choice(TYPES), date=random_day(rng)
            )
        else:
            pks = [s.pk for s in rng.sample(services, min(2, len(services)))]
            Service.objects.filter(pk__in=pks).delete()
        assert stored() == fresh(), (step, op)


def test_one_service_costs_a_fixed_number_of_queries(
    volunteers, make_services, django_assert_max_num_queries
):
    make_services(volunteers[0], 50)
    s = Service(
        volunteer=volunteers[0], date=dt.date(2020, 3, 2), service_type="survey",
        target_group="elderly", people_served=2,
    )  # fmt: skip
    # insert, history, lock (PostgreSQL), one aggregate, one upsert
    with django_assert_max_num_queries(5):
        s.save()
    s.date = dt.date(2020, 4, 2)
    # + the old cell: its values, one more aggregate and write (update, not insert)
    with django_assert_max_num_queries(8):
        s.save()
    assert stored()[(s.province_id, dt.date(2020, 3, 1), "survey", "elderly")] == (50, 50)
    assert stored()[(s.province_id, dt.date(2020, 4, 1), "survey", "elderly")] == (1, 2)
    s.delete()
    assert (s.province_id, dt.date(2020, 4, 1), "survey", "elderly") not in stored()
    assert_exact()


def test_bulk_update_keeps_the_summary_exact(volunteers):
    rng = random.Random(7)
    Service.objects.bulk_create([new_service(rng, volunteers) for _ in range(20)])
    services = list(Service.objects.all())
    for s in services:
        s.people_served = rng.randint(1, 9)
        s.target_group = rng.choice(GROUPS)
    Service.objects.bulk_update(services, ["people_served", "target_group"], batch_size=7)
    assert_exact()


def test_the_pasted_table_rebuilds_the_touched_months(client_for, officer_bkk, volunteers):
    rng = random.Random(11)
    for _ in range(10):
        new_service(rng, volunteers).save()
    lines = []
    for i in range(30):
        day = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 365))
        lines.append(
            f"{volunteers[i % 2].national_id}\t{day.isoformat()}\t{rng.choice(TYPES)}"
            f"\t{rng.choice(GROUPS)}\t{rng.randint(1, 5)}\tสีลม"
        )
    response = client_for(officer_bkk).post(
        reverse("volunteers:service-bulk"), {"rows": "\n".join(lines)}
    )
    assert response.status_code == 302
    assert Service.objects.count() == 40
    assert_exact()


def test_the_services_import_rebuilds_the_touched_months(volunteers, kpi_admin):
    rng = random.Random(5)
    for _ in range(10):
        new_service(rng, volunteers).save()
    header = ["national_id", "date", "service_type", "target_group", "people_served", "area"]
    rows = [header]
    for i in range(25):
        day = dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 300))
        v = volunteers[i % 3]
        rows.append([v.national_id, day.isoformat(), rng.choice(TYPES), rng.choice(GROUPS),
                     str(rng.randint(1, 5)), f"ต.{i}"])  # fmt: skip
    result = engine.run(ServiceResource(user=kpi_admin), csv_bytes(rows), "s.csv", dry_run=False)
    assert result.applied and result.new == 25, [str(e) for e in result.errors]
    assert_exact()
    # the same file with other head counts: updates, still exact
    for row in rows[1:]:
        row[4] = str(int(row[4]) + 3)
    result = engine.run(ServiceResource(user=kpi_admin), csv_bytes(rows), "s.csv", dry_run=False)
    assert result.applied and result.updated == 25
    assert_exact()


def test_the_import_hook_rebuilds_rows_written_behind_the_orm(volunteers):
    """The import's COPY path bypasses the ORM: after_apply alone must make the summary exact."""
    s = Service.objects.create(
        volunteer=volunteers[0], date=dt.date(2020, 5, 5), service_type="help",
        target_group="children", people_served=4,
    )  # fmt: skip
    ServiceMonthly.objects.all().delete()  # as if the rows had arrived by COPY
    created = [{"province_id": s.province_id, "date": s.date}]
    ServiceResource().after_apply(created, [], {})
    assert_exact()


def test_the_command_rebuilds_everything_or_one_fiscal_year(volunteers):
    rng = random.Random(3)
    for _ in range(20):
        new_service(rng, volunteers).save()
    Service.objects.bulk_create(
        [Service(volunteer=volunteers[2], province_id=volunteers[2].province_id,
                 date=dt.date(2021, 1, 5), service_type="survey", target_group="other")]
    )  # fmt: skip
    right = fresh()
    ServiceMonthly.objects.filter(month__lt=dt.date(2020, 10, 1)).update(services=999)
    ServiceMonthly.objects.filter(month__gte=dt.date(2020, 10, 1)).delete()
    call_command("rebuild_service_summary", "--year", "2563")
    in_2563 = {
        k: v for k, v in right.items() if dt.date(2019, 10, 1) <= k[1] < dt.date(2020, 10, 1)
    }
    got = stored()
    assert {k: v for k, v in got.items() if k[1] < dt.date(2020, 10, 1)} == {
        k: v for k, v in right.items() if k[1] < dt.date(2020, 10, 1) and k in in_2563
    } | {k: (999, v[1]) for k, v in right.items() if k[1] < dt.date(2019, 10, 1)}
    assert not any(k[1] >= dt.date(2020, 10, 1) for k in got)  # other years left alone
    call_command("rebuild_service_summary")
    assert_exact()


def test_the_data_migration_fills_the_summary_of_existing_records(volunteers):
    rng = random.Random(9)
    for _ in range(15):
        new_service(rng, volunteers).save()
    ServiceMonthly.objects.all().delete()
    migration = importlib.import_module("volunteers.migrations.0003_service_monthly")
    migration.fill_summary(django_apps, None)
    assert_exact()


# -- the pages show what the records say -----------------------------------------------------


def raw(keys, start, end, province=None) -> dict:
    """The pages' figures as they were computed before the summary: from Service directly."""
    qs = Service.objects.filter(date__gte=start, date__lte=end)
    if province is not None:
        qs = qs.filter(province=province)
    qs = qs.annotate(month=TruncMonth("date")).values(*keys)
    return {
        tuple(_day(r[k]) for k in keys): [r["n"], r["p"]]
        for r in qs.annotate(n=Count("id"), p=Sum("people_served")).order_by()
    }


@pytest.fixture
def many(volunteers):
    rng = random.Random(2563)
    Service.objects.bulk_create([new_service(rng, volunteers) for _ in range(300)])
    return volunteers


@pytest.mark.parametrize(
    "as_of",
    [dt.date(2020, 9, 30), dt.date(2020, 3, 17), dt.date(2020, 2, 29), dt.date(2019, 10, 1)],
)
def test_totals_match_the_records_for_any_as_of(many, bangkok, as_of):
    start, _ = fiscal_year_bounds(2563)
    for keys in [("service_type",), ("month", "service_type"), ("province_id", "service_type"),
                 ("target_group",), ("province_id", "month", "service_type", "target_group")]:  # fmt: skip
        assert summary.totals(keys, start, as_of) == raw(keys, start, as_of), keys
        assert summary.totals(keys, start, as_of, bangkok) == raw(keys, start, as_of, bangkok)
    # a start that is not the 1st of a month: its days come from the records too
    assert summary.totals(("month",), dt.date(2019, 10, 15), as_of) == raw(
        ("month",), dt.date(2019, 10, 15), as_of
    )


def test_the_field_report_shows_the_records_figures(many, bangkok):
    as_of = dt.date(2020, 6, 12)
    start, _ = fiscal_year_bounds(2563)
    for province in (None, bangkok):
        data = report.build(2563, as_of, province=province)
        by_type = raw(("service_type",), start, as_of, province)
        assert [(r.services, r.people) for r in data.by_type] == [
            tuple(by_type.get((t,), (0, 0))) for t in TYPES
        ]
        by_group = raw(("target_group",), start, as_of, province)
        assert [(r.services, r.people) for r in data.by_group] == [
            tuple(by_group.get((g,), (0, 0))) for g in GROUPS
        ]
        by_province = raw(("province_id",), start, as_of, province)
        assert sorted((r.services, r.people) for r in data.by_province) == sorted(
            tuple(v) for v in by_province.values()
        )
        by_month = raw(("month",), start, as_of, province)
        assert sum(r.services for r in data.by_month) == sum(v[0] for v in by_month.values())
        assert [r.services for r in data.by_month][:9] == [
            by_month.get((dt.date(2019 + (m > 12), (m - 1) % 12 + 1, 1),), [0])[0]
            for m in range(10, 19)
        ]
    assert report.build(2563, as_of, nothing=True).total.services == 0


def test_the_national_dashboard_shows_the_records_figures(client_for, manager, many):
    start, end = fiscal_year_bounds(2563)
    response = client_for(manager).get(reverse("volunteers:home") + "?year=2563")
    chart = response.context["chart_json"]
    grid = raw(("month", "service_type"), start, end)
    months = [dt.date(2019, 10, 1)]
    while len(months) < 12:
        months.append(summary.next_month(months[-1]))
    for value, series in zip(TYPES, chart["types"], strict=True):
        assert series["data"] == [grid.get((m, value), [0])[0] for m in months]
    assert response.context["services_total"] == sum(v[0] for v in grid.values())


def test_the_plan_counts_services_and_people_as_the_records_do(many, bangkok):
    plan = Plan.objects.create(title="แผน")
    for province in (None, bangkok):
        PlanTarget.objects.create(
            plan=plan, fiscal_year=2563, measure=Measure.SERVICES, planned=10**6, province=province
        )
        PlanTarget.objects.create(
            plan=plan, fiscal_year=2563, measure=Measure.SERVICES, planned=10**6,
            province=province, service_type="referral",
        )  # fmt: skip
        PlanTarget.objects.create(
            plan=plan, fiscal_year=2563, measure=Measure.PEOPLE_SERVED, planned=10**6,
            province=province,
        )  # fmt: skip
    as_of = dt.date(2020, 4, 20)
    start, _ = fiscal_year_bounds(2563)
    for t in plan_mod.compute(plan, 2563, as_of).targets:
        got = raw(("service_type",), start, as_of, t.target.province)
        if t.target.service_type:
            want = got.get((t.target.service_type,), [0])[0]
        else:
            want = sum(v[0 if t.target.measure == Measure.SERVICES else 1] for v in got.values())
        assert t.actual == want, t.target
