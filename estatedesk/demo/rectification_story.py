"""How the demo's rectification is played (decision 0044): who plays, the pictures the services
keep, and each item's life as a generator that yields the time of its next step; ``Replay``
plays all lives in time order under ``clock_at``, one transaction per replayed day. The plan
(which units, which defects, how each story goes) is ``demo.rectification``'s."""

from __future__ import annotations

import heapq
import io
import logging
import random
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image, ImageDraw

from estatedesk.core.clock import clock_at, company_zone
from estatedesk.demo import rectification_content as content
from estatedesk.org.models import Department, Developer, Estate, Unit
from estatedesk.rectification.models import Report
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import resident, resident_messages, rounds, routing
from estatedesk.rectification.services.items import ItemInput

log = logging.getLogger("estatedesk.demo")

Life = Iterator[datetime]
STEP = timedelta(minutes=1)


@dataclass
class Cast:
    estate: Estate
    developer: Developer
    team: Department
    engineering: Department
    office: Any  # the management office's handler: decides, tells residents, records paper
    developer_cs: Any
    team_member: Any
    fixer: Any  # our engineering department's head (our own fixes)
    finders: list[tuple[Department, str]] = field(default_factory=list)


@dataclass
class Fate:
    """How one handover item's story goes."""

    route: str = "developer"  # or "property"
    objections: int = 0  # rounds beyond the first
    sent_back: bool = False  # the developer's inspection refuses the team's first work
    late: bool = False  # the team has not reported it done by the present: overdue
    method: str = "signature"


@dataclass
class UnitVisit:
    unit_id: int
    owner: str
    at: datetime
    items: list[tuple[content.Defect, str, Fate]]


# --- Pictures the services keep (small, made once) -----------------------------------------------


