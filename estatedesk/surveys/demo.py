"""The demo company's satisfaction surveys (SPEC S-7, S-3; decision 0006): last year's annual
survey, prepared, drawn, opened, answered and closed, and this year's drafted and ready to draw.

Everything goes through the services (``services``, ``responses``) under ``clock_at``, so
numbers, timelines, the draw's record, the SMS and the answers' stamps read as if it had
happened. The answers are drawn with a fixed seed so that the figures tell a story:

* most households are satisfied (翠湖花园 and 金融大厦 above the 90 % target);
* 金山苑 is under the target (about 85 %), its repairs, parking and cleaning weakest;
* 翠湖花园 returned only 42 % of its questionnaires, so its rate loses a point (S-3);
* a mix of answers on the phone (households with a mobile number) and on paper (typed in by
  the estate's duty desk), reasons for dissatisfaction and a few suggestions in Chinese.

When: last year's survey opened about 400 days before the demo's present, before the year of
complaints the demo replays (365 days), and it is loaded *before* that replay
(``demo.loading``). Loaded after it, the draw — which counts complaints from a moment on,
with no end, because real complaints are never in the future — would have put next year's
complainants into last year's key sample. This year's draft, drawn by the visitor after the
replay, counts every complaint since last year's opening, and every household dissatisfied
in last year's survey, into its key sample.

Resumable: each step is done only if the survey is not past it yet (an interrupted load picks
up where it stopped, answers already stored are skipped); nothing is done in a database that
holds surveys of its own.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

from estatedesk.core.clock import clock_at, company_today, company_zone
from estatedesk.core.models import CompanySettings
from estatedesk.notifications import services as notifications
from estatedesk.notifications.models import Message
from estatedesk.org.models import Estate, EstateKind, Role, Staff
from estatedesk.surveys import responses, services
from estatedesk.surveys.answering import AnswerInput, QuestionSpec
from estatedesk.surveys.demo_texts import IMPROVEMENTS, OFFICE_SUGGESTIONS, REASONS, SUGGESTIONS
from estatedesk.surveys.models import Household, Survey, SurveyKind, SurveyStatus

__all__ = ["ESTATE_PLANS", "SurveysSummary", "last_year_title", "load_surveys", "this_year_title"]

log = logging.getLogger("estatedesk.demo")

SEED = 20251103
# Opened this many days before the present: before the replayed year of complaints (365 days).
OPENED_DAYS_BEFORE = 400
CLOSED_AFTER_DAYS = 28
REMINDER_DAYS = (7, 14)
PAPER_ENTRY_DAYS = (5, 12, 19, 26)  # the duty desks type in the paper questionnaires collected


@dataclass(frozen=True)
class EstatePlan:
    """How an estate answered: the share that returned the questionnaire, the chance an answer
    is satisfied, the categories answered worse (or better), and the share answering online
    among the households the SMS reached."""

    returned: float
    satisfied: float
    categories: dict[str, float]
    online: float


ESTATE_PLANS: dict[str, EstatePlan] = {
    # 翠湖花园: satisfied, but many households never returned the questionnaire.
    "CHHY": EstatePlan(0.42, 0.945, {"vehicles": -0.05, "community": -0.03, "landscaping": 0.02}, 0.7),
    # 金山苑: a good return, under the target.
    "JSY": EstatePlan(
        0.78,
        0.89,
        {"repairs": -0.08, "vehicles": -0.06, "cleaning": -0.05, "security": 0.02, "community": 0.03},
        0.55,
    ),
    # 金融大厦: offices answer well and mostly online.
    "JRDS": EstatePlan(0.72, 0.95, {"facilities": -0.04, "reception": 0.02}, 0.85),
}
DEFAULT_PLAN = EstatePlan(0.7, 0.92, {}, 0.6)


@dataclass(frozen=True)
class SurveysSummary:
    last_year: str  # survey numbers
    this_year: str
    answers: int
    seconds: float


def last_year_title(year: int) -> str:
    return f"{year}年度业户满意度调查"


def this_year_title(year: int) -> str:
    return f"{year}年度业户满意度调查"


@dataclass(frozen=True)
class _Cast:
    supervisor: User
    deputy: User
    duty: dict[int, User]  # estate id → who types in its paper questionnaires

    @classmethod
    def load(cls) -> _Cast | None:
        def first(**lookup: Any) -> User | None:
            staff = (
                Staff.objects.filter(user__is_active=True, **lookup)
                .select_related("user")
                .order_by("pk")
                .first()
            )
            return staff.user if staff is not None else None

        supervisor, deputy = first(role=Role.CS_SUPERVISOR), first(role=Role.DEPUTY_GM)
        if supervisor is None or deputy is None:
            return None
        duty = {}
        for estate in Estate.objects.filter(active=True):
            user = first(role=Role.DUTY_STAFF, estates=estate) or first(role=Role.HANDLER, estates=estate)
            duty[estate.pk] = user or supervisor
        return cls(supervisor, deputy, duty)


class _Pacer:
    """Let a web server running meanwhile in: on SQLite a waiting writer polls the single write
    lock only every ~100 ms (decision 0006)."""

    def __init__(self, wanted: bool) -> None:
        self.sqlite = wanted and connection.vendor == "sqlite" and not connection.in_atomic_block
        self.since = time.monotonic()

    def now_and_then(self) -> None:
        if self.sqlite and time.monotonic() - self.since > 0.4:
            time.sleep(0.12)
            self.since = time.monotonic()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=company_zone())


def _settle(survey: Survey, when: datetime) -> None:
    """The survey's texts of the replayed past went out when they were written."""
    ours = Message.objects.filter(key__startswith=f"{survey.number}:", created_at__lte=when)
    notifications.settle_replayed(ours, read=True, read_before=when)


