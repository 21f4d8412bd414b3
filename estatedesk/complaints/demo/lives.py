"""The lives of the demo's complaints: each a generator that yields when its next step happens.

``demo.Story.play`` resumes a life at the time it yielded, with ``clock_at`` set to that
time, so the code after a ``yield`` runs "then". Every write is a service call. A life
returns ``OPEN`` when it stops on purpose with its matter unfinished.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from estatedesk.complaints import papers, services
from estatedesk.complaints.demo import texts
from estatedesk.complaints.demo.story import OPEN, Head, Life, Site, Story
from estatedesk.complaints.models import Category, Complaint, TransferSlip, WorkNotice
from estatedesk.core.actors import RESIDENT, Actor
from estatedesk.org import services as org_services

if TYPE_CHECKING:
    from django.contrib.auth.models import User

VISIT_BY_PHONE = 0.7

T = TypeVar("T")
# Steps of a life that a helper takes, returning what the life needs next.
Steps = Generator[datetime, None, T]


@dataclass
class Plan:
    """Everything about one matter that is decided before it happens."""

    site: Site
    kind: str
    scenario: str
    category: Category
    channel: str
    received: datetime
    description: str
    recorder: Actor  # a staff user, or RESIDENT for the resident portal
    unit: Any = None
    customer: Any = None
    name: str = ""
    phone: str = ""
    cause: str = ""
    urgent: bool = False
    serious: bool = False
    late: bool = False
    requested: datetime | None = None
    answer: str = ""  # answered at intake
    reply_text: str = ""  # an enquiry's answer when it is given later
    head: Head | None = None  # forwarded to a department with a head
    referral: tuple[str, str, str] = ("", "", "")  # party, their result, explanation to the customer
    hold: str = ""  # stop after this step ("record", "assess", "refer", "reply"): still open now
    # or, on a slip's life, before this signer signs ("deputy", "gm"): the slip waits for them now
    key: str | None = None  # the intake's submission key (resuming an interrupted load)
    analysis: str = ""  # what was found (duplicates share it)
    place: dict[str, str] | None = None


def handling_texts(story: Story, category: str) -> tuple[str, str, str, str]:
    return story.pick(texts.HANDLING.get(category, texts.HANDLING_DEFAULT))


# --- Shared steps ---------------------------------------------------------------------------------


def intake(s: Story, p: Plan) -> Steps[tuple[Complaint, datetime]]:
    portal = p.recorder is RESIDENT
    t = p.received if portal else p.received + s.minutes(1, 8)
    yield t
    data = services.Intake(
        estate=p.site.estate,
        kind=p.kind,
        channel=p.channel,
        category=p.category,
        description=p.description,
        received_at=None if portal else p.received,
        unit=p.unit,
        customer=p.customer,
        complainant_name=p.name,
        phone=p.phone,
        requested_reply_at=p.requested,
        immediate_reply=p.answer,
        submission_key=p.key,
        privacy_notice=org_services.current_privacy_notice() if portal else None,
    )
    c = services.record_complaint(actor=p.recorder, data=data)
    if p.recorder in (s.cast.deputy_gm, s.cast.gm):
        # §7.2.2: leadership forwards it to the estate's management office.
        t = s.after(t, p.site, 20, 240)
        yield t
        handler = p.site.handler.staff
        services.assign(actor=p.recorder, complaint=c, department=p.site.office, handler=handler)
    return c, t


def assess(s: Story, p: Plan, c: Complaint, t: datetime) -> Steps[tuple[Complaint, datetime]]:
    t = s.after(t, p.site, 4, 25, anytime=True) if p.urgent else s.after(t, p.site, 10, 200)
    yield t
    c = services.assess(actor=p.site.handler, complaint=c, cause=p.cause, serious=p.serious, urgent=p.urgent)
    return c, t


def forward(s: Story, p: Plan, c: Complaint, t: datetime, *, name_handler: bool = True) -> Steps[datetime]:
    """Pass the complaint to the department that does the work (engineering, cleaning …)."""
    assert p.head is not None
    t = s.after(t, p.site, 3, 40, anytime=p.urgent)
    yield t
    handler = p.head.staff if name_handler else None
    services.assign(actor=p.site.handler, complaint=c, department=p.head.department, handler=handler)
    return t


def handle_and_reply(s: Story, p: Plan, c: Complaint, t: datetime, actor: User) -> Steps[datetime]:
    c.refresh_from_db(fields=["reply_due"])
    r = s.reply_time(t, c.reply_due, p.site, late=p.late, urgent=p.urgent)
    analysis, measures, result, answer = handling_texts(s, p.category.code)
    yield s.between(t, r, p.site) if not p.urgent else t + (r - t) / 2
    services.handle(actor=actor, complaint=c, cause_analysis=analysis, measures=measures, result=result)
    yield r
    services.reply(actor=actor, complaint=c, content=answer, manner=_manner(s, p))
    return r


def _manner(s: Story, p: Plan) -> str:
    return (
        "written"
        if p.channel in ("letter", "email", "portal", "media", "government") or s.chance(0.2)
        else "oral"
    )


def visit(s: Story, p: Plan, c: Complaint, t: datetime, actor: User, satisfaction: str) -> Steps[datetime]:
    t = s.working_days_later(t, p.site, s.rng.choice((1, 1, 2, 3)))
    if s.chance(0.15):  # some people are only reachable in the evening
        t = t.replace(hour=19, minute=s.rng.randrange(0, 50))
    yield t
    by_phone = s.chance(VISIT_BY_PHONE)
    visitor = p.site.duty if s.chance(0.25) else actor  # a person the handler authorises
    services.visit(
        actor=actor,
        complaint=c,
        method="phone" if by_phone else "in_person",
        opinion=s.pick(texts.OPINIONS[satisfaction]),
        satisfaction=satisfaction,
        visitor=visitor.staff,
    )
    return t


def satisfied(s: Story) -> str:
    return "very_satisfied" if s.chance(0.4) else "satisfied"


# --- Lives ------------------------------------------------------------------------------------------


def valid_life(s: Story, p: Plan) -> Life:
    """A valid complaint: assess, perhaps forward, handle, reply, visit; reopened if not satisfied."""
    c, t = yield from intake(s, p)
    if p.hold == "record":
        return OPEN  # waiting for its assessment
    c, t = yield from assess(s, p, c, t)
    actor = p.site.handler
    if p.head is not None:
        t = yield from forward(s, p, c, t)
        actor = p.head.user
    if p.hold == "assess":
        return OPEN  # waiting for its reply
    if not p.answer:
        t = yield from handle_and_reply(s, p, c, t, actor)
    if p.hold == "reply":
        return OPEN  # waiting for its visit
    if p.scenario not in ("reopen", "superior"):
        yield from visit(s, p, c, t, actor, satisfied(s))
        return
    unhappy = s.pick(["dissatisfied", "dissatisfied", "neutral", "very_dissatisfied"])
    t = yield from visit(s, p, c, t, actor, unhappy)
    c.refresh_from_db(fields=["reply_due"])
    r = s.reply_time(t, c.reply_due, p.site, late=False, urgent=p.urgent)
    yield s.between(t, r, p.site)
    services.handle(
        actor=actor,
        complaint=c,
        cause_analysis=c.cause_analysis or handling_texts(s, p.category.code)[0],
        measures=s.pick(texts.FURTHER_MEASURES),
        result="已按新的方案处理。",
    )
    yield r
    services.reply(actor=actor, complaint=c, content="已按新的方案再次处理，请您查看。", manner="oral")
    if p.scenario == "reopen":
        yield from visit(s, p, c, r, actor, satisfied(s))
        return
    t = yield from visit(s, p, c, r, actor, "dissatisfied")
    yield s.working_days_later(t, p.site, s.rng.choice((1, 2)))
    superior = p.head.user if p.head is not None else s.cast.deputy_gm
    services.close_by_superior(actor=superior, complaint=c, reason=s.pick(texts.SUPERIOR_REASONS))


def invalid_life(s: Story, p: Plan) -> Life:
    """Not the company's responsibility: referred (developer, outside party) or explained, then closed."""
    c, t = yield from intake(s, p)
    c, t = yield from assess(s, p, c, t)
    handler = p.site.handler
    party, their_result, explanation = p.referral
    r = s.reply_time(t, c.reply_due, p.site, late=p.late, urgent=False)
    if party:
        t = s.between(t, t + (r - t) / 3, p.site)
        yield t
        developer = s.cast.developer if p.cause == "developer" else None
        services.refer(actor=handler, complaint=c, party=party, developer=developer)
        if p.hold == "refer":
            return OPEN  # waiting for the party's answer
        yield s.between(t, r, p.site)
        services.record_referral_result(actor=handler, complaint=c, result=their_result)
    else:
        yield s.between(t, r, p.site)
        services.handle(
            actor=handler, complaint=c, cause_analysis=explanation, measures="现场核实并向业主说明。"
        )
    yield r
    services.reply(actor=handler, complaint=c, content=explanation, manner=_manner(s, p))
    if p.scenario == "dispute":
        yield s.working_days_later(r, p.site, 2)
        services.close_by_superior(
            actor=s.cast.deputy_gm,
            complaint=c,
            reason="已向业主出示依据并多次解释，诉求不属物业责任，同意结案。",
        )
        return
    yield s.after(r, p.site, 30, 1400)
    services.close(actor=handler, complaint=c, note="已向业主解释清楚。")


