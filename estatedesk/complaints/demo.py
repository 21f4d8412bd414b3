"""A year of complaint history for the demo company, made by the real services.

``estatedesk demo`` loads the organisation (``org.demo``) and then this: about 3,000
complaints, enquiries and grievances over the past twelve months across the three estates,
each taken through its life by the same service functions the pages and the API call
(``services``, ``papers``), with ``actions.clock_at`` setting "now" to the moment each step
happens. Numbers, deadlines, on-time flags, timelines, messages and history rows are what
real use would have produced; nothing here writes a complaint row itself.

How it runs (docs/decisions/0006-demo-history.md): each matter's life is a generator that
yields the time of its next step (``demo_lives``); lives are played one after another in
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
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from faker import Faker

from estatedesk.complaints.models import Complaint, Event, TransferSlip, WeeklyReview, WorkNotice
from estatedesk.core import policy
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.core.models import CompanySettings
from estatedesk.notifications.models import Channel as MessageChannel
from estatedesk.notifications.models import Message, MessageStatus
from estatedesk.org import demo as org_demo
from estatedesk.org.models import Customer, Department, Developer, Estate, Occupancy, Staff, Unit
from estatedesk.workcal import engine
from estatedesk.workcal.selectors import load_calendar, office_hours_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger("estatedesk.demo")

HISTORY_SIZE = 3000
SEED = 20260215
DAYS = 365
KEY_PREFIX = "demo:"

# A life yields the time of its next step; it returns OPEN when it stops on purpose with the
# matter unfinished (so its messages stay unread).
Life = Generator[datetime, None, Any]
OPEN = "open"


@dataclass(frozen=True)
class HistorySummary:
    complaints: int
    slips: int
    notices: int
    reviews: int
    failed_steps: int
    seconds: float


@dataclass(frozen=True)
class Replay:
    """What a demo history is: when its present was, its seed and its size (read from the keys)."""

    now: datetime
    seed: int
    count: int

    def key(self, item: str) -> str:
        return f"{KEY_PREFIX}{int(self.now.timestamp())}:{self.seed}:{self.count}:{item}"

    @classmethod
    def from_key(cls, key: str) -> Replay:
        _prefix, stamp, seed, count, _item = key.split(":", 4)
        return cls(datetime.fromtimestamp(int(stamp), tz=UTC), int(seed), int(count))


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


def load_history(
    *, count: int = HISTORY_SIZE, random_seed: int = SEED, now: datetime | None = None, pace: bool = True
) -> HistorySummary | None:
    """Replay (or finish replaying) a year of complaints; None when there is nothing to do.

    ``pace`` leaves SQLite's write lock free now and then, for a web server running meanwhile."""
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
    from estatedesk.complaints import demo_plans

    log.info("demo history: replaying %d matters of the past year", replay.count)
    # Notes the services write (timeline, messages) are in the company's language, as for the
    # worker's own messages; the replay has no request to take a language from.
    with translation.override(settings.LANGUAGE_CODE):
        items = demo_plans.lives(story, replay)
        pause = _Pacer(pace)
        for item in sorted(items, key=lambda i: (i.first, i.order)):
            pause.now_and_then()
            with transaction.atomic():
                _serialise()
                if item.done():
                    continue
                marks = _Marks.take()
                outcome = story.play(item)
                _settle_messages(marks, item.first, read=outcome == "done")
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


