"""Every write of a monthly consultation (SPEC S-4, §7.3.1–7.3.2), one function per transition of
``workflow.CONSULTATION``: plan (with the proposed sample), swap a household, start, record a
household's answers (``consultation_answers``: staff on a phone, or the resident through a link
for the questionnaire method), finish, cancel; and the notes two people may edit (decision 0011).

Each step runs in one transaction on the locked consultation and writes its timeline event.
Recording an answer locks the household row instead: households are answered one after another
by several people, and the household's ``answered_at`` says once and for all that it answered.
A phone sends its answer with a ``submission_key``; the same key again (the phone resent after
a lost reply) returns the household as recorded, any other second answer is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput
from estatedesk.core.models import CompanySettings
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.key_households import key_households
from estatedesk.org.models import Department, DepartmentKind, Estate, Staff, Unit
from estatedesk.surveys import events
from estatedesk.surveys.consultation_sampling import History, propose, ranked
from estatedesk.surveys.models import (
    Category,
    Consultation,
    ConsultationMethod,
    ConsultationStatus,
    ConsultedHousehold,
)
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.selectors import sees_whole_survey
from estatedesk.surveys.workflow import CONSULTATION

__all__ = [
    "cancel_consultation",
    "edit_notes",
    "finish_consultation",
    "history_of",
    "occupied_units",
    "plan_consultation",
    "plannable_estates",
    "start_consultation",
    "swap_candidates",
    "swap_household",
]


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