def load_surveys(present: datetime, *, pace: bool = True) -> SurveysSummary | None:
    """Last year's survey and this year's draft for the demo company; None when there is nothing
    to do (no demo staff, or the database has surveys of its own)."""
    started = time.perf_counter()
    cast = _Cast.load()
    if cast is None:
        log.warning("demo surveys not loaded: the demo staff accounts are not all there")
        return None
    opened_day = present.astimezone(company_zone()).date() - timedelta(days=OPENED_DAYS_BEFORE)
    year = opened_day.year
    last = _last_year(cast, opened_day, year)
    if last is None:
        return None
    answers = _run(last, cast, opened_day, _Pacer(pace))
    this = _this_year(cast, present, year + 1)
    summary = SurveysSummary(last.number, this.number, answers, time.perf_counter() - started)
    log.info(
        "demo surveys: %s closed with %d answers, %s drafted (%.1f s)",
        summary.last_year,
        answers,
        summary.this_year,
        summary.seconds,
    )
    return summary


def _last_year(cast: _Cast, opened_day: date, year: int) -> Survey | None:
    title = last_year_title(year)
    found = Survey.objects.filter(kind=SurveyKind.ANNUAL, year=year, title=title).first()
    if found is not None:
        return found
    with transaction.atomic():
        # Two loaders take turns; a database with surveys of its own is left alone.
        CompanySettings.objects.select_for_update().filter(pk=1).exists()
        if Survey.objects.exists():
            return None
        with clock_at(_at(opened_day - timedelta(days=14), 10, 20)):
            return services.create_survey(
                actor=cast.supervisor, kind=SurveyKind.ANNUAL, title=title, year=year
            )


def _run(survey: Survey, cast: _Cast, opened_day: date, pacer: _Pacer) -> int:
    """Draw, open, answer (with the reminders in between) and close, each step once."""
    if survey.status == SurveyStatus.DRAFT:
        with clock_at(_at(opened_day - timedelta(days=10), 15, 40)):
            survey = services.draw_sample(actor=cast.supervisor, survey=survey, seed=f"demo-{survey.year}")
    if survey.status == SurveyStatus.DRAWN:
        opened_at = _at(opened_day, 9, 30)
        with transaction.atomic(), clock_at(opened_at):
            survey = services.open_survey(actor=cast.deputy, survey=survey)
            _settle(survey, opened_at)
    answers = 0
    if survey.status == SurveyStatus.OPEN:
        answers = _answer(survey, cast, opened_day, pacer)
        closed_at = _at(opened_day + timedelta(days=CLOSED_AFTER_DAYS), 17, 30)
        with clock_at(closed_at):
            survey = services.close_survey(actor=cast.deputy, survey=survey)
    return answers


@dataclass(frozen=True)
class _Step:
    at: datetime
    kind: str  # "remind", "online", "paper"
    household: Household | None = None
    answers: tuple[AnswerInput, ...] = ()


def _answer(survey: Survey, cast: _Cast, opened_day: date, pacer: _Pacer) -> int:
    """Every household's answer (or none), and the reminders, played in the order they happened."""
    steps = _plan(survey, cast, opened_day)
    played = 0
    for step in sorted(steps, key=lambda s: (s.at, s.household.unit_id if s.household else 0)):
        pacer.now_and_then()
        if step.kind == "remind":
            if Household.objects.filter(survey=survey, last_reminded_at__gte=step.at).exists():
                continue  # done before an interruption
            with transaction.atomic(), clock_at(step.at):
                services.remind(actor=cast.supervisor, survey=survey)
                _settle(survey, step.at)
            continue
        assert step.household is not None
        if Household.objects.filter(pk=step.household.pk, answered_at__isnull=False).exists():
            continue
        with clock_at(step.at):
            if step.kind == "online":
                responses.answer_online(token=step.household.token, answers=step.answers, language="zh-hans")
            else:
                responses.enter_paper(
                    actor=cast.duty[step.household.estate_id],
                    survey=survey,
                    unit_id=step.household.unit_id,
                    answers=step.answers,
                    language="zh-hans",
                )
        played += 1
    return played


