"""Every write of the communication log (SPEC C-4; procedure §7.1.10, §5.6).

A management office records each conversation with owners or the owners' committee: when,
by which channel, about what, who took part on both sides, what was said, and the follow-ups
agreed, each with its owner and due date. A contact is open while any follow-up is not done.

Who writes (decision 0035): the roles that write to customers (``workflow.WRITER_ROLES``), in
the estates they see (``selectors.estates_for``); auditors read. A follow-up is recorded as
done by its owner or by any writer who sees the estate, once (a second time is 409). A done
follow-up is not reopened: what turns out not to be done is a new follow-up, so the first
one's result stays as it was written.

Every write on a contact locks its row first (``core.workflow.lock`` on the reader's scope, so
out of scope is "not found"). The subject and the summary are texts two people may edit
(``edit_version``, decision 0011). There is no timeline: the change history (simple_history,
on both models) keeps who changed what and when.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.communication import selectors
from estatedesk.communication.models import Contact, ContactFollowUp, Counterpart
from estatedesk.communication.workflow import WRITER_ROLES
from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.numbering import next_number
from estatedesk.core.params import DATE_MAX, DATE_MIN
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import Transition, lock, require
from estatedesk.org import channels as org_channels
from estatedesk.org.models import CommitteeMember, Customer, Department, DepartmentKind, Estate, Staff, Unit

__all__ = [
    "ADD_FOLLOW_UP",
    "EDIT",
    "FINISH_FOLLOW_UP",
    "NUMBER_PREFIX",
    "RECORD",
    "add_follow_up",
    "edit_contact",
    "finish_follow_up",
    "may_finish",
    "may_write",
    "offices_of",
    "people_of",
    "people_of_estates",
    "record_contact_entry",
]

NUMBER_PREFIX = "GT"  # 沟通
SUBJECT_LENGTH = 200
OTHERS_LENGTH = 300
TEXT_LENGTH = 20000
FOLLOW_UP_LENGTH = 4000
# A time typed on a phone whose clock runs a little fast is not "in the future".
CLOCK_SLACK = timedelta(minutes=5)

# The log's steps; a contact has no status, so none of them moves one.
RECORD = Transition("record", gettext_lazy("Record a contact"), (), None, WRITER_ROLES)
EDIT = Transition("edit", gettext_lazy("Edit a contact"), (), None, WRITER_ROLES)
ADD_FOLLOW_UP = Transition("add_follow_up", gettext_lazy("Add a follow-up"), (), None, WRITER_ROLES)
FINISH_FOLLOW_UP = Transition(
    "finish_follow_up", gettext_lazy("Record a follow-up as done"), (), None, WRITER_ROLES
)


def may_write(actor: Actor) -> bool:
    staff = policy.staff_of(actor)
    return staff is not None and staff.role in WRITER_ROLES


def may_finish(actor: Actor, follow_up: ContactFollowUp) -> bool:
    """The follow-up's owner, or a writer (the contact is already in the actor's scope)."""
    staff = policy.staff_of(actor)
    return staff is not None and (staff.pk == follow_up.owner_id or staff.role in WRITER_ROLES)


def people_of(estate: Estate | int) -> QuerySet[Staff]:
    """The colleagues who see ``estate``: who may be present or own a follow-up (not
    administrators or auditors, who take no part in conversations with owners)."""
    return people_of_estates([estate.pk if isinstance(estate, Estate) else estate])


def people_of_estates(estates: Iterable[int]) -> QuerySet[Staff]:
    """The colleagues who see any of ``estates`` (a form's choices; the service checks the one)."""
    ids = list(estates)
    return (
        Staff.objects.filter(user__is_active=True)
        .exclude(role__in=("admin", "auditor"))
        .filter(
            Q(estates__in=ids)
            | Q(departments__estate__in=ids)
            | Q(role__in=("cs_supervisor", "deputy_gm", "gm"))
        )
        .distinct()
    )


def offices_of(estate: Estate | int) -> QuerySet[Department]:
    pk = estate.pk if isinstance(estate, Estate) else estate
    return Department.objects.filter(estate=pk, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True)


def _text(value: str, field: str, missing: str, limit: int, *, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput(missing, field=field)
    if len(text) > limit:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": limit}, field=field)
    return text


def _subject(value: str) -> str:
    return _text(" ".join((value or "").split()), "subject", _("Enter the subject."), SUBJECT_LENGTH)


def _summary(value: str) -> str:
    return _text(value, "summary", _("Enter what was said."), TEXT_LENGTH)


def _pk(value: object) -> int | None:
    if value is None or value == "":
        return None
    return int(getattr(value, "pk", value))  # type: ignore[call-overload]


def _id(value: object) -> int:
    """An id to look up; nothing given finds nothing (no row has id 0)."""
    return _pk(value) or 0


def _occupant(unit: Unit) -> Customer | None:
    rows = sorted(unit.occupancies.select_related("customer"), key=lambda o: (o.relation != "owner", o.pk))
    return rows[0].customer if rows else None


def _counterpart(
    estate: Estate,
    counterpart: str,
    unit: Unit | int | None,
    customer: Customer | int | None,
    members: Iterable[CommitteeMember | int],
    other_people: str,
) -> tuple[Unit | None, Customer | None, list[CommitteeMember]]:
    """Who the office spoke with, each of ``estate``; each problem names its field."""
    if counterpart not in Counterpart.values:
        raise InvalidInput(_("Choose who the office spoke with."), field="counterpart")
    unit_pk, customer_pk = _pk(unit), _pk(customer)
    member_pks = {p for p in (_pk(m) for m in members) if p is not None}
    if counterpart != Counterpart.OWNER and (unit_pk or customer_pk):
        field = "unit" if unit_pk else "customer"
        raise InvalidInput(_("A unit or a customer is recorded for a contact with an owner."), field=field)
    if counterpart != Counterpart.COMMITTEE and member_pks:
        raise InvalidInput(
            _("Committee members are recorded for a contact with the owners' committee."),
            field="committee_members",
        )
    found_unit = found_customer = None
    chosen: list[CommitteeMember] = []
    if counterpart == Counterpart.OWNER:
        if unit_pk:
            found_unit = Unit.objects.filter(pk=unit_pk, estate=estate).select_related("building").first()
            if found_unit is None:
                raise InvalidInput(_("Choose a unit of this estate."), field="unit")
        if customer_pk:
            found_customer = Customer.objects.filter(pk=customer_pk, estate=estate).first()
            if found_customer is None:
                raise InvalidInput(_("Choose a customer of this estate."), field="customer")
        if found_unit is None and found_customer is None:
            raise InvalidInput(_("Choose the owner's unit or the customer."), field="unit")
        if found_customer is None and found_unit is not None:
            found_customer = _occupant(found_unit)
    elif counterpart == Counterpart.COMMITTEE:
        chosen = list(CommitteeMember.objects.filter(pk__in=member_pks, estate=estate).order_by("pk"))
        if not member_pks or len(chosen) != len(member_pks):
            raise InvalidInput(
                _("Choose the members of this estate's owners' committee who took part."),
                field="committee_members",
            )
    elif not other_people:
        raise InvalidInput(_("Enter who the office spoke with."), field="other_people")
    return found_unit, found_customer, chosen


def _staff(estate: Estate, staff: Iterable[Staff | int]) -> list[Staff]:
    wanted = {p for p in (_pk(s) for s in staff) if p is not None}
    found = list(people_of(estate).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise InvalidInput(_("Choose colleagues who work for this estate."), field="staff")
    return found


def _occurred(value: datetime) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidInput(_("Enter when the contact took place."), field="occurred_at")
    # Checked on the date as typed first: the ends of the calendar cannot be shifted to UTC.
    if value.date() < DATE_MIN:
        raise InvalidInput(_("Enter when the contact took place."), field="occurred_at")
    if value.date() > DATE_MAX:
        raise InvalidInput(_("The contact cannot be in the future."), field="occurred_at")
    if value.tzinfo is None:
        value = value.replace(tzinfo=company_zone())
    if value > now() + CLOCK_SLACK:
        raise InvalidInput(_("The contact cannot be in the future."), field="occurred_at")
    return value


@transaction.atomic
def record_contact_entry(
    *,
    actor: Actor,
    estate: Estate | int,
    occurred_at: datetime,
    subject: str,
    channel: str,
    counterpart: str,
    summary: str,
    office: Department | int | None = None,
    unit: Unit | int | None = None,
    customer: Customer | int | None = None,
    committee_members: Iterable[CommitteeMember | int] = (),
    staff: Iterable[Staff | int] = (),
    other_people: str = "",
) -> Contact:
    """A contact of one of the actor's estates; its number is GT-<year>-…."""
    require(actor, RECORD)
    found_estate = selectors.estates_for(actor).filter(pk=_id(estate)).first()
    if found_estate is None:
        raise InvalidInput(_("Choose one of your estates."), field="estate")
    found_office = None
    if _pk(office):
        found_office = offices_of(found_estate).filter(pk=_id(office)).first()
        if found_office is None:
            raise InvalidInput(_("Choose a management office of this estate."), field="office")
    when = _occurred(occurred_at)
    subject = _subject(subject)
    if not org_channels.is_offered(channel or "", org_channels.Use.LOG):
        raise InvalidInput(_("Choose a channel of the communication log."), field="channel")
    others = _text(other_people, "other_people", "", OTHERS_LENGTH, required=False)
    found_unit, found_customer, members = _counterpart(
        found_estate, counterpart, unit, customer, committee_members, others
    )
    present = _staff(found_estate, staff)
    text = _summary(summary)
    at = now()
    contact = Contact(
        number=next_number(NUMBER_PREFIX, at),
        estate=found_estate,
        office=found_office,
        occurred_at=when,
        subject=subject,
        channel=channel,
        counterpart=counterpart,
        unit=found_unit,
        customer=found_customer,
        other_people=others,
        summary=text,
        created_at=at,
        created_by=user_of(actor),
        created_by_name=name_of(actor),
    )
    stamp(contact, actor)
    contact.save()
    contact.committee_members.set(members)
    contact.staff.set(present)
    return contact


def _locked(actor: Actor, contact: Contact | int) -> Contact:
    return lock(selectors.contacts_for(actor), contact.pk if isinstance(contact, Contact) else contact)


@transaction.atomic
def edit_contact(
    *, actor: Actor, contact: Contact | int, based_on: int | None, subject: str, summary: str
) -> Contact:
    """The subject and what was said; a save based on an older version is a 409."""
    require(actor, EDIT)
    record = _locked(actor, contact)
    subject, text = _subject(subject), _summary(summary)
    take_edit(
        record,
        based_on,
        current={"subject": record.subject, "summary": record.summary},
        fields=["subject", "summary"],
    )
    record.subject, record.summary = subject, text
    stamp(record, actor)
    record.save(update_fields=["subject", "summary", EDIT_VERSION])
    return record


@transaction.atomic
def add_follow_up(
    *, actor: Actor, contact: Contact | int, description: str, owner: Staff | int, due_date: date
) -> ContactFollowUp:
    """What was agreed, who sees to it (a colleague who works for the estate) and by when (not
    before the day of the contact: a follow-up agreed last week may already be late)."""
    require(actor, ADD_FOLLOW_UP)
    record = _locked(actor, contact)
    text = _text(description, "description", _("Enter what was agreed."), FOLLOW_UP_LENGTH)
    person = people_of(record.estate_id).filter(pk=_id(owner)).first() if _pk(owner) else None
    if person is None:
        raise InvalidInput(_("Choose a colleague who works for this estate."), field="owner")
    if not isinstance(due_date, date):
        raise InvalidInput(_("Enter the due date."), field="due_date")
    if due_date < record.occurred_at.astimezone(company_zone()).date():
        raise InvalidInput(_("The due date cannot be before the contact."), field="due_date")
    row = ContactFollowUp(contact=record, description=text, owner=person, due_date=due_date)
    stamp(row, actor)
    row.save()
    return row


@transaction.atomic
def finish_follow_up(
    *, actor: Actor, contact: Contact | int, follow_up: ContactFollowUp | int, result: str
) -> ContactFollowUp:
    """The owner or a writer records what was done; once (a second time is 409)."""
    record = _locked(actor, contact)
    row = ContactFollowUp.objects.filter(contact=record, pk=_id(follow_up)).first()
    if row is None:
        raise NotFound(_("Not found, or not yours to see."), field="follow_up")
    if not may_finish(actor, row):
        raise NotAllowed(_("Your role cannot do this: %(step)s.") % {"step": FINISH_FOLLOW_UP.label})
    if row.done_at is not None:
        raise AlreadyHandled(
            _("%(person)s already recorded this follow-up as done.") % {"person": row.done_by_name}
        )
    row.result = _text(result, "result", _("Enter what was done."), FOLLOW_UP_LENGTH)
    row.done_at = now()
    row.done_by_name = name_of(actor)
    stamp(row, actor)
    row.save(update_fields=["result", "done_at", "done_by_name"])
    return row
