"""The surveys app's record types (SPEC D-1, D-2; §8.1: "owners' and the owners' committee's
evaluations, the annual questionnaires and their materials", kept two years by the
customer-service supervisor). Decision 0047.

* ``survey_materials``: a closed (or cancelled) survey with its drawn households, returned
  questionnaires and answers, **anonymised**, not deleted: the survey, its sample and every
  answer's level and score stay, because its figures are read from them wherever they appear
  (the results page, the dashboard's trend of every year, the analysis, the next survey's
  "improvements since") and its suggestions are pointed at by the actions opened from them.
  What goes is the person: the household's link to the customer, a half-finished draft, and
  the words (reasons for dissatisfaction, free-text answers). A survey with nothing left to
  anonymise is no longer past retention, so a second run finds nothing.
* ``consultations``: a finished (or cancelled) monthly consultation with its households and
  answers, **deleted** with its timeline and history rows. Its figures live on where they were
  frozen: the monthly report's and the annual pack's stored counts and the signed-off
  half-year statistics; the dashboard looks back twelve months only.
* ``owners_forums``: a year-end forum held before the cut-off with every follow-up done,
  **deleted** with participants (their names), opinions, follow-ups and history rows. The
  annual pack keeps its own counts.
* ``half_year_statistics``: signed-off statistics, **deleted** with their lines and history.
  Unsigned ones are unfinished and stay; one whose line an improvement action was opened from
  stays while the action exists (the action points at the line) and goes at the first run
  after the action was disposed of.

Survey analyses and improvement suggestions belong to their survey and stay with it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from estatedesk.core.clock import company_zone
from estatedesk.records.registry import ArchiveBatch, Disposal, RecordType, register
from estatedesk.surveys.models import (
    Answer,
    Consultation,
    ConsultationAnswer,
    ConsultationEvent,
    ConsultedHousehold,
    Forum,
    ForumFollowUp,
    ForumOpinion,
    ForumParticipant,
    HalfYearLine,
    HalfYearStatistics,
    Household,
    Response,
    Suggestion,
    Survey,
    SurveyAnalysis,
    SurveyEvent,
)
from estatedesk.surveys.workflow import ConsultationStatus, SurveyStatus

OWNER = _("Customer-service supervisor")

__all__ = ["register_types"]


def _plain(value: Any) -> Any:
    """A value as JSON and CSV carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _events(model: Any, field: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event in model.objects.filter(**{f"{field}__in": ids}).order_by("at", "pk"):
        found[getattr(event, f"{field}_id")].append(
            {
                "at": _plain(event.at),
                "by": event.actor_name,
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "data": event.data,
            }
        )
    return found


def _day(cutoff: datetime) -> date:
    """The first company day still kept: a record dated before it is past retention."""
    return cutoff.astimezone(company_zone()).date()


def _ended(events: Any, status_field: str = "survey") -> Any:
    """When a cancelled record was cancelled: its last timeline event."""
    return Subquery(events.objects.filter(**{status_field: OuterRef("pk")}).order_by("-at").values("at")[:1])


# --- survey materials -------------------------------------------------------------------


def surveys_past(cutoff: datetime) -> QuerySet[Survey]:
    """Closed surveys (or cancelled ones) ended before ``cutoff`` that still hold something to
    anonymise: a household linked to its customer, a draft, or words in an answer."""
    return (
        _still_personal(Survey.objects.annotate(cancelled_at=_ended(SurveyEvent)))
        .filter(
            Q(status=SurveyStatus.CLOSED, closed_at__lt=cutoff)
            | Q(status=SurveyStatus.CANCELLED, cancelled_at__lt=cutoff)
        )
        .order_by("pk")
    )


def _still_personal(surveys: QuerySet[Survey]) -> QuerySet[Survey]:
    """The surveys with something left to anonymise (none once anonymised)."""
    personal = Household.objects.filter(survey=OuterRef("pk")).filter(
        Q(customer__isnull=False) | Q(draft_saved_at__isnull=False)
    )
    words = Answer.objects.filter(survey=OuterRef("pk")).filter(~Q(reason="") | ~Q(text=""))
    return surveys.filter(Exists(personal) | Exists(words))


def _answers(response_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        Answer.objects.filter(response_id__in=response_ids)
        .select_related("question")
        .order_by("response_id", "question__position", "pk")
    )
    for a in rows:
        found[a.response_id].append(
            {
                "question": a.question.position,
                "question_text": a.question.text_zh_hans,
                "category": a.category,
                "level": a.level,
                "score": a.score,
                "satisfied": a.satisfied,
                "dissatisfied": a.dissatisfied,
                "reason": a.reason,
                "text": a.text,
            }
        )
    return found


def survey_archive(ids: Sequence[int]) -> ArchiveBatch:
    surveys = list(Survey.objects.filter(pk__in=ids).order_by("pk"))
    households: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        Household.objects.filter(survey_id__in=ids)
        .select_related("estate", "building", "unit", "customer")
        .order_by("survey_id", "pk")
    )
    responses = {r.household_id: r for r in Response.objects.filter(survey_id__in=ids).order_by("pk")}
    answers = _answers([r.pk for r in responses.values()])
    returned: dict[int, int] = defaultdict(int)
    for h in rows:
        response = responses.get(h.pk)
        if response is not None:
            returned[h.survey_id] += 1
        households[h.survey_id].append(
            {
                "id": h.pk,
                "estate": h.estate.name,
                "unit": h.unit.label,
                "customer_id": h.customer_id,
                "customer": h.customer.name if h.customer is not None else "",
                "customer_kind": h.customer_kind,
                "key_household": h.second_stage,
                "why_key": h.reasons,
                "sms_sent_at": _plain(h.sms_sent_at),
                "reminders_sent": h.reminders_sent,
                "answered_at": _plain(h.answered_at),
                "response": None
                if response is None
                else {
                    "channel": response.channel,
                    "submitted_at": _plain(response.submitted_at),
                    "entered_by": response.entered_by_name,
                    "language": response.language,
                    "answers": answers.get(response.pk, []),
                },
            }
        )
    analyses = {a.survey_id: a for a in SurveyAnalysis.objects.filter(survey_id__in=ids)}
    suggestions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for suggestion in Suggestion.objects.filter(survey_id__in=ids).order_by("pk"):
        suggestions[suggestion.survey_id].append(
            {
                "number": suggestion.number,
                "title": suggestion.title,
                "text": suggestion.text,
                "status": suggestion.status,
                "decided_by": suggestion.decided_by_name,
                "decision_reason": suggestion.decision_reason,
            }
        )
    events = _events(SurveyEvent, "survey", ids)
    records, csv_rows = [], []
    for s in surveys:
        analysis = analyses.get(s.pk)
        records.append(
            {
                "id": s.pk,
                "number": s.number,
                "title": s.title,
                "kind": s.kind,
                "year": s.year,
                "status": s.status,
                "share": _plain(s.share),
                "target": _plain(s.target),
                "drawn_at": _plain(s.drawn_at),
                "drawn_by": s.drawn_by_name,
                "opened_at": _plain(s.opened_at),
                "closed_at": _plain(s.closed_at),
                "households": households.get(s.pk, []),
                "analysis": None
                if analysis is None
                else {
                    "summary": analysis.summary,
                    "problem": analysis.problem,
                    "fishbone": analysis.fishbone,
                },
                "suggestions": suggestions.get(s.pk, []),
                "events": events.get(s.pk, []),
            }
        )
        csv_rows.append(
            [
                s.pk,
                s.number,
                s.title,
                s.kind,
                s.year,
                s.status,
                _plain(s.closed_at),
                len(households.get(s.pk, [])),
                returned[s.pk],
            ]
        )
    header = ["id", "number", "title", "kind", "year", "status", "closed_at", "households", "returned"]
    return ArchiveBatch(records=records, csv_header=header, csv_rows=csv_rows)