def slip_life(s: Story, p: Plan, level: str) -> Life:
    """A handler cannot resolve it: a work transfer slip up to ``level`` (head, deputy, gm)."""
    assert p.head is not None
    c, t = yield from intake(s, p)
    c, t = yield from assess(s, p, c, t)
    t = yield from forward(s, p, c, t, name_handler=False)
    handler, head = p.site.handler, p.head
    building = p.place["building"] if p.place else ""
    t = s.after(t, p.site, 30, 300)
    yield t
    slip = papers.raise_slip(
        actor=handler,
        complaint=c,
        matter=s.pick(texts.SLIP_MATTERS[p.category.code]).format(building=building),
        handler_opinion="建议尽快审批，业主情绪较大。",
    )
    if s.chance(0.75):
        # The handler agrees a later reply time with the customer while the slip goes up.
        yield s.after(t, p.site, 5, 60)
        days = {"head": 4, "deputy": 8, "gm": 10}[level]
        agreed = s.working_days_later(t, p.site, days).replace(hour=17, minute=0, second=0, microsecond=0)
        services.change_request(actor=handler, complaint=c, requested_reply_at=agreed)
    else:
        p.late = True  # the two working days ran out while the slip went up
    signers = [(head.user, "head")]
    if level in ("deputy", "gm"):
        signers.append((s.cast.deputy_gm, "deputy"))
    if level == "gm":
        signers.append((s.cast.gm, "gm"))
    for user, step in signers:
        if step == p.hold:
            return
        t = s.working_days_later(t, p.site, 1) if step != "head" else s.after(t, p.site, 60, 600)
        yield t
        decide = step == level
        opinions = {
            ("head", True): texts.HEAD_DECIDE,
            ("head", False): texts.HEAD_ESCALATE,
            ("deputy", True): texts.DEPUTY_DECIDE,
            ("deputy", False): texts.DEPUTY_ESCALATE,
            ("gm", True): texts.GM_DECIDE,
        }[(step, decide)]
        papers.sign_slip(
            actor=user, slip=slip, opinion=s.pick(opinions), decision="decide" if decide else "escalate"
        )
    if level != "head" and s.chance(0.7):
        t = yield from _notice_from_slip(s, p, slip, signers[-1][0], t, building)
    t = s.after(t, p.site, 60, 900)
    yield t
    papers.record_slip_result(actor=handler, slip=slip, result=s.pick(texts.SLIP_RESULTS))
    yield from _finish_valid(s, p, c, t, handler)


