"""A year of complaint history for the demo company, made by the real services.

``estatedesk demo`` loads the organisation (``org.demo``) and then this: about 3,000
complaints, enquiries and grievances over the past twelve months across the three estates,
each taken through its life by the same service functions the pages and the API call
(``services``, ``papers``), with ``core.clock.clock_at`` setting "now" to the moment each step
happens. Numbers, deadlines, on-time flags, timelines, messages and history rows are what
real use would have produced; nothing here writes a complaint row itself.

How it runs (docs/decisions/0006-demo-history.md): each matter's life is a generator that
yields the time of its next step (``lives``); lives are played one after another in
the order they begin, each in its own transaction, so other processes only ever see whole
lives (the deadline sweep never finds a half-replayed complaint) and SQLite's write lock is
held for a few milliseconds at a time. Steps after the present are not played, which
leaves the last fortnight's matters open, some overdue and some due soon.

Deterministic (seeded random and Faker) for a given present. Every demo intake carries a
submission key naming that present, the seed and the size, so an interrupted load resumes
where it stopped with the same plan, and a finished one is never loaded twice.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation

from estatedesk.complaints.demo import plans
from estatedesk.complaints.demo.story import DAYS, HISTORY_SIZE, KEY_PREFIX, SEED, Cast, Replay, Story
from estatedesk.complaints.models import Complaint, Event, TransferSlip, WeeklyReview, WorkNotice
from estatedesk.core import numbering
from estatedesk.core.clock import company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.org import demo as org_demo

__all__ = [
    "HISTORY_SIZE",
    "SEED",
    "HistorySummary",
    "Story",
    "history_months",
    "history_state",
    "load_history",
    "present",
    "started_replay",
]

log = logging.getLogger("estatedesk.demo")

Progress = Callable[[int, int], None]  # (months replayed, months in all)


@dataclass(frozen=True)
class HistorySummary:
    complaints: int
    slips: int
    notices: int
    reviews: int
    failed_steps: int
    seconds: float


def started_replay() -> Replay | None:
    key = (
        Complaint.objects.filter(submission_key__startswith=KEY_PREFIX)
        .values_list("submission_key", flat=True)
        .first()
    )
    return Replay.from_key(key) if key else None


def history_state() -> str:
    """Where the demo's history stands: "none" (no demo organisation, or complaints of its own),
    "needed", "partial" (an interrupted load) or "loaded"."""
    if not org_demo.is_loaded():
        return "none"
    replay = started_replay()
    if replay is None:
        return "needed" if not Complaint.objects.exists() else "none"
    loaded = Complaint.objects.filter(submission_key__startswith=KEY_PREFIX).count()
    return "loaded" if loaded >= replay.count else "partial"


def history_months(present: datetime) -> list[tuple[int, int]]:
    """The calendar months the year before ``present`` touches, oldest first (company time)."""
    zone = company_zone()
    day = (present.astimezone(zone) - timedelta(days=DAYS)).date()
    last = present.astimezone(zone).date()
    months = [(day.year, day.month)]
    while months[-1] != (last.year, last.month):
        year, month = months[-1]
        months.append((year + 1, 1) if month == 12 else (year, month + 1))
    return months


def present() -> datetime | None:
    """The demo history's present (when its year ends), once a load has begun."""
    replay = started_replay()
    return replay.now if replay else None


def load_history(
    *,
    count: int = HISTORY_SIZE,
    random_seed: int = SEED,
    now: datetime | None = None,
    pace: bool = True,
    progress: Progress | None = None,
) -> HistorySummary | None:
    """Replay (or finish replaying) a year of complaints; None when there is nothing to do.

    ``pace`` leaves SQLite's write lock free now and then, for a web server running meanwhile.
    ``progress(done, total)`` is told each time the replay has finished another month."""
    started = time.perf_counter()
    with transaction.atomic():
        _serialise()
        state = history_state()
        if state not in ("needed", "partial"):
            return None
        replay = started_replay() or Replay(now or timezone.now(), random_seed, count)
        cast = Cast.load()
    if cast is None:
        log.warning("demo history not loaded: the demo staff accounts are not all there")
        return None
    story = Story(cast, random.Random(replay.seed), replay.now)
    log.info("demo history: replaying %d matters of the past year", replay.count)
    # Notes the services write (timeline, messages) are in the company's language, as for the
    # worker's own messages; the replay has no request to take a language from.
    months = history_months(replay.now)
    today = datetime.combine(replay.now.astimezone(story.zone).date(), datetime.min.time(), story.zone)
    with translation.override(settings.LANGUAGE_CODE):
        items = plans.lives(story, replay)
        blocks = _reserve_numbers(items, months)
        pause = _Pacer(pace)
        done = 0
        with numbering.numbering_history():
            for item in sorted(items, key=lambda i: (i.first, i.order)):
                done = _tell_progress(progress, months, done, item.first, story.zone)
                pause.now_and_then()
                with transaction.atomic():
                    _serialise()
                    if item.done():
                        continue
                    marks = _Marks.take()
                    outcome = story.play(item)
                    _settle_messages(marks, item.first, read=outcome == "done", today=today)
        for prefix, year in blocks:
            numbering.release_history(prefix, year)
        if progress is not None:
            progress(len(months), len(months))
    summary = HistorySummary(
        complaints=Complaint.objects.count(),
        slips=TransferSlip.objects.count(),
        notices=WorkNotice.objects.count(),
        reviews=WeeklyReview.objects.count(),
        failed_steps=story.failed_steps,
        seconds=time.perf_counter() - started,
    )
    log.info("demo history: %d complaints in the database (%.0f s)", summary.complaints, summary.seconds)
    return summary


