"""How long the monthly report and the annual summary take to draft at 1,000,000 complaints,
next to the plain SQL that computes the same counts, and what drafting costs in memory.

    .venv/bin/python bench/reports.py [--rows 1000000] [--repeat 5] [--keep] [--explain]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reports .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --measure <kept data folder>   # time again, no refill

Fills a throw-away database exactly like ``bench/complaints_list.py`` (its ``Filler``: the
demo company and N complaints over the past twelve months, ``bulk_create`` in batches;
SQLite in a temporary data folder, or the PostgreSQL database named by DATABASE_URL,
dropped and created again, whose name must contain "bench"), plus what the reports read
and the lists do not: follow-up visits (``Visit`` rows, bulk) for seven in ten valid closed
complaints and a quarter of the other closed records, a spread of satisfaction answers (the
complaint keeps the latest one, as the visit service writes it), and a few complaints
reopened by a dissatisfied first visit (two visits each).

Then a second process — its memory is that of drafting, not of filling — times, median of
--repeat runs after one warm-up:

* ``reports.services.draft_month`` for last month (ended) and the department with the most
  complaints in it: the whole draft, figures and snapshot write (a repeated draft refreshes
  the same row); and ``monthly_figures`` alone;
* the plain SQL for the same department-month: one SELECT of conditional sums (received,
  valid, invalid, undecided, grievances, enquiries, replied, on time, reopened) and one
  GROUP BY category, hand-written, ``SUM(CASE WHEN … THEN 1 ELSE 0 END)``;
* ``reports.services_periods.draft_year`` for the year with the most complaints (it
  computes that year and the year before), ``year_figures`` alone, and ``period_figures``
  for one year;
* the plain SQL for the same company-year counts: one GROUP BY department × month with
  every measure (totals, by month, by department and department by month are sums of its
  rows) and one GROUP BY category × estate × cause × month of complaints received (category
  by month, estate by month, by cause); for one year and for two years (what the annual
  draft computes).

It checks that the drafts' counts equal the plain SQL's (an AssertionError names the
first difference), and prints per operation the median time, the SQL queries it made,
its ratio to the plain SQL and the largest Python allocation of one run (tracemalloc),
then the drafting process's peak RSS. Compare --rows 10000: the query counts must not
change, nor the annual draft's memory; the monthly draft holds the reply times and repeat
complainants of its one department-month, so its memory follows that month's complaints,
never the table's. --explain also prints each query with its time and plan.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import complaints_list  # noqa: E402 - the sibling benchmark's filler, found through the line above
from common import peak_rss_mib  # noqa: E402
from complaints_list import analyze, demo_company, setup  # noqa: E402

BATCH = 20_000
LEVELS = ["very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"]
LEVEL_WEIGHTS = [30, 45, 12, 9, 4]


# --- Filling ------------------------------------------------------------------------------------


class ReportFiller(complaints_list.Filler):
    """The lists' filler, with the follow-up answers a company that visits would have."""

    def complaint(self, received: datetime) -> Any:
        c = super().complaint(received)
        c.satisfaction = ""  # written by a visit below, not by closing
        if c.status != "closed":
            return c
        rng = self.rng
        share = 0.7 if c.kind == "complaint" and c.valid else 0.25
        if rng.random() < share:
            c.satisfaction = rng.choices(LEVELS, weights=LEVEL_WEIGHTS)[0]
            if c.kind == "complaint" and c.valid and rng.random() < 0.06:
                # Reopened by a dissatisfied first visit; the answer kept is the second.
                c.reopen_count = 1
                c.reopened_at = c.closed_at - timedelta(days=2)
        return c