def _notice_from_slip(
    s: Story, p: Plan, slip: TransferSlip, issuer: User, t: datetime, building: str
) -> Steps[datetime]:
    head = p.head
    assert head is not None
    t = s.after(t, p.site, 10, 90)
    yield t
    due = s.working_days_later(t, p.site, s.rng.choice((2, 3, 4))).replace(hour=17, minute=30)
    notice = papers.issue_notice(
        actor=issuer,
        department=head.department,
        task=s.pick(texts.NOTICE_TASKS).format(building=building),
        due_at=due,
        slip=slip,
    )
    t = yield from _report_and_verify(s, p.site, notice, head.user, issuer, t, due)
    return t


def _report_and_verify(
    s: Story, site: Site, notice: WorkNotice, reporter: User, issuer: User, t: datetime, due: datetime
) -> Steps[datetime]:
    returned = s.chance(0.15)
    for attempt in range(2 if returned else 1):
        # Mostly reported before the deadline; now and then a day or so after it.
        t = s.after(due, site, 60, 900) if s.chance(0.1) else s.between(t, due, site)
        yield t
        papers.report_notice(actor=reporter, notice=notice, report=s.pick(texts.NOTICE_REPORTS))
        t = s.after(t, site, 60, 1200)
        yield t
        last = attempt == (1 if returned else 0)
        papers.verify_notice(
            actor=issuer,
            notice=notice,
            accepted=last,
            verification=s.pick(texts.NOTICE_VERIFICATIONS) if last else "现场复查未完成，退回继续整改。",
        )
        due = s.working_days_later(t, site, 2)
    return t


