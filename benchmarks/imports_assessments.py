"""Benchmark: 100,000 assessment rows previewed and then applied, from .csv and from .xlsx, beside
the floor of the same write done by hand, in the same run.

The product: what an admin's upload costs, ``engine.run(dry_run=True)`` (the preview) then
``engine.run(dry_run=False)`` (the confirm), each with a fresh resource as the views make them.
The anchor (the floor): the same 100,000 rows, their values already known, written by hand in
one transaction: COPY into shelters_assessment, then the history rows with one INSERT … SELECT
from the new rows, and the commit. Between the two the tables are emptied (TRUNCATE), so both
write into the same empty tables over the same seeded residents. Prints both, the ratio
product ÷ anchor of each run with the load average (1 minute) before it, and the run whose ratio
is the median; for .xlsx its median product's ratio to the .csv one too. Each format runs in a
fresh process against a fresh PostgreSQL database, so the figures do not mix. Whatever the
database does on a write into shelters_assessment (its indexes, any trigger) the anchor's COPY
pays as the product's does.

    .venv/bin/python benchmarks/imports_assessments.py [--rows 100000] [--runs 3]
        [--database-url URL] [--format csv|xlsx]

Goals (issue 16): .csv ≤ 1.5× the anchor; .xlsx ≤ 1.3× the .csv figure.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _fresh import fresh_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kpi_imports_bench"


def seed(rows: int) -> list[tuple[str, str, int]]:
    from core.models import Province
    from shelters.models import Facility, Resident

    province = Province.objects.get(code="13")
    facilities = Facility.objects.bulk_create(
        Facility(
            code=f"F{n:02d}",
            name=f"หน่วยงานทดสอบ {n}",
            kind="shelter",
            province=province,
            is_demo=True,
        )
        for n in range(1, 15)
    )
    residents = [
        Resident(
            facility=facilities[n % 14],
            case_number=f"C{n:07d}",
            full_name=f"ผู้รับบริการ {n}",
            target_group="destitute",
            admitted_on=dt.date(2018, 1, 1),
        )  # fmt: skip
        for n in range(rows)
    ]
    Resident.objects.bulk_create(residents, batch_size=5000)
    return [(r.facility.code, r.case_number, r.pk) for r in residents]


def data_rows(keys) -> list[tuple[str, str, int, dt.date, str]]:
    """(facility code, case number, resident id, date, percent) of each row of the file."""
    rng = random.Random(2563)
    return [
        (code, number, pk, dt.date(2020, rng.randint(1, 9), rng.randint(1, 28)), f"{rng.uniform(10, 100):.2f}")
        for code, number, pk in keys
    ]  # fmt: skip


def make_file(rows, fmt: str) -> bytes:
    header = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่ประเมิน", "ร้อยละคะแนน"]
    body = [
        [code, number, f"{day.day:02d}/{day.month:02d}/{day.year + 543}", percent]
        for code, number, _, day, percent in rows
    ]
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text).writerows([header, *body])
        return ("\ufeff" + text.getvalue()).encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE shelters_assessment, shelters_historicalassessment")
        cursor.execute("VACUUM ANALYZE shelters_assessment")
        cursor.execute("VACUUM ANALYZE shelters_historicalassessment")
        cursor.execute("CHECKPOINT")


def anchor(rows) -> float:
    """The floor: COPY the rows, INSERT … SELECT their history rows, commit. Seconds."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shelters.models import Assessment

    history = Assessment.history.model
    tracked = [
        f.column
        for f in history._meta.concrete_fields
        if not f.name.startswith("history_") and f.column != "version"
    ]
    columns = ", ".join(tracked)
    values = [(pk, day, "", percent) for _, _, pk, day, percent in rows]
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM shelters_assessment")
        (before,) = cursor.fetchone()
        with cursor.cursor.copy(
            "COPY shelters_assessment (resident_id, assessed_on, assessor, percent) FROM STDIN"
        ) as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO shelters_historicalassessment ({columns}, history_date, "
            "history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, %s, '+', NULL FROM shelters_assessment WHERE id > %s",
            [timezone.now(), "นำเข้าข้อมูล", before],
        )
    seconds = time.perf_counter() - start
    assert Assessment.objects.count() == len(rows)
    return seconds