def add_visits(rng: random.Random) -> int:
    """One visit per answered record (two when reopened), in bulk, ids read in chunks."""
    from django.db import transaction

    from estatedesk.complaints.models import Complaint, Visit

    answered = (
        Complaint.objects.exclude(satisfaction="")
        .order_by("pk")
        .values_list("pk", "closed_at", "satisfaction", "reopen_count", "handler_id")
    )
    made = 0
    batch: list[Visit] = []

    def flush() -> None:
        with transaction.atomic():
            Visit.objects.bulk_create(batch, batch_size=2000)
        batch.clear()

    for pk, closed_at, satisfaction, reopened, handler_id in answered.iterator(chunk_size=BATCH):
        common = {"complaint_id": pk, "visitor_id": handler_id, "method": rng.choice(["phone", "in_person"])}
        if reopened:
            batch.append(
                Visit(
                    **common,
                    visited_at=closed_at - timedelta(days=3),
                    opinion="问题没有解决。",
                    satisfaction="dissatisfied",
                )
            )
        batch.append(
            Visit(
                **common,
                visited_at=closed_at - timedelta(hours=1),
                opinion="已回访。",
                satisfaction=satisfaction,
            )
        )
        made += 1 + bool(reopened)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return made


# --- Plain SQL ----------------------------------------------------------------------------------

# Portable between SQLite and PostgreSQL: no FILTER, no date functions (months are ranges of
# received_at, computed in the company's zone like the reports do), booleans as parameters.
MONTH_TOTALS = """
SELECT
  SUM(CASE WHEN kind = 'complaint' THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND valid = %(true)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND valid = %(false)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND valid IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'grievance' THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'enquiry' THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND first_replied_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND first_replied_at IS NOT NULL AND on_time = %(true)s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN kind = 'complaint' AND reopen_count > 0 THEN 1 ELSE 0 END)
FROM complaints_complaint
WHERE department_id = %(department)s AND received_at >= %(start)s AND received_at < %(end)s
"""
MONTH_TOTAL_NAMES = ("received", "valid", "invalid", "undecided", "grievances", "enquiries")
MONTH_TOTAL_NAMES += ("replied", "on_time", "reopened")
# Counted by category id first and named after: written as a join grouped by code, SQLite's
# planner may loop over the categories and read the department-month once for each (eleven
# reads, 0.3 s at 1,000,000 complaints, once the report's old index was gone, decision 0066).
MONTH_CATEGORIES = """
SELECT cat.code, x.n
FROM (
  SELECT c.category_id, COUNT(*) AS n FROM complaints_complaint c
  WHERE c.department_id = %(department)s AND c.received_at >= %(start)s AND c.received_at < %(end)s
    AND c.kind = 'complaint'
  GROUP BY c.category_id
) x JOIN complaints_category cat ON cat.id = x.category_id
"""

# The counts of reports.measures.COUNTS, then grievances and enquiries.
PERIOD_MEASURES = """
  SUM(CASE WHEN c.kind = 'complaint' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.valid = %(true)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.valid = %(false)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.valid IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.first_replied_at IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.first_replied_at IS NOT NULL AND c.on_time = %(true)s
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.valid = %(true)s
      AND EXISTS (SELECT 1 FROM complaints_visit v WHERE v.complaint_id = c.id) THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.satisfaction <> '' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.satisfaction IN ('very_satisfied', 'satisfied')
      THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'complaint' AND c.reopen_count > 0 THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'grievance' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.kind = 'enquiry' THEN 1 ELSE 0 END)
"""
PERIOD_NAMES = ("received", "valid", "invalid", "undecided", "replied", "on_time", "valid_visited")
PERIOD_NAMES += ("answered", "satisfied", "reopened", "grievances", "enquiries")


def _month_bucket(bounds: list[datetime]) -> tuple[str, dict[str, Any]]:
    """CASE received_at … → month index 0..n-1, from the ends of all months but the last."""
    whens = " ".join(f"WHEN c.received_at < %(b{i})s THEN {i}" for i in range(len(bounds) - 1))
    params = {f"b{i}": bound for i, bound in enumerate(bounds[:-1])}
    return f"CASE {whens} ELSE {len(bounds) - 1} END", params


