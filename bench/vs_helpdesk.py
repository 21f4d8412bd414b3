"""EstateDesk side by side with django-helpdesk 2.6.1, the same work on both in one run.

    .venv/bin/python bench/vs_helpdesk.py [--peer-rows 100000] [--rows 1000000] [--repeat 5]
    .venv/bin/python bench/vs_helpdesk.py --peer-rows 2000 --rows 10000 --keep   # prints the folder
    .venv/bin/python bench/vs_helpdesk.py --reuse FOLDER       # time again, no reinstall or refill
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_vs .venv/bin/python bench/vs_helpdesk.py

1. Makes a throw-away virtualenv in a temporary folder and installs django-helpdesk==2.6.1 into
   it from the package index with pip (psycopg too when DATABASE_URL is given), then writes a
   minimal Django project for it (``sidebyside/helpdesk_project.py``: settings and urls, SQLite
   with the same options as ours, or PostgreSQL). Nothing of django-helpdesk enters our tree.
2. Fills both, at the same time, each in its own process: the peer with --peer-rows tickets in
   five queues over twelve months, one follow-up each and one ticket with ten
   (``sidebyside/helpdesk_serve.py``); EstateDesk with --rows complaints over twelve months
   with follow-up visits, as ``bench/reports.py`` fills, and one complaint with ten timeline
   events (``sidebyside/ours_serve.py``). With DATABASE_URL (a database name containing
   "bench") ours is that database and the peer's is the same name with ``_peer`` added; both
   are dropped and created again.
3. Starts one serving process per side, each a long-lived interpreter of its own (the peer's
   virtualenv, ours) that takes commands on stdin and makes whole requests with Django's test
   client in-process (middleware, sessions, permission checks, SQL, templates), timed inside
   the process. Each measure is run interleaved, peer then ours, ours then peer, --repeat
   times after one warm-up, and the median is kept.
4. Prints one table, measure | peer | EstateDesk | ratio | goal | met, with the rows of each
   side, the database, and the load average at start and end.

What is compared with what (docs/decisions/0054-side-by-side-bench.md says why it is fair):
the peer's public ticket form POST against our resident portal form POST and our API create
(per second, --submits one after another); the peer's staff ticket list of one queue's open
tickets (the page and the data request its table makes, 50 rows) against our department
list filtered by status as the handler of one estate; the peer's ticket with ten follow-ups
against our complaint with ten timeline events; the peer's dashboard against the deputy GM's
dashboard; the peer's cheapest report (each tried once, the fastest kept) against the
deputy GM drafting a department's last month (the POST and the draft page it opens); the
serving processes' own peak memory (VmHWM) after the run; and working-day deadlines over
distinct (day, N) questions: ``holidays``'s ``get_nth_working_day`` against our engine's
``add_working_days``, each on a calendar built afresh per round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SIDE = HERE / "sidebyside"
PEER = "django-helpdesk==2.6.1"

sys.path.insert(0, str(SIDE))

from helpdesk_project import write_project  # noqa: E402 - found through the line above


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


# --- The two sides ------------------------------------------------------------------------------


class Server:
    """A serving process; ``call`` sends one command and waits for its answer."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.process = subprocess.Popen(  # noqa: S603 - our own scripts
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1
        )

    def call(self, op: str, **args: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"op": op, "args": args}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.name} stopped (exit {self.process.wait()})")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"{self.name} {op}:\n{answer['error']}")
        return answer["ok"]

    def close(self) -> None:
        try:
            self.call("quit")
        finally:
            self.process.wait(timeout=30)


def peer_database_url(url: str) -> str:
    base, name = url.rsplit("/", 1)
    name, _sep, query = name.partition("?")
    return f"{base}/{name}_peer" + (f"?{query}" if query else "")