def product(data: bytes, fmt: str, rows: int) -> tuple[float, float]:
    """Preview then apply, as the views run them. (preview seconds, apply seconds)."""
    from imports import engine
    from shelters.models import Assessment
    from shelters.resources import AssessmentResource

    start = time.perf_counter()
    preview = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=True)
    previewed = time.perf_counter()
    applied = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=False)
    done = time.perf_counter()
    assert preview.ok and preview.new == rows, preview.errors[:3]
    assert applied.applied, applied.errors[:3]
    assert Assessment.objects.count() == rows
    assert Assessment.history.count() == rows
    return previewed - start, done - previewed


def run_one(fmt: str, rows: int, runs: int, database_url: str) -> dict:
    fresh_database(database_url)
    table = data_rows(seed(rows))
    data = make_file(table, fmt)
    from imports import engine
    from shelters.resources import AssessmentResource

    results = []
    for _ in range(runs):
        load = os.getloadavg()[0]
        empty_tables()
        floor = anchor(table)
        empty_tables()
        preview, apply = product(data, fmt, rows)
        total = preview + apply
        results.append(
            {
                "anchor": floor,
                "preview": preview,
                "apply": apply,
                "ratio": total / floor,
                "load": load,
            }
        )
    # Uploading the same file again finds every row unchanged.
    again = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=True)
    assert again.unchanged == rows, again.summary()
    # The run whose ratio is the median (the lower middle one of an even number of runs).
    ratios = sorted(r["ratio"] for r in results)
    middle = next(r for r in results if r["ratio"] == ratios[(len(ratios) - 1) // 2])
    return {
        "format": fmt,
        "rows": rows,
        "file_mb": len(data) / 1e6,
        "runs": results,
        "preview": middle["preview"],
        "apply": middle["apply"],
        "total": middle["preview"] + middle["apply"],
        "anchor": middle["anchor"],
        "ratio": middle["ratio"],
        "load": middle["load"],
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def show(result: dict, csv_total: float | None) -> None:
    runs = result["runs"]
    line = (
        f"{result['format']:>4}: {result['rows']:,} rows, file {result['file_mb']:.1f} MB | "
        f"{'median of ' + str(len(runs)) + ' runs: ' if len(runs) > 1 else ''}"
        f"product {result['total']:.2f} s (preview {result['preview']:.2f} s, apply "
        f"{result['apply']:.2f} s) | anchor (COPY + history INSERT…SELECT) {result['anchor']:.2f} s"
        f" | ratio {result['ratio']:.2f}× | load {result['load']:.2f}"
    )
    if csv_total:
        line += f" | {result['total'] / csv_total:.2f}× the csv product"
    print(f"{line} | peak memory {result['peak_mb']:.0f} MB")
    if len(runs) > 1:
        for r in runs:
            total = r["preview"] + r["apply"]
            print(
                f"      run: product {total:.2f} s (preview {r['preview']:.2f} s), anchor "
                f"{r['anchor']:.2f} s, {r['ratio']:.2f}×, load {r['load']:.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--format", choices=["csv", "xlsx"])
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.format and args.json:
        print(json.dumps(run_one(args.format, args.rows, args.runs, args.database_url)))
        return
    print(
        f"load before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}"
    )
    csv_total = None
    for fmt in [args.format] if args.format else ["csv", "xlsx"]:
        out = subprocess.run(
            [
                sys.executable, __file__, "--rows", str(args.rows), "--runs", str(args.runs),
                "--database-url", args.database_url, "--format", fmt, "--json",
            ],
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            sys.exit(out.stderr)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        show(result, csv_total if fmt == "xlsx" else None)
        if fmt == "csv":
            csv_total = result["total"]
    print(f"load after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
