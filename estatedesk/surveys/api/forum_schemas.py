"""Request and response shapes of the owners' forum API (``estatedesk.surveys.api.forums``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from estatedesk.core.api import VERSION_DESCRIPTION, BodyId, Input, JsonInt, QueryDay, text
from estatedesk.core.versioning import MAX_VERSION
from estatedesk.surveys.models import ParticipantKind

Line = Annotated[str, text(200, required=True)]
Said = Annotated[str, text(4000, required=True)]
Words = Annotated[str, text(4000)]
Summary = Annotated[str, text(20000)]


class ForumFilters(Schema):
    year: int | None = Field(None, ge=2000, le=2100)


class EstateRef(Schema):
    id: int
    name: str


class ForumItem(Schema):
    id: int
    number: str
    title: str
    year: int
    held_on: date
    place: str
    estates: list[EstateRef]
    opinions: int
    open_follow_ups: int = Field(description="Follow-ups not done.")
    overdue_follow_ups: int = Field(description="Of those, past their due date (company's today).")


class ForumPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ForumItem]


class ParticipantOut(Schema):
    id: int
    kind: ParticipantKind
    kind_label: str
    unit: int | None
    committee_member: int | None
    staff: int | None
    place: str = Field(description="The owner's unit, the committee member's position, the colleague's role.")
    name: str = Field(description="Masked (王*明) for readers who may not see contact names (auditors).")


class FollowUpOut(Schema):
    id: int
    opinion: int
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


class OpinionOut(Schema):
    id: int
    position: int
    category: str
    category_label: str
    text: str
    raised_by: int | None = Field(description="A participant id.")
    answer: str
    version: int = Field(description="Send it back to edit the answer.")
    follow_ups: list[FollowUpOut]


class ForumOut(Schema):
    id: int
    number: str
    title: str
    year: int
    held_on: date
    place: str
    chaired_by: int | None
    chaired_by_name: str
    summary: str
    version: int
    estates: list[EstateRef]
    participants: list[ParticipantOut]
    opinions: list[OpinionOut]


class ForumIn(Input):
    title: Line
    estates: list[BodyId] = Field(min_length=1, max_length=200, description="Estate ids the forum covers.")
    held_on: QueryDay = Field(description="YYYY-MM-DD.")
    place: Line
    chaired_by: BodyId | None = Field(None, description="A staff id.")
    summary: Summary = ""


class ParticipantIn(Input):
    kind: ParticipantKind
    unit: BodyId | None = Field(None, description="kind=owner: a unit of the forum's estates.")
    committee_member: BodyId | None = Field(None, description="kind=committee.")
    staff: BodyId | None = Field(None, description="kind=staff.")
    name: Annotated[str, text(100)] = Field("", description="kind=other.")


class OpinionIn(Input):
    text: Said
    category: Annotated[str, text(30)] = Field("", description="A category of §7.3.1; empty: general.")
    raised_by: BodyId | None = Field(None, description="A participant id of this forum.")
    answer: Words = ""


class AnswerIn(Input):
    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
    answer: Said


class FollowUpIn(Input):
    description: Said
    owner: BodyId = Field(description="A staff id.")
    due_date: QueryDay = Field(description="YYYY-MM-DD, today at the earliest.")


class DoneIn(Input):
    result: Said
