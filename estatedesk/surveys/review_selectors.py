"""Who sees which consultation, half-year statistics, forum and suggestion (SPEC P-1, S-4 … S-9).

Like the surveys (``selectors``): the customer-service supervisor and those who see the whole
company see everything; other staff see the records of their own estates. A forum covers
several estates: it is seen by the staff of any of them. Out of scope is "not found".
Residents and anonymous visitors see none of these.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.surveys.models import (
    Consultation,
    ConsultedHousehold,
    Forum,
    HalfYearLine,
    HalfYearStatistics,
    Suggestion,
)
from estatedesk.surveys.selectors import sees_whole_survey, surveys_for

__all__ = [
    "consultations_for",
    "consulted_households_for",
    "forums_for",
    "half_year_lines_for",
    "half_years_for",
    "suggestions_for",
]


def _estates(user: Actor) -> frozenset[int] | None:
    """None: every estate; else the user's (empty for a non-staff actor)."""
    if policy.staff_of(user) is None:
        return frozenset()
    if sees_whole_survey(user):
        return None
    return policy.estate_ids(user) or frozenset()


def consultations_for(user: Actor) -> QuerySet[Consultation]:
    estates = _estates(user)
    rows = Consultation.objects.all()
    return rows if estates is None else rows.filter(estate__in=estates)


def consulted_households_for(user: Actor) -> QuerySet[ConsultedHousehold]:
    estates = _estates(user)
    rows = ConsultedHousehold.objects.all()
    return rows if estates is None else rows.filter(estate__in=estates)


def half_years_for(user: Actor) -> QuerySet[HalfYearStatistics]:
    estates = _estates(user)
    rows = HalfYearStatistics.objects.all()
    return rows if estates is None else rows.filter(estate__in=estates)


def half_year_lines_for(user: Actor) -> QuerySet[HalfYearLine]:
    return HalfYearLine.objects.filter(statistics__in=half_years_for(user).values("pk"))


def forums_for(user: Actor) -> QuerySet[Forum]:
    estates = _estates(user)
    rows = Forum.objects.all()
    if estates is None:
        return rows
    return rows.filter(pk__in=Forum.estates.through.objects.filter(estate_id__in=estates).values("forum_id"))


def suggestions_for(user: Actor) -> QuerySet[Suggestion]:
    """The suggestions of the surveys the user sees; one about an estate only if it is theirs."""
    rows = Suggestion.objects.filter(survey__in=surveys_for(user).values("pk"))
    estates = _estates(user)
    if estates is None:
        return rows
    return rows.filter(Q(estate__isnull=True) | Q(estate__in=estates))