class _Pacer:
    """Let other writers in. SQLite has one write lock, and a waiting writer only polls for it
    every 100 ms or so: without a pause the replay's back-to-back transactions keep winning it,
    and signing in during the first start could wait many seconds. PostgreSQL needs no pause."""

    WORK = 0.4
    REST = 0.12

    def __init__(self, wanted: bool) -> None:
        # Inside an outer transaction (tests) nobody else can get in anyway.
        self.sqlite = wanted and connection.vendor == "sqlite" and not connection.in_atomic_block
        self.since = time.monotonic()

    def now_and_then(self) -> None:
        if self.sqlite and time.monotonic() - self.since > self.WORK:
            time.sleep(self.REST)
            self.since = time.monotonic()


def _serialise() -> None:
    """Two loaders (a task queued twice) take turns: each transaction locks the company row.
    On SQLite the transaction's write lock already does this."""
    CompanySettings.objects.select_for_update().filter(pk=1).exists()


@dataclass(frozen=True)
class _Marks:
    """The last rows before a life is played: what comes after is the life's own."""

    message: int
    event: int
    notice: int

    @classmethod
    def take(cls) -> _Marks:
        def last(model: Any) -> int:
            return model.objects.order_by("-id").values_list("id", flat=True).first() or 0

        return cls(last(Message), last(Event), last(WorkNotice))


def _reserve_numbers(items: list[plans.Item], months: list[tuple[int, int]]) -> list[tuple[str, int]]:
    """Set aside the numbers the year will use, so a complaint registered during the load (or
    after it) numbers above every replayed one: per year, the matters that begin in it, and for
    slips and notices as many as the whole year may raise (the unused ends are given back)."""
    zone = company_zone()
    matters: dict[int, int] = {}
    for item in items:
        year = item.first.astimezone(zone).year
        matters[year] = matters.get(year, 0) + item.matters
    papers = sum(item.papers for item in items)
    blocks = []
    for year in sorted({year for year, _month in months}):
        # A few spare numbers: a cluster's last household may be recorded after New Year.
        sizes = {"TS": matters.get(year, 0) + 10, "CQ": papers, "AP": papers}
        for prefix, size in sizes.items():
            numbering.reserve_history(prefix, year, size)
            blocks.append((prefix, year))
    return blocks


def _tell_progress(
    progress: Progress | None, months: list[tuple[int, int]], done: int, at: datetime, zone: Any
) -> int:
    """Every life beginning before ``at`` has been played: the months before its month are done."""
    local = at.astimezone(zone)
    reached = sum(1 for month in months if month < (local.year, local.month))
    if progress is not None and reached > done:
        progress(reached, len(months))
    return max(done, reached)


def _settle_messages(marks: _Marks, first: datetime, *, read: bool, today: datetime) -> None:
    """Messages of the replayed past: residents' texts were sent back then, staff have read
    what is about matters since finished, and what came before the present's day; only the
    present day's messages about matters still open are unread.

    Only the life's own messages are touched (their keys start with the numbers of its
    complaints, slips and notices), never one another process wrote meanwhile."""
    numbers = set(Event.objects.filter(id__gt=marks.event).values_list("complaint__number", flat=True))
    notices = WorkNotice.objects.filter(
        Q(complaint__number__in=numbers) | Q(id__gt=marks.notice, origin="initiative", issued_at=first)
    )
    numbers |= set(
        TransferSlip.objects.filter(complaint__number__in=numbers).values_list("number", flat=True)
    )
    numbers |= set(notices.values_list("number", flat=True))
    if not numbers:
        return
    ours = Message.objects.filter(id__gt=marks.message).filter(
        reduce(or_, (Q(key__startswith=f"{number}:") for number in numbers))
    )
    notifications.settle_replayed(ours, read=read, read_before=today)
