"""A survey's steps other than the draw (SPEC S-7, S-8): prepare, edit, open, remind, close,
cancel. One function per transition of ``workflow.SURVEY``, each in one transaction on the
locked survey, each writing its timeline event.

Who may do what: ``workflow`` names the roles; the deputy GM's own steps (open, close, cancel)
are narrowed here by the company settings (``_organiser``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import SYSTEM, Actor, stamp, user_of
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.i18n import in_company_language
from estatedesk.core.models import CompanySettings
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import Transition, check_source, lock, require
from estatedesk.notifications.models import Channel
from estatedesk.notifications.services import notify
from estatedesk.org.acting import acting_for
from estatedesk.org.models import Building, Estate, EstateKind, Role, Unit
from estatedesk.surveys import events, selectors
from estatedesk.surveys.models import (
    Household,
    QuestionnaireVersion,
    Response,
    Survey,
    SurveyEstate,
    SurveyKind,
    SurveyStatus,
)
from estatedesk.surveys.workflow import SURVEY

__all__ = [
    "cancel_survey",
    "close_survey",
    "create_survey",
    "may_organise",
    "open_survey",
    "remind",
    "update_survey",
]

EDITABLE_TEXTS = ("title", "improvements")
# Ids per query when marking the households told: SQLite's limit is 32,766 parameters.
ID_CHUNK = 10_000


def may_organise(actor: Actor, company: CompanySettings | None = None) -> bool:
    """The deputy GM's steps: open, close, cancel (§7.3.5). The supervisor when the company
    settings say so; the GM when he may act for the deputy GM (decision 0017)."""
    staff = policy.staff_of(actor)
    if staff is None:
        return False
    company = company or CompanySettings.load()
    if staff.role == Role.CS_SUPERVISOR:
        return bool(company.cs_supervisor_runs_surveys)
    return acting_for(actor, Role.DEPUTY_GM, company) is not None


def _organiser(actor: Actor, transition: Transition) -> None:
    require(actor, transition)
    if not may_organise(actor):
        raise NotAllowed(
            _("Only the deputy general manager may do this: %(step)s.") % {"step": transition.label}
        )


def _locked(actor: Actor, survey: Survey | int) -> Survey:
    return lock(selectors.surveys_for(actor), survey.pk if isinstance(survey, Survey) else survey)


def _percent(value: object, field: str, *, low: Decimal, high: Decimal, message: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as error:
        raise InvalidInput(message, field=field) from error
    if not number.is_finite() or not low < number <= high:
        raise InvalidInput(message, field=field)
    return number.quantize(Decimal("0.01"))


def _share(value: object) -> Decimal:
    return _percent(
        value,
        "share",
        low=Decimal(0),
        high=Decimal(100),
        message=_("Enter a sample share above 0 % and at most 100 %."),
    )


def _estates(estate_ids: Collection[int], kind: str) -> list[Estate]:
    if kind == SurveyKind.ANNUAL and not estate_ids:
        # §7.3.6: the annual survey covers every area the company manages.
        return list(Estate.objects.filter(active=True).order_by("code"))
    estates = list(Estate.objects.filter(pk__in=estate_ids, active=True).order_by("code"))
    if not estates or len(estates) != len(set(estate_ids)):
        raise InvalidInput(_("Choose the estates the survey covers."), field="estates")
    return estates


@transaction.atomic
def create_survey(
    *,
    actor: Actor,
    kind: str,
    title: str,
    estate_ids: Collection[int] = (),
    share: object = None,
    version: QuestionnaireVersion | None = None,
    office_version: QuestionnaireVersion | None = None,
    year: int | None = None,
    closes_on: date | None = None,
    improvements: str = "",
    building_ids: Collection[int] = (),
    unit_ids: Collection[int] = (),
) -> Survey:
    require(actor, SURVEY.get("create"))
    if kind not in SurveyKind.values:
        raise InvalidInput(_("Choose the kind of survey: annual or special-purpose."), field="kind")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("Give the survey a title."), field="title")
    company = CompanySettings.load()
    estates = _estates(estate_ids, kind)
    version = version or selectors.default_version(EstateKind.RESIDENTIAL)
    if version is None:
        raise InvalidInput(_("Choose the questionnaire."), field="template")
    office_version = office_version or selectors.default_version(EstateKind.OFFICE)
    today = company_today()
    if closes_on is not None and closes_on < today:
        raise InvalidInput(_("The closing day cannot be in the past."), field="closes_on")
    survey = Survey(
        number=next_number("SV", now()),
        kind=kind,
        title=title[:200],
        year=year or today.year,
        version=version,
        office_version=office_version,
        share=_share(share if share is not None else company.survey_share),
        closes_on=closes_on,
        improvements=improvements.strip(),
        return_threshold=company.survey_return_threshold,
        return_step=company.survey_return_step,
        return_penalty=company.survey_return_penalty,
        target=company.satisfaction_target,
        created_at=now(),
        created_by=user_of(actor),
    )
    stamp(survey, actor)
    survey.save()
    SurveyEstate.objects.bulk_create(
        SurveyEstate(
            survey=survey,
            estate=estate,
            version=office_version if estate.kind == EstateKind.OFFICE and office_version else version,
        )
        for estate in estates
    )
    if kind == SurveyKind.SPECIAL:
        chosen = [e.pk for e in estates]
        if building_ids:
            buildings = Building.objects.filter(pk__in=building_ids, estate__in=chosen)
            if buildings.count() != len(set(building_ids)):
                raise InvalidInput(_("Choose buildings of the chosen estates."), field="buildings")
            survey.buildings.set(buildings)
        if unit_ids:
            units = Unit.objects.filter(pk__in=unit_ids, estate__in=chosen)
            if units.count() != len(set(unit_ids)):
                raise InvalidInput(_("Choose households of the chosen estates."), field="units")
            survey.units.set(units)
    events.created(survey, actor)
    return survey


@transaction.atomic
def update_survey(
    *,
    actor: Actor,
    survey: Survey | int,
    based_on: int | None,
    title: str | None = None,
    improvements: str | None = None,
    closes_on: date | None = None,
    share: object = None,
    reminder_gap_days: int | None = None,
    max_reminders: int | None = None,
) -> Survey:
    """Edit what may change: the texts (versioned, decision 0011), the closing day and the
    reminder rules; the share only before the draw."""
    transition = SURVEY.get("edit")
    require(actor, transition)
    survey = _locked(actor, survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    changes: dict[str, Any] = {}
    if title is not None:
        if not title.strip():
            raise InvalidInput(_("Give the survey a title."), field="title")
        changes["title"] = title.strip()[:200]
    if improvements is not None:
        changes["improvements"] = improvements.strip()
    if closes_on is not None:
        if closes_on < company_today():
            raise InvalidInput(_("The closing day cannot be in the past."), field="closes_on")
        changes["closes_on"] = closes_on
    if share is not None:
        if survey.status != SurveyStatus.DRAFT:
            raise InvalidInput(_("The share cannot change once the sample is drawn."), field="share")
        changes["share"] = _share(share)
    if reminder_gap_days is not None:
        if not 1 <= reminder_gap_days <= 60:
            raise InvalidInput(_("Enter 1 to 60 days between reminders."), field="reminder_gap_days")
        changes["reminder_gap_days"] = reminder_gap_days
    if max_reminders is not None:
        if not 0 <= max_reminders <= 10:
            raise InvalidInput(_("Enter 0 to 10 reminders."), field="max_reminders")
        changes["max_reminders"] = max_reminders
    texts = [f for f in EDITABLE_TEXTS if f in changes and changes[f] != getattr(survey, f)]
    if texts:
        take_edit(survey, based_on, current={f: getattr(survey, f) for f in texts}, fields=texts)
    changed = [f for f, v in changes.items() if getattr(survey, f) != v]
    if not changed:
        return survey
    for name in changed:
        setattr(survey, name, changes[name])
    stamp(survey, actor)
    survey.save(update_fields=[*changed, *([EDIT_VERSION] if texts else [])])
    events.edited(survey, actor, fields=changed)
    return survey


def _sms(household: Household, survey: Survey, *, moment: str) -> bool:
    """Queue the SMS with the household's personal link; False when there is no phone number."""
    customer = household.customer
    phone = customer.phone if customer is not None else ""
    if not phone:
        return False
    with in_company_language():
        if moment == "open":
            subject = _("Satisfaction survey %(title)s") % {"title": survey.title}
            body = _("Please tell us how satisfied you are with our service: %(title)s.") % {
                "title": survey.title
            }
        else:
            subject = _("Reminder: satisfaction survey %(title)s") % {"title": survey.title}
            body = _("We have not yet received your answers to %(title)s. It takes a few minutes.") % {
                "title": survey.title
            }
        if survey.closes_on:
            body += " " + _("Answers are accepted until %(day)s.") % {"day": date_format(survey.closes_on)}
    message = notify(
        key=f"{survey.number}:household:{household.pk}:{moment}",
        channel=Channel.SMS,
        address=phone,
        subject=subject,
        body=body,
        link=reverse("portal:survey", args=[household.token]),
    )
    return message is not None


