"""Benchmark of the volunteers pages at national scale: 400,000 volunteers and 2,000,000 service
records in a separate PostgreSQL database, then list-page and dashboard timings.

    .venv/bin/python benchmarks/volunteers_pages.py            # load once, then time
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kpi_volunteers_bench \
        .venv/bin/python benchmarks/volunteers_pages.py --reload

The database is created if missing and migrated; data is loaded with COPY (volunteers) and one
INSERT … SELECT generate_series (services, specialties), so loading takes a minute or two; the
monthly service summary is then rebuilt (and rebuilt on reuse if it does not add up), and
checked cell by cell against the records before the pages are timed.
It never touches the project's own database.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kpi_volunteers_bench"
)
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpitracker.settings")

N_VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", 400_000))
N_SERVICES = int(os.environ.get("BENCH_SERVICES", 2_000_000))


def ensure_database():
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(BENCH_URL)
    with psycopg.connect(
        host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], dbname="postgres",
        autocommit=True,
    ) as conn:  # fmt: skip
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def load(reload: bool):
    import datetime as dt
    import random

    from django.db import connection

    from core.models import Province
    from core.nationalid import make_valid
    from volunteers import summary
    from volunteers.models import Service, Volunteer

    have_v = Volunteer.objects.count()
    have_s = Service.objects.count()
    if not reload and have_v >= N_VOLUNTEERS and have_s >= N_SERVICES:
        print(f"data present: {have_v:,} volunteers, {have_s:,} services")
        ensure_summary(have_s)
        with connection.cursor() as c:
            c.execute("VACUUM ANALYZE volunteers_service")
            c.execute("VACUUM ANALYZE volunteers_servicemonthly")
        return
    t0 = time.perf_counter()
    with connection.cursor() as c:
        c.execute(
            "TRUNCATE volunteers_service, volunteers_volunteerspecialty, "
            "volunteers_lessoncompletion, volunteers_enrolment, volunteers_volunteer, "
            "volunteers_plantarget, volunteers_plan RESTART IDENTITY CASCADE"
        )
    provinces = list(Province.objects.values_list("pk", "code"))
    bkk = next(pk for pk, code in provinces if code == "10")
    rng = random.Random(2563)
    cols = (
        "national_id, title, first_name, last_name, birth_date, sex, phone, province_id, district, "
        "sub_district, kind, status, training_path, trained_on, certificate_number, "
        "registration_number, registered_on, card_number, card_issued_on, card_expires_on, "
        "is_demo, created_at"
    )
    today = dt.date.today()
    with (
        connection.cursor() as c,
        c.cursor.copy(f"COPY volunteers_volunteer ({cols}) FROM STDIN") as copy,
    ):
        for i in range(1, N_VOLUNTEERS + 1):
            # Bangkok a little larger than the rest
            pid, code = (bkk, "10") if i % 20 == 0 else provinces[i % len(provinces)]
            trained = i % 10 < 7
            day = (
                dt.date(2019, 10, 1) + dt.timedelta(days=rng.randint(0, 1095)) if trained else None
            )
            issued = day
            copy.write_row(
                (
                    make_valid(f"8{i:011d}"), "นาย" if i % 2 else "นาง",
                    f"ชื่อ{i % 997}", f"สกุล{i}", dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                    "M" if i % 2 else "F", f"08{i:08d}", pid, f"อำเภอ{i % 15}", f"ตำบล{i % 60}",
                    "bangkok" if code == "10" else "province",
                    "active" if trained else ("applicant" if i % 10 == 7 else "training"),
                    ("workshop" if i % 3 else "elearning") if trained else "",
                    day, f"ว{code}-B-{i:07d}" if trained else None,
                    f"{code}-B-{i:07d}" if trained else None, day,
                    f"บ{code}-B-{i:07d}" if trained else None, issued,
                    (issued.replace(year=issued.year + 4) - dt.timedelta(days=1)) if trained else None,
                    False, today,
                )
            )  # fmt: skip
    t1 = time.perf_counter()
    print(f"volunteers: {N_VOLUNTEERS:,} in {t1 - t0:.1f} s (COPY)")
    with connection.cursor() as c:
        c.execute(
            """
            INSERT INTO volunteers_volunteerspecialty (volunteer_id, specialty_id, since)
            SELECT v.id, s.id, DATE '2019-10-01' + (v.id % 700)::int
            FROM volunteers_volunteer v
            JOIN volunteers_specialty s ON s.sort_order = 1 + (v.id % 6)
            WHERE v.id % 5 < 2
            """
        )
        c.execute(
            """
            INSERT INTO volunteers_service
                (volunteer_id, province_id, date, service_type, target_group, people_served,
                 person_name, area, note)
            SELECT v.id, v.province_id, DATE '2019-10-01' + (g %% 1095),
                   (ARRAY['survey','screening','help','referral','follow_up','publicity'])[1 + g %% 6],
                   (ARRAY['children','elderly','disabled','women_family','destitute','low_income',
                          'other'])[1 + (g / 7) %% 7],
                   1 + g %% 4, '', 'ตำบล' || (g %% 60), ''
            FROM generate_series(1, %s) AS g
            JOIN volunteers_volunteer v ON v.id = 1 + ((g::bigint * 7919) %% %s)
            """,
            [N_SERVICES, N_VOLUNTEERS],
        )
    t2 = time.perf_counter()
    print(f"specialties + services: {N_SERVICES:,} in {t2 - t1:.1f} s (INSERT … SELECT)")
    rows = summary.rebuild()  # rows written behind the ORM: rebuild, as an import does
    print(f"monthly summary: {rows:,} rows in {time.perf_counter() - t2:.1f} s (rebuild)")
    with connection.cursor() as c:
        c.execute("VACUUM ANALYZE")  # visibility map: index-only scans, as autovacuum would


def ensure_summary(have_s: int):
    """Data loaded before the summary existed (or written behind it): rebuild it."""
    from django.db.models import Sum

    from volunteers import summary
    from volunteers.models import ServiceMonthly

    if ServiceMonthly.objects.aggregate(n=Sum("services"))["n"] != have_s:
        t = time.perf_counter()
        rows = summary.rebuild()
        print(f"monthly summary: {rows:,} rows in {time.perf_counter() - t:.1f} s (rebuild)")


def check_summary():
    """The summary equals a fresh aggregate of FY2563's records, cell by cell."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth

    from core.thaidate import fiscal_year_bounds
    from volunteers import summary
    from volunteers.models import Service

    start, end = fiscal_year_bounds(2563)
    keys = ("province_id", "month", "service_type", "target_group")
    t = time.perf_counter()
    fresh = {
        (r["province_id"], r["month"], r["service_type"], r["target_group"]): [r["n"], r["p"]]
        for r in Service.objects.filter(date__gte=start, date__lte=end)
        .annotate(month=TruncMonth("date"))
        .values(*keys)
        .annotate(n=Count("id"), p=Sum("people_served"))
        .order_by()
    }
    t_raw = time.perf_counter() - t
    t = time.perf_counter()
    got = summary.totals(keys, start, end)
    t_sum = time.perf_counter() - t
    assert got == fresh, "summary differs from the records"
    print(
        f"summary check FY2563: {len(got):,} cells equal to the records "
        f"(records {t_raw * 1000:.0f} ms, summary {t_sum * 1000:.0f} ms)"
    )


