"""Reads of surveys, scoped by the user (SPEC P-1, S-7, S-8).

The survey's team (the customer-service supervisor, the deputy GM, the GM) and those who see
the whole company (auditors, administrators) see every survey and every estate in it. Other
staff see the surveys that cover one of their estates, and of those only their estates: their
households, their progress, their estates' figures. Out of scope is "not found".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.org.models import EstateKind
from estatedesk.surveys.models import (
    Answer,
    Household,
    Questionnaire,
    QuestionnaireVersion,
    Survey,
    SurveyEstate,
    SurveyKind,
    SurveyStatus,
)

__all__ = [
    "Progress",
    "default_version",
    "dissatisfied_last_time",
    "estate_ids_in",
    "get_survey",
    "household_by_token",
    "households_for",
    "progress",
    "questionnaires",
    "sees_whole_survey",
    "survey_estates",
    "surveys_for",
]


def sees_whole_survey(user: Actor) -> bool:
    """The survey's team and those who see the whole company."""
    return policy.sees_all(user) or policy.role_of(user) == "cs_supervisor"


def surveys_for(user: Actor) -> QuerySet[Survey]:
    surveys = Survey.objects.all()
    if policy.staff_of(user) is None:
        return surveys.none()
    if sees_whole_survey(user):
        return surveys
    estates = policy.estate_ids(user) or frozenset()
    return surveys.filter(pk__in=SurveyEstate.objects.filter(estate__in=estates).values("survey_id"))


def get_survey(user: Actor, pk: int) -> Survey | None:
    return surveys_for(user).select_related("version__questionnaire", "office_version").filter(pk=pk).first()


def estate_ids_in(user: Actor, survey: Survey) -> list[int]:
    """The survey's estates the user may see, in the survey's order."""
    ids = list(survey.estates.order_by("estate__code").values_list("estate_id", flat=True))
    if sees_whole_survey(user):
        return ids
    mine = policy.estate_ids(user) or frozenset()
    return [e for e in ids if e in mine]


def survey_estates(survey: Survey, estate_ids: Collection[int] | None = None) -> list[SurveyEstate]:
    rows = survey.estates.select_related("estate", "version").order_by("estate__code")
    if estate_ids is not None:
        rows = rows.filter(estate__in=estate_ids)
    return list(rows)


def households_for(user: Actor, survey: Survey) -> QuerySet[Household]:
    return Household.objects.filter(survey=survey, estate__in=estate_ids_in(user, survey))


def household_by_token(token: str) -> Household | None:
    """The household of a personal link; the token is the only key (no account)."""
    if not token or len(token) > 64:
        return None
    return (
        Household.objects.select_related("survey", "unit", "building", "estate", "survey__version")
        .filter(token=token)
        .first()
    )


def default_version(kind: str = EstateKind.RESIDENTIAL) -> QuestionnaireVersion | None:
    questionnaire = Questionnaire.objects.filter(estate_kind=kind, is_default=True, active=True).first()
    return questionnaire.current() if questionnaire is not None else None


def questionnaires() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.all()


def dissatisfied_last_time(survey: Survey, estate_ids: Collection[int]) -> Iterable[int]:
    """Units whose household answered any question at a dissatisfied level in the last annual
    survey before this one (§7.3.6b: 上次调查中有抱怨)."""
    last = (
        Survey.objects.filter(kind=SurveyKind.ANNUAL, status__in=(SurveyStatus.OPEN, SurveyStatus.CLOSED))
        .exclude(pk=survey.pk)
        .order_by("-opened_at")
        .first()
    )
    if last is None:
        return []
    return (
        Answer.objects.filter(survey=last, estate__in=estate_ids, dissatisfied=True)
        .values_list("response__household__unit_id", flat=True)
        .order_by()
        .distinct()
        .iterator()
    )


@dataclass(frozen=True)
class Progress:
    estate_id: int
    building_id: int
    distributed: int
    returned: int
    online: int
    paper: int


def progress(survey: Survey, estate_ids: Collection[int]) -> list[Progress]:
    """Per estate and building: households distributed to, and how many returned (online, on
    paper). One grouped query."""
    rows = (
        Household.objects.filter(survey=survey, estate__in=estate_ids)
        .values("estate_id", "building_id")
        .annotate(
            distributed=Count("pk"),
            returned=Count("response"),
            online=Count("response", filter=Q(response__channel="online")),
            paper=Count("response", filter=Q(response__channel="paper")),
        )
        .order_by("estate_id", "building_id")
    )
    return [
        Progress(r["estate_id"], r["building_id"], r["distributed"], r["returned"], r["online"], r["paper"])
        for r in rows
    ]