def _db(value: datetime) -> Any:
    """A datetime as the backend stores it (SQLite: UTC text; PostgreSQL: as it is)."""
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def plain_month(department_id: int, year: int, month: int) -> dict[str, Any]:
    from django.db import connection

    from estatedesk.reports.figures import month_bounds

    start, end = month_bounds(year, month)
    params = {"department": department_id, "start": _db(start), "end": _db(end), "true": True, "false": False}
    with connection.cursor() as cursor:
        cursor.execute(MONTH_TOTALS, params)
        row = cursor.fetchone()
        result: dict[str, Any] = {
            name: value or 0 for name, value in zip(MONTH_TOTAL_NAMES, row, strict=True)
        }
        cursor.execute(MONTH_CATEGORIES, params)
        result["by_category"] = dict(cursor.fetchall())
    return result


def plain_year(year: int) -> dict[str, Any]:
    """The counts ``period_figures(months_of_year(year))`` computes, in two SELECTs."""
    from django.db import connection

    from estatedesk.core.clock import company_zone

    # The company's month boundaries, as figures.month_bounds draws them (zone read once).
    zone = company_zone()
    starts = [datetime(year, m, 1, tzinfo=zone) for m in range(1, 13)]
    ends = [*starts[1:], datetime(year + 1, 1, 1, tzinfo=zone)]
    bucket, bucket_params = _month_bucket([_db(e) for e in ends])
    params = {
        "start": _db(starts[0]),
        "end": _db(ends[-1]),
        "true": True,
        "false": False,
        **bucket_params,
    }
    where = "c.received_at >= %(start)s AND c.received_at < %(end)s"
    by_department_month = (
        f"SELECT c.department_id, {bucket} AS m, {PERIOD_MEASURES} "  # noqa: S608 - our own text
        f"FROM complaints_complaint c WHERE {where} GROUP BY c.department_id, m"
    )
    breakdown = (
        f"SELECT cat.code, c.estate_id, c.cause, {bucket} AS m, COUNT(*) "  # noqa: S608
        "FROM complaints_complaint c JOIN complaints_category cat ON cat.id = c.category_id "
        f"WHERE {where} AND c.kind = 'complaint' GROUP BY cat.code, c.estate_id, c.cause, m"
    )
    zero = dict.fromkeys(PERIOD_NAMES, 0)
    totals = dict(zero)
    by_month = [dict(zero) for _ in range(12)]
    by_department: dict[int, dict[str, int]] = {}
    department_by_month: dict[int, list[int]] = {}
    category_by_month: dict[str, list[int]] = {}
    estate_by_month: dict[int, list[int]] = {}
    by_cause: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(by_department_month, params)
        for department_id, m, *values in cursor.fetchall():
            department = by_department.setdefault(department_id, dict(zero))
            for name, value in zip(PERIOD_NAMES, values, strict=True):
                totals[name] += value
                by_month[m][name] += value
                department[name] += value
            department_by_month.setdefault(department_id, [0] * 12)[m] += values[0]
        cursor.execute(breakdown, params)
        for code, estate_id, cause, m, n in cursor.fetchall():
            category_by_month.setdefault(code, [0] * 12)[m] += n
            estate_by_month.setdefault(estate_id, [0] * 12)[m] += n
            by_cause[cause] = by_cause.get(cause, 0) + n
    return {
        "totals": totals,
        "by_month": by_month,
        "by_department": by_department,
        # period_figures lists only departments and estates that received a complaint
        "department_by_month": {k: v for k, v in department_by_month.items() if any(v)},
        "category_by_month": category_by_month,
        "estate_by_month": estate_by_month,
        "by_cause": by_cause,
    }


# --- Agreement ----------------------------------------------------------------------------------


def check_month(figures: Any, plain: dict[str, Any]) -> None:
    draft = {
        "received": figures.received,
        "valid": figures.valid,
        "invalid": figures.invalid,
        "undecided": figures.undecided,
        "grievances": figures.grievances,
        "enquiries": figures.enquiries,
        "replied": figures.on_time.denominator,
        "on_time": figures.on_time.numerator,
        "reopened": figures.reopened,
        "by_category": figures.by_category,
    }
    for name, value in draft.items():
        assert value == plain[name], f"monthly {name}: figures {value!r} != plain SQL {plain[name]!r}"


