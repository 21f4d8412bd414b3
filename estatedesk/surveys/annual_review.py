"""The year's satisfaction work beyond the annual survey, for the annual pack and the
management-review pack (SPEC I-2, S-4, S-5, S-6, S-9): the monthly consultations summary
(``consultation_summary.year_json``), the half-year statistics signed off, the owners' forums
and the survey suggestions decided.

Stored as counts with the pack's figures (JSON), so an issued pack does not change; each part
is None when the year has nothing of it, and the pack shows only the parts that have data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q

from estatedesk.surveys import consultation_summary
from estatedesk.surveys.models import (
    Forum,
    ForumFollowUp,
    ForumOpinion,
    HalfYearLine,
    HalfYearStatistics,
    LineKind,
    Suggestion,
)
from estatedesk.surveys.report import category_label
from estatedesk.surveys.workflow import SuggestionStatus

__all__ = ["YearReview", "from_json", "review_json"]


def _half_years(year: int) -> dict[str, Any] | None:
    signed = HalfYearStatistics.objects.filter(year=year, signed_at__isnull=False)
    count = signed.count()
    if not count:
        return None
    below = (
        HalfYearLine.objects.filter(statistics__in=signed.values("pk"), kind=LineKind.BELOW_TARGET)
        .values_list("category")
        .annotate(n=Count("pk"))
        .order_by("category")
    )
    return {"signed_off": count, "below_target": [{"category": c, "count": n} for c, n in below]}


def _forums(year: int, today: date) -> dict[str, Any] | None:
    forums = Forum.objects.filter(year=year)
    held = forums.count()
    if not held:
        return None
    opinions = ForumOpinion.objects.filter(forum__in=forums.values("pk")).count()
    follow_ups = ForumFollowUp.objects.filter(opinion__forum__in=forums.values("pk")).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(done_at__isnull=True)),
        overdue=Count("pk", filter=Q(done_at__isnull=True, due_date__lt=today)),
    )
    return {
        "held": held,
        "opinions": opinions,
        "follow_ups": follow_ups["total"],
        "open": follow_ups["open"],
        "overdue": follow_ups["overdue"],
    }


def _suggestions(year: int) -> dict[str, Any] | None:
    counts = Suggestion.objects.filter(survey__year=year).aggregate(
        accepted=Count("pk", filter=Q(status=SuggestionStatus.ACCEPTED)),
        declined=Count("pk", filter=Q(status=SuggestionStatus.DECLINED)),
    )
    if not (counts["accepted"] or counts["declined"]):
        return None
    return {"accepted": counts["accepted"], "declined": counts["declined"]}


def review_json(year: int, today: date) -> dict[str, Any] | None:
    """The year's consultations, half-years, forums and decided suggestions as counts; None:
    the year has none of them."""
    found = {
        "consultations": consultation_summary.year_json(year, today),
        "half_years": _half_years(year),
        "forums": _forums(year, today),
        "suggestions": _suggestions(year),
    }
    return found if any(found.values()) else None


@dataclass(frozen=True)
class YearReview:
    consultations: consultation_summary.YearConsultations | None
    half_years: dict[str, Any] | None  # signed_off, below_target: [(label, count)]
    forums: dict[str, Any] | None  # held, opinions, follow_ups, open, overdue
    suggestions: dict[str, Any] | None  # accepted, declined


def from_json(data: Mapping[str, Any] | None) -> YearReview | None:
    if not data:
        return None
    half = data.get("half_years")
    return YearReview(
        consultations=consultation_summary.year_from_json(data.get("consultations")),
        half_years=(
            {
                "signed_off": int(half.get("signed_off", 0)),
                "below_target": [
                    (category_label(str(b.get("category", ""))), int(b.get("count", 0)))
                    for b in half.get("below_target") or []
                ],
            }
            if half
            else None
        ),
        forums=dict(data["forums"]) if data.get("forums") else None,
        suggestions=dict(data["suggestions"]) if data.get("suggestions") else None,
    )