def survey_dispose(ids: Sequence[int]) -> int:
    """Anonymise: the households lose their customer and drafts, the answers their words.
    Counts the surveys that still had something to anonymise (none the second time)."""
    with transaction.atomic():
        present = list(_still_personal(Survey.objects.filter(pk__in=ids)).values_list("pk", flat=True))
        Household.objects.filter(survey_id__in=present).filter(
            Q(customer__isnull=False) | Q(draft_saved_at__isnull=False)
        ).update(customer=None, draft={}, draft_saved_at=None)
        Answer.objects.filter(survey_id__in=present).filter(~Q(reason="") | ~Q(text="")).update(
            reason="", text=""
        )
    return len(present)


def survey_labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"{number} {title}"
        for pk, number, title in Survey.objects.filter(pk__in=ids).values_list("pk", "number", "title")
    }


def survey_find(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    found = Survey.objects.filter(number__iexact=text.split()[0]).values_list("pk", flat=True).first()
    return (
        found if found is not None else Survey.objects.filter(title=text).values_list("pk", flat=True).first()
    )


# --- monthly consultations ---------------------------------------------------------------


def consultations_past(cutoff: datetime) -> QuerySet[Consultation]:
    return (
        Consultation.objects.annotate(cancelled_at=_ended(ConsultationEvent, "consultation"))
        .filter(
            Q(status=ConsultationStatus.FINISHED, finished_at__lt=cutoff)
            | Q(status=ConsultationStatus.CANCELLED, cancelled_at__lt=cutoff)
        )
        .order_by("pk")
    )


def consultation_archive(ids: Sequence[int]) -> ArchiveBatch:
    consultations = list(
        Consultation.objects.filter(pk__in=ids).select_related("estate", "office").order_by("pk")
    )
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for a in ConsultationAnswer.objects.filter(consultation_id__in=ids).order_by("household_id", "pk"):
        answers[a.household_id].append(
            {"topic": a.category, "level": a.level, "score": a.score, "reason": a.reason}
        )
    households: dict[int, list[dict[str, Any]]] = defaultdict(list)
    rows = (
        ConsultedHousehold.objects.filter(consultation_id__in=ids)
        .select_related("unit", "unit__building", "customer")
        .order_by("consultation_id", "pk")
    )
    for h in rows:
        households[h.consultation_id].append(
            {
                "id": h.pk,
                "unit": h.unit.label,
                "customer_id": h.customer_id,
                "customer": h.customer.name if h.customer is not None else "",
                "customer_kind": h.customer_kind,
                "proposed": h.proposed,
                "asked": h.asked,
                "swapped_for": h.replaced_by_id,
                "why_swapped": h.swap_reason,
                "answered_at": _plain(h.answered_at),
                "channel": h.channel,
                "entered_by": h.entered_by_name,
                "other_opinions": h.remarks,
                "answers": answers.get(h.pk, []),
            }
        )
    staff: dict[int, list[str]] = defaultdict(list)
    for c_id, name in Consultation.staff.through.objects.filter(consultation_id__in=ids).values_list(
        "consultation_id", "staff__display_name"
    ):
        staff[c_id].append(name)
    events = _events(ConsultationEvent, "consultation", ids)
    records, csv_rows = [], []
    for c in consultations:
        asked = [h for h in households.get(c.pk, []) if h["asked"]]
        records.append(
            {
                "id": c.pk,
                "number": c.number,
                "estate": c.estate.name,
                "office": c.office.name if c.office else "",
                "month": _plain(c.month),
                "topics": c.topics,
                "method": c.method,
                "status": c.status,
                "staff": staff.get(c.pk, []),
                "notes": c.notes,
                "share": _plain(c.share),
                "occupied": c.occupied_count,
                "proposed": c.proposed_count,
                "planned_by": c.created_by_name,
                "started_at": _plain(c.started_at),
                "finished_at": _plain(c.finished_at),
                "households": households.get(c.pk, []),
                "events": events.get(c.pk, []),
            }
        )
        csv_rows.append(
            [
                c.pk,
                c.number,
                c.estate.name,
                _plain(c.month),
                c.method,
                c.status,
                _plain(c.finished_at),
                len(asked),
                sum(1 for h in asked if h["answered_at"]),
            ]
        )
    header = ["id", "number", "estate", "month", "method", "status", "finished_at", "asked", "answered"]
    return ArchiveBatch(records=records, csv_header=header, csv_rows=csv_rows)


def consultation_dispose(ids: Sequence[int]) -> int:
    with transaction.atomic():
        present = list(Consultation.objects.filter(pk__in=ids).values_list("pk", flat=True))
        ConsultationAnswer.objects.filter(consultation_id__in=present).delete()
        ConsultedHousehold.objects.filter(consultation_id__in=present).update(replaced_by=None)
        ConsultedHousehold.objects.filter(consultation_id__in=present).delete()
        Consultation.objects.filter(pk__in=present).delete()  # its events and staff go with it
        # After the delete: deleting writes a last history row of its own.
        Consultation.history.model.objects.filter(id__in=ids).delete()
    return len(present)


def consultation_labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"{number} {estate} {month:%Y-%m}"
        for pk, number, estate, month in Consultation.objects.filter(pk__in=ids).values_list(
            "pk", "number", "estate__name", "month"
        )
    }


