"""Request and response shapes of the consultations API (``estatedesk.surveys.api.consultations``).

Rates leave as numbers with one decimal (``92.5`` means 92.5 %), like the surveys API; a month
is written ``YYYY-MM``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from estatedesk.core.api import VERSION_DESCRIPTION, BodyId, Id, Input, JsonInt, QueryDay, text
from estatedesk.core.versioning import MAX_VERSION
from estatedesk.org.models import CustomerKind
from estatedesk.surveys.api.schemas import Figures, Share, Words
from estatedesk.surveys.models import Category, ConsultationMethod, ConsultationStatus

Month = Annotated[str, StringConstraints(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")]
SubmissionKey = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9_.:-]*$")]
MAX_TOPICS = 20
MAX_STAFF = 50


class ConsultationFilters(Schema):
    estate: Id | None = None
    month: Month | None = Field(None, description="YYYY-MM")
    status: ConsultationStatus | None = None


class FlagsQuery(Schema):
    months: int = Field(3, ge=1, le=24, description="This month and the months before it.")


class ConsultationItem(Schema):
    id: int
    number: str = Field(description="e.g. MC-2026-000001")
    estate: int
    estate_name: str
    month: str = Field(description="YYYY-MM")
    topics: list[str] = Field(description="Category codes, in the order asked.")
    method: ConsultationMethod
    status: ConsultationStatus
    status_label: str
    planned_on: date | None
    asked: int = Field(description="Households in the sample.")
    answered: int


class ConsultationPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ConsultationItem]


class TopicFigures(Figures):
    category: str
    label: str


class ConsultationOut(ConsultationItem):
    topic_labels: list[str]
    staff: list[str] = Field(description="The staff consulting, by name.")
    notes: str
    share: float
    seed: str = Field(
        description="Proposing again with this seed over the same history gives the same sample."
    )
    occupied: int = Field(description="Occupied households when proposed.")
    fresh: int = Field(description="Of those, not consulted yet this year.")
    proposed: int = Field(description="Households the system proposed (at least 5 %, rounded up).")
    created_at: datetime
    created_by: str
    started_at: datetime | None
    finished_at: datetime | None
    overall: Figures = Field(
        description="All topics pooled. The return-rate rule applies to the questionnaire method only."
    )
    topics_figures: list[TopicFigures] = Field(
        description="Per topic: rate, n, 95 % interval, return rate, adjusted."
    )
    version: int = Field(description="The version of the notes; send it back with an edit.")


class ConsultationIn(Input):
    estate: BodyId
    month: Month = Field(description="YYYY-MM, the month it counts for.")
    topics: list[Category] = Field(max_length=MAX_TOPICS, description="§7.3.1 category codes.")
    method: ConsultationMethod
    staff: list[BodyId] = Field(default_factory=list, max_length=MAX_STAFF, description="Staff ids.")
    planned_on: QueryDay | None = Field(None, description="YYYY-MM-DD, in the month.")
    share: Share | None = Field(None, description="Percent of occupied households, 5 to 100; default 5.")
    notes: Annotated[str, text(4000)] = ""


class NotesIn(Input):
    version: Annotated[JsonInt, Field(ge=0, le=MAX_VERSION, description=VERSION_DESCRIPTION)]
    notes: Annotated[str, text(4000)]


class HouseholdFilters(Schema):
    asked: bool | None = None
    answered: bool | None = None


class ConsultedOut(Schema):
    unit: int
    label: str = Field(description="Building and number, e.g. '3栋-1201'.")
    building: int
    customer: str = Field(description="The customer's name, masked for those who may not see names.")
    customer_kind: CustomerKind | None
    proposed: bool = Field(description="Proposed by the system (false: swapped in).")
    asked: bool = Field(description="In the sample (false: swapped out).")
    fresh: bool = Field(description="Not consulted earlier this year when proposed.")
    swapped_for: int | None = Field(description="The unit asked instead, when swapped out.")
    swap_reason: str
    answered_at: datetime | None
    channel: str = Field(description="door_to_door, phone, outdoor, paper or online; empty until answered.")


class ConsultedPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ConsultedOut]


class SwapIn(Input):
    out_unit: BodyId = Field(description="A unit in the sample.")
    in_unit: BodyId = Field(description="An occupied unit of the estate not in the record yet.")
    reason: Annotated[str, text(200)] = ""


class CancelIn(Input):
    reason: Annotated[str, text(2000, required=True)]


class TopicAnswerIn(Input):
    topic: Annotated[str, text(30, required=True)] = Field(
        description="A topic (category code) of the consultation."
    )
    level: Annotated[str, text(30)] = Field("", description="A scale code; empty: no opinion.")
    reason: Words = Field("", description="Why dissatisfied.")


class AnswersIn(Input):
    unit: BodyId = Field(description="The unit id of a household in the sample.")
    answers: list[TopicAnswerIn] = Field(default_factory=list, max_length=MAX_TOPICS)
    remarks: Annotated[str, text(2000)] = Field("", description="The household's other opinions.")
    submission_key: SubmissionKey = Field(
        "",
        description="A key the client makes for this answer: sending it again (after a lost reply) "
        "answers 200 with the answer recorded once.",
    )


class RecordedOut(Schema):
    consultation: int
    unit: int
    label: str
    answered_at: datetime
    channel: str
    answers: int = Field(description="Topics rated.")
    recorded: bool = Field(description="False when this submission_key was already recorded.")


class FlagOut(Schema):
    kind: str = Field(description="missing, under_share or low_return")
    estate: int
    estate_name: str
    month: str = Field(description="YYYY-MM")
    consultation: int | None
    number: str
    reached: int = Field(description="Households consulted (under_share) or answered (low_return).")
    needed: int = Field(description="Households needed (5 %, rounded up), or asked (low_return).")
    rate: float | None = Field(description="The return rate of a low_return flag, percent.")
    text: str = Field(description="The flag in words, in the request's language.")


class CoverageOut(Schema):
    estate: int
    estate_name: str
    consulted: int = Field(description="Households consulted at least once this year.")
    occupied: int
    rate: float | None


class FlagsOut(Schema):
    months: int
    flags: list[FlagOut]
    coverage: list[CoverageOut] = Field(description="The year's coverage per estate.")