def _settle_messages(marks: _Marks, first: datetime, *, read: bool) -> None:
    """Messages of the replayed past: residents' texts were sent back then, and staff have read
    what is about matters since finished; matters still open keep their messages unread.

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
    ours.filter(status=MessageStatus.PENDING).exclude(channel=MessageChannel.IN_APP).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    if read:
        ours.filter(channel=MessageChannel.IN_APP, read_at__isnull=True).update(read_at=timezone.now())


# --- Who is who ---------------------------------------------------------------------------------


@dataclass
class Site:
    """An estate with its management office, duty desk, handler and households."""

    estate: Estate
    office: Department
    duty: User
    handler: User
    households: list[tuple[Unit, Customer]]
    residential: bool
    hours: engine.OfficeHours


@dataclass
class Head:
    department: Department
    user: User

    @property
    def staff(self) -> Staff:
        staff = policy.staff_of(self.user)
        assert staff is not None
        return staff


@dataclass
class Cast:
    sites: dict[str, Site]
    heads: dict[str, Head]  # by department kind
    deputy_gm: User
    gm: User
    cs_supervisor: User
    developer: Developer

    @classmethod
    def load(cls) -> Cast | None:
        users = {u.username: u for u in get_user_model().objects.filter(staff__isnull=False)}
        needed = [s.username for s in org_demo.PERSONA_SPECS + org_demo.OTHER_STAFF]
        if any(name not in users for name in needed):
            return None
        duty = {org_demo.CUIHU: "duty", org_demo.JINSHAN: "duty_b", org_demo.TOWER: "duty_office"}
        handler = {
            org_demo.CUIHU: "handler_a",
            org_demo.JINSHAN: "handler_b",
            org_demo.TOWER: "handler_office",
        }
        company = CompanySettings.load()
        sites: dict[str, Site] = {}
        for estate in Estate.objects.filter(code__in=org_demo.ALL_ESTATES):
            sites[estate.code] = Site(
                estate=estate,
                office=Department.objects.get(estate=estate, kind="management_office"),
                duty=users[duty[estate.code]],
                handler=users[handler[estate.code]],
                households=_households(estate),
                residential=estate.kind == "residential",
                hours=office_hours_for(estate, company=company),
            )
        heads = {}
        for username in (
            "head_engineering",
            "head_security",
            "head_cleaning",
            "head_landscaping",
            "head_finance",
        ):
            staff = policy.staff_of(users[username])
            assert staff is not None
            department = staff.departments.get()
            heads[department.kind] = Head(department, users[username])
        return cls(
            sites=sites,
            heads=heads,
            deputy_gm=users["deputy_gm"],
            gm=users["gm"],
            cs_supervisor=users["cs_supervisor"],
            developer=Developer.objects.get(name=org_demo.DEVELOPER_NAME),
        )


def _households(estate: Estate) -> list[tuple[Unit, Customer]]:
    """Each occupied unit once, with the customer who would call: the tenant if there is one."""
    chosen: dict[int, tuple[Unit, Customer]] = {}
    rows = (
        Occupancy.objects.filter(unit__estate=estate)
        .select_related("unit__building", "customer")
        .order_by("unit_id", "id")
    )
    for occupancy in rows:
        if occupancy.unit_id not in chosen or occupancy.relation != "owner":
            chosen[occupancy.unit_id] = (occupancy.unit, occupancy.customer)
    return [chosen[k] for k in sorted(chosen)]


# --- Time and play ------------------------------------------------------------------------------


class Story:
    """The clock helpers and the random generator the lives share, and the player."""

    def __init__(self, cast: Cast, rng: random.Random, now: datetime) -> None:
        self.cast = cast
        self.rng = rng
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(rng.randrange(1 << 30))
        self.zone = company_zone()
        self.calendar = load_calendar()
        self.now = now.astimezone(self.zone)
        self.start = (self.now - timedelta(days=DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.failed_steps = 0

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))

    def pick(self, items: list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def is_open(self, moment: datetime, site: Site) -> bool:
        return engine.in_office_hours(moment, self.calendar, site.hours)

    def office(self, moment: datetime, site: Site) -> datetime:
        """The moment, or a little after the office next opens."""
        if self.is_open(moment, site):
            return moment
        return engine.next_opening(moment, self.calendar, site.hours) + self.minutes(3, 45)

    def after(
        self, moment: datetime, site: Site, low: float, high: float, *, anytime: bool = False
    ) -> datetime:
        """Some minutes later; in office hours unless ``anytime`` (urgent work goes on at night)."""
        later = moment + self.minutes(low, high)
        return later if anytime else self.office(later, site)

    def working_days_later(self, moment: datetime, site: Site, days: int) -> datetime:
        day = moment.astimezone(self.zone).date()
        for _ in range(days):
            day += timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day += timedelta(days=1)
        return datetime.combine(day, site.hours.opens, self.zone) + self.minutes(10, 420)

    def between(self, low: datetime, high: datetime, site: Site) -> datetime:
        """A moment between two others, in office hours if one can be found."""
        if high <= low:
            return low + timedelta(seconds=30)
        span = (high - low).total_seconds()
        for _ in range(8):
            moment = low + timedelta(seconds=self.rng.uniform(0.1, 0.9) * span)
            if self.is_open(moment, site):
                return moment
        return low + timedelta(seconds=span / 2)

    def reply_time(
        self, after: datetime, due: datetime | None, site: Site, *, late: bool, urgent: bool
    ) -> datetime:
        """When the reply goes out: before the deadline, or (``late``) some time after it."""
        if due is None:
            return self.after(after, site, 60, 600)
        if late:
            late_at = (
                due + self.minutes(10, 180) if urgent else self.office(due + self.minutes(30, 1500), site)
            )
            return max(late_at, after + self.minutes(5, 60))
        latest = due - self.minutes(2, 15 if urgent else 60)
        if latest <= after:
            return after + timedelta(minutes=1)
        if urgent:
            return after + (latest - after) * self.rng.uniform(0.2, 0.9)
        # Most replies go out well before the deadline, some on the last day.
        early = after + (latest - after) * self.rng.choice((0.2, 0.4, 0.6, 0.9))
        return min(self.office(self.between(after, early, site), site), latest)

    def play(self, item: Any) -> str:
        """Play one life, each step under ``clock_at`` its own time, until it ends or reaches
        the present. Returns "done", "open" (unfinished on purpose or by the present) or "refused"."""
        life, moment = item.life, item.first
        current: datetime | None = None
        try:
            while True:
                if current is not None and moment <= current:
                    moment = current + timedelta(seconds=20)
                if moment > self.now:
                    return OPEN
                current = moment
                with clock_at(moment):
                    moment = next(life)
        except StopIteration as stop:
            return OPEN if stop.value == OPEN else "done"
        except ServiceError as exc:
            # A step the rules refuse: the record stays as it is, like an unfinished matter.
            self.failed_steps += 1
            log.warning("demo history: %s refused a step: %s", item.key or "a paper", exc.message)
            return "refused"
