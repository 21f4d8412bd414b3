"""The demo company's rectification (SPEC R-1 … R-5, §7.5; decision 0044).

One residential estate's handover batch (翠湖花园 in the demo: "2026年第二批交付验房"): about a
hundred units inspected with their owners over the six weeks before the present, a few items
each (walls, doors and windows, plumbing, electrical, waterproofing, fittings). The management
office decides each item the next morning — most escalated to the developer's customer service
(吴丽华), which sets the measure, the completion date and the rectification team (郑海涛's);
some fixed by our engineering department. The team reports its work with a photo, the
developer inspects it (a few sent back first), the office asks the resident, who signs on the
phone, types the name or signs the paper sheet — or objects, which opens round 2 and, for a few,
round 3. Some items are still being fixed past their date (overdue), some wait for the resident.
Beside the batch, a report per department that found defects in the public areas (engineering,
security, cleaning, the sales office's service): accepted on the department's behalf, and the
department told.

Every step goes through the ordinary services under ``clock_at`` the moment it happened, in
time order across all items (a heap of each item's life, a generator that yields the time of its
next step), one transaction per replayed day; numbers come from a block reserved for the
history (``numbering_history``). Steps after the present are not played. Deterministic for a
given present. A database whose estate already has the batch's report is left alone.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case, IntegerField, Value, When

from estatedesk.core import numbering
from estatedesk.core.actors import SYSTEM
from estatedesk.core.clock import company_zone
from estatedesk.demo import rectification_content as content
from estatedesk.demo.rectification_story import Cast, Fate, Replay, Story, UnitVisit, at
from estatedesk.org import demo as org_demo
from estatedesk.org import services as org_services
from estatedesk.org.models import (
    Building,
    Department,
    DepartmentKind,
    Developer,
    Estate,
    EstateKind,
    Occupancy,
    Staff,
    Unit,
)
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item, Report, Source
from estatedesk.rectification.services.items import ITEM_PREFIX, REPORT_PREFIX

__all__ = ["UNITS", "load_rectification"]

log = logging.getLogger("estatedesk.demo")

UNITS = 100  # units inspected in the batch: about 360 items
FIRST_DAY, LAST_DAY = 42, 3  # days before the present: the batch's inspections
ITEMS_PER_UNIT = ((1, 10), (2, 20), (3, 25), (4, 20), (5, 15), (6, 10))  # (items, weight)
FINDERS = (
    (DepartmentKind.ENGINEERING, Source.ENGINEERING),
    (DepartmentKind.SECURITY, Source.SECURITY),
    (DepartmentKind.CLEANING, Source.CLEANING),
    ("sales", Source.SALES),
)
# (way, share): how residents accept in the end.
METHODS = (("signature", 0.45), ("typed", 0.15), ("paper", 0.40))


# --- Who plays ------------------------------------------------------------------------------------


def _user(department: Department, roles: tuple[str, ...]) -> Any:
    staff = (
        Staff.objects.filter(departments=department, role__in=roles, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return staff.user if staff else None


def _cast_of(estate: Estate) -> Cast | None:
    developers = list(Developer.objects.filter(estates=estate).order_by("pk")[:2])
    if len(developers) != 1:
        return None
    developer = developers[0]
    team = selectors.teams_of(developer.pk).first()
    cs = (
        Department.objects.filter(developer=developer, kind=DepartmentKind.DEVELOPER_CS)
        .order_by("pk")
        .first()
    )
    office = Department.objects.filter(estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE).first()
    engineering = selectors.fixing_departments(estate).filter(kind=DepartmentKind.ENGINEERING).first()
    if None in (team, cs, office, engineering):
        return None
    assert team is not None and cs is not None and office is not None and engineering is not None
    handler = _user(office, ("handler", "department_head"))
    if handler is None or not selectors.estates_for(handler).filter(pk=estate.pk).exists():
        return None
    cast = Cast(
        estate=estate,
        developer=developer,
        team=team,
        engineering=engineering,
        office=handler,
        developer_cs=_user(cs, ("developer_cs",)),
        team_member=_user(team, ("rectification",)),
        fixer=_user(engineering, ("department_head", "handler")) or handler,
    )
    if cast.developer_cs is None or cast.team_member is None:
        return None
    return cast


def _cast() -> Cast | None:
    """The demo's first residential estate (翠湖花园), else the first one that has a developer
    with its customer service and a rectification team, and an office to collect the items."""
    estates = (
        Estate.objects.filter(active=True, kind=EstateKind.RESIDENTIAL)
        .annotate(
            first=Case(
                When(code=org_demo.CUIHU, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("first", "code")
    )
    for estate in estates:
        cast = _cast_of(estate)
        if cast is not None:
            return cast
    return None


def _finders() -> list[tuple[Department, str]]:
    """The departments that find defects in daily work; the sales office's service is made for
    the demo when the company has none (a department of the property company at the developer's
    sales office)."""
    found: list[tuple[Department, str]] = []
    for kind, source in FINDERS:
        if kind == "sales":
            department = Department.objects.filter(name=content.SALES_DEPARTMENT).first()
            if department is None:
                department = Department(name=content.SALES_DEPARTMENT, kind=DepartmentKind.OTHER)
                org_services.save_record(actor=SYSTEM, instance=department)
        else:
            department = (
                Department.objects.filter(kind=kind, active=True, estate__isnull=True).order_by("pk").first()
            )
        if department is not None:
            found.append((department, source))
    return found


# --- The plan (pure once the units are read) -----------------------------------------------------


def _pick(rng: random.Random, pairs: tuple[tuple[Any, float], ...] | tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([value for value, _w in pairs], weights=[w for _v, w in pairs])[0]


def _defect(rng: random.Random) -> tuple[content.Defect, str]:
    category = _pick(rng, content.CATEGORY_SHARES)
    defect = rng.choice([d for d in content.DEFECTS if d.category == category])
    return defect, rng.choice(defect.locations)


def _fate(rng: random.Random, reported: date, today: date, defect: content.Defect) -> Fate:
    age = (today - reported).days
    fate = Fate(method=_pick(rng, METHODS))
    draw = rng.random()
    if age >= 30 and draw < 0.05:
        fate.objections = 2
    elif age >= 14 and draw < 0.18:
        fate.objections = 1
    elif 12 <= age <= 35 and draw < 0.26 and age > defect.days + 4:
        fate.late = True
    elif draw < 0.36:
        fate.route = "property"
    fate.sent_back = not fate.late and fate.route == "developer" and rng.random() < 0.06
    return fate


def _ensure(visits: list[UnitVisit], today: date) -> None:
    """Small batches (a test's) still show every kind of story: round 3, round 2, overdue and
    our own fix, each on the first item old enough for it."""
    fates = [(v.at.date(), defect, fate) for v in visits for defect, _where, fate in v.items]
    wanted: list[
        tuple[Callable[[Fate], bool], Callable[[date, content.Defect], bool], Callable[[Fate], None]]
    ] = [
        (
            lambda f: f.objections == 2,
            lambda d, x: (today - d).days >= 38 and x.days <= 5,
            lambda f: setattr(f, "objections", 2),
        ),
        (
            lambda f: f.objections == 1,
            lambda d, x: (today - d).days >= 24 and x.days <= 7,
            lambda f: setattr(f, "objections", 1),
        ),
        (
            lambda f: f.late,
            lambda d, x: (today - d).days >= 14 and (today - d).days > x.days + 5,
            lambda f: setattr(f, "late", True),
        ),
        (
            lambda f: f.route == "property",
            lambda d, x: (today - d).days >= 16,
            lambda f: setattr(f, "route", "property"),
        ),
    ]
    for present_already, fits, make in wanted:
        if any(present_already(f) for _d, _x, f in fates):
            continue
        for reported, defect, fate in fates:
            if fits(reported, defect) and fate == Fate(method=fate.method):
                make(fate)
                break


def _visits(estate: Estate, present: datetime, units: int, rng: random.Random) -> list[UnitVisit]:
    """The batch: units with an owner, inspected on the days of the span, a few items each."""
    owners: dict[int, str] = {}
    for unit_id, name in (
        Occupancy.objects.filter(unit__estate=estate, customer__kind="owner")
        .order_by("unit__building_id", "unit__number", "pk")
        .values_list("unit_id", "customer__name")
    ):
        owners.setdefault(unit_id, name)
    chosen = sorted(rng.sample(sorted(owners), min(units, len(owners))))
    today = present.astimezone(company_zone()).date()
    span = FIRST_DAY - LAST_DAY
    visits: list[UnitVisit] = []
    per_day: dict[date, int] = {}
    for n, unit_id in enumerate(chosen):
        day = today - timedelta(days=FIRST_DAY - n * span // max(1, len(chosen)))
        slot = per_day[day] = per_day.get(day, -1) + 1
        moment = at(day, 9, 0) + timedelta(minutes=50 * slot + rng.randrange(0, 20))
        items = []
        for _n in range(_pick(rng, ITEMS_PER_UNIT)):
            defect, where = _defect(rng)
            items.append((defect, where, _fate(rng, day, today, defect)))
        visits.append(UnitVisit(unit_id, owners[unit_id], moment, items))
    _ensure(visits, today)
    return visits


def _findings(
    cast: Cast, present: datetime, rng: random.Random
) -> list[tuple[Department, str, datetime, list[tuple[content.Finding, datetime]]]]:
    """Per finding department: its report's first day and each finding's moment."""
    today = present.astimezone(company_zone()).date()
    plans = []
    for k, (department, source) in enumerate(cast.finders):
        findings = content.FINDINGS[source]  # keyed by the source's value
        first = today - timedelta(days=36 - 2 * k)
        span = 34 - 2 * k
        moments = [
            # Spread up to two days before the present: the latest is still being fixed.
            (finding, at(first + timedelta(days=span * j // (len(findings) - 1)), 10, rng.randrange(0, 50)))
            for j, finding in enumerate(findings)
        ]
        plans.append((department, source, at(first, 9, rng.randrange(0, 20)), moments))
    return plans


# --- Loading --------------------------------------------------------------------------------------


def _reserve(moments: list[tuple[str, datetime]], present: datetime) -> list[tuple[str, int]]:
    """Numbers for the history's reports and items, per year, set aside before it is played:
    anything numbered during the load (or after it) numbers above them."""
    sizes: dict[tuple[str, int], int] = {}
    for prefix, moment in moments:
        if moment < present:
            key = (prefix, moment.astimezone(company_zone()).year)
            sizes[key] = sizes.get(key, 0) + 1
    for (prefix, year), size in sorted(sizes.items()):
        numbering.reserve_history(prefix, year, size)
    return sorted(sizes)


def load_rectification(present: datetime, *, units: int = UNITS) -> int:
    """The handover batch and the departments' findings, played up to ``present``; the number of
    items recorded (0: the batch is there already, or no estate has the people to play it)."""
    started = time.perf_counter()
    cast = _cast()
    if cast is None:
        log.warning("demo rectification not loaded: no estate with a developer, its team and an office")
        return 0
    today = present.astimezone(company_zone()).date()
    first_day = today - timedelta(days=FIRST_DAY)
    title = f"{first_day.year}年第二批交付验房"
    if Report.objects.filter(estate=cast.estate, title=title).exists():
        return 0
    cast.finders = _finders()
    rng = random.Random(f"demo-rectification-{today:%Y%m%d}")
    visits = _visits(cast.estate, present, units, rng)
    if not visits:
        return 0
    buildings = list(
        Building.objects.filter(estate=cast.estate).order_by("pk").values_list("name", flat=True)
    )
    story = Story(cast, Replay(present), Unit.objects.in_bulk([v.unit_id for v in visits]))
    seed = f"{today:%Y%m%d}"
    opened = visits[0].at - timedelta(minutes=40)
    story.replay.start(
        story.report_life(
            "handover", opened, title=title, notes="交付验房中业主提出的问题，由管理处汇总后逐项分派整改。"
        )
    )
    moments: list[tuple[str, datetime]] = [(REPORT_PREFIX, opened)]
    for v, visit in enumerate(visits):
        # Seeded by position, not by ids: the same present plays the same story on any database.
        story.replay.start(story.unit_life("handover", visit, f"{seed}-{v}"))
        moments += [(ITEM_PREFIX, visit.at)] * len(visit.items)
    for department, source, opened_at, findings in _findings(cast, present, rng):
        local = opened_at.astimezone(company_zone())
        story.replay.start(
            story.report_life(
                department.name,
                opened_at,
                title=f"{department.name}{local.year}年{local.month}月巡查发现问题",
                source=source,
                finding_department=department,
            )
        )
        moments.append((REPORT_PREFIX, opened_at))
        for n, (finding, moment) in enumerate(findings):
            building = rng.choice(buildings)
            ours = n % 3 == 2
            story.replay.start(
                story.finding_life(
                    department.name,
                    finding,
                    moment,
                    building,
                    ours,
                    random.Random(f"{seed}-{department.name}-{n}"),
                )
            )
            moments.append((ITEM_PREFIX, moment))
    blocks = _reserve(moments, present)
    with numbering.numbering_history():
        story.replay.run()
    for prefix, year in blocks:
        numbering.release_history(prefix, year)
    recorded = Item.objects.filter(report__in=list(story.reports.values())).count()
    log.info(
        "demo rectification loaded: %d items, %d steps, %d failed (%.1f s)",
        recorded,
        story.replay.steps,
        story.replay.failed,
        time.perf_counter() - started,
    )
    return recorded
