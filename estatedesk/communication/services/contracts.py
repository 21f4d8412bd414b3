"""Every write to a contract with a customer (SPEC C-5; procedure §7.1.11, §7.1.12).

Record a contract; while it is negotiated, record each requirement clarification (who asked
what, when, how) and its answer; sign it — refused while a clarification has no answer, since
the point of §7.1.11 is that the requirements are clear before signing; while it runs, record
each change (why, what), that the customer was told of it (when, how, by whom) and the
resolution agreed with them — refused before the customer was told; end it.

Each step locks the contract in the actor's scope (another estate's contract is "not found"),
checks its status against ``workflow.CONTRACT`` and writes one timeline event. Free texts that
two people may edit (the contract's title and scope, an answer, a resolution) are versioned
(decision 0011): the step takes ``based_on``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from estatedesk.communication import selectors
from estatedesk.communication.contract_events import ContractEventKind, contract_event
from estatedesk.communication.models import (
    ChangeCause,
    Clarification,
    Contract,
    ContractChange,
    ContractKind,
)
from estatedesk.communication.services import checks
from estatedesk.communication.services.checks import may_write
from estatedesk.communication.workflow import CONTRACT, ContractStatus
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput, NotFound
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.org.models import Customer, Unit

TITLE_LENGTH = 200


@dataclass
class ContractDraft:
    """What a form or the API submits for a contract."""

    kind: str
    title: str
    estate: int
    customer: int | None = None
    unit: int | None = None
    counterparty: str = ""
    scope: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


def _check(actor: Actor, draft: ContractDraft) -> tuple[Customer | None, Unit | None]:
    if draft.kind not in ContractKind.values:
        raise InvalidInput(_("Choose a type of contract."), field="kind")
    estate = selectors.estates_for(actor).filter(pk=draft.estate).first()
    if estate is None:
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    customer = unit = None
    if draft.customer:
        customer = Customer.objects.filter(estate=estate, pk=draft.customer).first()
        if customer is None:
            raise InvalidInput(_("Choose a customer of this estate."), field="customer")
    if draft.unit:
        unit = Unit.objects.filter(estate=estate, pk=draft.unit).first()
        if unit is None:
            raise InvalidInput(_("Choose a unit of this estate."), field="unit")
    if customer is None and unit is None and not (draft.counterparty or "").strip():
        raise InvalidInput(
            _("Choose the customer or the unit, or name the other party (the owners' committee, a company)."),
            field="counterparty",
        )
    if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on:
        raise InvalidInput(_("The end must be after the start."), field="ends_on")
    return customer, unit


def _fill(contract: Contract, draft: ContractDraft, customer: Customer | None, unit: Unit | None) -> None:
    contract.kind = draft.kind
    contract.title = checks.line(draft.title, "title", required=_("Enter a title."), length=TITLE_LENGTH)
    contract.customer = customer
    contract.unit = unit
    contract.counterparty = checks.line(draft.counterparty, "counterparty", length=TITLE_LENGTH)
    contract.scope = checks.text(draft.scope, "scope")
    contract.starts_on = draft.starts_on
    contract.ends_on = draft.ends_on


@transaction.atomic
def create_contract(*, actor: Actor, draft: ContractDraft) -> Contract:
    """A contract being negotiated: its clarifications come next."""
    require(actor, CONTRACT.get("create"))
    customer, unit = _check(actor, draft)
    at = now()
    contract = Contract(
        number=next_number("HT", at),
        estate_id=draft.estate,
        status=ContractStatus.NEGOTIATING,
        created_at=at,
        created_by=user_of(actor),
        created_by_name=name_of(actor),
    )
    _fill(contract, draft, customer, unit)
    stamp(contract, actor)
    contract.save()
    contract_event(contract, actor, ContractEventKind.CREATED, from_status="", note=contract.title)
    return contract


def _locked(actor: Actor, contract: Contract | int) -> Contract:
    return lock(selectors.contracts_for(actor), contract if isinstance(contract, int) else contract.pk)


@transaction.atomic
def edit_contract(
    *, actor: Actor, contract: Contract | int, draft: ContractDraft, based_on: int | None
) -> Contract:
    """Correct what was recorded (not an ended contract), based on the version the form showed."""
    require(actor, CONTRACT.get("create"))
    contract = _locked(actor, contract)
    if contract.status == ContractStatus.ENDED:
        raise InvalidInput(_("%(number)s has ended: it is kept as it was.") % {"number": contract.number})
    if draft.estate != contract.estate_id:
        raise InvalidInput(_("A contract stays with its estate."), field="estate")
    customer, unit = _check(actor, draft)
    take_edit(
        contract,
        based_on,
        current={"title": contract.title, "scope": contract.scope},
        fields=["title", "scope", "counterparty", "kind", "customer", "unit", "starts_on", "ends_on"],
    )
    _fill(contract, draft, customer, unit)
    stamp(contract, actor)
    contract.save()
    contract_event(contract, actor, ContractEventKind.EDITED)
    return contract


@transaction.atomic
def add_clarification(
    *,
    actor: Actor,
    contract: Contract | int,
    asked_on: date | None,
    asked_by: str,
    channel: str,
    question: str,
    answer: str = "",
    answered_on: date | None = None,
) -> Clarification:
    """A requirement asked about while negotiating (§7.1.11); the answer may come later."""
    transition = CONTRACT.get("clarify")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    asked_on = checks.past_day(asked_on, "asked_on", required=_("Enter the day it was asked."))
    asked_by = checks.line(asked_by, "asked_by", required=_("Say who asked."))
    channel = checks.channel(channel)
    question = checks.text(question, "question", required=_("Write down what was asked."))
    answer = checks.text(answer, "answer")
    if answer:
        answered_on = _answered_on(answered_on, asked_on)
    elif answered_on is not None:
        raise InvalidInput(_("Write the answer, or leave its date empty."), field="answer")
    clarification = Clarification.objects.create(
        contract=contract,
        asked_on=asked_on,
        asked_by=asked_by,
        channel=channel,
        question=question,
        answer=answer,
        answered_on=answered_on if answer else None,
        recorded_by_name=name_of(actor),
    )
    contract_event(contract, actor, ContractEventKind.CLARIFIED, note=question[:200])
    return clarification


def _answered_on(answered_on: date | None, asked_on: date) -> date:
    day = checks.past_day(answered_on, "answered_on", required=_("Enter the day it was answered."))
    if day < asked_on:
        raise InvalidInput(_("The answer cannot come before the question."), field="answered_on")
    return day


@transaction.atomic
def answer_clarification(
    *,
    actor: Actor,
    contract: Contract | int,
    clarification: Clarification | int,
    answer: str,
    answered_on: date | None,
    based_on: int | None,
) -> Clarification:
    """The answer to a clarification (or a better wording of it), while still negotiating."""
    transition = CONTRACT.get("clarify")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    pk = clarification if isinstance(clarification, int) else clarification.pk
    row = Clarification.objects.select_for_update().filter(contract=contract, pk=pk).first()
    if row is None:
        raise NotFound(_("This clarification is not one of the contract's."))
    answer = checks.text(answer, "answer", required=_("Write the answer."))
    day = _answered_on(answered_on, row.asked_on)
    take_edit(row, based_on, current={"answer": row.answer}, fields=["answer"])
    row.answer = answer
    row.answered_on = day
    row.save(update_fields=["answer", "answered_on", EDIT_VERSION])
    contract_event(contract, actor, ContractEventKind.ANSWERED, note=answer[:200], data={"clarification": pk})
    return row


def unanswered(contract: Contract) -> int:
    return contract.clarifications.filter(answer="").count()


@transaction.atomic
def sign_contract(*, actor: Actor, contract: Contract | int, signed_on: date | None) -> Contract:
    """Signed: only once every clarification is answered, so the requirements are clear (§7.1.11)."""
    transition = CONTRACT.get("sign")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    signed_on = checks.past_day(signed_on, "signed_on", required=_("Enter the day it was signed."))
    open_questions = unanswered(contract)
    if open_questions:
        raise InvalidInput(
            _(
                "%(count)d requirement clarification(s) still have no answer. The requirements must be "
                "clear before signing: record the answers first."
            )
            % {"count": open_questions},
            field="signed_on",
        )
    first_asked = contract.clarifications.order_by("asked_on").values_list("asked_on", flat=True).first()
    if first_asked is not None and signed_on < first_asked:
        raise InvalidInput(_("The signing cannot come before the clarifications."), field="signed_on")
    from_status = contract.status
    contract.status = ContractStatus.SIGNED
    contract.signed_on = signed_on
    stamp(contract, actor)
    contract.save(update_fields=["status", "signed_on"])
    contract_event(contract, actor, ContractEventKind.SIGNED, from_status=from_status)
    return contract


@transaction.atomic
def add_change(
    *,
    actor: Actor,
    contract: Contract | int,
    cause: str,
    description: str,
    proposed_on: date | None,
) -> ContractChange:
    """A change while the contract runs (§7.1.12), numbered in order; the customer is told next."""
    transition = CONTRACT.get("change")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    if cause not in ChangeCause.values:
        raise InvalidInput(_("Choose why it changes."), field="cause")
    description = checks.text(description, "description", required=_("Say what changes."))
    proposed_on = checks.past_day(proposed_on, "proposed_on", required=_("Enter the day it was proposed."))
    if contract.signed_on and proposed_on < contract.signed_on:
        raise InvalidInput(_("A change comes after the signing."), field="proposed_on")
    last = contract.changes.aggregate(last=Max("position"))["last"] or 0
    change = ContractChange.objects.create(
        contract=contract,
        position=last + 1,
        cause=cause,
        description=description,
        proposed_on=proposed_on,
        recorded_by_name=name_of(actor),
    )
    contract_event(
        contract, actor, ContractEventKind.CHANGE_ADDED, note=description[:200], data={"change": change.pk}
    )
    return change


def _change(contract: Contract, change: ContractChange | int) -> ContractChange:
    pk = change if isinstance(change, int) else change.pk
    row = ContractChange.objects.select_for_update().filter(contract=contract, pk=pk).first()
    if row is None:
        raise NotFound(_("This change is not one of the contract's."))
    return row


@transaction.atomic
def record_change_told(
    *,
    actor: Actor,
    contract: Contract | int,
    change: ContractChange | int,
    told_at: datetime | None,
    channel: str,
    told_by: str = "",
) -> ContractChange:
    """The customer was told of the change: when, how, by whom (§7.1.12)."""
    transition = CONTRACT.get("change")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    row = _change(contract, change)
    told_at = checks.past_time(told_at, "told_at", required=_("Enter when the customer was told."))
    if checks.day_of(told_at) < row.proposed_on:
        raise InvalidInput(_("The customer cannot be told before the change was proposed."), field="told_at")
    row.customer_told_at = told_at
    row.told_channel = checks.channel(channel)
    row.told_by_name = checks.line(told_by, "told_by") or name_of(actor)
    row.save(update_fields=["customer_told_at", "told_channel", "told_by_name"])
    contract_event(
        contract, actor, ContractEventKind.CHANGE_TOLD, data={"change": row.pk, "channel": channel}
    )
    return row


@transaction.atomic
def resolve_change(
    *,
    actor: Actor,
    contract: Contract | int,
    change: ContractChange | int,
    resolution: str,
    agreed_on: date | None,
    based_on: int | None,
) -> ContractChange:
    """The resolution agreed with the customer; only after they were told of the change."""
    transition = CONTRACT.get("change")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    row = _change(contract, change)
    if row.customer_told_at is None:
        raise InvalidInput(
            _("Record first that the customer was told of the change: a resolution is agreed with them."),
            field="resolution",
        )
    resolution = checks.text(resolution, "resolution", required=_("Write the resolution agreed."))
    day = checks.past_day(agreed_on, "agreed_on", required=_("Enter the day it was agreed."))
    if day < checks.day_of(row.customer_told_at):
        raise InvalidInput(_("It cannot be agreed before the customer was told."), field="agreed_on")
    take_edit(row, based_on, current={"resolution": row.resolution}, fields=["resolution"])
    row.resolution = resolution
    row.agreed_on = day
    row.save(update_fields=["resolution", "agreed_on", EDIT_VERSION])
    contract_event(
        contract, actor, ContractEventKind.CHANGE_RESOLVED, note=resolution[:200], data={"change": row.pk}
    )
    return row


@transaction.atomic
def end_contract(
    *, actor: Actor, contract: Contract | int, ended_on: date | None, note: str = ""
) -> Contract:
    transition = CONTRACT.get("end")
    require(actor, transition)
    contract = _locked(actor, contract)
    check_source(CONTRACT, transition, contract.status, contract.number)
    ended_on = checks.past_day(ended_on, "ended_on", required=_("Enter the day it ended."))
    if contract.signed_on and ended_on < contract.signed_on:
        raise InvalidInput(_("It cannot end before it was signed."), field="ended_on")
    note = checks.text(note, "note", length=1000)
    from_status = contract.status
    contract.status = ContractStatus.ENDED
    contract.ended_on = ended_on
    stamp(contract, actor)
    contract.save(update_fields=["status", "ended_on"])
    contract_event(contract, actor, ContractEventKind.ENDED, from_status=from_status, note=note)
    return contract


__all__ = [
    "ContractDraft",
    "add_change",
    "add_clarification",
    "answer_clarification",
    "create_contract",
    "edit_contract",
    "end_contract",
    "may_write",
    "record_change_told",
    "resolve_change",
    "sign_contract",
    "unanswered",
]