def check_year(figures: Any, plain: dict[str, Any]) -> None:
    measures = PERIOD_NAMES[:-2]  # by month and by department carry no grievances or enquiries
    plain = {
        **plain,
        "by_month": [{k: m[k] for k in measures} for m in plain["by_month"]],
        "by_department": {d: {k: v[k] for k in measures} for d, v in plain["by_department"].items()},
    }
    for name, computed in plain.items():
        # Through JSON, as the snapshot stores them: tuples become lists, integer keys strings.
        drafted = json.loads(json.dumps(getattr(figures, name)))
        computed = json.loads(json.dumps(computed))
        assert drafted == computed, f"annual {name}: period_figures {drafted!r} != plain SQL {computed!r}"


# --- Measuring ----------------------------------------------------------------------------------


def busiest() -> tuple[int, int, Any, int]:
    """Last month (ended), its busiest department, and the year with the most complaints."""
    from django.db.models import Count

    from estatedesk.complaints.models import Complaint
    from estatedesk.core.clock import company_today
    from estatedesk.org.models import Department
    from estatedesk.reports.figures import month_bounds, previous_month

    today = company_today()
    year, month = previous_month(today.year, today.month)
    start, end = month_bounds(year, month)
    top = (
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end)
        .values("department_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert top is not None, "no complaints last month"
    counts = {
        y: Complaint.objects.filter(
            received_at__gte=month_bounds(y, 1)[0], received_at__lt=month_bounds(y, 12)[1]
        ).count()
        for y in (today.year - 1, today.year)
    }
    return year, month, Department.objects.get(pk=top["department_id"]), max(counts, key=lambda y: counts[y])


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, int, int]:
    """Median seconds, SQL queries of one run, largest Python allocation peak (bytes)."""
    import tracemalloc

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    function()  # warm: caches, the first draft's insert
    times = []
    queries = 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), queries, peak


