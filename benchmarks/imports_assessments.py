"""Benchmark: 100,000 assessment rows previewed and then applied, from .csv and from .xlsx.

Prints seconds, rows per second and peak memory (max RSS) for each format. Each format runs in a
fresh process against a fresh PostgreSQL database, so the figures do not mix.

    .venv/bin/python benchmarks/imports_assessments.py [--rows 100000] [--database-url URL]

Goal (issue 6): preview + apply on PostgreSQL in under 6 s from .csv and under 15 s from .xlsx,
peak memory under 500 MB.
"""

import argparse
import csv
import datetime as dt
import io
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


def setup(database_url: str) -> None:
    fresh_database(database_url)


def seed(rows: int) -> list[tuple[str, str]]:
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
    return [(r.facility.code, r.case_number) for r in residents]


def make_file(keys, fmt: str) -> bytes:
    rng = random.Random(2563)
    header = ["รหัสหน่วยงาน", "เลขทะเบียนผู้รับบริการ", "วันที่ประเมิน", "ร้อยละคะแนน"]
    body = [
        [
            code,
            number,
            f"{rng.randint(1, 28):02d}/{rng.randint(1, 9):02d}/2563",
            f"{rng.uniform(10, 100):.2f}",
        ]
        for code, number in keys
    ]
    if fmt == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([header, *body])
        return ("\ufeff" + out.getvalue()).encode()
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in body:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_one(fmt: str, rows: int, database_url: str) -> None:
    setup(database_url)
    keys = seed(rows)
    data = make_file(keys, fmt)
    from imports import engine
    from shelters.models import Assessment
    from shelters.resources import AssessmentResource

    start = time.perf_counter()
    preview = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=True)
    previewed = time.perf_counter()
    applied = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=False)
    done = time.perf_counter()
    assert preview.ok and applied.applied, applied.errors[:3]
    assert Assessment.objects.count() == rows
    again = engine.run(AssessmentResource(), data, f"bench.{fmt}", dry_run=True)
    assert again.unchanged == rows
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = done - start
    print(
        f"{fmt:>4}: {rows:,} rows, file {len(data) / 1e6:.1f} MB | preview {previewed - start:.2f} s, "
        f"apply {done - previewed:.2f} s, total {total:.2f} s ({rows / total:,.0f} rows/s) | "
        f"peak memory {peak_mb:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/kpi_bench_imports"
    )
    parser.add_argument("--format", choices=["csv", "xlsx"])
    args = parser.parse_args()
    if args.format:
        run_one(args.format, args.rows, args.database_url)
        return
    for fmt in ("csv", "xlsx"):
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--rows",
                str(args.rows),
                "--database-url",
                args.database_url,
                "--format",
                fmt,
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