def time_writes(runs: int):
    """One service recorded (and its summary cell recomputed), then changed, then deleted."""
    import datetime as dt

    from django.db import transaction

    from volunteers.models import Service, Volunteer

    v = Volunteer.objects.filter(province__code="50").order_by("id").first()
    times = {"create": [], "change": [], "delete": []}
    for _ in range(runs):
        with transaction.atomic():
            t = time.perf_counter()
            s = Service.objects.create(
                volunteer=v, date=dt.date(2020, 3, 2), service_type="help",
                target_group="elderly", people_served=2,
            )  # fmt: skip
            times["create"].append(time.perf_counter() - t)
            t = time.perf_counter()
            s.date = dt.date(2020, 4, 2)
            s.save()
            times["change"].append(time.perf_counter() - t)
            t = time.perf_counter()
            s.delete()
            times["delete"].append(time.perf_counter() - t)
            transaction.set_rollback(True)
    print(
        "service write with its summary cell (median ms): "
        + ", ".join(f"{k} {statistics.median(v) * 1000:.1f}" for k, v in times.items())
    )


def make_plan():
    from core.models import Province
    from volunteers.models import Measure, Plan, PlanTarget, Specialty

    if Plan.objects.filter(title__startswith="[benchmark]").exists():
        return
    plan = Plan.objects.create(title="[benchmark] แผน 3 ปี", approved_on="2019-12-20")
    elderly = Specialty.objects.get(code="elderly")
    targets = []
    for p in Province.objects.all():
        targets += [
            PlanTarget(plan=plan, fiscal_year=2563, measure=Measure.TRAINED, province=p, planned=1500),
            PlanTarget(plan=plan, fiscal_year=2563, measure=Measure.SERVICES, province=p, planned=8000),
        ]  # fmt: skip
    targets += [
        PlanTarget(plan=plan, fiscal_year=2563, measure=Measure.SPECIALISTS, specialty=elderly, planned=9000),
        PlanTarget(plan=plan, fiscal_year=2563, measure=Measure.PEOPLE_SERVED, planned=1_500_000),
    ]  # fmt: skip
    PlanTarget.objects.bulk_create(targets)


