"""What the surveys app holds about a person, for their copy and for erasure (SPEC D-3;
decision 0047).

A person is found here through their customer records: the households drawn for a survey
and asked in a monthly consultation are linked to the customer who occupied the unit then,
and an owners' forum's participants to the owner or committee member who came (or named,
when someone came as "other"). Units alone are not enough: a unit's earlier households
belong to whoever lived there before.

``collect`` lists those households with the person's answers, and the forums with the
opinions they raised, in the reader's language.

``erase``:

* unlinks the households from the customer, drops a half-finished draft, and removes the
  words they wrote — reasons for dissatisfaction, free-text answers, "other opinions" —
  while each rating's level and score stay: they count in a survey's or consultation's
  figures (return rate, satisfaction rate), and without a name or words they are no longer
  about anyone. Listed as kept, with why;
* clears a forum participant's name and link; the opinion stays in the minutes (the
  company's answer and follow-ups hang on it), its wording cleaned of the person's name and
  phone number;
* replaces the person's names and phone numbers wherever else staff wrote them in the app's
  texts (notes, summaries, suggestions, timelines) and in those records' history rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from estatedesk.core.clock import company_zone
from estatedesk.core.i18n import in_company_language, month_label
from estatedesk.records import toolkit
from estatedesk.records.subjects import Erasure, Kept, Section, Source, Subject, register_source
from estatedesk.surveys.models import (
    Answer,
    Category,
    Consultation,
    ConsultationAnswer,
    ConsultationEvent,
    ConsultationMethod,
    ConsultedHousehold,
    Forum,
    ForumFollowUp,
    ForumOpinion,
    ForumParticipant,
    HalfYearLine,
    HalfYearStatistics,
    Household,
    KeyReason,
    Response,
    ResponseChannel,
    Suggestion,
    Survey,
    SurveyAnalysis,
    SurveyEvent,
    level_label,
)

__all__ = ["SOURCE", "Scrubber", "collect", "erase", "marker", "register", "scrub_rows"]

SCORES_KEPT = _("The ratings count in its figures; they stay without your name or your words.")


def _when(value: datetime | None) -> str:
    return timezone.localtime(value, company_zone()).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(value: bool) -> str:
    return str(_("Yes") if value else _("No"))


def _level(scale: Iterable[dict[str, Any]], code: str) -> str:
    if not code:
        return str(_("No rating"))
    found: dict[str, object] = next((level for level in scale if level.get("code") == code), {"code": code})
    return level_label(found)


def _category(code: str) -> str:
    return str(Category(code).label) if code in Category.values else code


def _rating(scale: Iterable[dict[str, Any]], level: str, reason: str) -> str:
    text = _level(scale, level)
    return f"{text} · {reason}" if reason else text


# --- The person's copy ---------------------------------------------------------------------------


def _households(subject: Subject) -> QuerySet[Household]:
    return Household.objects.filter(customer_id__in=subject.customer_ids)


def _consulted(subject: Subject) -> QuerySet[ConsultedHousehold]:
    return ConsultedHousehold.objects.filter(customer_id__in=subject.customer_ids)


def _participants(subject: Subject) -> QuerySet[ForumParticipant]:
    linked = Q(customer_id__in=subject.customer_ids)
    names = [n for n in subject.names if n.strip()]
    if names:
        linked |= Q(name__in=names)
    return ForumParticipant.objects.filter(linked)


def _survey_entries(subject: Subject) -> list[list[tuple[Any, str]]]:
    entries = []
    rows = _households(subject).select_related("survey", "estate", "unit", "unit__building").order_by("pk")
    for h in rows:
        version = h.survey.estates.select_related("version").filter(estate_id=h.estate_id).first()
        scale = version.version.scale if version else []
        reasons = [str(KeyReason(r).label) if r in KeyReason.values else r for r in h.reasons]
        entry: list[tuple[Any, str]] = [
            (_("Survey"), f"{h.survey.number} {h.survey.title}"),
            (_("Estate"), h.estate.name),
            (_("Unit"), h.unit.label),
            (_("Key household"), f"{_yes(h.second_stage)} {'、'.join(reasons)}".strip()),
            (_("Link sent by SMS"), _when(h.sms_sent_at)),
            (_("Reminders sent"), str(h.reminders_sent)),
            (_("Answered at"), _when(h.answered_at)),
        ]
        response = Response.objects.filter(household=h).first()
        if response is not None:
            entry.append((_("How it was returned"), str(ResponseChannel(response.channel).label)))
            answers = Answer.objects.filter(response=response).select_related("question")
            for a in answers.order_by("question__position", "pk"):
                value = a.text if a.question.kind == "text" else _rating(scale, a.level, a.reason)
                entry.append((a.question.text(), value))
        entries.append(entry)
    return entries


def _consultation_entries(subject: Subject) -> list[list[tuple[Any, str]]]:
    entries = []
    rows = _consulted(subject).select_related("consultation", "estate", "unit", "unit__building")
    for h in rows.order_by("consultation__month", "pk"):
        c = h.consultation
        method = (
            str(ConsultationMethod(c.method).label) if c.method in ConsultationMethod.values else c.method
        )
        entry: list[tuple[Any, str]] = [
            (_("Monthly consultation"), c.number),
            (_("Month"), month_label(c.month.year, c.month.month)),
            (_("Estate"), h.estate.name),
            (_("Unit"), h.unit.label),
            (_("Method"), method),
            (_("In the sample"), _yes(h.asked)),
            (_("Answered at"), _when(h.answered_at)),
        ]
        for a in ConsultationAnswer.objects.filter(household=h).order_by("pk"):
            entry.append((_category(a.category), _rating(c.scale, a.level, a.reason)))
        if h.remarks:
            entry.append((_("Other opinions"), h.remarks))
        entries.append(entry)
    return entries


def _forum_entries(subject: Subject) -> list[list[tuple[Any, str]]]:
    entries = []
    rows = _participants(subject).select_related("forum", "unit", "unit__building")
    for p in rows.order_by("forum__held_on", "pk"):
        f = p.forum
        entry: list[tuple[Any, str]] = [
            (_("Owners' forum"), f"{f.number} {f.title}"),
            (_("Date"), f.held_on.isoformat()),
            (_("Place"), f.place),
            (_("Took part as"), p.get_kind_display()),
        ]
        if p.unit is not None:
            entry.append((_("Unit"), p.unit.label))
        for o in ForumOpinion.objects.filter(raised_by=p).order_by("position", "pk"):
            entry.append((_("Opinion"), o.text))
            if o.answer:
                entry.append((_("The company's answer"), o.answer))
        entries.append(entry)
    return entries


def collect(subject: Subject) -> list[Section]:
    parts = [
        (_("Satisfaction surveys"), _survey_entries(subject)),
        (_("Monthly consultations"), _consultation_entries(subject)),
        (_("Owners' forums"), _forum_entries(subject)),
    ]
    return [Section(title=title, entries=entries) for title, entries in parts if entries]


# --- Erasure -------------------------------------------------------------------------------------


def marker() -> str:
    """What a removed name or phone reads as, in the company's language (staff read it)."""
    with in_company_language():
        return pgettext("personal data", "(erased)")


