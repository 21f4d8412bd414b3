"""Intake (SPEC K-1, K-2, C-7, W-1): the one way a complaint, grievance or enquiry is recorded,
by staff, by leadership for complaints that reached the company, or from the resident portal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.complaints import events, uploads, workflow
from estatedesk.complaints.actions import apply_deadline, complaint_link, deadline_settings, office_of
from estatedesk.complaints.models import (
    LEADERSHIP_CHANNELS,
    Category,
    Channel,
    Complaint,
    Event,
    Kind,
    ReplyManner,
)
from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor, PortalResident, stamp, user_of
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.core.i18n import in_company_language
from estatedesk.core.inserts import save_new
from estatedesk.core.models import CompanySettings
from estatedesk.core.numbering import next_number
from estatedesk.core.policy import role_of, staff_of
from estatedesk.core.workflow import require
from estatedesk.notifications.recipients import people_of
from estatedesk.notifications.services import tell
from estatedesk.org import channels
from estatedesk.org.acting import acting_for
from estatedesk.org.channels import Use
from estatedesk.org.models import Channel as OrgChannel
from estatedesk.org.models import Customer, Department, DepartmentKind, Estate, PrivacyNotice, Unit

# A reply time asked for on a complaint received within this long ago must still be ahead.
BACKDATED_AFTER = timedelta(hours=24)
FUTURE_TOLERANCE = timedelta(minutes=5)


@dataclass
class Intake:
    """What intake records (K-1). ``immediate_reply`` answers the customer at once."""

    estate: Estate
    kind: str
    channel: str
    category: Category
    description: str
    received_at: datetime | None = None
    unit: Unit | None = None
    customer: Customer | None = None
    complainant_name: str = ""
    phone: str = ""
    requested_reply_at: datetime | None = None
    department: Department | None = None
    immediate_reply: str = ""
    reply_manner: str = ReplyManner.ORAL
    submission_key: str | None = None
    # SHA-256 of the form's normalised content, kept with the key (W-1).
    submission_hash: str = ""
    # The privacy notice the resident acknowledged; required through the portal (PIPL, D-3).
    privacy_notice: PrivacyNotice | None = None


class SubmissionKeyReused(InvalidInput):
    """The key of a form already sent came back with other content (W-1)."""


# Who receives a complaint made over the company's head (§5.1, §5.2, §7.2.2): complaints to the
# company go to the deputy GM (the GM in his place when the company settings allow it); those to
# the group company or the government to the GM. Media complaints: either leader.
RECEIVERS = {
    Channel.COMPANY.value: "deputy_gm",
    Channel.GROUP_COMPANY.value: "gm",
    Channel.GOVERNMENT.value: "gm",
}
RECEIVER_REFUSALS = {
    "deputy_gm": gettext_lazy("Complaints made to the company are received by the deputy general manager."),
    "gm": gettext_lazy(
        "Complaints to the group company or the government are handled by the general manager."
    ),
}


def may_receive(actor: Actor, channel: str) -> bool:
    """Whether the actor may enter a complaint of this channel themselves (or in their receiver's place)."""
    receiver = RECEIVERS.get(channel)
    return receiver is None or acting_for(actor, receiver) is not None


def default_department(estate: Estate) -> Department:
    office = Department.objects.filter(
        estate=estate, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True
    ).first()
    if office is None:
        office = Department.objects.filter(
            kind=DepartmentKind.CUSTOMER_SERVICE, developer__isnull=True, active=True
        ).first()
    if office is None:
        raise InvalidInput(
            _("This estate has no management office or customer-service department to handle it.")
        )
    return office


def check_channel(code: str, offered: bool | None = None) -> None:
    """A new complaint comes in by an active channel the administrators keep for complaints
    (C-1); one switched off since is refused, while the complaints recorded by it keep it.
    ``offered``: the answer already read with the company settings (``deadline_settings``)."""
    if offered if offered is not None else channels.is_offered(code, Use.COMPLAINTS):
        return
    if OrgChannel.objects.filter(code=code, for_complaints=True).exists():
        raise InvalidInput(
            _("This channel has been switched off for new complaints: choose another."), field="channel"
        )
    raise InvalidInput(_("Choose a channel from the list."), field="channel")


def _check_intake(actor: Actor, data: Intake, current: datetime, company: CompanySettings) -> None:
    role = role_of(actor)
    portal = isinstance(actor, PortalResident)
    if portal:
        if data.channel != Channel.PORTAL:
            raise NotAllowed(_("Only staff can record a complaint from this channel."))
        if data.privacy_notice is None:
            raise InvalidInput(
                _("Read the privacy notice and tick that you have read it before sending."),
                field="privacy_notice",
            )
    else:
        require(actor, workflow.COMPLAINT.get("record"))
        ids = policy.estate_ids(actor)
        if ids is not None and data.estate.pk not in ids:
            raise NotFound(_("Not found, or not yours to see."), field="estate")
        if data.channel in LEADERSHIP_CHANNELS and role not in workflow.LEADERSHIP_ROLES:
            raise NotAllowed(
                _(
                    "Complaints to the company, the group, the media or the government are entered by company leadership."
                ),
                field="channel",
            )
        receiver = RECEIVERS.get(data.channel)
        if receiver is not None and acting_for(actor, receiver) is None:
            raise NotAllowed(RECEIVER_REFUSALS[receiver], field="channel")
    if data.kind not in Kind.values:
        raise InvalidInput(_("Choose complaint, grievance or enquiry."), field="kind")
    check_channel(data.channel, getattr(company, "channel_offered", None))
    if not data.category.active:
        raise InvalidInput(_("This category is no longer in use."), field="category")
    if not data.description.strip():
        raise InvalidInput(_("Describe the matter."), field="description")
    if data.unit is not None and data.unit.estate_id != data.estate.pk:
        raise InvalidInput(_("This unit is not in the chosen estate."), field="unit")
    if data.customer is not None and data.customer.estate_id != data.estate.pk:
        raise InvalidInput(_("This customer is not in the chosen estate."), field="customer")
    if data.phone and not crypto.is_valid_phone(data.phone):
        raise InvalidInput(_("Enter a phone number of 7 to 15 digits."), field="phone")
    has_contact = (
        data.customer is not None
        or bool(data.phone)
        or (data.unit is not None and bool(data.complainant_name.strip()))
    )
    if not has_contact and data.channel != Channel.SUGGESTION_BOX:
        raise InvalidInput(
            _("Give the complainant: pick a customer, or a unit with a name, or a contact phone."),
            field="complainant_name",
        )
    received = data.received_at or current
    if received > current + FUTURE_TOLERANCE:
        raise InvalidInput(_("The time received cannot be in the future."), field="received_at")
    if data.requested_reply_at is not None:
        if data.requested_reply_at <= received:
            raise InvalidInput(
                _("The requested reply time must be after the time received."), field="requested_reply_at"
            )
        if current - received < BACKDATED_AFTER and data.requested_reply_at < current:
            raise InvalidInput(_("The requested reply time is in the past."), field="requested_reply_at")
    if data.immediate_reply and data.reply_manner not in ReplyManner.values:
        raise InvalidInput(_("Choose how the reply was given."), field="reply_manner")


def same_submission(existing: Complaint, submission_hash: str) -> Complaint:
    """The complaint already recorded under a submission's key: the same form sent twice
    makes one complaint. The same key with other content is refused, so that the second
    text is neither lost silently nor answered with the first one's receipt. Complaints
    recorded before hashes were kept match any content."""
    if submission_hash and existing.submission_hash and existing.submission_hash != submission_hash:
        raise SubmissionKeyReused(
            _(
                "This form was already sent, with different content. What you typed is kept below: send it again to make it a new submission."
            )
        )
    return existing


@dataclass(frozen=True)
class Recorded:
    """What intake saved and read on the way, for an answer built without reading it back."""

    complaint: Complaint
    # The company settings intake read (time zone, deadline rules).
    company: CompanySettings
    # The timeline intake wrote, in order; None when it found the form already sent.
    events: list[Event] | None


def record_complaint(*, actor: Actor, data: Intake, attachments: Iterable[Any] = ()) -> Complaint:
    """Intake (K-1, K-2, C-7, W-1). ``actor`` is staff, or ``RESIDENT`` through the portal."""
    return record_intake(actor=actor, data=data, attachments=attachments).complaint


@transaction.atomic
def record_intake(*, actor: Actor, data: Intake, attachments: Iterable[Any] = ()) -> Recorded:
    """``record_complaint``, answering also what it read and wrote on the way (``Recorded``)."""
    current = now()
    # Read once: the number's year, the deadline and its calendar, the estate's office and
    # whether the channel is offered.
    company = deadline_settings(estate_id=data.estate.pk, channel=data.channel)
    _check_intake(actor, data, current, company)
    staff = staff_of(actor)
    received = data.received_at or current
    name = data.complainant_name.strip() or (data.customer.name if data.customer else "")
    phone = data.phone or (data.customer.phone if data.customer else "")
    answered = bool(data.immediate_reply.strip())
    transition = workflow.COMPLAINT.get("record_answered" if answered else "record")
    complaint = Complaint(
        kind=data.kind,
        status=transition.result(""),
        estate=data.estate,
        unit=data.unit,
        customer=data.customer,
        complainant_name=name[:100],
        channel=data.channel,
        category=data.category,
        description=data.description.strip(),
        received_at=received,
        received_on=received.astimezone(company_zone(company)).date(),  # the kept counts' day
        recorded_by=user_of(actor) if staff else None,
        requested_reply_at=data.requested_reply_at,
        submission_key=data.submission_key or None,
        submission_hash=data.submission_hash if data.submission_key else "",
        privacy_notice=data.privacy_notice,
    )
    if data.department is not None:
        complaint.department = data.department
    else:
        office = office_of(company, data.estate)
        if office is not None:
            complaint.department = office
        else:
            complaint.department = default_department(data.estate)
    complaint.set_phone(phone)
    apply_deadline(complaint, company)
    if answered:
        complaint.reply = data.immediate_reply.strip()
        complaint.reply_manner = data.reply_manner
        complaint.replied_at = complaint.first_replied_at = current
        complaint.replied_by = staff
        complaint.replied_at_intake = True
        complaint.on_time = complaint.reply_due is None or current <= complaint.reply_due
    stamp(complaint, actor)
    if not data.submission_key:
        complaint.number = next_number("TS", received, company=company)
        save_new(complaint)
    else:
        # A form sent twice is found by its key's unique index, not by a look-up before: the
        # savepoint, only where a second send may collide, gives its number back.
        try:
            with transaction.atomic():
                complaint.number = next_number("TS", received, company=company)
                save_new(complaint)
        except IntegrityError:
            existing = Complaint.objects.filter(submission_key=data.submission_key).first()
            if existing is not None:
                return Recorded(same_submission(existing, data.submission_hash), company, None)
            raise
    receiver = RECEIVERS.get(complaint.channel)
    acting = (acting_for(actor, receiver) or "") if receiver is not None and staff is not None else ""
    written: list[Event] | None = [
        (events.recorded_answered if answered else events.recorded)(
            complaint, actor, at=current, acting_for=acting
        )
    ]
    for upload in attachments:
        uploads.store(complaint=complaint, upload=upload, actor=actor)
        written = None  # and an "attach" event each: the timeline is read when wanted
    with in_company_language():
        subject = (
            _("%(number)s answered at intake, for your information")
            if answered
            else _("New %(kind)s %(number)s")
        ) % {"number": complaint.number, "kind": complaint.get_kind_display()}
        tell(
            people_of(complaint.department_id, ("handler", "department_head")),
            key=f"{complaint.number}:{transition.name}",
            subject=subject,
            body=complaint.description[:300],
            link=complaint_link(complaint),
        )
    return Recorded(complaint, company, written)