def time_pages(runs: int):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from core import demo, roles
    from core.models import Province
    from volunteers.models import Plan, Volunteer

    setup_test_environment()
    cm = Province.objects.get(code="50")
    officer = demo.make_user("bench-officer-cm", "บ", "ช", roles.PROVINCIAL_OFFICER, province=cm)
    manager = demo.make_user("bench-manager", "บ", "ผ", roles.MANAGER)
    plan = Plan.objects.get(title__startswith="[benchmark]")
    v_cm = Volunteer.objects.filter(province=cm).order_by("-id").values_list("pk", flat=True)[5]
    pages = [
        ("officer", "รายชื่อ อพม. (จังหวัด)", reverse("volunteers:list")),
        ("officer", "รายชื่อ กรอง สถานะ+ความเชี่ยวชาญ", reverse("volunteers:list") + "?status=active&specialty=2"),
        ("officer", "บัตรใกล้หมดอายุ", reverse("volunteers:expiring")),
        ("officer", "หน้า อพม. รายคน", reverse("volunteers:detail", args=[v_cm])),
        ("officer", "แดชบอร์ดจังหวัด", reverse("volunteers:home") + "?year=2563"),
        ("officer", "รายการบริการ", reverse("volunteers:service-list")),
        ("officer", "รายงานผลการช่วยเหลือ (จังหวัด)", reverse("volunteers:report") + "?year=2563"),
        ("manager", "รายชื่อ อพม. (ทั้งประเทศ)", reverse("volunteers:list")),
        ("manager", "รายชื่อ หน้า 200", reverse("volunteers:list") + "?page=200"),
        ("manager", "รายชื่อ ค้นหาชื่อ", reverse("volunteers:list") + "?q=ชื่อ12"),
        ("manager", "แดชบอร์ดทั้งประเทศ", reverse("volunteers:home") + "?year=2563"),
        ("manager", "แดชบอร์ด เลือกจังหวัด", reverse("volunteers:home") + "?year=2563&province=50"),
        ("manager", "รายการบริการ (ทั้งประเทศ)", reverse("volunteers:service-list")),
        ("manager", "แผน 3 ปี (154 เป้าหมาย)", reverse("volunteers:plan-detail", args=[plan.pk]) + "?year=2563"),
        ("manager", "รายงานผลการช่วยเหลือ (ทั้งประเทศ)", reverse("volunteers:report") + "?year=2563"),
    ]  # fmt: skip
    clients = {"officer": Client(), "manager": Client()}
    clients["officer"].force_login(officer)
    clients["manager"].force_login(manager)
    print(f"\n{'page':<40} {'user':<8} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    worst = 0.0
    for who, label, url in pages:
        client = clients[who]
        response = client.get(url)  # warm
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t) * 1000)
        med = statistics.median(times)
        worst = max(worst, med)
        print(
            f"{label:<40} {who:<8} {med:>10.0f} {max(times):>8.0f} {len(ctx.captured_queries):>8}"
        )
    print(f"\nslowest median: {worst:.0f} ms (goal < 300 ms)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reload", action="store_true", help="truncate and load again")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    load(args.reload)
    make_plan()
    check_summary()
    time_writes(args.runs)
    time_pages(args.runs)


if __name__ == "__main__":
    main()
