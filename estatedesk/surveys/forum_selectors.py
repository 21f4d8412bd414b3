"""What the forum pages, the API and the home page read about owners' forums (SPEC S-6, P-1).

Scope is ``review_selectors.forums_for`` (the staff of any of the forum's estates; the
customer-service supervisor and those who see the whole company see all). A follow-up is
overdue when it is not done and its due date is before today by the company's clock; the
list's counts are subqueries, so the list's queries do not grow with its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.surveys.models import Forum, ForumFollowUp, ForumOpinion, ForumParticipant
from estatedesk.surveys.review_selectors import forums_for

__all__ = [
    "days_overdue",
    "follow_ups_for",
    "forum_rows",
    "get_forum",
    "opinions_of",
    "overdue_follow_ups",
    "participants_of",
]


def days_overdue(follow_up: ForumFollowUp, today: date | None = None) -> int:
    """Days past the due date of a follow-up not done (0 when done or not yet due)."""
    if follow_up.done_at is not None:
        return 0
    return max(0, ((today or company_today()) - follow_up.due_date).days)


def _count(rows: QuerySet[ForumFollowUp]) -> Coalesce:
    counted = (
        rows.filter(opinion__forum=OuterRef("pk")).order_by().values("opinion__forum").annotate(n=Count("pk"))
    )
    return Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), Value(0))


def forum_rows(user: Actor, *, year: int | None = None) -> QuerySet[Forum]:
    """The user's forums, newest first, with ``opinion_count``, ``open_count`` (follow-ups not
    done) and ``overdue_count`` (of those, past their due date)."""
    today = company_today()
    open_rows = ForumFollowUp.objects.filter(done_at__isnull=True)
    opinions = (
        ForumOpinion.objects.filter(forum=OuterRef("pk")).order_by().values("forum").annotate(n=Count("pk"))
    )
    rows = forums_for(user)
    if year is not None:
        rows = rows.filter(year=year)
    return (
        rows.prefetch_related("estates")
        .annotate(
            opinion_count=Coalesce(Subquery(opinions.values("n"), output_field=IntegerField()), Value(0)),
            open_count=_count(open_rows),
            overdue_count=_count(open_rows.filter(due_date__lt=today)),
        )
        .order_by("-held_on", "-pk")
    )


def get_forum(user: Actor, pk: int) -> Forum | None:
    return forums_for(user).select_related("chaired_by").filter(pk=pk).first()


def participants_of(forum: Forum) -> list[ForumParticipant]:
    """Owners by unit first, then the committee, the company's staff and others."""
    order = {"committee": 0, "owner": 1, "staff": 2, "other": 3}
    rows = list(
        forum.participants.select_related(
            "unit__building", "unit__estate", "customer", "committee_member__estate", "staff"
        )
    )
    return sorted(rows, key=lambda p: (order.get(p.kind, 9), p.pk))


def opinions_of(forum: Forum) -> list[ForumOpinion]:
    """The opinions in the order they were raised, with who raised them and their follow-ups."""
    return list(
        forum.opinions.select_related(
            "raised_by__unit__building",
            "raised_by__committee_member",
            "raised_by__staff",
            "raised_by__customer",
        ).prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=ForumFollowUp.objects.select_related("owner").order_by("due_date", "pk"),
            )
        )
    )


def follow_ups_for(user: Actor) -> QuerySet[ForumFollowUp]:
    return ForumFollowUp.objects.filter(opinion__forum__in=forums_for(user).values("pk"))


@dataclass(frozen=True)
class Overdue:
    follow_up: ForumFollowUp
    days: int


def overdue_follow_ups(user: Actor, *, limit: int | None = None) -> tuple[list[Overdue], int]:
    """The follow-ups of the user's forums not done past their due date, the longest overdue
    first (at most ``limit``), and how many there are in all: for a home-page panel."""
    today = company_today()
    rows = (
        follow_ups_for(user)
        .filter(Q(done_at__isnull=True) & Q(due_date__lt=today))
        .select_related("owner", "opinion__forum")
        .order_by("due_date", "pk")
    )
    count = rows.count()
    chosen = rows[:limit] if limit is not None else rows
    return [Overdue(f, days_overdue(f, today)) for f in chosen], count