def prepare_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    if "bench" not in name:
        sys.exit(f"refusing to drop {name!r}: the benchmark database's name must contain 'bench'")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def install_peer(folder: Path, postgres: bool) -> Path:
    python = folder / "venv" / "bin" / "python"
    packages = [PEER, *(["psycopg[binary]"] if postgres else [])]
    if python.exists():
        # A kept folder: install only what a PostgreSQL run needs and a SQLite run did not.
        check = "import helpdesk" + ("; import psycopg" if postgres else "")
        if subprocess.run([str(python), "-c", check], capture_output=True).returncode == 0:  # noqa: S603
            return python
    else:
        subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True)  # noqa: S603
    started = time.perf_counter()
    pip = subprocess.run(  # noqa: S603 - pip, by package name from the index
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *packages],
        capture_output=True,
        text=True,
    )
    if pip.returncode != 0:
        sys.exit(f"pip could not install {' '.join(packages)}:\n{pip.stdout}{pip.stderr}")
    print(
        f"installed {' '.join(packages)} into a throw-away virtualenv in {time.perf_counter() - started:.0f} s"
    )
    return python


@dataclass
class Sides:
    peer_python: Path
    peer_env: dict[str, str]
    peer_info: Path
    ours_env: dict[str, str]
    ours_data: Path


def sides(folder: Path, peer_rows: int, rows: int, reuse: bool) -> Sides:
    url = os.environ.get("DATABASE_URL", "")
    peer_python = install_peer(folder, bool(url))
    project = write_project(folder / "helpdesk")
    peer_env = {
        **os.environ,
        "PYTHONPATH": f"{project}{os.pathsep}{SIDE}",
        "DJANGO_SETTINGS_MODULE": "helpdesk_site.settings",
        "PYTHONWARNINGS": "ignore::RuntimeWarning",  # its reports' naive datetimes, once per row
    }
    peer_env.pop("DATABASE_URL", None)
    if url:
        peer_env["PEER_DATABASE_URL"] = peer_database_url(url)
    ours_data = folder / "estatedesk"
    ours_data.mkdir(exist_ok=True)
    ours_env = {**os.environ, "HUEY_IMMEDIATE": "0"}
    peer_info = folder / "helpdesk" / "info.json"
    ours_info = ours_data / "estatedesk-info.json"

    def filled(info: Path, key: str, n: int) -> bool:
        return reuse and info.exists() and json.loads(info.read_text()).get("filled") == n

    jobs = []
    if not filled(peer_info, "tickets", peer_rows):
        (folder / "helpdesk.sqlite3").unlink(missing_ok=True)
        if url:
            prepare_postgres(peer_env["PEER_DATABASE_URL"])
        argv = [str(peer_python), str(SIDE / "helpdesk_serve.py"), "fill", "--rows", str(peer_rows)]
        jobs.append(("django-helpdesk", peer_info, peer_rows, argv + ["--info", str(peer_info)], peer_env))
    if not filled(ours_info, "complaints", rows):
        for old in ours_data.iterdir():
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
        argv = [
            sys.executable,
            str(SIDE / "ours_serve.py"),
            "fill",
            "--rows",
            str(rows),
            "--data",
            str(ours_data),
        ]
        jobs.append(("EstateDesk", ours_info, rows, argv, ours_env))
    # Both fill at once, each in its own process; the filling is not what is measured.
    started = time.perf_counter()
    running = [
        (name, info, n, subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL))
        for name, info, n, argv, env in jobs
    ]  # noqa: S603
    for name, info, n, process in running:
        if process.wait() != 0:
            sys.exit(f"filling {name} failed")
        info.write_text(json.dumps({**json.loads(info.read_text()), "filled": n}))
        print(f"filled {name}: {n:,} rows ({time.perf_counter() - started:.0f} s since the start of filling)")
    return Sides(peer_python, peer_env, peer_info, ours_env, ours_data)


# --- Working-day deadlines ----------------------------------------------------------------------


