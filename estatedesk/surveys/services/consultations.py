"""Every write of a monthly consultation (SPEC S-4, §7.3.1–7.3.2), one function per transition of
``workflow.CONSULTATION``: plan (with the proposed sample), swap a household, start, record a
household's answers (staff on a phone, or the resident through a link for the questionnaire
method), finish, cancel; and the notes two people may edit (decision 0011).

Each step runs in one transaction on the locked consultation and writes its timeline event.
Recording an answer locks the household row instead: households are answered one after another
by several people, and the household's ``answered_at`` says once and for all that it answered.
A phone sends its answer with a ``submission_key``; the same key again (the phone resent after
a lost reply) returns the household as recorded, any other second answer is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import RESIDENT, Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotFound
from estatedesk.core.models import CompanySettings
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.key_households import key_households
from estatedesk.org.models import Department, DepartmentKind, Estate, Staff, Unit
from estatedesk.surveys import answering, events
from estatedesk.surveys.answering import AnswerInput, Level, QuestionSpec
from estatedesk.surveys.consultation_sampling import History, propose, ranked
from estatedesk.surveys.models import (
    Category,
    Consultation,
    ConsultationAnswer,
    ConsultationMethod,
    ConsultationStatus,
    ConsultedHousehold,
)
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.selectors import sees_whole_survey
from estatedesk.surveys.workflow import CONSULTATION

__all__ = [
    "TopicAnswer",
    "cancel_consultation",
    "edit_notes",
    "finish_consultation",
    "history_of",
    "household_by_token",
    "occupied_units",
    "plan_consultation",
    "plannable_estates",
    "record_answers",
    "record_online",
    "start_consultation",
    "swap_candidates",
    "swap_household",
    "topic_questions",
]

MAX_REMARKS = 2000


@dataclass(frozen=True)
class TopicAnswer:
    topic: str  # a Category value of the consultation's topics
    level: str = ""  # a scale code; empty: no opinion on this topic
    reason: str = ""


def _locked(actor: Actor, consultation: Consultation | int) -> Consultation:
    pk = consultation.pk if isinstance(consultation, Consultation) else consultation
    return lock(consultations_for(actor), pk)


def _percent(value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput(
            _("Enter a sample share of at least 5 % and at most 100 %."), field="share"
        ) from error
    if not number.is_finite() or not Decimal(5) <= number <= Decimal(100):
        raise InvalidInput(_("Enter a sample share of at least 5 % and at most 100 %."), field="share")
    return number.quantize(Decimal("0.01"))


def plannable_estates(actor: Actor) -> QuerySet[Estate]:
    """The active estates whose consultations the actor sees (``consultations_for``): the
    customer-service supervisor and the leadership every one, other staff their own."""
    estates = Estate.objects.filter(active=True)
    return estates if sees_whole_survey(actor) else policy.scope_by_estate(actor, estates, "pk")


def occupied_units(estate: Estate | int) -> list[int]:
    return list(Unit.objects.filter(estate=estate, occupied=True).order_by("pk").values_list("pk", flat=True))


def history_of(estate_id: int, year: int, *, exclude: int | None = None) -> dict[int, History]:
    """Per unit: how often it was asked in consultations of ``year`` (not cancelled), and the
    day its last consultation of any year counted for. One grouped query."""
    rows = ConsultedHousehold.objects.filter(estate_id=estate_id, asked=True).exclude(
        consultation__status=ConsultationStatus.CANCELLED
    )
    if exclude is not None:
        rows = rows.exclude(consultation_id=exclude)
    grouped = (
        rows.values_list("unit_id")
        .annotate(
            this_year=Count("pk", filter=Q(consultation__month__year=year)),
            last=Max("consultation__month"),
        )
        .order_by()
    )
    return {unit: History(n, last.toordinal() if last else 0) for unit, n, last in grouped}


def _topics(topics: Iterable[str]) -> list[str]:
    chosen = []
    for topic in topics:
        if topic not in Category.values or topic == Category.OVERALL:
            raise InvalidInput(_("Choose the topics from the categories of §7.3.1."), field="topics")
        if topic not in chosen:
            chosen.append(topic)
    if not chosen:
        raise InvalidInput(_("Choose at least one topic to consult owners on."), field="topics")
    return chosen


def _office(estate: Estate) -> Department | None:
    return (
        Department.objects.filter(estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True)
        .order_by("pk")
        .first()
    )


def _complained(estate_id: int, units: Collection[int], at: datetime) -> set[int]:
    found = key_households(at - timedelta(days=365), [estate_id])
    return {u for u, reasons in found.items() if u in units and {"complained", "grieved"} & set(reasons)}


def _household_rows(
    consultation: Consultation,
    unit_ids: Collection[int],
    *,
    proposed: bool,
    history: Mapping[int, History],
    at: datetime,
) -> list[ConsultedHousehold]:
    units = (
        Unit.objects.filter(pk__in=unit_ids)
        .select_related("building")
        .prefetch_related("occupancies__customer")
    )
    complained = _complained(consultation.estate_id, set(unit_ids), at)
    rows = []
    for unit in units:
        occupancy = next(
            iter(sorted(unit.occupancies.all(), key=lambda o: (o.relation != "owner", o.pk))), None
        )
        customer = occupancy.customer if occupancy else None
        rows.append(
            ConsultedHousehold(
                consultation=consultation,
                estate_id=unit.estate_id,
                building_id=unit.building_id,
                unit=unit,
                customer=customer,
                customer_kind=customer.kind if customer else "",
                complained=unit.pk in complained,
                proposed=proposed,
                asked=True,
                fresh=history.get(unit.pk, History()).this_year == 0,
            )
        )
    return rows


@transaction.atomic
def plan_consultation(
    *,
    actor: Actor,
    estate: Estate | int,
    month: date,
    topics: Iterable[str],
    method: str,
    staff: Iterable[Staff | int] = (),
    planned_on: date | None = None,
    share: object = None,
    notes: str = "",
    seed: str | None = None,
) -> Consultation:
    """Plan a consultation and propose its sample (§7.3.2: at least 5 % of occupied households,
    those not consulted yet this year first)."""
    require(actor, CONSULTATION.get("plan"))
    estate_pk = estate.pk if isinstance(estate, Estate) else estate
    found = plannable_estates(actor).filter(pk=estate_pk).first()
    if found is None:
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    if method not in ConsultationMethod.values:
        raise InvalidInput(_("Choose how the owners are consulted."), field="method")
    chosen = _topics(topics)
    first = date(month.year, month.month, 1)
    if planned_on is not None and (planned_on.year, planned_on.month) != (first.year, first.month):
        raise InvalidInput(_("The planned day must be in the consultation's month."), field="planned_on")
    company = CompanySettings.load()
    share_value = _percent(share if share not in (None, "") else 5)
    team = list(
        policy.scope_staff(actor, Staff.objects.filter(user__is_active=True)).filter(
            pk__in=[s.pk if isinstance(s, Staff) else s for s in staff]
        )
    )
    at = now()
    consultation = Consultation.objects.create(
        number=next_number("MC", at),
        estate=found,
        office=_office(found),
        month=first,
        topics=chosen,
        method=method,
        planned_on=planned_on,
        status=CONSULTATION.get("plan").result(""),
        notes=(notes or "").strip(),
        share=share_value,
        seed=seed or secrets.token_hex(8),
        return_threshold=company.survey_return_threshold,
        return_step=company.survey_return_step,
        return_penalty=company.survey_return_penalty,
        target=company.satisfaction_target,
        created_at=at,
        created_by=user_of(actor),
        created_by_name=name_of(actor),
    )
    consultation.staff.set(team)
    units = occupied_units(found)
    history = history_of(found.pk, first.year, exclude=consultation.pk)
    proposal = propose(units, history, str(share_value), consultation.seed)
    ConsultedHousehold.objects.bulk_create(
        _household_rows(consultation, proposal.units, proposed=True, history=history, at=at)
    )
    consultation.occupied_count = proposal.occupied
    consultation.fresh_count = proposal.fresh
    consultation.proposed_count = proposal.size
    stamp(consultation, actor)
    consultation.save(update_fields=["occupied_count", "fresh_count", "proposed_count"])
    events.consultation_planned(consultation, actor)
    return consultation


def swap_candidates(consultation: Consultation, limit: int = 20) -> list[int]:
    """Units that could replace a household, best first (the proposal's own order)."""
    taken = set(
        ConsultedHousehold.objects.filter(consultation=consultation).values_list("unit_id", flat=True)
    )
    history = history_of(consultation.estate_id, consultation.month.year, exclude=consultation.pk)
    order = ranked(occupied_units(consultation.estate_id), history, consultation.seed + ":swap")
    return [u for u in order if u not in taken][:limit]


@transaction.atomic
def swap_household(
    *, actor: Actor, consultation: Consultation | int, out_unit: int, in_unit: int, reason: str = ""
) -> ConsultedHousehold:
    """Ask another occupied household of the estate instead of one proposed (or swapped in).
    The household swapped out stays on the record, not asked."""
    locked = _locked(actor, consultation)
    transition = CONSULTATION.get("swap")
    require(actor, transition)
    check_source(CONSULTATION, transition, locked.status, locked.number)
    leaving = ConsultedHousehold.objects.filter(consultation=locked, unit_id=out_unit, asked=True).first()
    if leaving is None:
        raise InvalidInput(_("This household is not in the sample."), field="out_unit")
    if ConsultedHousehold.objects.filter(consultation=locked, unit_id=in_unit).exists():
        raise InvalidInput(_("This household is already in the consultation's record."), field="in_unit")
    if not Unit.objects.filter(pk=in_unit, estate_id=locked.estate_id, occupied=True).exists():
        raise InvalidInput(_("Choose an occupied household of the same estate."), field="in_unit")
    at = now()
    history = history_of(locked.estate_id, locked.month.year, exclude=locked.pk)
    (arriving,) = _household_rows(locked, [in_unit], proposed=False, history=history, at=at)
    arriving.save()
    leaving.asked = False
    leaving.replaced_by = arriving
    leaving.swap_reason = (reason or "").strip()[:200]
    leaving.swapped_by_name = name_of(actor)
    leaving.swapped_at = at
    leaving.save(update_fields=["asked", "replaced_by", "swap_reason", "swapped_by_name", "swapped_at"])
    events.consultation_swapped(locked, actor, out_unit=out_unit, in_unit=in_unit, reason=leaving.swap_reason)
    return arriving


@transaction.atomic
def start_consultation(*, actor: Actor, consultation: Consultation | int) -> Consultation:
    """The sample is kept as it is; answers may be recorded (and residents' links answer)."""
    locked = _locked(actor, consultation)
    transition = CONSULTATION.get("start")
    require(actor, transition)
    check_source(CONSULTATION, transition, locked.status, locked.number)
    before = locked.status
    locked.status = transition.result(before)
    locked.started_at = now()
    stamp(locked, actor)
    locked.save(update_fields=["status", "started_at"])
    events.consultation_started(locked, actor, from_status=before)
    return locked


@transaction.atomic
def finish_consultation(*, actor: Actor, consultation: Consultation | int) -> Consultation:
    locked = _locked(actor, consultation)
    transition = CONSULTATION.get("finish")
    require(actor, transition)
    check_source(CONSULTATION, transition, locked.status, locked.number)
    before = locked.status
    locked.status = transition.result(before)
    locked.finished_at = now()
    stamp(locked, actor)
    locked.save(update_fields=["status", "finished_at"])
    events.consultation_finished(locked, actor, from_status=before)
    return locked


@transaction.atomic
def cancel_consultation(*, actor: Actor, consultation: Consultation | int, reason: str) -> Consultation:
    locked = _locked(actor, consultation)
    transition = CONSULTATION.get("cancel")
    require(actor, transition)
    check_source(CONSULTATION, transition, locked.status, locked.number)
    if not (reason or "").strip():
        raise InvalidInput(_("Say why the consultation is cancelled."), field="reason")
    before = locked.status
    locked.status = transition.result(before)
    stamp(locked, actor)
    locked.save(update_fields=["status"])
    events.consultation_cancelled(locked, actor, from_status=before, reason=reason.strip())
    return locked


@transaction.atomic
def edit_notes(
    *, actor: Actor, consultation: Consultation | int, notes: str, based_on: int | None
) -> Consultation:
    """The consultation's notes; ``based_on`` is the edit version they were written on."""
    locked = _locked(actor, consultation)
    require(actor, CONSULTATION.get("plan"))  # the people who plan and run consultations
    take_edit(locked, based_on, current={"notes": locked.notes}, fields=["notes"])
    locked.notes = (notes or "").strip()
    stamp(locked, actor)
    locked.save(update_fields=["notes", EDIT_VERSION])
    events.consultation_edited(locked, actor, fields=["notes"])
    return locked


# --- answers ---------------------------------------------------------------------------------


def topic_questions(consultation: Consultation) -> list[QuestionSpec]:
    """One rating per topic, numbered as asked; a household may have no opinion on a topic."""
    return [
        QuestionSpec(id=i, number=i, kind="rating", category=topic, required=False, ask_reason=True)
        for i, topic in enumerate(consultation.topics, start=1)
    ]


def _scale(consultation: Consultation) -> list[Level]:
    return [
        Level(str(x["code"]), int(str(x["score"])), bool(x.get("satisfied")), bool(x.get("dissatisfied")))
        for x in consultation.scale
    ]


def _already() -> AlreadyHandled:
    return AlreadyHandled(_("This household's answers are already recorded in this consultation."))


def _store(
    household: ConsultedHousehold,
    consultation: Consultation,
    answers: Iterable[TopicAnswer],
    *,
    remarks: str,
    channel: str,
    actor: Actor,
    submission_key: str,
) -> ConsultedHousehold:
    questions = topic_questions(consultation)
    by_topic = {q.category: q.id for q in questions}
    given = []
    for a in answers:
        if a.topic not in by_topic:
            raise InvalidInput(
                _("“%(topic)s” is not a topic of this consultation.") % {"topic": str(a.topic)[:30]},
                field=f"answers.{str(a.topic)[:30]}",
            )
        given.append(AnswerInput(by_topic[a.topic], a.level, a.reason))
    checked = answering.check(questions, _scale(consultation), given)
    if not checked.ok:
        first = checked.problems[0]
        topic = consultation.topics[int(first.field.split(".")[1]) - 1] if "." in first.field else ""
        raise InvalidInput(first.message, field=f"answers.{topic}" if topic else "answers")
    remarks = (remarks or "").replace("\x00", "").strip()[:MAX_REMARKS]
    rated = [a for a in checked.answers if a.level is not None]
    if not rated and not remarks:
        raise InvalidInput(_("Record at least one topic's answer or the owner's opinions."), field="answers")
    ConsultationAnswer.objects.bulk_create(
        ConsultationAnswer(
            household=household,
            consultation=consultation,
            estate_id=household.estate_id,
            building_id=household.building_id,
            category=a.question.category,
            level=a.level.code,
            score=a.level.score,
            satisfied=a.level.satisfied,
            dissatisfied=a.level.dissatisfied,
            reason=a.reason,
        )
        for a in rated
        if a.level is not None
    )
    household.answered_at = now()
    household.channel = channel
    household.entered_by = user_of(actor)
    household.entered_by_name = name_of(actor) if actor is not RESIDENT else ""
    household.submission_key = (submission_key or "")[:64]
    household.remarks = remarks
    household.save(
        update_fields=["answered_at", "channel", "entered_by", "entered_by_name", "submission_key", "remarks"]
    )
    return household


def _accepting(consultation: Consultation) -> None:
    if consultation.status != ConsultationStatus.RUNNING:
        if consultation.status == ConsultationStatus.PLANNED:
            raise InvalidInput(_("Start the consultation before recording answers."))
        raise AlreadyHandled(_("This consultation is finished; no more answers are recorded."))


@transaction.atomic
def record_answers(
    *,
    actor: Actor,
    consultation: Consultation | int,
    unit_id: object,
    answers: Iterable[TopicAnswer],
    remarks: str = "",
    submission_key: str = "",
) -> tuple[ConsultedHousehold, bool]:
    """A household's answers as staff heard them (a visit, a call, a talk outdoors, or a
    paper questionnaire). Returns the household and whether this call recorded it: a phone
    resending the same ``submission_key`` gets (household, False) and nothing is written twice."""
    transition = CONSULTATION.get("record")
    require(actor, transition)
    pk = consultation.pk if isinstance(consultation, Consultation) else consultation
    found = consultations_for(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Not found, or not yours to see."))
    unit = answering.as_id(unit_id)
    target = (
        ConsultedHousehold.objects.filter(consultation=found, unit_id=unit, asked=True).first()
        if unit is not None
        else None
    )
    if target is None:
        raise InvalidInput(_("This household is not in the consultation's sample."), field="unit")
    household = lock(ConsultedHousehold.objects.all(), target.pk)
    if household.answered_at is not None:
        if submission_key and household.submission_key == submission_key:
            return household, False
        raise _already()
    _accepting(found)
    channel = found.method if found.method != ConsultationMethod.QUESTIONNAIRE else "paper"
    stored = _store(
        household,
        found,
        list(answers),
        remarks=remarks,
        channel=channel,
        actor=actor,
        submission_key=submission_key,
    )
    return stored, True


def household_by_token(token: str) -> ConsultedHousehold | None:
    """The questionnaire household behind a resident's link (questionnaire method only)."""
    if not token or len(token) > 64:
        return None
    return (
        ConsultedHousehold.objects.select_related("consultation", "consultation__estate", "unit")
        .filter(token=token, asked=True, consultation__method=ConsultationMethod.QUESTIONNAIRE)
        .exclude(consultation__status=ConsultationStatus.CANCELLED)
        .first()
    )


@transaction.atomic
def record_online(*, token: str, answers: Iterable[TopicAnswer], remarks: str = "") -> ConsultedHousehold:
    """The resident's own answer through the questionnaire's link (no account)."""
    found = household_by_token(token)
    if found is None:
        raise NotFound(
            _("This consultation link is not valid. Please use the link or QR code you were given.")
        )
    household = lock(ConsultedHousehold.objects.all(), found.pk)
    if household.answered_at is not None:
        raise _already()
    _accepting(found.consultation)
    return _store(
        household,
        found.consultation,
        list(answers),
        remarks=remarks,
        channel="online",
        actor=RESIDENT,
        submission_key="",
    )
