"""A household's answer (SPEC S-8, W-1): online through the personal link, or a paper
questionnaire typed in by staff; and the half-finished online answer kept for later.

An answer is stored whole or not at all: ``answering.check`` finds every problem first, then
the response and all its answers are written in one transaction. One answer per household:
``Response.household`` is unique, so of two submissions at the same moment (two phones, a
double tap, the paper form typed in while the resident answers online) one is stored and the
other is told the household has already answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import RESIDENT, Actor, name_of, user_of
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotFound
from estatedesk.core.workflow import lock, require
from estatedesk.surveys import answering, selectors
from estatedesk.surveys.answering import AnswerInput, Level, QuestionSpec
from estatedesk.surveys.models import (
    Answer,
    Household,
    QuestionnaireVersion,
    Response,
    ResponseChannel,
    Survey,
    SurveyStatus,
)
from estatedesk.surveys.workflow import SURVEY

__all__ = [
    "AnswerProblems",
    "answer_online",
    "can_enter_paper",
    "check_accepting",
    "enter_paper",
    "questions_of",
    "save_draft",
    "scale_of",
    "version_for",
]


class AnswerProblems(InvalidInput):
    """Everything wrong with a questionnaire, by field (``answers.<question id>``)."""

    def __init__(self, problems: Sequence[answering.Problem]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field)
        self.problems = tuple(problems)


def version_for(household: Household) -> QuestionnaireVersion:
    """The questionnaire asked in the household's estate."""
    row = household.survey.estates.select_related("version").get(estate_id=household.estate_id)
    return row.version


def questions_of(version: QuestionnaireVersion) -> list[QuestionSpec]:
    return [
        QuestionSpec(q.pk, number, q.kind, q.category, q.required, q.ask_reason)
        for number, q in enumerate(version.questions.order_by("position", "pk"), start=1)
    ]


def scale_of(version: QuestionnaireVersion) -> list[Level]:
    return [
        Level(str(level["code"]), int(level["score"]), bool(level["satisfied"]), bool(level["dissatisfied"]))
        for level in version.scale
    ]


def _accepting(survey: Survey) -> None:
    """Refuse an answer the survey no longer (or not yet) takes, saying which."""
    if survey.status == SurveyStatus.CLOSED or (
        survey.status == SurveyStatus.OPEN
        and survey.closes_on is not None
        and survey.closes_on < company_today()
    ):
        day = survey.closed_at.date() if survey.closed_at else survey.closes_on
        raise InvalidInput(
            _("This survey closed on %(day)s; answers are no longer accepted. Thank you all the same.")
            % {"day": date_format(day) if day else ""}
        )
    if survey.status != SurveyStatus.OPEN:
        raise InvalidInput(_("This survey is not open for answers."))


def check_accepting(survey: Survey) -> None:
    """Raise ``InvalidInput`` (with the words to show) when the survey takes no answers now:
    closed, past its closing day, or not open yet. The resident's pages ask before showing a
    question; every write checks again."""
    _accepting(survey)


def _already() -> AlreadyHandled:
    return AlreadyHandled(
        _("This household has already answered this survey; one answer per household is counted.")
    )


def _store(
    household: Household,
    given: Iterable[AnswerInput],
    *,
    channel: str,
    actor: Actor,
    language: str,
) -> Response:
    version = version_for(household)
    checked = answering.check(questions_of(version), scale_of(version), given)
    if not checked.ok:
        raise AnswerProblems(checked.problems)
    at = now()
    try:
        with transaction.atomic():
            response = Response.objects.create(
                household=household,
                survey_id=household.survey_id,
                estate_id=household.estate_id,
                building_id=household.building_id,
                channel=channel,
                submitted_at=at,
                entered_by=user_of(actor),
                entered_by_name=name_of(actor) if channel == ResponseChannel.PAPER else "",
                language=language[:10],
                customer_kind=household.customer_kind,
                second_stage=household.second_stage,
            )
    except IntegrityError as error:
        raise _already() from error
    Answer.objects.bulk_create(
        Answer(
            response=response,
            question_id=a.question.id,
            survey_id=household.survey_id,
            estate_id=household.estate_id,
            building_id=household.building_id,
            category=a.question.category,
            level=a.level.code if a.level else "",
            score=a.level.score if a.level else None,
            satisfied=bool(a.level and a.level.satisfied),
            dissatisfied=bool(a.level and a.level.dissatisfied),
            reason=a.reason,
            text=a.text,
        )
        for a in checked.answers
    )
    Household.objects.filter(pk=household.pk).update(answered_at=at, draft={}, draft_saved_at=None)
    household.answered_at = at
    return response


def _household_by_token(token: str) -> Household:
    household = selectors.household_by_token(token)
    if household is None:
        raise NotFound(_("This survey link is not valid. Please use the link or QR code you were given."))
    return household


@transaction.atomic
def answer_online(*, token: str, answers: Iterable[AnswerInput], language: str = "") -> Response:
    """The resident's answer through their personal link (no account)."""
    household = _household_by_token(token)
    household = lock(Household.objects.select_related("survey"), household.pk)
    _accepting(household.survey)
    if household.answered_at is not None:
        raise _already()
    return _store(household, list(answers), channel=ResponseChannel.ONLINE, actor=RESIDENT, language=language)


@transaction.atomic
def save_draft(*, token: str, answers: Iterable[AnswerInput], step: int = 0) -> Household:
    """Keep a half-finished online answer, so the same link resumes it."""
    household = _household_by_token(token)
    household = lock(Household.objects.select_related("survey"), household.pk)
    _accepting(household.survey)
    if household.answered_at is not None:
        raise _already()
    version = version_for(household)
    kept = answering.draft_answers(questions_of(version), scale_of(version), answers)
    household.draft = {"answers": kept, "step": max(0, min(int(step), 500))}
    household.draft_saved_at = now()
    household.save(update_fields=["draft", "draft_saved_at"])
    return household


@transaction.atomic
def enter_paper(
    *, actor: Actor, survey: Survey | int, unit_id: object, answers: Iterable[AnswerInput], language: str = ""
) -> Response:
    """A paper questionnaire typed in by staff of the household's estate, marked as paper."""
    require(actor, SURVEY.get("enter_paper"))
    survey_id = survey.pk if isinstance(survey, Survey) else survey
    found = selectors.surveys_for(actor).filter(pk=survey_id).first()
    if found is None:
        raise NotFound(_("Not found, or not yours to see."))
    _accepting(found)
    unit = answering.as_id(unit_id)
    household = (
        selectors.households_for(actor, found).filter(unit_id=unit).first() if unit is not None else None
    )
    if household is None:
        raise InvalidInput(
            _("This unit is not in the survey's sample (or not in your estates)."), field="unit"
        )
    household = lock(Household.objects.select_related("survey"), household.pk)
    if household.answered_at is not None:
        raise _already()
    return _store(household, list(answers), channel=ResponseChannel.PAPER, actor=actor, language=language)


def can_enter_paper(actor: Actor) -> bool:
    return policy.role_of(actor) in SURVEY.get("enter_paper").roles
