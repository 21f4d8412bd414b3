"""How long `estatedesk backup` and `estatedesk restore` take on an SQLite database of 1,000,000
complaints, how big the file is, and how much memory each needs (flat: everything is streamed).

    .venv/bin/python bench/backup_restore.py [--rows 1000000] [--files 200] [--keep]
    .venv/bin/python bench/backup_restore.py --rows 100000      # the trend

Fills a throw-away data folder: the demo company, the first 20,000 complaints written like
bench/complaints_list.py writes them (real deadlines, encrypted phones), the rest copied from
those in SQL with new numbers and portal tokens (what a backup costs depends on the bytes, not
on how varied they are), and ``--files`` uploaded photos of 100 KB. Then each command runs in a
process of its own, as an administrator runs it: the wall time, the process's peak resident
memory (its own VmHWM, bench/common.py) and the largest Python allocation peak of the command once Django is set up (tracemalloc, in the child).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_ROWS = 20_000


def prepare(data_dir: Path, rows: int, files: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    import complaints_list  # the filler of the list benchmark

    complaints_list.setup(str(data_dir))
    from django.core.management import call_command
    from django.db import connection

    from estatedesk.org import demo

    call_command("migrate", verbosity=0)
    demo.seed()
    from datetime import timedelta

    from django.db import transaction

    from estatedesk.complaints.models import Complaint

    # The filler's rows (its fill() also keeps a numbering counter this benchmark does not need).
    filler = complaints_list.Filler(min(rows, SEED_ROWS))
    step = (filler.now - timedelta(hours=1) - filler.start) / filler.rows
    with transaction.atomic():
        Complaint.objects.bulk_create(
            [filler.complaint(filler.start + step * i) for i in range(filler.rows)], batch_size=2000
        )
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA table_info(complaints_complaint)")
        columns = [row[1] for row in cursor.fetchall() if row[1] not in ("id", "number", "portal_token")]
        listed = ", ".join(f'"{c}"' for c in columns)
        cursor.execute("SELECT COUNT(*), MAX(id) FROM complaints_complaint")
        count, top = cursor.fetchone()
        while count < rows:
            take = min(count, rows - count)
            cursor.execute(
                f"INSERT INTO complaints_complaint ({listed}, number, portal_token) "  # noqa: S608 - our own column names
                f"SELECT {listed}, printf('TB-%010d', id + {top}), lower(hex(randomblob(24))) "
                f"FROM complaints_complaint ORDER BY id LIMIT {take}"
            )
            cursor.execute("SELECT COUNT(*), MAX(id) FROM complaints_complaint")
            count, top = cursor.fetchone()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    photos = data_dir / "uploads" / "complaints" / "bench"
    photos.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        (photos / f"{i:05d}.jpg").write_bytes(os.urandom(100_000))


def child(step: str, data_dir: str, file: str) -> int:
    """One command in this process, with tracemalloc on; its peaks go to stdout as a JSON line."""
    import tracemalloc

    sys.path.insert(0, str(ROOT))
    tracemalloc.start()
    from estatedesk import cli

    # Django set up first, and its ~60 MB of modules subtracted, so that the peak is the
    # command's own (cli.main sets up Django again: a no-op).
    cli.use_data_dir(data_dir)
    cli._setup_django()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    argv = (
        ["backup", "--data-dir", data_dir, file]
        if step == "backup"
        else ["restore", file, "--data-dir", data_dir]
    )
    code = cli.main(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from common import peak_rss_mib

    print(
        json.dumps(
            {"tracemalloc_peak": tracemalloc.get_traced_memory()[1] - baseline, "vmhwm_mib": peak_rss_mib()}
        )
    )
    return code


def measure(step: str, data_dir: Path, file: Path) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(ROOT)
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--step", step, "--data-dir", str(data_dir), "--file", str(file)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None
    output = proc.stdout.read()
    _pid, status, _usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{step} failed:\n{output}")
    lines = output.strip().splitlines()
    figures = json.loads([line for line in lines if line.startswith("{")][-1])
    summary = [line for line in lines if "tables" in line and ("hold" in line or "differ" in line)]
    return {
        "seconds": seconds,
        # The command's own VmHWM (bench/common.py), not the ru_maxrss that wait4 reports.
        "max_rss_mb": figures["vmhwm_mib"],
        "tracemalloc_peak_mb": figures["tracemalloc_peak"] / 1024 / 1024,
        "summary": summary[0] if summary else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=200, help="uploaded photos of 100 KB")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folders")
    parser.add_argument("--step", choices=["backup", "restore"], help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        return child(args.step, args.data_dir, args.file)
    if os.environ.get("DATABASE_URL"):
        sys.exit("this benchmark measures SQLite; unset DATABASE_URL")

    scratch = Path(tempfile.mkdtemp(prefix="estatedesk-bench-backup-"))
    source, target, file = scratch / "source", scratch / "restored", scratch / "backup.zip"
    try:
        started = time.perf_counter()
        prepared = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); "
                f"import backup_restore as b; from pathlib import Path; "
                f"b.prepare(Path({str(source)!r}), {args.rows}, {args.files})",
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
        if prepared.returncode != 0:
            return prepared.returncode
        database = source / "estatedesk.sqlite3"
        db = sqlite3.connect(database)
        complaints = db.execute("SELECT COUNT(*) FROM complaints_complaint").fetchone()[0]
        db.close()
        print(
            f"filled in {time.perf_counter() - started:.0f} s: {complaints:,} complaints, "
            f"database {database.stat().st_size / 1024 / 1024:.0f} MB, {args.files} photos of 100 KB"
        )

        made = measure("backup", source, file)
        print(
            f"backup:  {made['seconds']:6.1f} s  file {file.stat().st_size / 1024 / 1024:.0f} MB  "
            f"peak RSS {made['max_rss_mb']:.0f} MB  tracemalloc peak {made['tracemalloc_peak_mb']:.1f} MB"
        )
        back = measure("restore", target, file)
        print(
            f"restore: {back['seconds']:6.1f} s  "
            f"peak RSS {back['max_rss_mb']:.0f} MB  tracemalloc peak {back['tracemalloc_peak_mb']:.1f} MB"
        )
        print(f"         {back['summary'].strip()}")
    finally:
        if args.keep:
            print(f"kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