def explain(label: str, function: Callable[[], Any]) -> None:
    """Each query of one run, run again to time it whole, and the plan of the slow ones.

    Run again because the time Django records covers ``execute`` only: SQLite computes a
    GROUP BY that follows an index while the rows are fetched, after that time is taken.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        function()
    print(f"\n--- {label}: {len(captured)} queries (those under 1 ms not shown)")
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            seconds = time.perf_counter() - started
            if seconds < 0.001:
                continue
            print(f"{seconds * 1000:8.0f} ms  {sql[:150]}")
            if seconds > 0.05:
                cursor.execute(prefix + sql)
                for row in cursor.fetchall():
                    print("            ", " | ".join(str(v) for v in row)[:200])


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    # A fresh object each time: the permission helpers cache the staff row on the user.
    return get_user_model().objects.get(username=username)


def _load() -> str:
    """The 1, 5 and 15 minute load averages: the figures mean little on a busy machine."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def measure(repeat: int, show_plans: bool) -> None:
    from django.db import connection

    from estatedesk.complaints.models import Complaint, Visit
    from estatedesk.reports import services, services_periods
    from estatedesk.reports.dashboard import dashboard_for
    from estatedesk.reports.figures import monthly_figures
    from estatedesk.reports.periods import months_of_year, period_figures

    year, month, department, busy_year = busiest()
    print(
        f"{connection.vendor}: {Complaint.objects.count():,} complaints, {Visit.objects.count():,} visits; "
        f"monthly report {year}-{month:02d} of department {department.pk} ({department.name}), "
        f"annual summary {busy_year} (and {busy_year - 1})"
    )
    check_month(
        monthly_figures(department_id=department.pk, year=year, month=month),
        plain_month(department.pk, year, month),
    )
    check_year(period_figures(months_of_year(busy_year)), plain_year(busy_year))
    check_year(period_figures(months_of_year(busy_year - 1)), plain_year(busy_year - 1))
    print(
        "figures agree with the plain SQL (monthly counts and categories; annual totals and every breakdown)"
    )

    operations: list[tuple[str, Callable[[], Any], str | None]] = [
        ("plain SQL, department-month", lambda: plain_month(department.pk, year, month), None),
        (
            "draft_month (1 department)",
            lambda: services.draft_month(year=year, month=month, department=department),
            "plain SQL, department-month",
        ),
        (
            "monthly_figures alone",
            lambda: monthly_figures(department_id=department.pk, year=year, month=month),
            "plain SQL, department-month",
        ),
        ("plain SQL, 1 year", lambda: plain_year(busy_year), None),
        ("period_figures (1 year)", lambda: period_figures(months_of_year(busy_year)), "plain SQL, 1 year"),
        ("plain SQL, 2 years", lambda: (plain_year(busy_year), plain_year(busy_year - 1)), None),
        ("year_figures (2 years)", lambda: services_periods.year_figures(busy_year), "plain SQL, 2 years"),
        ("draft_year (2 years)", lambda: services_periods.draft_year(year=busy_year), "plain SQL, 2 years"),
        # The role dashboards compute this month, last month and a 12-month trend.
        ("dashboard, deputy GM", lambda: dashboard_for(_user("deputy_gm")), None),
        ("dashboard, handler of 1 estate", lambda: dashboard_for(_user("handler_a")), None),
    ]
    results: dict[str, float] = {}
    peaks: dict[str, int] = {}
    print(f"load average before timing: {_load()}")
    print(f"\n{'operation':32} {'median s':>9} {'queries':>8} {'× plain SQL':>12} {'py peak MB':>11}")
    for label, function, base in operations:
        seconds, queries, peak = timed(function, repeat)
        results[label] = seconds
        peaks[label] = peak
        ratio = f"{seconds / results[base]:.1f}" if base else ("1.0" if label.startswith("plain") else "—")
        print(f"{label:32} {seconds:9.3f} {queries:8d} {ratio:>12} {peak / 1e6:11.2f}")
    print(f"load average after timing: {_load()}")
    drafts = [p for label, p in peaks.items() if not label.startswith("plain")]
    print(
        f"\ndrafting process: peak RSS (VmHWM) {peak_rss_mib():.0f} MiB; largest Python allocation peak of one "
        f"draft {max(drafts) / 1e6:.2f} MB"
    )
    if show_plans:
        explain(
            "monthly_figures", lambda: monthly_figures(department_id=department.pk, year=year, month=month)
        )
        explain("period_figures (1 year)", lambda: period_figures(months_of_year(busy_year)))
        explain("plain SQL, 1 year", lambda: plain_year(busy_year))


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away data folder")
    parser.add_argument("--explain", action="store_true", help="print each draft query's time and plan")
    parser.add_argument("--measure", metavar="FOLDER", help="time again on a kept data folder, no refill")
    args = parser.parse_args()
    child_flags = ["--repeat", str(args.repeat), *(["--explain"] if args.explain else [])]
    if args.measure and os.environ.get("BENCH_REPORTS_CHILD"):
        setup(args.measure)
        measure(args.repeat, args.explain)
        return 0
    if args.measure:
        env = {**os.environ, "BENCH_REPORTS_CHILD": "1"}
        child = [sys.executable, __file__, "--measure", args.measure, *child_flags]
        return subprocess.run(child, check=False, env=env).returncode  # noqa: S603 - our own script

    with demo_company(args.keep) as data_dir:
        from django.db import connection

        started = time.perf_counter()
        filler = ReportFiller(args.rows)
        filler.fill()
        filled = time.perf_counter() - started
        visits = add_visits(filler.rng)
        print(
            f"{connection.vendor}: filled {args.rows:,} complaints in {filled:.0f} s, "
            f"{visits:,} visits in {time.perf_counter() - started - filled:.0f} s"
        )
        started = time.perf_counter()
        analyze()
        print(f"ANALYZE: {time.perf_counter() - started:.1f} s")
        connection.close()
        # A fresh process drafts, so its memory is the drafting's, not the filling's.
        env = {**os.environ, "BENCH_REPORTS_CHILD": "1"}
        child = [sys.executable, __file__, "--measure", data_dir, *child_flags]
        subprocess.run(child, check=True, env=env)  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