def consultation_find(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    return Consultation.objects.filter(number__iexact=text.split()[0]).values_list("pk", flat=True).first()


# --- owners' forums ----------------------------------------------------------------------


def forums_past(cutoff: datetime) -> QuerySet[Forum]:
    """Forums held before the cut-off day whose follow-ups are all done, the last before it."""
    day = _day(cutoff)
    pending = ForumFollowUp.objects.filter(opinion__forum=OuterRef("pk")).filter(
        Q(done_at__isnull=True) | Q(done_at__gte=cutoff)
    )
    return Forum.objects.filter(held_on__lt=day).filter(~Exists(pending)).order_by("pk")


def forum_archive(ids: Sequence[int]) -> ArchiveBatch:
    forums = list(Forum.objects.filter(pk__in=ids).select_related("chaired_by").order_by("pk"))
    participants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    names: dict[int, str] = {}
    rows = (
        ForumParticipant.objects.filter(forum_id__in=ids)
        .select_related("unit", "unit__building", "customer", "committee_member", "staff")
        .order_by("forum_id", "pk")
    )
    for p in rows:
        name = (
            p.name
            or (p.customer.name if p.customer else "")
            or (p.committee_member.name if p.committee_member else "")
            or (p.staff.display_name if p.staff else "")
        )
        names[p.pk] = name
        participants[p.forum_id].append(
            {"id": p.pk, "kind": p.kind, "unit": p.unit.label if p.unit else "", "name": name}
        )
    follow_ups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for done in (
        ForumFollowUp.objects.filter(opinion__forum_id__in=ids).select_related("owner").order_by("pk")
    ):
        follow_ups[done.opinion_id].append(
            {
                "what": done.description,
                "owner": done.owner.display_name,
                "due": _plain(done.due_date),
                "done_at": _plain(done.done_at),
                "done_by": done.done_by_name,
                "result": done.result,
            }
        )
    opinions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for o in ForumOpinion.objects.filter(forum_id__in=ids).order_by("forum_id", "position", "pk"):
        opinions[o.forum_id].append(
            {
                "category": o.category,
                "opinion": o.text,
                "raised_by": names.get(o.raised_by_id or 0, ""),
                "answer": o.answer,
                "follow_ups": follow_ups.get(o.pk, []),
            }
        )
    estates: dict[int, list[str]] = defaultdict(list)
    for f_id, name in Forum.estates.through.objects.filter(forum_id__in=ids).values_list(
        "forum_id", "estate__name"
    ):
        estates[f_id].append(name)
    records, csv_rows = [], []
    for f in forums:
        records.append(
            {
                "id": f.pk,
                "number": f.number,
                "title": f.title,
                "year": f.year,
                "estates": estates.get(f.pk, []),
                "held_on": _plain(f.held_on),
                "place": f.place,
                "chaired_by": f.chaired_by.display_name if f.chaired_by else "",
                "summary": f.summary,
                "participants": participants.get(f.pk, []),
                "opinions": opinions.get(f.pk, []),
            }
        )
        csv_rows.append(
            [
                f.pk,
                f.number,
                f.title,
                _plain(f.held_on),
                len(participants.get(f.pk, [])),
                len(opinions.get(f.pk, [])),
            ]
        )
    header = ["id", "number", "title", "held_on", "participants", "opinions"]
    return ArchiveBatch(records=records, csv_header=header, csv_rows=csv_rows)


def forum_dispose(ids: Sequence[int]) -> int:
    with transaction.atomic():
        present = list(Forum.objects.filter(pk__in=ids).values_list("pk", flat=True))
        opinion_history = ForumOpinion.history.model.objects.filter(forum_id__in=ids)
        opinion_ids = set(opinion_history.values_list("id", flat=True))
        opinion_ids |= set(ForumOpinion.objects.filter(forum_id__in=present).values_list("pk", flat=True))
        ForumFollowUp.objects.filter(opinion_id__in=opinion_ids).delete()
        ForumOpinion.objects.filter(forum_id__in=present).delete()
        ForumParticipant.objects.filter(forum_id__in=present).delete()
        Forum.objects.filter(pk__in=present).delete()
        ForumFollowUp.history.model.objects.filter(opinion_id__in=opinion_ids).delete()
        ForumOpinion.history.model.objects.filter(forum_id__in=ids).delete()
        Forum.history.model.objects.filter(id__in=ids).delete()
    return len(present)


def forum_labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"{number} {title}"
        for pk, number, title in Forum.objects.filter(pk__in=ids).values_list("pk", "number", "title")
    }


