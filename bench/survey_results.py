"""How long a survey's full results take at 150,000 returned questionnaires (issue 13, SPEC S-2,
S-3), next to a plain SQL aggregate of the same counts.

    .venv/bin/python bench/survey_results.py [--households 300000] [--repeat 3]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surveys .venv/bin/python bench/survey_results.py

Fills a throw-away database (SQLite in a temporary data folder, or the PostgreSQL database
named by DATABASE_URL, dropped and created again, whose name must contain "bench") in bulk,
not through the services: --estates estates (20) of 500-unit buildings with --households
occupied units, an annual survey on the default questionnaire (15 rating questions and one
free-text question) whose sample is half of each estate, every drawn household having
returned its questionnaire, and an answer per rating question (about 2.2 million answer
rows at the default size; COPY on PostgreSQL, ``executemany`` on SQLite), with the levels
spread as a satisfied company's are and a few estates doing worse.

Then a second process — its memory is the results', not the filling's — times, median of
--repeat runs after one warm-up:

* ``surveys.results.survey_results``: every figure — overall, per category, question,
  estate, estate × category and building, each with its Wilson interval, the return rates,
  the return-rate rule and the targets;
* the plain SQL: ``SELECT estate_id, category, count(*), sum(satisfied), sum(score) … GROUP BY
  estate_id, category`` through ``connection.cursor()``, plus the households distributed and
  returned per estate;

checks that the two agree (valid and satisfied answers per estate and category), and prints
the times, the ratio, the largest Python allocation of one run (tracemalloc) and the peak RSS.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import peak_rss_mib  # noqa: E402
from complaints_list import analyze, scratch_database, setup  # noqa: E402 - sibling benchmark
from survey_draw import fill_units  # noqa: E402

BATCH = 50_000
LEVELS = [("very_satisfied", 100, 1, 0), ("satisfied", 80, 1, 0), ("neutral", 60, 0, 0)]
LEVELS += [("dissatisfied", 40, 0, 1), ("very_dissatisfied", 20, 0, 1)]
REASONS = ["电梯经常停运，报修后三天才修好", "地下车库灯光太暗", "垃圾清运不及时，夏天有异味", ""]


def fill_survey(made: dict[str, Any]) -> int:
    """The survey, its drawn households (half of each estate, all returned), their responses and
    answers. Returns the number of answer rows."""
    import secrets

    from django.db import connection, transaction
    from django.utils import timezone

    from estatedesk.org.models import Unit
    from estatedesk.surveys import services
    from estatedesk.surveys.models import Answer, Household, Response

    rng = random.Random(19)
    survey = services.create_survey(actor=made["supervisor"], kind="annual", title="年度业户满意度调查")
    now = timezone.now()
    versions = {row.estate_id: row.version for row in survey.estates.select_related("version")}
    questions = {
        estate: list(
            version.questions.filter(kind="rating").order_by("position").values_list("pk", "category")
        )
        for estate, version in versions.items()
    }
    units: dict[int, list[tuple[int, int]]] = {}
    for unit_id, estate_id, building_id in (
        Unit.objects.filter(occupied=True)
        .order_by("pk")
        .values_list("pk", "estate_id", "building_id")
        .iterator()
    ):
        units.setdefault(estate_id, []).append((unit_id, building_id))
    with transaction.atomic():
        Household.objects.bulk_create(
            (
                Household(
                    survey=survey,
                    estate_id=estate_id,
                    building_id=building_id,
                    unit_id=unit_id,
                    customer_kind="owner",
                    token=secrets.token_urlsafe(24),
                    answered_at=now,
                )
                for estate_id, homes in units.items()
                for unit_id, building_id in rng.sample(homes, math.ceil(len(homes) / 2))
            ),
            batch_size=BATCH,
        )
        households = list(
            Household.objects.filter(survey=survey)
            .values_list("pk", "estate_id", "building_id")
            .order_by("pk")
        )
        Response.objects.bulk_create(
            (
                Response(
                    household_id=pk,
                    survey=survey,
                    estate_id=estate_id,
                    building_id=building_id,
                    channel="online" if pk % 3 else "paper",
                    submitted_at=now,
                    customer_kind="owner",
                )
                for pk, estate_id, building_id in households
            ),
            batch_size=BATCH,
        )
    # Read whole before writing: on PostgreSQL the connection is busy with the COPY meanwhile.
    answered = list(
        Response.objects.filter(survey=survey).values_list("pk", "estate_id", "building_id").order_by("pk")
    )
    columns = (
        "response_id",
        "question_id",
        "survey_id",
        "estate_id",
        "building_id",
        "category",
        "level",
        "score",
        "satisfied",
        "dissatisfied",
        "reason",
        "text",
    )
    table = Answer._meta.db_table
    rows_written = 0

    def rows() -> Any:
        for response_id, estate_id, building_id in answered:
            worse = 0.08 if estate_id % 5 == 0 else 0.0  # a few estates under target
            for question_id, category in questions[estate_id]:
                roll = rng.random()
                if roll < 0.40 - worse / 2:
                    level = LEVELS[0]
                elif roll < 0.91 - worse:
                    level = LEVELS[1]
                else:
                    level = LEVELS[2 + int(rng.random() * 3)]
                reason = rng.choice(REASONS) if level[3] else ""
                yield (
                    response_id,
                    question_id,
                    survey.pk,
                    estate_id,
                    building_id,
                    category,
                    *level,
                    reason,
                    "",
                )

    with transaction.atomic():
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            raw = connection.connection  # the psycopg connection: COPY is the fast path
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for row in rows():
                    copy.write_row(tuple(bool(v) if i in (8, 9) else v for i, v in enumerate(row)))
                    rows_written += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[tuple[Any, ...]] = []
            with connection.cursor() as cursor:
                for row in rows():
                    batch.append(row)
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        rows_written += len(batch)
                        batch.clear()
                if batch:
                    cursor.executemany(sql, batch)
                    rows_written += len(batch)
    return rows_written


# --- Measuring ----------------------------------------------------------------------------------


def plain_sql(
    survey_id: int,
) -> tuple[dict[tuple[int, str], tuple[int, int, int]], dict[int, tuple[int, int]]]:
    from django.db import connection

    from estatedesk.surveys.models import Answer, Household

    satisfied = "CASE WHEN satisfied THEN 1 ELSE 0 END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT estate_id, category, COUNT(*), SUM({satisfied}), SUM(score) FROM {Answer._meta.db_table} "
            "WHERE survey_id = %s AND score IS NOT NULL GROUP BY estate_id, category",
            [survey_id],
        )
        cells = {(e, c): (n, int(s), int(t)) for e, c, n, s, t in cursor.fetchall()}
        cursor.execute(
            "SELECT estate_id, COUNT(*), SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END) "
            f"FROM {Household._meta.db_table} WHERE survey_id = %s GROUP BY estate_id",
            [survey_id],
        )
        returns = {e: (d, int(r)) for e, d, r in cursor.fetchall()}
    return cells, returns


def timed(function: Callable[[], Any], repeat: int) -> tuple[float, int]:
    import tracemalloc

    function()  # warm
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    function()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(times), peak


def measure(repeat: int) -> None:
    from django.db import connection

    from estatedesk.surveys.models import Answer, Response, Survey
    from estatedesk.surveys.results import survey_results

    survey = Survey.objects.get()
    results = survey_results(survey).results
    cells, returns = plain_sql(survey.pk)
    for (estate, category), (valid, satisfied, _score) in cells.items():
        figure = results.by_estate_category[estate, category]
        assert (figure.tally.valid, figure.tally.satisfied) == (valid, satisfied), (estate, category)
    for estate, (distributed, returned) in returns.items():
        figure = results.by_estate[estate]
        assert (figure.returns.distributed, figure.returns.returned) == (distributed, returned), estate
    below = sum(1 for f in results.by_estate.values() if f.below_target)
    print(
        f"{connection.vendor}: {Response.objects.filter(survey=survey).count():,} returned questionnaires, "
        f"{Answer.objects.filter(survey=survey).count():,} answers; overall {float(results.overall.raw or 0):.1f} %, "
        f"{below} of {len(results.by_estate)} estates under target; results agree with the plain SQL"
    )
    operations: list[tuple[str, Callable[[], Any], str | None]] = [
        ("plain SQL (estate x category, returns)", lambda: plain_sql(survey.pk), None),
        (
            "survey_results (every figure)",
            lambda: survey_results(survey),
            "plain SQL (estate x category, returns)",
        ),
        (
            "survey_results, one estate's user",
            lambda: survey_results(survey, [next(iter(returns))]),
            "plain SQL (estate x category, returns)",
        ),
    ]
    seconds: dict[str, float] = {}
    print(f"\n{'operation':40} {'median s':>9} {'× plain':>8} {'py peak MB':>11}")
    for label, function, base in operations:
        took, peak = timed(function, repeat)
        seconds[label] = took
        ratio = f"{took / seconds[base]:.1f}" if base else "1.0"
        print(f"{label:40} {took:9.3f} {ratio:>8} {peak / 1e6:11.1f}")
    print(f"\nresults process: peak RSS {peak_rss_mib():.0f} MiB (VmHWM)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--households", type=int, default=300_000)
    parser.add_argument("--estates", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        setup(args.measure)
        measure(args.repeat)
        return 0
    with scratch_database() as data_dir:
        from django.db import connection

        started = time.perf_counter()
        made = fill_units(args.households, args.estates, customers=False)
        units = time.perf_counter() - started
        answers = fill_survey(made)
        print(
            f"{connection.vendor}: filled {args.households:,} households in {units:.0f} s, "
            f"{answers:,} answers in {time.perf_counter() - started - units:.0f} s"
        )
        analyze()
        connection.close()
        child = [sys.executable, __file__, "--measure", data_dir, "--repeat", str(args.repeat)]
        subprocess.run(child, check=True)  # noqa: S603 - our own script
    return 0


if __name__ == "__main__":
    from common import load_average_text  # bench/, the script's folder, is first on sys.path

    code = main()
    print(load_average_text())  # beside the figures: a busy machine's figures are not comparable
    sys.exit(code)
