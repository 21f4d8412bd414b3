"""Who complains about what, when and how it will go: the plans behind the demo's lives.

Shares are quotas rather than independent draws, so even a small run (the tests load 120)
has every kind of story: invalid causes, slips up to the GM, reopened and superior-closed
complaints, enquiries, grievances, duplicates, overdue and due-soon ones.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from estatedesk.complaints.demo import lives as lives_
from estatedesk.complaints.demo import texts
from estatedesk.complaints.demo.lives import Plan
from estatedesk.complaints.demo.story import DAYS, Head, Life, Replay, Site, Story
from estatedesk.complaints.models import LEADERSHIP_CHANNELS, Category, Complaint, WeeklyReview, WorkNotice
from estatedesk.complaints.papers import week_of
from estatedesk.core import policy
from estatedesk.core.actors import RESIDENT, Actor

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Shares of the ordinary matters (the rest are plain valid complaints).
QUOTAS = [
    ("enquiry_now", 0.07),  # answered at intake
    ("enquiry_later", 0.03),
    ("grievance", 0.10),
    ("developer", 0.05),
    ("external", 0.05),
    ("public_facilities", 0.04),
    ("unfounded", 0.045),
    ("dispute", 0.01),  # invalid, the customer insists: a superior closes it
    ("slip_head", 0.02),
    ("slip_deputy", 0.015),
    ("slip_gm", 0.015),
    ("reopen", 0.035),  # dissatisfied at the visit, satisfied the second time
    ("superior", 0.02),  # dissatisfied twice: a superior closes it with a reason
    ("answered", 0.05),  # a valid complaint answered at intake
]
URGENT_SHARE = 0.19  # of valid complaints: about 15 % of all complaints
SERIOUS_SHARE = 0.1
LATE_SHARE = 0.075
REQUESTED_SHARE = 0.06
FORWARD_SHARE = 0.35  # valid complaints passed to the department that does the work
VISITOR_SHARE = 0.08  # complainants not on the roll (visitors, passers-by)
SITE_WEIGHTS = {"CHHY": 0.45, "JSY": 0.33, "JRDS": 0.22}
CLUSTER_SIZE = 5

CATEGORY_WEIGHTS = {
    True: {  # residential
        "repairs": 24,
        "housing": 11,
        "security": 8,
        "vehicles": 10,
        "cleaning": 12,
        "landscaping": 7,
        "community": 3,
        "convenience": 5,
        "charges": 10,
        "funds": 4,
        "other": 6,
    },
    False: {  # office building
        "repairs": 26,
        "housing": 8,
        "security": 9,
        "vehicles": 12,
        "cleaning": 16,
        "landscaping": 2,
        "community": 2,
        "convenience": 8,
        "charges": 10,
        "funds": 2,
        "other": 5,
    },
}
DEPARTMENT_FOR = {
    "repairs": "engineering",
    "cleaning": "cleaning",
    "security": "security",
    "vehicles": "security",
    "landscaping": "landscaping",
    "charges": "finance",
    "funds": "finance",
}
CAUSE_FOR = {"repairs": "maintenance", "charges": "charges", "funds": "funds"}
CHANNELS_DAY = {
    "phone": 34,
    "face_to_face": 18,
    "portal": 12,
    "wechat": 9,
    "sms": 3,
    "email": 3,
    "letter": 2,
    "suggestion_box": 3,
    "return_visit": 4,
    "company": 2,
    "group_company": 1,
    "media": 0.6,
    "government": 1.2,
}
CHANNELS_NIGHT = {"phone": 60, "portal": 20, "wechat": 15, "sms": 5}
CHANNELS_LIGHT = {"phone": 45, "face_to_face": 25, "portal": 18, "wechat": 12}
# Fewer matters around the Spring Festival, more in the wet, hot months.
SEASON = {
    1: 0.9,
    2: 0.75,
    3: 0.95,
    4: 1.0,
    5: 1.1,
    6: 1.25,
    7: 1.3,
    8: 1.3,
    9: 1.15,
    10: 0.9,
    11: 1.0,
    12: 0.95,
}


# When in the day matters arrive (hours, local time): mostly office hours, some evenings and nights.
DAY_BANDS = {(8.5, 12): 35, (12, 13.5): 6, (13.5, 17.5): 31, (17.5, 22.5): 17, (7, 8.5): 5, (22.5, 31): 6}


def weighted_band(s: Story) -> tuple[float, float]:
    bands = list(DAY_BANDS)
    return s.rng.choices(bands, weights=[DAY_BANDS[b] for b in bands])[0]


def weighted(s: Story, table: Mapping[str, float]) -> str:
    return s.rng.choices(list(table), weights=list(table.values()))[0]


def fits(flag: str, site: Site) -> bool:
    return not flag or (flag == "r") == site.residential


class Planner:
    def __init__(self, story: Story) -> None:
        self.s = story
        self.categories = {c.code: c for c in Category.objects.filter(active=True)}
        self.sites = story.cast.sites

    # --- when and where -------------------------------------------------------------------------

    def received(self) -> datetime:
        s = self.s
        while True:
            day = s.start.date() + timedelta(days=s.rng.randrange(DAYS + 1))
            weight = (1.0 if s.calendar.is_working_day(day) else 0.45) * SEASON[day.month]
            if s.rng.random() * 1.3 > weight:
                continue
            start, end = weighted_band(s)
            minute = s.rng.uniform(start * 60, end * 60)  # past midnight runs into the next day
            moment = datetime.combine(day, time(0), s.zone) + timedelta(minutes=minute)
            if s.start < moment < s.now - timedelta(minutes=40):
                return moment

    def site(self, residential_only: bool = False) -> Site:
        weights = {k: w for k, w in SITE_WEIGHTS.items() if not residential_only or self.sites[k].residential}
        return self.sites[weighted(self.s, weights)]

    def channel(self, kind: str, site: Site, moment: datetime) -> str:
        if kind != "complaint":
            return weighted(self.s, CHANNELS_LIGHT)
        if not self.s.is_open(moment, site):
            return weighted(self.s, CHANNELS_NIGHT)
        table = dict(CHANNELS_DAY)
        if not site.residential:
            table["email"] = 8
        return weighted(self.s, table)

    def recorder(self, site: Site, channel: str, moment: datetime) -> Actor:
        s = self.s
        if channel == "portal":
            return RESIDENT
        if channel in LEADERSHIP_CHANNELS:
            # §5.1, §5.2: the deputy GM receives complaints to the company, the GM those to the
            # group company or the government; media complaints either of them.
            either = s.cast.deputy_gm if s.chance(0.7) else s.cast.gm
            return {"company": s.cast.deputy_gm, "group_company": s.cast.gm, "government": s.cast.gm}.get(
                channel, either
            )
        if channel == "return_visit" or (s.is_open(moment, site) and s.chance(0.25)):
            return site.handler
        return site.duty

    def complainant(self, site: Site, channel: str) -> dict[str, Any]:
        s = self.s
        unit, customer = s.pick(site.households)
        place = {
            "estate": site.estate.name,
            "building": unit.building.name,
            "place": f"{unit.building.name}-{unit.number}",
            "floor": str(unit.floor or 1),
            "parking": f"B{s.rng.randint(1, 2)}-{s.rng.randint(1, 320):03d}",
        }
        if s.chance(VISITOR_SHARE) and channel not in ("suggestion_box", "letter", "return_visit"):
            return {"name": s.fake.name(), "phone": s.fake.phone_number(), "place": place}
        name = customer.contact_person if not site.residential and customer.contact_person else ""
        if channel == "portal":  # residents type their name, phone and unit; staff link the customer later
            return {"unit": unit, "name": name or customer.name, "phone": customer.phone, "place": place}
        return {"unit": unit, "customer": customer, "name": name, "place": place}

    # --- plans ------------------------------------------------------------------------------------

    def base(self, kind: str, scenario: str, site: Site, moment: datetime, category: str, text: str) -> Plan:
        channel = self.channel(kind, site, moment)
        if channel in LEADERSHIP_CHANNELS or channel == "return_visit":
            moment = self.s.office(moment, site)
            if moment >= self.s.now - timedelta(minutes=40):
                moment, channel = moment - timedelta(days=3), "phone"
        who = self.complainant(site, channel)
        place = who.pop("place")
        place["day"] = f"{(moment + timedelta(days=3)).month}月{(moment + timedelta(days=3)).day}日"
        return Plan(
            site=site,
            kind=kind,
            scenario=scenario,
            category=self.categories[category],
            channel=channel,
            received=moment,
            description=text.format(**place),
            recorder=self.recorder(site, channel, moment),
            place=place,
            late=self.s.chance(LATE_SHARE),
            **who,
        )

    def complaint_text(self, site: Site, category: str) -> str:
        return self.s.pick([text for text, flag in texts.COMPLAINTS[category] if fits(flag, site)])

    def valid(self, scenario: str, moment: datetime, *, hold: str = "", urgent: bool | None = None) -> Plan:
        s = self.s
        site = self.site()
        if urgent is None:
            urgent = scenario != "answered" and s.chance(URGENT_SHARE)
        if urgent:
            category, text, _flag = s.pick([u for u in texts.URGENT if fits(u[2], site)])
        else:
            category = weighted(s, CATEGORY_WEIGHTS[site.residential])
            text = self.complaint_text(site, category)
        plan = self.base("complaint", scenario, site, moment, category, text)
        plan.cause = CAUSE_FOR.get(category, "management")
        plan.urgent, plan.serious, plan.hold = urgent, s.chance(SERIOUS_SHARE), hold
        if scenario == "answered" and plan.recorder in (site.duty, site.handler):
            plan.answer = "已当场向业主说明情况，并通知相关人员今天处理。"
        elif not urgent and s.chance(REQUESTED_SHARE):
            asked = s.office(moment + s.minutes(180, 1800), site)
            plan.requested = asked.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        if not plan.answer and category in DEPARTMENT_FOR and s.chance(FORWARD_SHARE):
            plan.head = s.cast.heads[DEPARTMENT_FOR[category]]
        return plan

    def slip(self, moment: datetime) -> Plan:
        s = self.s
        site = self.site()
        category = s.pick(["repairs", "repairs", "repairs", "cleaning", "security", "charges"])
        plan = self.base("complaint", "slip", site, moment, category, self.complaint_text(site, category))
        plan.cause = CAUSE_FOR.get(category, "management")
        plan.serious = s.chance(0.5)
        plan.head = s.cast.heads[DEPARTMENT_FOR[category]]
        return plan

    def invalid(self, cause: str, moment: datetime) -> Plan:
        s = self.s
        site = self.site(residential_only=cause == "developer")
        options = [o for o in texts.INVALID[cause] if site.residential or "{building}" not in o[1]]
        category, text, party, result, explanation = s.pick(options)
        plan = self.base("complaint", cause, site, moment, category, text)
        plan.cause = cause
        plan.referral = (party, result.format(**(plan.place or {})), explanation)
        return plan

    def enquiry(self, moment: datetime, now: bool) -> Plan:
        s = self.s
        site = self.site()
        category, question, answer, _flag = s.pick([e for e in texts.ENQUIRIES if fits(e[3], site)])
        plan = self.base("enquiry", "enquiry", site, moment, category, question)
        if now and plan.recorder is not RESIDENT:
            plan.answer = answer
        plan.reply_text = answer
        return plan

    def grievance(self, moment: datetime) -> tuple[Plan, User | None]:
        s = self.s
        site = self.site()
        category, text, _flag = s.pick([g for g in texts.GRIEVANCES if fits(g[2], site)])
        plan = self.base("grievance", "grievance", site, moment, category, text)
        analyst: User | None = None  # None: nobody analyses this one
        if s.chance(0.5):
            # The head of the department concerned, if the estate is theirs; else the deputy GM.
            head = s.cast.heads.get(DEPARTMENT_FOR.get(category, ""))
            estates = policy.estate_ids(head.user) if head is not None else frozenset()
            in_scope = head is not None and (estates is None or site.estate.pk in estates)
            analyst = head.user if head is not None and in_scope else s.cast.deputy_gm
        return plan, analyst

    def cluster(self, index: int) -> tuple[Plan, list[Plan]]:
        s = self.s
        site = self.site(residential_only=True)
        category, lead_text, others, cause = texts.CLUSTERS[index % len(texts.CLUSTERS)]
        moment = self.received()
        while moment > s.now - timedelta(days=2):  # all five households are on record by now
            moment = self.received()
        lead = self.base("complaint", "cluster", site, moment, category, lead_text)
        lead.channel, lead.recorder, lead.urgent = "phone", site.duty, True
        lead.cause = "maintenance"
        building = lead.place["building"] if lead.place else ""
        neighbours = [h for h in site.households if h[0].building.name == building]
        followers = []
        for n, text in enumerate(others):
            unit, customer = s.pick(neighbours)
            place = dict(lead.place or {}, place=f"{building}-{unit.number}")
            followers.append(
                Plan(
                    site=site,
                    kind="complaint",
                    scenario="cluster",
                    category=lead.category,
                    channel=s.pick(["phone", "phone", "wechat", "portal"]),
                    received=moment + s.minutes(8 + 9 * n, 14 + 9 * n),
                    description=text.format(**place),
                    recorder=site.duty,
                    unit=unit,
                    customer=customer,
                    urgent=True,
                    cause="maintenance",
                )
            )
            if followers[-1].channel == "portal":
                followers[-1].recorder, followers[-1].customer = RESIDENT, None
                followers[-1].name, followers[-1].phone = customer.name, customer.phone
        lead.analysis = cause
        return lead, followers


@dataclass
class Item:
    """A life ready to play: when it begins, and how to tell it was already played."""

    life: Life
    first: datetime
    order: int
    key: str | None = None
    played: Callable[[], bool] | None = None
    # What it may number (the history reserves its numbers, core.numbering): at most so many
    # matters (TS), transfer slips (CQ) and work notices (AP).
    matters: int = 0
    papers: int = 0

    def done(self) -> bool:
        if self.key is not None:
            return Complaint.objects.filter(submission_key=self.key).exists()
        return self.played() if self.played is not None else False


# Slips the present finds waiting for a signature: (the signer they wait for, raised days ago).
SLIPS_WAITING = (("deputy", 2), ("gm", 4))


def lives(story: Story, replay: Replay) -> list[Item]:
    """All the lives of a year: ``replay.count`` complaints, enquiries and grievances, and the papers around them."""
    s, planner, count = story, Planner(story), replay.count
    clusters = max(1, count // 600)
    overdue = max(2, count // 400)
    held = max(1, count // 1000)  # of each: new, referred, replied, at the present
    waiting = len(SLIPS_WAITING)
    regular = max(0, count - clusters * CLUSTER_SIZE - overdue - 2 - 3 * held - waiting)
    scenarios: list[str] = []
    for name, share in QUOTAS:
        scenarios += [name] * max(1, round(regular * share))
    scenarios = scenarios[:regular]
    scenarios += ["plain"] * (regular - len(scenarios))
    s.rng.shuffle(scenarios)
    plans: list[tuple[Life, Plan]] = [_life(planner, scenario, planner.received()) for scenario in scenarios]
    plans += _open_now(planner, overdue, held)
    households: dict[int, int] = {}  # a cluster's matters, by its lead plan
    for index in range(clusters):
        lead, followers = planner.cluster(index)
        for n, plan in enumerate([lead, *followers]):
            plan.key = replay.key(f"c{index}-{n}")
        plans.append((lives_.cluster_life(s, lead, followers), lead))
        households[id(lead)] = 1 + len(followers)
    items = []
    for order, (life, plan) in enumerate(plans):
        if plan.key is None:
            plan.key = replay.key(f"n{order}")
        matters = households.get(id(plan), 1)
        papers = 1 if plan.scenario == "slip" else 0  # a slip, and perhaps a notice from it
        items.append(Item(life, next(life), order, key=plan.key, matters=matters, papers=papers))
    extra = _reviews(s)
    for order, (life, played) in enumerate(extra, start=len(items)):
        items.append(Item(life, next(life), order, played=played))
    for order, (life, played) in enumerate(_initiatives(s, max(1, count // 300)), start=len(items)):
        items.append(Item(life, next(life), order, played=played, papers=1))
    return items


def _life(planner: Planner, scenario: str, moment: datetime) -> tuple[Life, Plan]:
    s = planner.s
    if scenario.startswith("enquiry"):
        plan = planner.enquiry(moment, scenario == "enquiry_now")
        return lives_.enquiry_life(s, plan), plan
    if scenario == "grievance":
        plan, analyst = planner.grievance(moment)
        return lives_.grievance_life(s, plan, analyst), plan
    if scenario in ("developer", "external", "public_facilities", "unfounded"):
        plan = planner.invalid(scenario, moment)
        return lives_.invalid_life(s, plan), plan
    if scenario == "dispute":
        plan = planner.invalid(s.pick(["unfounded", "public_facilities"]), moment)
        plan.scenario = "dispute"
        return lives_.invalid_life(s, plan), plan
    if scenario.startswith("slip_"):
        plan = planner.slip(moment)
        return lives_.slip_life(s, plan, scenario.removeprefix("slip_")), plan
    plan = planner.valid(scenario, moment)
    return lives_.valid_life(s, plan), plan


def _open_now(planner: Planner, overdue: int, held: int) -> list[tuple[Life, Plan]]:
    """Matters the present finds unfinished, whatever the random draws: overdue ones, two whose
    deadline is near, and some waiting for their assessment, a party's answer or their visit."""
    s, home = planner.s, planner.sites["CHHY"]
    result = []

    def valid(moment: datetime, hold: str, urgent: bool = False) -> None:
        plan = planner.valid("plain", moment, hold=hold, urgent=urgent)
        plan.head = None if urgent else plan.head
        plan.requested = None
        result.append((lives_.valid_life(s, plan), plan))

    for _ in range(overdue):
        back = s.working_days_later(s.now - timedelta(days=12), home, s.rng.randint(1, 5))
        valid(min(back, s.now - timedelta(days=3)), "assess")
    valid(s.now - timedelta(minutes=97), "assess", urgent=True)  # two-hour deadline, 23 minutes left
    asked = planner.valid("plain", s.now - s.minutes(180, 1200), hold="assess", urgent=False)
    asked.requested = s.now + timedelta(hours=2)  # the customer asked for a reply within the day
    result.append((lives_.valid_life(s, asked), asked))
    for _ in range(held):
        valid(s.now - s.minutes(60, 600), "record")
        valid(s.now - timedelta(days=s.rng.randint(4, 6)), "reply")
        plan = planner.invalid("developer", s.now - timedelta(days=s.rng.uniform(3, 4)))
        plan.hold, plan.late = "refer", False
        result.append((lives_.invalid_life(s, plan), plan))
    # A slip waiting for the deputy GM's signature and one for the GM's (their home pages, A-1).
    for level, days in SLIPS_WAITING:
        plan = planner.slip(s.now - timedelta(days=days))
        plan.hold = level
        result.append((lives_.slip_life(s, plan, "gm"), plan))
    return result