class Scrubber(toolkit.Scrubber):
    """The shared scrubber, able to ask the database which rows may hold the person."""

    def mentions(self, fields: Iterable[str]) -> Q:
        """Rows whose text columns may hold a name or a phone (the regex then decides)."""
        found = Q(pk__in=[])
        for field in fields:
            for needle in [*self.names, *self.phones]:
                found |= Q(**{f"{field}__contains": needle})
        return found


def scrub_rows(query: QuerySet[Any], scrub: Scrubber, *, json: Iterable[str] = ()) -> int:
    """Clean the rows' text columns (and the named JSON columns) of the person's names and
    phones, with ``update`` (no new history row). Rows are chosen in the database by what
    their text holds; with JSON columns, every row of ``query`` is read."""
    if scrub.pattern is None:
        return 0
    model = query.model
    json_fields = list(json)
    texts = [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.attname.startswith("history_")
    ]
    rows = query if json_fields else query.filter(scrub.mentions(texts))
    changed = 0
    for row in rows.values("pk", *texts, *json_fields).iterator():
        changes: dict[str, Any] = {}
        for name in texts:
            value = row[name]
            if value and (new := scrub.text(value)) != value:
                changes[name] = new
        for name in json_fields:
            value = row[name]
            if value and (new := scrub.json(value)) != value:
                changes[name] = new
        if changes:
            model._default_manager.filter(pk=row["pk"]).update(**changes)
            changed += 1
    return changed


def _history(model: Any) -> QuerySet[Any]:
    return model.history.model._default_manager.all()  # type: ignore[no-any-return]


def _kept(subject: Subject) -> list[Kept]:
    kept = []
    answered = (
        _households(subject)
        .filter(answered_at__isnull=False)
        .values_list("survey__number", "survey__title")
        .distinct()
    )
    for number, title in answered.order_by("survey__number"):
        kept.append(Kept(what=f"{number} {title}", why=SCORES_KEPT))
    consulted = (
        _consulted(subject)
        .filter(answered_at__isnull=False)
        .values_list("consultation__number", flat=True)
        .distinct()
    )
    for number in consulted.order_by("consultation__number"):
        kept.append(Kept(what=number, why=SCORES_KEPT))
    return kept


def erase(subject: Subject, now: datetime) -> Erasure:
    result = Erasure(kept=_kept(subject))
    households = list(_households(subject).values_list("pk", flat=True))
    result.erased += Household.objects.filter(pk__in=households).update(
        customer=None, draft={}, draft_saved_at=None
    )
    Answer.objects.filter(response__household_id__in=households).filter(~Q(reason="") | ~Q(text="")).update(
        reason="", text=""
    )
    consulted = list(_consulted(subject).values_list("pk", flat=True))
    result.erased += ConsultedHousehold.objects.filter(pk__in=consulted).update(customer=None, remarks="")
    ConsultationAnswer.objects.filter(household_id__in=consulted).exclude(reason="").update(reason="")
    result.erased += _participants(subject).update(customer=None, name="")

    scrub = Scrubber(subject, marker())
    for query in (
        Survey.objects.all(),
        _history(Survey),
        SurveyEvent.objects.all(),
        Answer.objects.all(),
        Consultation.objects.all(),
        _history(Consultation),
        ConsultationEvent.objects.all(),
        ConsultedHousehold.objects.all(),
        ConsultationAnswer.objects.all(),
        ForumParticipant.objects.all(),
        Forum.objects.all(),
        _history(Forum),
        ForumOpinion.objects.all(),
        _history(ForumOpinion),
        ForumFollowUp.objects.all(),
        _history(ForumFollowUp),
        Suggestion.objects.all(),
        _history(Suggestion),
        HalfYearStatistics.objects.all(),
        _history(HalfYearStatistics),
        HalfYearLine.objects.all(),
    ):
        result.erased += scrub_rows(query, scrub)
    for query in (SurveyAnalysis.objects.all(), _history(SurveyAnalysis)):
        result.erased += scrub_rows(query, scrub, json=["fishbone"])
    return result


SOURCE = Source(
    key="surveys",
    label=_("Satisfaction surveys, monthly consultations and owners' forums"),
    collect=collect,
    erase=erase,
    order=40,
)


def register() -> None:
    register_source(SOURCE)