def deadlines(limit: int, repeat: int) -> dict[str, Any]:
    """Working days per second over ``limit`` distinct questions (``bench/deadlines.py``'s: starts
    to the second over 2025-2026, half given in UTC, N in 1..5), each asked once per round, no
    answer remembered between questions. Each side's calendar is made once, before the rounds,
    as in use: the product compiles a calendar once per version, the peer fills its years once."""
    import holidays
    from deadlines import SHANGHAI, fresh_calendar, questions  # bench/deadlines.py

    from estatedesk.workcal.engine import OfficeHours, add_working_days

    hours = OfficeHours.parse("08:30-12:00,13:30-17:30", "Asia/Shanghai")
    pairs = questions(limit, 5, random.Random(3))
    local_days = [(s.astimezone(SHANGHAI).date(), n) for s, n in pairs]
    peer_calendar, calendar = holidays.China(years=range(2024, 2029)), fresh_calendar()
    nth = peer_calendar.get_nth_working_day
    answers = [add_working_days(s, n, calendar, hours).due.date() for s, n in pairs]  # compiles it

    def peer() -> float:
        started = time.perf_counter()
        for d, n in local_days:
            nth(d, n)
        return len(local_days) / (time.perf_counter() - started)

    def ours() -> float:
        started = time.perf_counter()
        for s, n in pairs:
            add_working_days(s, n, calendar, hours)
        return len(pairs) / (time.perf_counter() - started)

    peer_rates, our_rates = [], []
    for r in range(repeat):
        for run in (peer, ours) if r % 2 == 0 else (ours, peer):
            (peer_rates if run is peer else our_rates).append(run())
    # The same answers? (Ours is the end of the last working day; theirs is that day.) 2027 is
    # left unconfirmed in our calendar here, so only answers within 2025-2026 are compared.
    known = [(ours, d, n) for ours, (d, n) in zip(answers, local_days, strict=True) if ours.year <= 2026]
    same = sum(ours == nth(d, n) for ours, d, n in known)
    return {
        "count": len(pairs),
        "distinct": len(pairs),
        "peer": statistics.median(peer_rates),
        "ours": statistics.median(our_rates),
        "agree": same / len(known),
    }


# --- The run ------------------------------------------------------------------------------------


def interleaved(
    peer: Server, ours: Server, peer_op: str, our_op: str, repeat: int, **args: Any
) -> tuple[list[Any], list[Any]]:
    """One warm-up each, then ``repeat`` rounds, the side that goes first alternating."""
    peer.call(peer_op, **args)
    ours.call(our_op, **args)
    peer_results, our_results = [], []
    for r in range(repeat):
        if r % 2 == 0:
            peer_results.append(peer.call(peer_op, **args))
            our_results.append(ours.call(our_op, **args))
        else:
            our_results.append(ours.call(our_op, **args))
            peer_results.append(peer.call(peer_op, **args))
    return peer_results, our_results


def median_of(results: list[dict[str, Any]], key: str) -> tuple[float, int]:
    return statistics.median(r[key] for r in results), results[-1].get("queries", 0)