def _plan(survey: Survey, cast: _Cast, opened_day: date) -> list[_Step]:
    """Who answers, how, when and what: the same for the same sample (seeded, in unit order)."""
    rng = random.Random(SEED)
    codes = dict(Estate.objects.values_list("pk", "code"))
    versions = {row.estate_id: row.version for row in survey.estates.select_related("version")}
    questions = {estate: responses.questions_of(version) for estate, version in versions.items()}
    office = {
        row.estate_id
        for row in survey.estates.select_related("estate")
        if row.estate.kind == EstateKind.OFFICE
    }
    steps = [_Step(_at(opened_day + timedelta(days=d), 9, 0), "remind") for d in REMINDER_DAYS]
    paper_minutes: dict[tuple[int, int], int] = {}
    households = list(survey.households.order_by("estate_id", "unit_id"))
    by_estate: dict[int, list[Household]] = {}
    for household in households:
        by_estate.setdefault(household.estate_id, []).append(household)
    for estate_id, homes in sorted(by_estate.items()):
        plan = ESTATE_PLANS.get(codes.get(estate_id, ""), DEFAULT_PLAN)
        returning = set(rng.sample(range(len(homes)), round(plan.returned * len(homes))))
        for index, household in enumerate(homes):
            mood = rng.gauss(0, 0.03)  # some households are harder to please than others
            answers = tuple(
                _answer_to(rng, question, plan, mood, estate_id in office)
                for question in questions[estate_id]
            )
            if index not in returning:
                continue
            online = household.sms_sent_at is not None and rng.random() < plan.online
            if online:
                day = rng.choices(range(CLOSED_AFTER_DAYS), weights=_ONLINE_WEIGHTS)[0]
                at = _at(
                    opened_day + timedelta(days=day),
                    rng.randint(10 if day == 0 else 8, 21),
                    rng.randint(0, 59),
                )
                steps.append(_Step(at, "online", household, answers))
            else:
                day = rng.choice(PAPER_ENTRY_DAYS)
                minute = paper_minutes.get((estate_id, day), 0)
                paper_minutes[estate_id, day] = minute + 2  # two minutes a sheet at the keyboard
                at = _at(opened_day + timedelta(days=day), 14, 0) + timedelta(minutes=minute)
                steps.append(_Step(at, "paper", household, answers))
    return steps


# Most answer within days of the SMS, with a rise after each reminder (days 7 and 14).
_ONLINE_WEIGHTS = [
    18, 12, 8, 6, 4, 3, 2, 9, 6, 4, 3, 2, 2, 1, 6, 4, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
]  # fmt: skip


def _answer_to(
    rng: random.Random, question: QuestionSpec, plan: EstatePlan, mood: float, office: bool
) -> AnswerInput:
    if question.kind == "text":
        if rng.random() < 0.15:
            return AnswerInput(question.id, text=rng.choice(OFFICE_SUGGESTIONS if office else SUGGESTIONS))
        return AnswerInput(question.id)
    chance = plan.satisfied + plan.categories.get(question.category, 0.0) + mood
    roll = rng.random()
    if roll < chance:
        level = "very_satisfied" if rng.random() < 0.45 else "satisfied"
        return AnswerInput(question.id, level=level)
    level = rng.choices(["neutral", "dissatisfied", "very_dissatisfied"], weights=[50, 36, 14])[0]
    reason = ""
    if level != "neutral" and rng.random() < 0.75:
        reason = rng.choice(REASONS.get(question.category) or REASONS["overall"])
    return AnswerInput(question.id, level=level, reason=reason)


def _this_year(cast: _Cast, present: datetime, year: int) -> Survey:
    """This year's annual survey, prepared a few days ago with last year's improvements written."""
    title = this_year_title(year)
    found = Survey.objects.filter(kind=SurveyKind.ANNUAL, year=year, title=title).first()
    if found is not None:
        return found
    local = present.astimezone(company_zone())
    closes_on: date | None = local.date() + timedelta(days=35)
    if closes_on is not None and closes_on < company_today():
        closes_on = None  # a demo loaded for a present long past
    with clock_at(_at(local.date() - timedelta(days=3), 10, 15)):
        return services.create_survey(
            actor=cast.supervisor,
            kind=SurveyKind.ANNUAL,
            title=title,
            year=year,
            closes_on=closes_on,
            improvements=IMPROVEMENTS,
        )
