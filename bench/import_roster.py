"""Benchmark: import a generated roster through the import service, then import it again.

    .venv/bin/python bench/import_roster.py --units 100000 [--format csv|xlsx] [--keep]

Runs against a throw-away data folder (its own SQLite database), never your real one.
The requirement is a 100,000-unit roster in under 2 minutes on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADERS = [
    "小区",
    "小区类型",
    "楼栋",
    "房号",
    "楼层",
    "面积",
    "房屋类型",
    "是否入住",
    "客户名称",
    "客户类型",
    "手机号码",
    "电子邮箱",
]
UNITS_PER_ESTATE = 5000
UNITS_PER_BUILDING = 250


def roster_rows(units: int):
    for i in range(units):
        estate = f"翠湖花园{i // UNITS_PER_ESTATE + 1:02d}期"
        building = f"{(i % UNITS_PER_ESTATE) // UNITS_PER_BUILDING + 1}栋"
        floor = (i % UNITS_PER_BUILDING) // 8 + 1
        number = f"{floor}{i % 8 + 1:02d}"
        yield [
            estate,
            "住宅",
            building,
            number,
            floor,
            f"{60 + i % 90}.5",
            "住宅",
            "是" if i % 5 else "否",
            f"业主{i:06d}",
            "业主" if i % 3 else "租户",
            f"13{i % 10}{i:08d}",
            "",
        ]


def write_roster(path: Path, units: int, fmt: str) -> None:
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(roster_rows(units))
        return
    import xlsxwriter

    # Shared strings, as Excel itself saves them (constant_memory would write inline strings,
    # which openpyxl reads about twice as slowly).
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for col, header in enumerate(HEADERS):
        sheet.write_string(0, col, header)
    for r, row in enumerate(roster_rows(units), start=1):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            elif value:
                sheet.write_string(r, col, value)
    book.close()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="estatedesk-bench-"))
    # Must be set before Django reads its settings.
    os.environ["ESTATEDESK_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "estatedesk.settings"
    # The queued task goes to the throw-away queue; the benchmark runs the job itself, timed.
    os.environ["HUEY_IMMEDIATE"] = "0"
    sys.path.insert(0, str(ROOT))
    try:
        import django

        django.setup()
        from django.core.files import File
        from django.core.management import call_command

        from estatedesk.org import import_service, importer, services
        from estatedesk.org.models import Customer, ImportJob, Occupancy, Unit

        call_command("migrate", verbosity=0)
        admin = services.save_staff(
            actor=None,
            staff=None,
            username="bench",
            display_name="bench",
            role="admin",
            estates=[],
            departments=[],
        ).user

        roster = data_dir / f"roster.{args.format}"
        started = time.perf_counter()
        write_roster(roster, args.units, args.format)
        print(
            f"roster: {args.units:,} units, {args.format}, {roster.stat().st_size / 1e6:.1f} MB "
            f"(written in {time.perf_counter() - started:.1f} s)"
        )

        started = time.perf_counter()
        parsed = importer.parse_file(roster, roster.name)
        parse_seconds = time.perf_counter() - started
        print(
            f"parse only: {parse_seconds:.1f} s, {len(parsed.rows):,} good rows, {len(parsed.errors)} rejected"
        )
        del parsed

        def run(label: str) -> ImportJob:
            with roster.open("rb") as fh:
                job = import_service.create_job(actor=admin, upload=File(fh, name=roster.name), language="en")
            started, cpu = time.perf_counter(), time.process_time()
            import_service.run_job(job.pk)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            job.refresh_from_db()
            # CPU seconds too: on a shared machine the wall clock also counts other people's work.
            print(
                f"{label}: {seconds:.1f} s ({cpu:.1f} s CPU), {job.total_rows / seconds:,.0f} rows/s"
                f" — status {job.status}, "
                f"created {job.created_count:,}, updated {job.updated_count:,}, "
                f"unchanged {job.unchanged_count:,}, rejected {job.rejected_count:,}"
            )
            if job.message:
                print(f"  message: {job.message}")
            return job

        run("first import")
        print(
            f"  in the database: {Unit.objects.count():,} units, {Customer.objects.count():,} customers, "
            f"{Occupancy.objects.count():,} occupancies, "
            f"{Unit.history.count() + Customer.history.count() + Occupancy.history.count():,} history rows"
        )
        run("re-import")
        print(
            f"  in the database: {Unit.objects.count():,} units, {Customer.objects.count():,} customers, "
            f"{Occupancy.objects.count():,} occupancies"
        )
    finally:
        if args.keep:
            print(f"data kept in {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