class Pictures:
    def __init__(self) -> None:
        self._cache: dict[str, bytes] = {}

    def _jpeg(self, key: str, colour: tuple[int, int, int], size: tuple[int, int], ink: str) -> bytes:
        if key not in self._cache:
            image = Image.new("RGB", size, colour)
            draw = ImageDraw.Draw(image)
            width, height = size
            for n in range(6):
                draw.line(
                    (width * n // 7, height // 5 + 9 * n, width // 2 + 7 * n, height - 30), fill=ink, width=2
                )
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=70)
            self._cache[key] = buffer.getvalue()
        return self._cache[key]

    def photo(self, category: str, stage: str = "defect") -> SimpleUploadedFile:
        shade = 150 + (sum(map(ord, category)) % 80)
        colour = (
            (shade, shade - 10, shade - 30) if stage == "defect" else (shade + 20, shade + 20, shade + 15)
        )
        data = self._jpeg(
            f"{category}:{stage}", colour, (320, 240), "#5a4a3a" if stage == "defect" else "#9a9a90"
        )
        return SimpleUploadedFile(f"{stage}.jpg", data, "image/jpeg")

    def scan(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(
            "验收单.jpg", self._jpeg("scan", (250, 250, 248), (420, 594), "#444444"), "image/jpeg"
        )

    def signature(self) -> SimpleUploadedFile:
        if "signature" not in self._cache:
            image = Image.new("RGB", (360, 140), "white")
            ImageDraw.Draw(image).line(
                [(30, 90), (70, 40), (100, 95), (140, 50), (170, 100), (220, 45), (260, 90), (320, 70)],
                fill="black",
                width=4,
            )
            buffer = io.BytesIO()
            image.save(buffer, "PNG")
            self._cache["signature"] = buffer.getvalue()
        return SimpleUploadedFile("signature.png", self._cache["signature"], "image/png")


# --- The replay ----------------------------------------------------------------------------------


class Replay:
    """Lives played in time order, one transaction per replayed day; a step at or after the
    present is not played (and so neither is the rest of that life)."""

    def __init__(self, present: datetime) -> None:
        self.present = present
        self.zone = company_zone()
        self.heap: list[tuple[datetime, int, Life]] = []
        self.count = 0
        self.steps = 0
        self.failed = 0

    def start(self, life: Life) -> None:
        self._push(life, next(life, None))

    def _push(self, life: Life, when: datetime | None) -> None:
        if when is not None and when < self.present:
            self.count += 1
            heapq.heappush(self.heap, (when, self.count, life))

    def run(self) -> None:
        while self.heap:
            day = self.heap[0][0].astimezone(self.zone).date()
            with transaction.atomic():
                while self.heap and self.heap[0][0].astimezone(self.zone).date() == day:
                    when, _n, life = heapq.heappop(self.heap)
                    try:
                        with transaction.atomic(), clock_at(when):
                            following = next(life, None)
                    except Exception:  # a refused step ends that item's story, not the demo's
                        log.exception("demo rectification: a step at %s failed", when)
                        self.failed += 1
                        continue
                    self.steps += 1
                    self._push(life, None if following is None else max(following, when + STEP))


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def _local_day(moment: datetime) -> date:
    return moment.astimezone(company_zone()).date()


def _next_day(moment: datetime, hour: int, rng: random.Random, days: int = 1) -> datetime:
    return at(_local_day(moment) + timedelta(days=days), hour, rng.randrange(0, 55))


def _done_by(due: date, planned: datetime, rng: random.Random) -> datetime:
    """The team reports its work a day or two before the date, and never the day it was planned."""
    day = max(due - timedelta(days=rng.randint(0, 2)), _local_day(planned) + timedelta(days=1))
    return at(day, rng.choice((10, 15, 16)), rng.randrange(0, 55))


@dataclass
class Story:
    cast: Cast
    replay: Replay
    units: dict[int, Unit]
    pictures: Pictures = field(default_factory=Pictures)
    reports: dict[str, Report] = field(default_factory=dict)

    def report_life(self, key: str, moment: datetime, **values: Any) -> Life:
        yield moment
        self.reports[key] = item_services.create_report(
            actor=self.cast.office, estate=self.cast.estate, developer=self.cast.developer, **values
        )

    # --- the handover batch --------------------------------------------------------------------

    def unit_life(self, report: str, visit: UnitVisit, seed: str) -> Life:
        yield visit.at
        made = item_services.add_items(
            actor=self.cast.office,
            report=self.reports[report],
            rows=[
                ItemInput(
                    location=where,
                    description=defect.description.format(where=where),
                    category=defect.category,
                    unit=self.units[visit.unit_id],
                    photos=[self.pictures.photo(defect.category)],
                )
                for defect, where, _fate in visit.items
            ],
        )
        for n, (item, (defect, _where, fate)) in enumerate(zip(made, visit.items, strict=True)):
            rng = random.Random(f"{seed}-{n}")
            self.replay.start(self.item_life(item.pk, visit, defect, fate, rng))

    def item_life(
        self, item: int, visit: UnitVisit, defect: content.Defect, fate: Fate, rng: random.Random
    ) -> Life:
        cast = self.cast
        moment = _next_day(visit.at, 10, rng)
        yield moment
        for round_ in range(fate.objections + 1):
            if fate.route == "property":
                if round_:
                    moment = _next_day(moment, 10, rng)
                    yield moment
                due = _local_day(moment) + timedelta(days=defect.days)
                routing.fix_ourselves(actor=cast.office, item=item, department=cast.engineering, due_date=due)
                moment = _done_by(due, moment, rng)
                yield moment
                rounds.complete_ourselves(
                    actor=cast.fixer,
                    item=item,
                    note=rng.choice(content.WORK_NOTES),
                    photos=[self.pictures.photo(defect.category, "done")],
                )
            else:
                if not round_:
                    routing.escalate(actor=cast.office, item=item)
                moment = _next_day(moment, 14 if not round_ else 10, rng)
                yield moment
                moment = yield from self._developer_round(item, defect, fate, round_, rng, moment)
            moment += timedelta(hours=rng.randint(1, 4))
            yield moment
            rounds.notify(actor=cast.office, item=item)
            objects = round_ < fate.objections
            paper = rng.random() < 0.3 if objects else fate.method == "paper"
            moment = _next_day(moment, 10 if paper else 19, rng, days=rng.randint(1, 3))
            yield moment
            if objects:
                self._object(item, visit, defect, paper)
                continue
            self._accept(item, visit, fate.method, rng)

    def _developer_round(
        self, item: int, defect: content.Defect, fate: Fate, round_: int, rng: random.Random, moment: datetime
    ) -> Generator[datetime, None, datetime]:
        """Planned, done (late ones not by the present), inspected — sent back once for some."""
        cast = self.cast
        days = defect.days if not round_ else max(3, defect.days // 2)
        due = _local_day(moment) + timedelta(days=days)
        measure = defect.measure if not round_ else f"复查后{defect.measure}"
        routing.plan(actor=cast.developer_cs, item=item, measure=measure, due_date=due, team=cast.team)
        moment = at(due + timedelta(days=60), 16) if fate.late and not round_ else _done_by(due, moment, rng)
        yield moment
        rounds.complete(
            actor=cast.team_member,
            item=item,
            note=rng.choice(content.WORK_NOTES),
            photos=[self.pictures.photo(defect.category, "done")],
        )
        if fate.sent_back and not round_:
            moment = _next_day(moment, 10, rng)
            yield moment
            rounds.inspect(
                actor=cast.developer_cs, item=item, passed=False, reason=rng.choice(content.SENT_BACK)
            )
            moment = _next_day(moment, 16, rng, days=2)
            yield moment
            rounds.complete(
                actor=cast.team_member,
                item=item,
                note=rng.choice(content.WORK_NOTES),
                photos=[self.pictures.photo(defect.category, "done")],
            )
        moment = _next_day(moment, 10, rng)
        yield moment
        rounds.inspect(actor=cast.developer_cs, item=item, passed=True, reason="现场复查合格")
        return moment

    def _token(self, visit: UnitVisit) -> str:
        return resident_messages.link_of_unit(visit.unit_id).token

    def _object(self, item: int, visit: UnitVisit, defect: content.Defect, paper: bool) -> None:
        objection = content.OBJECTIONS[defect.category]
        if paper:
            rounds.record_paper_objection(actor=self.cast.office, item=item, objection=objection)
        else:
            resident.object_to(
                token=self._token(visit),
                item_id=item,
                objection=objection,
                photos=[self.pictures.photo(defect.category)],
            )

    def _accept(self, item: int, visit: UnitVisit, method: str, rng: random.Random) -> None:
        if method == "paper":
            rounds.record_paper_acceptance(
                actor=self.cast.office, item=item, scan=self.pictures.scan(), signed_name=visit.owner
            )
        elif method == "typed":
            resident.accept(token=self._token(visit), item_id=item, signed_name=visit.owner)
        else:
            resident.accept(
                token=self._token(visit),
                item_id=item,
                signature=self.pictures.signature(),
                signed_name=visit.owner if rng.random() < 0.5 else "",
            )

    # --- what the departments found ------------------------------------------------------------

    def finding_life(
        self,
        report: str,
        finding: content.Finding,
        moment: datetime,
        building: str,
        ours: bool,
        rng: random.Random,
    ) -> Life:
        cast = self.cast
        yield moment
        made = item_services.add_items(
            actor=cast.office,
            report=self.reports[report],
            rows=[
                ItemInput(
                    location=finding.where.format(building=building),
                    description=finding.description,
                    category=finding.category,
                    photos=[self.pictures.photo(finding.category)],
                )
            ],
        )
        item = made[0].pk
        moment = _next_day(moment, 10, rng)
        yield moment
        if ours:
            due = _local_day(moment) + timedelta(days=5)
            routing.fix_ourselves(actor=cast.office, item=item, department=cast.engineering, due_date=due)
            moment = _done_by(due, moment, rng)
            yield moment
            rounds.complete_ourselves(
                actor=cast.fixer,
                item=item,
                note=rng.choice(content.WORK_NOTES),
                photos=[self.pictures.photo(finding.category, "done")],
            )
        else:
            routing.escalate(actor=cast.office, item=item)
            moment = _next_day(moment, 14, rng)
            yield moment
            due = _local_day(moment) + timedelta(days=7)
            routing.plan(
                actor=cast.developer_cs, item=item, measure=finding.measure, due_date=due, team=cast.team
            )
            moment = _done_by(due, moment, rng)
            yield moment
            rounds.complete(
                actor=cast.team_member,
                item=item,
                note=rng.choice(content.WORK_NOTES),
                photos=[self.pictures.photo(finding.category, "done")],
            )
            moment = _next_day(moment, 10, rng)
            yield moment
            rounds.inspect(actor=cast.developer_cs, item=item, passed=True, reason="现场复查合格")
        moment = _next_day(moment, 11, rng)
        yield moment
        rounds.accept_on_behalf(actor=cast.office, item=item, note="现场复查合格，代发现部门验收")