@transaction.atomic
def open_survey(*, actor: Actor, survey: Survey | int) -> Survey:
    """Open the survey (S-8): personal links become valid, and each household with a phone
    number gets its link by SMS through the outbox; the others get the printed QR slips."""
    transition = SURVEY.get("open")
    _organiser(actor, transition)
    survey = _locked(actor, survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    if survey.closes_on is not None and survey.closes_on < company_today():
        raise InvalidInput(_("The closing day has passed: set a later one first."), field="closes_on")
    from_status = survey.status
    survey.status = transition.result(survey.status)
    survey.opened_at = now()
    stamp(survey, actor)
    survey.save(update_fields=["status", "opened_at"])
    sent = []
    for household in survey.households.select_related("customer").iterator(chunk_size=2000):
        if _sms(household, survey, moment="open"):
            sent.append(household.pk)
    for start in range(0, len(sent), ID_CHUNK):
        Household.objects.filter(pk__in=sent[start : start + ID_CHUNK]).update(sms_sent_at=survey.opened_at)
    events.opened(survey, actor, from_status=from_status, sms=len(sent))
    return survey


def reminders_due(survey: Survey, at: datetime) -> Iterable[Household]:
    """Households that have not answered, have a phone, were last told at least the survey's
    gap ago, and have had fewer reminders than it allows."""
    gap = at - timedelta(days=survey.reminder_gap_days)
    return (
        survey.households.filter(
            answered_at__isnull=True,
            sms_sent_at__isnull=False,
            sms_sent_at__lte=gap,
            reminders_sent__lt=survey.max_reminders,
        )
        .exclude(last_reminded_at__gt=gap)
        .select_related("customer")
    )


@transaction.atomic
def remind(*, actor: Actor, survey: Survey | int) -> int:
    """Remind the households that have not answered, no more often than the survey allows.
    Claimed by a conditional update, so two workers (or a click during the nightly sweep)
    never remind a household twice. Returns how many were reminded."""
    transition = SURVEY.get("remind")
    if actor is SYSTEM:  # the nightly sweep (tasks.py)
        survey = lock(Survey.objects.all(), survey.pk if isinstance(survey, Survey) else survey)
    else:
        require(actor, transition)
        survey = _locked(actor, survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    at = now()
    if survey.closes_on is not None and survey.closes_on < company_today():
        return 0
    count = 0
    for household in reminders_due(survey, at):
        claimed = Household.objects.filter(
            pk=household.pk, reminders_sent=household.reminders_sent, answered_at__isnull=True
        ).update(reminders_sent=household.reminders_sent + 1, last_reminded_at=at)
        if claimed and _sms(household, survey, moment=f"reminder{household.reminders_sent + 1}"):
            count += 1
    if count:
        events.reminded(survey, actor, sms=count)
    return count


@transaction.atomic
def close_survey(*, actor: Actor, survey: Survey | int) -> Survey:
    transition = SURVEY.get("close")
    _organiser(actor, transition)
    survey = _locked(actor, survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    from_status = survey.status
    survey.status = transition.result(survey.status)
    survey.closed_at = now()
    stamp(survey, actor)
    survey.save(update_fields=["status", "closed_at"])
    # Half-finished answers are not answers: they are dropped with the survey's close.
    survey.households.exclude(draft={}).update(draft={}, draft_saved_at=None)
    events.closed(survey, actor, from_status=from_status)
    return survey


@transaction.atomic
def cancel_survey(*, actor: Actor, survey: Survey | int, reason: str) -> Survey:
    transition = SURVEY.get("cancel")
    _organiser(actor, transition)
    survey = _locked(actor, survey)
    check_source(SURVEY, transition, survey.status, survey.number)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the survey is cancelled."), field="reason")
    if Response.objects.filter(survey=survey).exists():
        raise InvalidInput(_("A survey with answers cannot be cancelled; close it instead."))
    from_status = survey.status
    survey.status = transition.result(survey.status)
    stamp(survey, actor)
    survey.save(update_fields=["status"])
    events.cancelled(survey, actor, from_status=from_status, reason=reason)
    return survey