def _finish_valid(s: Story, p: Plan, c: Complaint, t: datetime, actor: User) -> Steps[None]:
    analysis, measures, result, answer = handling_texts(s, p.category.code)
    t = s.after(t, p.site, 20, 240)
    yield t
    services.handle(actor=actor, complaint=c, cause_analysis=analysis, measures=measures, result=result)
    c.refresh_from_db(fields=["reply_due"])
    r = s.reply_time(t, c.reply_due, p.site, late=p.late, urgent=False)
    yield r
    services.reply(actor=actor, complaint=c, content=answer, manner="written")
    yield from visit(s, p, c, r, actor, satisfied(s))


def enquiry_life(s: Story, p: Plan) -> Life:
    c, t = yield from intake(s, p)
    handler = p.site.handler
    if not p.answer:
        r = s.reply_time(t, c.reply_due, p.site, late=p.late, urgent=False)
        yield r
        services.reply(actor=handler, complaint=c, content=p.reply_text, manner=_manner(s, p))
        t = r
    yield s.after(t, p.site, 20, 1400)
    services.close(actor=handler, complaint=c, note="已答复。")


def grievance_life(s: Story, p: Plan, analyst: User | None) -> Life:
    c, t = yield from intake(s, p)
    handler = p.site.handler
    r = s.reply_time(t, c.reply_due, p.site, late=p.late, urgent=False)
    if s.chance(0.5):
        yield s.between(t, r, p.site)
        analysis, measures, result, _answer = handling_texts(s, p.category.code)
        services.handle(actor=handler, complaint=c, cause_analysis=analysis, measures=measures, result=result)
    yield r
    services.reply(
        actor=handler, complaint=c, content="感谢您的意见，我们已转告相关部门改进。", manner="oral"
    )
    if s.chance(0.6):
        t = yield from visit(s, p, c, r, handler, satisfied(s))
    else:
        t = s.after(r, p.site, 60, 1400)
        yield t
        services.close(actor=handler, complaint=c, note="已答复并记录。")
    if analyst is not None:
        yield s.working_days_later(t, p.site, s.rng.choice((1, 2, 4)))
        services.analyse(actor=analyst, complaint=c, analysis=s.pick(texts.GRIEVANCE_ANALYSES))


def cluster_life(s: Story, lead: Plan, followers: list[Plan]) -> Life:
    """One matter, several households (K-18): each recorded, linked to the lead, replied and visited."""
    site, handler = lead.site, lead.site.handler
    c, t = yield from intake(s, lead)
    c, t = yield from assess(s, lead, c, t)
    group = [c]
    for plan in followers:
        f, t = yield from intake(s, plan)
        t = t + s.minutes(1, 5)
        yield t
        services.link(actor=handler, complaint=f, lead=c)
        group.append(f)
    analysis, measures, result, answer = handling_texts(s, "repairs")
    t = s.after(t, site, 10, 40, anytime=True)
    yield t
    services.handle(
        actor=handler, complaint=c, cause_analysis=lead.analysis or analysis, measures=measures, result=result
    )
    for member in group:
        t = t + s.minutes(2, 8)
        yield t
        services.reply(actor=handler, complaint=member, content=answer, manner="oral")
    for member in group:
        yield from visit(s, lead, member, t, handler, satisfied(s))


def review_life(s: Story, head: Head, week: date, at: datetime) -> Life:
    """The department head's weekly review (K-11), early in the week after."""
    yield at
    papers.review_week(
        actor=head.user, department=head.department, week_start=week, remarks=s.pick(texts.WEEKLY_REMARKS)
    )


def initiative_life(s: Story, site: Site, head: Head, issuer: User, task: str, t: datetime) -> Life:
    """A superior's work arrangement notice after an inspection (K-9 a), reported and verified."""
    yield t
    due = s.working_days_later(t, site, s.rng.choice((3, 5))).replace(hour=17, minute=30)
    notice = papers.issue_notice(
        actor=issuer, department=head.department, task=task, due_at=due, estate=site.estate
    )
    yield from _report_and_verify(s, site, notice, head.user, issuer, t, due)
