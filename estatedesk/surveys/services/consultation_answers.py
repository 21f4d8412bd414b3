"""A monthly consultation's answers (SPEC S-4, W-1): a household's answers as staff heard them
(a visit, a call, a talk outdoors, a paper questionnaire), typed on a phone that may resend
them, and a resident's own answer through the questionnaire's link.

Recording an answer locks the household row: households are answered one after another by
several people, and the household's ``answered_at`` says once and for all that it answered.
A phone sends its answer with a ``submission_key``; the same key again (the phone resent after
a lost reply) returns the household as recorded, any other second answer is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core.actors import RESIDENT, Actor, name_of, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotFound
from estatedesk.core.workflow import lock, require
from estatedesk.surveys import answering
from estatedesk.surveys.answering import AnswerInput, Level, QuestionSpec
from estatedesk.surveys.models import (
    Consultation,
    ConsultationAnswer,
    ConsultationMethod,
    ConsultationStatus,
    ConsultedHousehold,
)
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.workflow import CONSULTATION

__all__ = ["TopicAnswer", "household_by_token", "record_answers", "record_online", "topic_questions"]

MAX_REMARKS = 2000


@dataclass(frozen=True)
class TopicAnswer:
    topic: str  # a Category value of the consultation's topics
    level: str = ""  # a scale code; empty: no opinion on this topic
    reason: str = ""


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