def _reviews(s: Story) -> list[tuple[Life, Callable[[], bool]]]:
    """Each department head's weekly reviews, early in the following week; about one in ten missed."""
    site = s.cast.sites["CHHY"]
    first = week_of(s.start.date()) + timedelta(days=7)
    last = week_of(s.now.date()) - timedelta(days=7)
    result: list[tuple[Life, Callable[[], bool]]] = []
    for head in s.cast.heads.values():
        week = first
        while week <= last:
            recent = week >= last - timedelta(days=14)
            if not s.chance(0.4 if recent else 0.1):
                monday = datetime.combine(week + timedelta(days=7), time(9), s.zone)
                at = s.office(monday + s.minutes(0, 1800 if s.chance(0.3) else 120), site)
                played = _review_exists(head, week)
                result.append((lives_.review_life(s, head, week, at), played))
            week += timedelta(days=7)
    return result


def _review_exists(head: Head, week: date) -> Callable[[], bool]:
    return lambda: WeeklyReview.objects.filter(department=head.department, week_start=week).exists()


def _initiatives(s: Story, count: int) -> list[tuple[Life, Callable[[], bool]]]:
    result: list[tuple[Life, Callable[[], bool]]] = []
    for _ in range(count):
        kind, task = s.pick(texts.INITIATIVE_NOTICES)
        candidates = [site for site in s.cast.sites.values() if site.residential or kind != "landscaping"]
        site: Site = s.pick(candidates)
        # §7.2.9 a: a leader's instruction to a department under them (the deputy GM or the GM).
        issuer = s.cast.deputy_gm if s.chance(0.6) else s.cast.gm
        at = s.office(s.start + timedelta(days=s.rng.uniform(7, DAYS - 10), hours=9), site)
        text = task.format(estate=site.estate.name)
        life = lives_.initiative_life(s, site, s.cast.heads[kind], issuer, text, at)
        result.append((life, _notice_exists(site, at)))
    return result


def _notice_exists(site: Site, at: datetime) -> Callable[[], bool]:
    return lambda: WorkNotice.objects.filter(origin="initiative", estate=site.estate, issued_at=at).exists()
