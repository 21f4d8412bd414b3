"""The demo year's players and clock: who is who at each estate (the cast), the story's random
choices and time helpers, and the player that takes one life through its steps under
``clock_at``. The lives (``lives``) and the plan of the year (``plans``) are written with these;
``history`` loads the year.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from faker import Faker

from estatedesk.core import policy
from estatedesk.core.clock import clock_at, company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.core.models import CompanySettings
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
