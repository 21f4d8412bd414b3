"""Request and response shapes of the customer-notice API (``estatedesk.communication.api.notices``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from estatedesk.communication.models import NoticeKind
from estatedesk.communication.workflow import NoticeStatus
from estatedesk.core import richtext
from estatedesk.core.api import BodyId, Id, Input, text

Code = Annotated[str, text(30)]


class NoticeFilters(Schema):
    estate: Id | None = Field(None, description="An estate id.")
    kind: NoticeKind | None = None
    status: NoticeStatus | None = None


class RecipientFilters(Schema):
    read: bool | None = Field(
        None, description="false: the households that have not read it yet (to phone or visit)."
    )


class NoticeItem(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    title: str
    estate: int
    estate_name: str
    urgent: bool
    starts_at: datetime | None
    ends_at: datetime | None
    publish_at: datetime | None
    published_at: datetime | None
    households: int = Field(description="Households reached (counted when published).")


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[NoticeItem]


class NoticeOut(NoticeItem):
    body: str = Field(description="Sanitised HTML.")
    buildings: list[int] = Field(description="Building ids; empty: the whole estate.")
    units: list[int] = Field(description="Unit ids chosen by hand; empty: none.")
    audience: str
    channels: list[str]
    late_reason: str
    lead_hours: int
    read: int = Field(description="Households that have opened it on the portal.")
    sign_placed_at: datetime | None
    sign_place: str
    version: int = Field(description="Send it back to edit the notice.")
    created_at: datetime
    created_by: str


class RecipientOut(Schema):
    unit: int
    unit_label: str
    building: int
    building_name: str
    channels: list[str] = Field(description="The channels it reached the household by.")
    read: bool
    read_at: datetime | None
    contacted: bool = Field(description="Phoned or visited because it was not read (urgent notices).")
    contacted_at: datetime | None
    contact_channel: str


class RecipientPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RecipientOut]


class NoticeIn(Input):
    kind: Code = Field(description="water_cut, power_cut, pest_control, repair, maintenance, event, …")
    title: Annotated[str, text(200)]
    body: Annotated[str, text(richtext.MAX_LENGTH)] = Field(description="HTML; sanitised when stored.")
    estate: BodyId
    buildings: list[BodyId] = Field(
        default_factory=list, max_length=500, description="Building ids; empty: the whole estate."
    )
    units: list[BodyId] = Field(
        default_factory=list, max_length=5000, description="Unit ids, to narrow it to some households."
    )
    audience: Code | None = Field(
        None,
        description="households, owners or committee; left out: the kind's default "
        "(owners for financial reports and survey results, else households).",
    )
    starts_at: datetime | None = Field(None, description="When the work or event starts.")
    ends_at: datetime | None = None
    publish_at: datetime | None = Field(
        None,
        description="In the future: the notice is scheduled at once and the worker publishes it "
        "then. Left out (or past): it stays a draft until published.",
    )
    channels: list[Code] = Field(default_factory=lambda: ["portal"], max_length=20)
    urgent: bool = False
    late_reason: Annotated[str, text(1000)] = Field(
        "", description="Required when a work notice goes out later than the lead time before the work."
    )
