"""Request and response shapes of the communication log's API (``communication.api.log``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from estatedesk.communication.log_selectors import STATES
from estatedesk.communication.models import Counterpart
from estatedesk.core.api import VERSION_DESCRIPTION, BodyId, Input, JsonInt, QueryDay, text
from estatedesk.core.versioning import MAX_VERSION

Subject = Annotated[str, text(200, required=True)]
Said = Annotated[str, text(20000, required=True)]
Agreed = Annotated[str, text(4000, required=True)]


class ContactFilters(Schema):
    estate: int | None = Field(None, ge=1, le=2**63 - 1, description="An estate id.")
    channel: Annotated[str, text(30)] = Field("", description="A channel code.")
    counterpart: Counterpart | None = None
    state: str = Field("", pattern="^(|" + "|".join(STATES) + ")$", description="open or overdue.")
    date_from: QueryDay | None = Field(None, description="YYYY-MM-DD, company time.")
    date_to: QueryDay | None = Field(None, description="YYYY-MM-DD, company time, inclusive.")
    q: Annotated[str, text(100)] = Field("", description="In the number, subject or summary.")


class EstateRef(Schema):
    id: int
    name: str


class FollowUpOut(Schema):
    id: int
    description: str
    owner: int
    owner_name: str
    due_date: date
    done: bool
    done_at: datetime | None
    done_by: str
    result: str
    overdue: bool = Field(description="Not done and due before today (company's clock).")
    days_overdue: int


class ContactItem(Schema):
    id: int
    number: str
    estate: EstateRef
    office: int | None
    occurred_at: datetime
    subject: str
    channel: str
    channel_name: str
    counterpart: Counterpart
    who: str = Field(description="Names masked (王*明) for readers who may not see contact names.")
    open_follow_ups: int
    overdue_follow_ups: int


class ContactPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ContactItem]


class ContactOut(ContactItem):
    unit: int | None
    customer: int | None
    committee_members: list[int]
    staff: list[int]
    other_people: str = Field(description="Masked for readers who may not see contact names.")
    summary: str
    version: int = Field(description="Send it back to edit the subject or the summary.")
    created_at: datetime
    created_by: str
    follow_ups: list[FollowUpOut]


class ContactIn(Input):
    estate: BodyId
    office: BodyId | None = Field(None, description="A management office of the estate.")
    occurred_at: datetime = Field(
        description="When it took place; not in the future. No offset: company time."
    )
    subject: Subject
    channel: Annotated[str, text(30, required=True)] = Field(
        description="A channel code offered for the log."
    )
    counterpart: Counterpart
    unit: BodyId | None = Field(None, description="counterpart=owner: a unit of the estate.")
    customer: BodyId | None = Field(None, description="counterpart=owner: a customer of the estate.")
    committee_members: list[BodyId] = Field(
        default_factory=list,
        max_length=100,
        description="counterpart=committee: members of the estate's committee.",
    )
    staff: list[BodyId] = Field(default_factory=list, max_length=100, description="Colleagues present.")
    other_people: Annotated[str, text(300)] = Field("", description="Others present, by name.")
    summary: Said


class ContactEditIn(Input):
    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
    subject: Subject
    summary: Said


class FollowUpIn(Input):
    description: Agreed
    owner: BodyId = Field(description="A staff id of a colleague who works for the estate.")
    due_date: QueryDay = Field(description="YYYY-MM-DD, not before the day of the contact.")


class DoneIn(Input):
    result: Agreed