def forum_find(text: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    return Forum.objects.filter(number__iexact=text.split()[0]).values_list("pk", flat=True).first()


# --- half-year statistics ----------------------------------------------------------------


def half_years_past(cutoff: datetime) -> QuerySet[HalfYearStatistics]:
    # ``improvement_actions``: the reverse name of the action's link to a line (improvement
    # sits above surveys; the name is read, the app is not imported).
    acted_on = HalfYearLine.objects.filter(statistics=OuterRef("pk"), improvement_actions__isnull=False)
    return (
        HalfYearStatistics.objects.filter(signed_at__isnull=False, signed_at__lt=cutoff)
        .filter(~Exists(acted_on))
        .order_by("pk")
    )


def half_year_archive(ids: Sequence[int]) -> ArchiveBatch:
    stats = list(
        HalfYearStatistics.objects.filter(pk__in=ids).select_related("office", "estate").order_by("pk")
    )
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for line in HalfYearLine.objects.filter(statistics_id__in=ids).order_by(
        "statistics_id", "position", "pk"
    ):
        lines[line.statistics_id].append(
            {
                "kind": line.kind,
                "category": line.category,
                "reason_code": line.reason_code,
                "summary": line.summary,
                "households": line.households,
            }
        )
    records, csv_rows = [], []
    for s in stats:
        records.append(
            {
                "id": s.pk,
                "office": s.office.name,
                "estate": s.estate.name,
                "year": s.year,
                "half": s.half,
                "figures": s.figures,
                "computed_at": _plain(s.computed_at),
                "conclusions": s.conclusions,
                "signed_at": _plain(s.signed_at),
                "signed_by": s.signed_by_name,
                "lines": lines.get(s.pk, []),
            }
        )
        csv_rows.append([s.pk, s.office.name, s.year, s.half, _plain(s.signed_at), len(lines.get(s.pk, []))])
    header = ["id", "office", "year", "half", "signed_at", "lines"]
    return ArchiveBatch(records=records, csv_header=header, csv_rows=csv_rows)


def half_year_dispose(ids: Sequence[int]) -> int:
    with transaction.atomic():
        present = list(HalfYearStatistics.objects.filter(pk__in=ids).values_list("pk", flat=True))
        HalfYearLine.objects.filter(statistics_id__in=present).delete()
        HalfYearStatistics.objects.filter(pk__in=present).delete()
        HalfYearStatistics.history.model.objects.filter(id__in=ids).delete()
    return len(present)


def half_year_labels(ids: Sequence[int]) -> dict[int, str]:
    return {
        pk: f"{office} {year} H{half}"
        for pk, office, year, half in HalfYearStatistics.objects.filter(pk__in=ids).values_list(
            "pk", "office__name", "year", "half"
        )
    }


SURVEY_MATERIALS = RecordType(
    key="survey_materials",
    label=_("Survey materials: surveys, their samples, questionnaires returned and answers"),
    owner=OWNER,
    basis=_("closed (or cancelled)"),
    disposal=Disposal.ANONYMISE,
    past_retention=surveys_past,
    archive=survey_archive,
    dispose=survey_dispose,
    labels=survey_labels,
    find=survey_find,
    order=10,
    note=_(
        "The survey, its sample and every answer's score stay for its figures; the link to each "
        "customer, drafts, reasons and free-text answers go."
    ),
)

CONSULTATIONS = RecordType(
    key="consultations",
    label=_("Monthly consultations of owners, with the households asked and their answers"),
    owner=OWNER,
    basis=_("finished (or cancelled)"),
    disposal=Disposal.DELETE,
    past_retention=consultations_past,
    archive=consultation_archive,
    dispose=consultation_dispose,
    labels=consultation_labels,
    find=consultation_find,
    order=11,
    note=_("Monthly reports, annual packs and signed-off half-year statistics keep their own counts."),
)

OWNERS_FORUMS = RecordType(
    key="owners_forums",
    label=_("Owners' forums: participants, opinions, answers and follow-ups"),
    owner=OWNER,
    basis=_("held, once every follow-up is done"),
    disposal=Disposal.DELETE,
    past_retention=forums_past,
    archive=forum_archive,
    dispose=forum_dispose,
    labels=forum_labels,
    find=forum_find,
    order=12,
    note=_("The annual pack keeps its own counts of the year's forums."),
)

HALF_YEAR_STATISTICS = RecordType(
    key="half_year_statistics",
    label=_("Half-year statistics of the consultations and the survey"),
    owner=OWNER,
    basis=_("signed off"),
    disposal=Disposal.DELETE,
    past_retention=half_years_past,
    archive=half_year_archive,
    dispose=half_year_dispose,
    labels=half_year_labels,
    find=None,
    order=13,
    note=_("Statistics an improvement action was opened from stay while that action is kept."),
)


def register_types() -> None:
    for record_type in (SURVEY_MATERIALS, CONSULTATIONS, OWNERS_FORUMS, HALF_YEAR_STATISTICS):
        register(record_type)
