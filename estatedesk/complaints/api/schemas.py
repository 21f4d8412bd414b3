"""Request and response shapes of the complaints API (``estatedesk.complaints.api.complaints``).

Bodies forbid unknown keys, bound every string and take times only as ISO 8601 with a UTC
offset: a naive time would be read in whichever zone the server happens to run, so it is
refused with a message saying how to write it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, StrictBool, StringConstraints
from pydantic_core import PydanticCustomError

from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.models import (
    Cause,
    Kind,
    NoticeOrigin,
    NoticeStatus,
    ReplyManner,
    Satisfaction,
    SlipStatus,
    Status,
    VisitMethod,
)
from estatedesk.core.api import VERSION_DESCRIPTION, BodyId, Id, Input, JsonInt, QueryDay, text
from estatedesk.core.versioning import MAX_VERSION

# Times outside these years are typing mistakes, and far ones would overflow the calendar.
MIN_YEAR, MAX_YEAR = 2000, 2100

# TS-2026-000123 (complaints), CQ-… (transfer slips), AP-… (work arrangement notices).
Number = Annotated[str, StringConstraints(max_length=20, pattern=r"^[A-Z]{2}-[0-9]{4}-[0-9]{6,10}$")]
ShortText = Annotated[str, text(2000)]
LongText = Annotated[str, text(5000)]
RequiredText = Annotated[str, text(5000, required=True)]
# The version an edit of a versioned text was based on (decision 0011): required, never guessed.
Version = Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
RECORD_VERSION = "The version of the record's texts; send it back with an edit of them."


def _aware(value: Any) -> Any:
    message = _("Give the time as ISO 8601 with its UTC offset, for example 2026-11-23T10:00:00+08:00.")
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("datetime_offset", message) from None
    else:
        raise PydanticCustomError("datetime_type", message)
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise PydanticCustomError("datetime_offset", message)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise PydanticCustomError(
            "out_of_range",
            _("Give a time between the years %(low)s and %(high)s.") % {"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return parsed


AwareDateTime = Annotated[datetime, BeforeValidator(_aware)]


# --- Complaints: reading -------------------------------------------------------------------


class ComplaintFilters(Schema):
    estate: Id | None = None
    status: Status | None = None
    kind: Kind | None = None
    category: Annotated[str, text(30)] = Field("", description="A category code, e.g. 'repairs'.")
    valid: bool | None = Field(None, description="true: valid complaints; false: invalid ones.")
    due_state: Literal["due", "due_soon", "overdue"] | None = Field(
        None, description="Open complaints still waiting for their reply, by how their deadline stands now."
    )
    received_from: QueryDay | None = Field(
        None, description="YYYY-MM-DD from 1900-01-01 to 2100-12-31, company time, inclusive."
    )
    received_to: QueryDay | None = Field(
        None, description="YYYY-MM-DD from 1900-01-01 to 2100-12-31, company time, inclusive."
    )
    q: Annotated[str, text(100)] = Field(
        "",
        description="Part of the number, the description or the complainant's name, or a full phone number.",
    )
    handler: Literal["me"] | None = Field(None, description="'me': the complaints you handle.")


class ComplaintItem(Schema):
    number: str = Field(description="e.g. TS-2026-000123")
    kind: Kind
    status: Status
    status_label: str
    estate: int
    estate_name: str
    unit: int | None
    unit_label: str = Field(description="Building and number, e.g. '3栋-1201'; empty when none.")
    category: str = Field(description="The category code.")
    category_name: str
    channel: str = Field(description="The channel code (see GET /api/channels).")
    channel_name: str = Field(description="The channel's name in the request's language.")
    complainant_name: str = Field(description="Masked (王*明) for users who may not see contact names.")
    phone_masked: str = Field(description="Always masked, e.g. 138****1234; empty when there is none.")
    received_at: datetime
    reply_due: datetime | None
    due_basis: str = Field(description="What set the deadline: requested, urgent, normal, invalid …")
    due_provisional: bool = Field(description="The deadline falls in a year whose calendar is not confirmed.")
    due_state: DueState
    department: int
    department_name: str
    handler: int | None
    handler_name: str
    valid: bool | None
    on_time: bool | None


class ComplaintPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ComplaintItem]


class Assessment(Schema):
    cause: Cause | None
    cause_label: str
    valid: bool | None
    serious: bool
    urgent: bool
    assessed_at: datetime | None


class Referral(Schema):
    developer: int | None
    developer_name: str
    party: str
    referred_at: datetime | None
    result: str
    result_at: datetime | None


class Handling(Schema):
    cause_analysis: str
    measures: str
    result: str


class ReplyOut(Schema):
    content: str
    manner: ReplyManner | None
    replied_at: datetime | None = Field(description="The latest reply; cleared when a visit reopens.")
    first_replied_at: datetime | None = Field(description="The first reply, which decides 'on time'.")
    replied_by: str
    at_intake: bool
    on_time: bool | None


class VisitOut(Schema):
    visited_at: datetime
    visitor: str
    method: VisitMethod
    opinion: str
    satisfaction: Satisfaction


class Closing(Schema):
    complainant_opinion: str
    satisfaction: Satisfaction | None
    reopen_count: int
    reopened_at: datetime | None
    closed_at: datetime | None
    reason: str = Field(description="A superior's reason for closing, if closed that way.")


class SlipSummary(Schema):
    number: str
    status: SlipStatus
    status_label: str
    raised_at: datetime
    matter: str
    result: str


class NoticeSummary(Schema):
    number: str
    status: NoticeStatus
    status_label: str
    department_name: str
    due_at: datetime


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    uploaded_at: datetime


class EventOut(Schema):
    action: str
    at: datetime
    actor: str
    acting_for: str = Field(
        "", description="The role the actor acted for, when standing in for it (e.g. deputy_gm)."
    )
    from_status: str
    to_status: str
    note: str


class ActionOut(Schema):
    action: str = Field(description="The path after /api/complaints/{number}/, e.g. 'assess'.")
    label: str


class ComplaintOut(ComplaintItem):
    description: str
    customer: int | None
    requested_reply_at: datetime | None
    recorded_by: str
    created_at: datetime
    assessment: Assessment
    referral: Referral
    handling: Handling
    reply: ReplyOut
    visits: list[VisitOut]
    closing: Closing
    analysis: str = Field(description="The department head's analysis of a grievance.")
    lead: str | None = Field(description="The number of the complaint this one is handled with.")
    duplicates: list[str] = Field(description="Numbers of the complaints handled with this one.")
    slips: list[SlipSummary]
    notices: list[NoticeSummary]
    attachments: list[AttachmentOut]
    events: list[EventOut] = Field(description="The timeline, oldest first.")
    allowed_actions: list[ActionOut] = Field(description="The steps you may take now.")
    version: int = Field(description=RECORD_VERSION)


# --- Complaints: writing -------------------------------------------------------------------


class ComplaintIn(Input):
    estate: BodyId
    kind: Kind = Kind.COMPLAINT
    channel: Annotated[str, text(30, required=True)] = Field(
        description="A channel code offered for complaints, e.g. 'phone' (see GET /api/channels: "
        "active, with 'complaints' among its uses; 'portal' is the residents' own)."
    )
    category: Annotated[str, text(30, required=True)] = Field(description="A category code, e.g. 'repairs'.")
    description: RequiredText
    received_at: AwareDateTime | None = Field(
        None, description="When it was received, if earlier than now (back-dating a phone call)."
    )
    unit: BodyId | None = Field(None, description="A unit id of the estate (or give unit_label).")
    unit_label: Annotated[str, text(80)] | None = Field(
        None, description="Building and number within the estate, e.g. '3栋-1201'."
    )
    customer: BodyId | None = Field(None, description="A customer id of the estate.")
    complainant_name: Annotated[str, text(100)] = ""
    phone: Annotated[str, text(30)] = Field("", description="7 to 15 digits; stored encrypted.")
    requested_reply_at: AwareDateTime | None = Field(
        None, description="The reply time the customer asked for; it becomes the deadline."
    )
    department: BodyId | None = Field(None, description="Default: the estate's management office.")
    immediate_reply: LongText = Field("", description="The answer given at once, if any (K-1).")
    reply_manner: ReplyManner = ReplyManner.ORAL


class AssessIn(Input):
    cause: Cause = Field(description="Only the company's own causes make a complaint valid.")
    serious: StrictBool = False
    urgent: StrictBool = False
    note: ShortText = ""


class RequestIn(Input):
    requested_reply_at: AwareDateTime | None = Field(description="null removes the customer's request.")


class AssignIn(Input):
    department: BodyId
    handler: BodyId | None = Field(None, description="A staff id in that department.")


class ReferIn(Input):
    party: Annotated[str, text(200, required=True)] = Field(description="To whom: the party and the person.")
    developer: BodyId | None = Field(None, description="The developer's id, for developer-caused complaints.")
    referred_at: AwareDateTime | None = None
    note: ShortText = ""


class ReferralResultIn(Input):
    result: RequiredText
    at: AwareDateTime | None = None


class HandleIn(Input):
    cause_analysis: LongText = ""
    measures: LongText = ""
    result: LongText = ""
    version: Version


class ReplyIn(Input):
    content: RequiredText
    manner: ReplyManner
    replied_at: AwareDateTime | None = None


class VisitIn(Input):
    method: VisitMethod
    opinion: RequiredText
    satisfaction: Satisfaction = Field(description="Dissatisfied answers reopen the complaint.")
    visited_at: AwareDateTime | None = None
    visitor: BodyId | None = Field(None, description="The staff id of the person authorised to visit.")


class CloseIn(Input):
    note: ShortText = ""


class SuperiorCloseIn(Input):
    reason: Annotated[str, text(2000, required=True)]


class LinkIn(Input):
    lead: Number | None = Field(description="The lead complaint's number; null unlinks.")


class AnalyseIn(Input):
    analysis: RequiredText
    version: Version


class SlipIn(Input):
    matter: RequiredText
    handler_opinion: LongText = ""
    first_signer: Literal["department_head", "deputy_gm", "gm"] | None = Field(
        None,
        description="The first signer, among your superiors: the head of the complaint's department, "
        "or directly the deputy GM or the GM. Left out: the head of the complaint's department (when "
        "it has none, or you are it, the deputy GM; for the deputy GM the GM). Nobody signs a slip "
        "they raised: a department head chooses the deputy GM or the GM, the deputy GM the GM.",
    )


# --- Transfer slips ------------------------------------------------------------------------


class SlipFilters(Schema):
    status: SlipStatus | None = None
    estate: Id | None = None
    complaint: Number | None = None


SignerRole = Literal["department_head", "deputy_gm", "gm"]


class SlipItem(Schema):
    number: str = Field(description="e.g. CQ-2026-000012")
    status: SlipStatus
    status_label: str
    waiting_for: str | None = Field(description="The role that signs next: department_head, deputy_gm, gm.")
    first_signer: SignerRole = Field(description="The first signer the raiser chose.")
    complaint: str
    estate: int
    estate_name: str
    department_name: str
    raised_by: str
    raised_at: datetime
    matter: str


class SlipPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[SlipItem]


class SignatureOut(Schema):
    level: str
    signer: str
    acting_for: str = Field(description="The role the signer stood in for; empty when signing in their own.")
    signed_at: datetime
    opinion: str
    decision: str


class SlipOut(SlipItem):
    handler_opinion: str
    signatures: list[SignatureOut]
    result: str
    result_by: str
    result_at: datetime | None
    notices: list[str]
    version: int = Field(description=RECORD_VERSION)


class SignIn(Input):
    opinion: RequiredText
    decision: Literal["escalate", "decide"] = Field(description="Pass it up the chain, or decide.")
    to: Literal["deputy_gm", "gm"] | None = Field(
        None,
        description="Passing up: to whom. The department head passes to the deputy GM (default) or "
        "directly to the GM; the deputy GM to the GM.",
    )
    version: Version


class SlipResultIn(Input):
    result: RequiredText
    version: Version


# --- Work arrangement notices --------------------------------------------------------------


class NoticeFilters(Schema):
    status: NoticeStatus | None = None
    origin: NoticeOrigin | None = None
    department: Id | None = None
    estate: Id | None = None


class NoticeItem(Schema):
    number: str = Field(description="e.g. AP-2026-000007")
    origin: NoticeOrigin
    status: NoticeStatus
    status_label: str
    department: int
    department_name: str
    estate: int | None
    estate_name: str
    complaint: str | None
    slip: str | None
    issued_by: str
    issued_at: datetime
    task: str
    due_at: datetime


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeItem]


class NoticeOut(NoticeItem):
    completion_report: str
    reported_by: str
    reported_at: datetime | None
    verification: str
    verified_by: str
    verified_at: datetime | None
    version: int = Field(description=RECORD_VERSION)


class NoticeIn(Input):
    department: BodyId = Field(description="The responsible department.")
    task: RequiredText
    due_at: AwareDateTime = Field(description="Complete by; must be in the future.")
    slip: Number | None = Field(None, description="The decided transfer slip this notice comes from.")
    estate: BodyId | None = Field(
        None, description="The estate concerned, for a notice on your own initiative."
    )


class ReportIn(Input):
    report: RequiredText
    version: Version


class VerifyIn(Input):
    accepted: StrictBool = Field(description="false returns the notice to the department.")
    verification: RequiredText
    version: Version