def run(args: argparse.Namespace, folder: Path) -> None:
    load_start = load()
    print(f"load average at start: {load_start}")
    setup = sides(folder, args.peer_rows, args.rows, args.reuse is not None)
    peer_info = setup.peer_info
    peer = Server(
        "django-helpdesk",
        [str(setup.peer_python), str(SIDE / "helpdesk_serve.py"), "serve", "--info", str(peer_info)],
        setup.peer_env,
    )
    ours = Server(
        "EstateDesk",
        [sys.executable, str(SIDE / "ours_serve.py"), "serve", "--data", str(setup.ours_data)],
        setup.ours_env,
    )
    try:
        peer_about, our_about = peer.call("describe"), ours.call("describe")
        rows: list[tuple[str, str, str, float, str, bool]] = []

        def rate_row(label: str, our_op: str) -> None:
            p, o = interleaved(peer, ours, "submit", our_op, args.repeat, n=args.submits)
            (pv, pq), (ov, oq) = median_of(p, "per_s"), median_of(o, "per_s")
            ratio = ov / pv
            rows.append((label, f"{pv:.1f}/s ({pq} q)", f"{ov:.1f}/s ({oq} q)", ratio, "≥ 4×", ratio >= 4))

        def time_row(label: str, peer_op: str, our_op: str, goal: float) -> None:
            p, o = interleaved(peer, ours, peer_op, our_op, args.repeat)
            (pv, pq), (ov, oq) = median_of(p, "ms"), median_of(o, "ms")
            ratio = ov / pv
            rows.append(
                (label, f"{pv:.1f} ms ({pq} q)", f"{ov:.1f} ms ({oq} q)", ratio, f"≤ {goal}×", ratio <= goal)
            )

        rate_row("public submit vs portal submit", "submit_portal")
        rate_row("public submit vs API create", "submit_api")
        time_row("staff list, first page, filtered", "list", "list", 0.2)
        time_row("detail, 10 follow-ups / 10 events", "detail", "detail", 0.3)
        time_row("dashboard (deputy GM's)", "dashboard", "dashboard", 0.05)
        probe = peer.call("probe_reports")
        time_row("report: peer's cheapest / monthly draft", "report", "report", 0.02)
        plain = ours.call("plain", repeat=args.repeat)
        ratio = plain["draft_ms"] / plain["plain_ms"]
        rows.append(
            (
                "monthly draft ÷ plain SQL of its counts",
                "—",
                f"{plain['draft_ms']:.1f} / {plain['plain_ms']:.1f} ms",
                ratio,
                "≤ 2×",
                ratio <= 2,
            )
        )
        peer_memory, our_memory = peer.call("memory")["peak_mib"], ours.call("memory")["peak_mib"]
        ratio = our_memory / peer_memory
        rows.append(
            (
                "peak memory of the serving process",
                f"{peer_memory:.0f} MiB",
                f"{our_memory:.0f} MiB",
                ratio,
                "≤ 0.3×",
                ratio <= 0.3,
            )
        )
    finally:
        peer.close()
        ours.close()
    d = deadlines(args.deadline_questions, args.repeat)
    ratio = d["ours"] / d["peer"]
    rows.append(
        (
            f"working-day deadlines, {d['count']:,} asked",
            f"{d['peer'] / 1000:,.0f}k/s",
            f"{d['ours'] / 1000:,.0f}k/s",
            ratio,
            "≥ 10×",
            ratio >= 10,
        )
    )
    load_end = load()
    database = our_about["vendor"] if our_about["vendor"] != "postgresql" else "PostgreSQL"
    print()
    print(
        f"django-helpdesk 2.6.1: {peer_about['rows']:,} tickets; EstateDesk: {our_about['rows']:,} complaints; "
        f"database {database} (peer: {peer_about['vendor']}); Django {our_about['django']} / {peer_about['django']}; "
        f"median of {args.repeat} interleaved runs after a warm-up; submits {args.submits} per run"
    )
    print(f"load average: start {load_start}, end {load_end} ({os.cpu_count()} cores)")
    print(
        f"serving processes at start: peer {peer_about['memory_start']:.0f} MiB, ours {our_about['memory_start']:.0f} MiB"
    )
    tried = ", ".join(f"{name} {ms:.0f}" for name, ms in probe["ms"].items())
    print(f"peer's reports tried once each (ms): {tried}; timed: {probe['cheapest']}")
    print(
        f"deadlines: {d['distinct']:,} distinct (start, N) questions, each calendar made once before the rounds; "
        f"our answers equal holidays' on {d['agree']:.1%} of them"
    )
    print()
    widths = (42, 22, 24, 8, 7, 4)
    head = ("measure", "peer", "EstateDesk", "ratio", "goal", "met")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for label, p, o, ratio, goal, met in rows:
        cells = (label, p, o, f"{ratio:.3g}×", goal, "yes" if met else "no")
        print("| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--peer-rows", type=int, default=100_000, help="django-helpdesk tickets")
    parser.add_argument("--rows", type=int, default=1_000_000, help="EstateDesk complaints")
    parser.add_argument("--repeat", type=int, default=5, help="interleaved runs per measure (median kept)")
    parser.add_argument("--submits", type=int, default=30, help="submissions per run of a submit measure")
    parser.add_argument(
        "--deadline-questions",
        type=int,
        default=100_000,
        help="this many distinct questions (starts to the second over 2025-2026, N in 1..5)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the folder (virtualenv, filled data) and print it"
    )
    parser.add_argument(
        "--reuse",
        type=Path,
        metavar="FOLDER",
        help="a kept folder: no reinstall, no refill at the same sizes",
    )
    args = parser.parse_args()
    folder = args.reuse or Path(tempfile.mkdtemp(prefix="estatedesk-vs-helpdesk-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        run(args, folder)
    finally:
        if args.keep or args.reuse:
            print(f"folder kept: {folder} (run again with --reuse {folder})")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
