"""Request and response shapes of the rectification API (``rectification.api.reports``, ``.items``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from ninja import Field, File, Form, Schema, UploadedFile

from estatedesk.core.api import NO_NUL, BodyId, Id, Input, QueryDay, text
from estatedesk.core.batch import BULK_MAX
from estatedesk.rectification.models import Category, PhotoStage, Route, Source
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH, LOCATION_LENGTH
from estatedesk.rectification.services.items import TITLE_LENGTH
from estatedesk.rectification.services.rounds import NAME_LENGTH
from estatedesk.rectification.services.routing import NOTE_LENGTH
from estatedesk.rectification.workflow import ItemStatus
from estatedesk.workcal.due import DueState

# The longest list one call may add: a unit's screen holds a dozen, a spreadsheet goes through its import.
MAX_ROWS = 200

Note = Annotated[str, text(NOTE_LENGTH)]
Described = Annotated[str, text(DESCRIPTION_LENGTH)]


# --- Reports -------------------------------------------------------------------------------


class ReportFilters(Schema):
    estate: Id | None = Field(None, description="An estate id.")


class Ref(Schema):
    id: int
    name: str


class ReportItem(Schema):
    id: int
    number: str
    estate: Ref
    title: str
    source: Source
    source_label: str
    developer: Ref | None = Field(description="Whose customer service rectifies what we cannot fix.")
    finding_department: Ref | None = Field(
        description="The department that found the items (told the results)."
    )
    created_at: datetime
    created_by: str


class ReportPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ReportItem]


class ReportOut(ReportItem):
    notes: str
    version: int
    items_by_status: dict[str, int] = Field(
        description="How many of the report's items you see are in each status (statuses with none left out)."
    )


class ReportIn(Input):
    estate: BodyId = Field(description="One of your estates.")
    title: Annotated[str, text(TITLE_LENGTH, required=True)] = Field(
        description="For example: 2026 first handover batch."
    )
    source: Source = Source.HANDOVER
    finding_department: BodyId | None = Field(
        None, description="Required unless the source is 'handover': the department that found the items."
    )
    developer: BodyId | None = Field(
        None, description="A developer of the estate; left out: the estate's only developer, if it has one."
    )
    notes: Annotated[str, text(4000)] = ""


class ItemRow(Input):
    unit: BodyId | None = Field(None, description="A unit id of the report's estate; none for a public area.")
    location: Annotated[str, text(LOCATION_LENGTH)] = Field(description="Room or part, e.g. master bedroom.")
    description: Described
    category: Category
    source: Source | None = Field(None, description="Left out: the report's source.")


class ItemsIn(Input):
    items: list[ItemRow] = Field(
        min_length=1,
        max_length=MAX_ROWS,
        description="All or none: a bad row is a 422 at ['body', 'items', N, field] and nothing is recorded.",
    )


# --- Items ---------------------------------------------------------------------------------


class ItemFilters(Schema):
    estate: Id | None = Field(None, description="An estate id.")
    report: Id | None = Field(None, description="A report id.")
    status: ItemStatus | None = None
    category: Category | None = None
    round: int | None = Field(None, ge=1, le=1000, description="The round (1 until the resident objects).")
    team: Id | None = Field(None, description="A rectification team (department) id.")
    overdue: bool | None = Field(
        None, description="true: being fixed and past the completion date; false: not overdue."
    )
    unit: Id | None = Field(None, description="A unit id.")


class ItemSummary(Schema):
    id: int
    number: str
    report: int
    estate: Ref
    unit: int | None
    unit_label: str = Field(description="Building-number; empty for a public area.")
    location: str
    category: Category
    category_label: str
    source: Source
    status: ItemStatus
    status_label: str
    route: str = Field(description="'property', 'developer', or empty until decided.")
    round: int
    due_date: date | None = Field(description="The completion date.")
    due_state: DueState = Field(
        description="none, due, due_soon, overdue (while being fixed); met or late once reported done."
    )
    team: Ref | None
    department: Ref | None = Field(description="Our department that fixes it (route 'property').")


class ItemPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[ItemSummary]


class PhotoOut(Schema):
    id: int
    stage: PhotoStage
    round: int
    uploaded_at: datetime


class EventOut(Schema):
    kind: str
    label: str
    round: int
    at: datetime
    actor: str
    from_status: str
    to_status: str
    note: str


class ItemOut(ItemSummary):
    description: str
    developer: Ref | None
    finding_department: Ref | None
    measure: str
    reported_at: datetime
    reporter: str
    completed_at: datetime | None
    inspected_at: datetime | None
    notified_at: datetime | None
    accepted_at: datetime | None
    acceptance_method: str
    signer: str = Field(
        description="The name the resident signed or typed; masked (王**) for readers who may not see names."
    )
    objection: str = Field(description="The resident's last objection (it opened the current round).")
    photos: list[PhotoOut]
    events: list[EventOut] = Field(description="The timeline, oldest first, each step with its round.")
    allowed_actions: list[str] = Field(
        description="The steps you may take now: the path after /api/rectification/items/{id}/."
    )
    version: int


class DecisionIn(Input):
    route: Route = Field(description="'property': one of our departments fixes it; 'developer': escalate.")
    department: BodyId | None = Field(None, description="route 'property': our department that fixes it.")
    due_date: QueryDay | None = Field(None, description="route 'property': the completion date, YYYY-MM-DD.")
    note: Note = ""


class BulkDecisionIn(DecisionIn):
    ids: list[BodyId] = Field(min_length=1, max_length=BULK_MAX, description="Item ids, at most 100.")


class OutcomeOut(Schema):
    id: int
    number: str = Field(description="Empty when the id is not found or not yours to see.")
    done: bool
    error: str = Field(description="Why this item was refused; the others are not undone.")


class BulkOut(Schema):
    done: int
    refused: int
    outcomes: list[OutcomeOut]


class PlanIn(Input):
    measure: Described = Field(description="How it will be rectified.")
    due_date: QueryDay = Field(description="The completion date, YYYY-MM-DD, not in the past.")
    team: BodyId = Field(description="One of the developer's rectification teams.")
    replan: bool = Field(False, description="true: change the measure, date or team of a planned item.")


class InspectionIn(Input):
    passed: bool
    reason: Described = Field("", description="Required when it is sent back.")


class CancellationIn(Input):
    reason: Annotated[str, text(500, required=True)]


# --- The steps with files (multipart/form-data) ---------------------------------------------

WorkNote = Annotated[str, Form(max_length=DESCRIPTION_LENGTH, pattern=NO_NUL, description="What was done.")]
WorkPhotos = Annotated[
    list[UploadedFile] | None,
    File(description="Photos of the work done: 1 to 9 images (JPEG, PNG, WebP, GIF)."),
]
SignedName = Annotated[
    str,
    Form(max_length=NAME_LENGTH, pattern=NO_NUL, description="The name the resident signed on the sheet."),
]
AcceptanceNote = Annotated[
    str,
    Form(
        max_length=NOTE_LENGTH, pattern=NO_NUL, description="An item with no unit: a note on the acceptance."
    ),
]
Scan = Annotated[
    UploadedFile | None,
    File(description="The signed sheet (an image or a PDF); not for an item with no unit."),
]
ObjectionText = Annotated[
    str, Form(max_length=DESCRIPTION_LENGTH, pattern=NO_NUL, description="What is still wrong (required).")
]
ObjectionPhotos = Annotated[
    list[UploadedFile] | None, File(description="Photos of what is still wrong (at most 9).")
]
