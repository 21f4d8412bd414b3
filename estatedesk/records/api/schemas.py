"""Request and response shapes of the records API (``records.api.endpoints``; SPEC D-1 … D-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from ninja import Field, Schema

from estatedesk.core.api import Input, JsonInt, text
from estatedesk.records.forms import LABEL_LENGTH, MONTHS_MAX, MONTHS_MIN, NOTE_LENGTH, REASON_LENGTH
from estatedesk.records.models import RequestKind, RunStatus, RunTrigger

Reason = Annotated[str, text(REASON_LENGTH, required=True)]
RecordTypeKey = Annotated[str, text(50, required=True)]


class RetentionOut(Schema):
    record_type: str = Field(description="The type's key, e.g. 'complaints'.")
    label: str
    owner: str = Field(description="Who keeps these records, as the procedure names the role.")
    basis: str = Field(description="From when the period runs (closed, issued, sent …).")
    note: str = Field(description="What the type includes.")
    months: int
    default_months: int
    changed: bool = Field(description="Whether an administrator changed the period (false: the default).")
    changed_by: str | None
    changed_at: datetime | None
    reason: str = Field(description="The administrator's note on the change.")
    cutoff: datetime = Field(
        description="Records whose period started before this instant are past retention now."
    )
    version: int = Field(description="Send it back with PUT (decision 0011).")


class RetentionIn(Input):
    months: Annotated[JsonInt, Field(ge=MONTHS_MIN, le=MONTHS_MAX)] = Field(
        description="The period in whole months, 1 to 1200."
    )
    note: Annotated[str, text(NOTE_LENGTH)] = Field("", description="Why this period.")
    version: Annotated[JsonInt, Field(ge=0, le=2**31 - 1)] = Field(description="The `version` you read.")


class HoldOut(Schema):
    id: int
    record_type: str
    record_type_label: str
    record_id: int
    record_label: str
    reason: str
    in_force: bool
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None
    release_reason: str


class HoldPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[HoldOut]


class HoldIn(Input):
    record_type: RecordTypeKey = Field(description="A record type's key (GET /api/records/retention).")
    label: Annotated[str, text(LABEL_LENGTH, required=True)] = Field(
        description="The record's number, e.g. TS-2026-000123."
    )
    reason: Reason


class ReleaseIn(Input):
    reason: Reason


class TypeCounts(Schema):
    record_type: str
    label: str
    cutoff: str | None
    months: int | None
    listed: int
    held: int
    archived: int
    disposed: int
    kept: int
    samples: list[str] = Field(description="A dry run's examples of what would go (up to 20 per type).")


class RunOut(Schema):
    id: int
    number: str
    trigger: RunTrigger
    trigger_label: str
    started_by: str | None
    dry_run: bool
    status: RunStatus
    status_label: str
    started_at: datetime
    archived_at: datetime | None
    finished_at: datetime | None
    listed: int
    held: int
    archived: int
    disposed: int
    archive_name: str
    archive_bytes: int | None
    archive_sha256: str
    error: str


class RunPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RunOut]


class RunDetail(RunOut):
    types: list[TypeCounts]


class RequestOut(Schema):
    id: int
    number: str
    kind: RequestKind
    kind_label: str
    subject: str = Field(description="The customer, masked.")
    received_via: str
    handled_by: str
    handled_at: datetime
    outcome: dict


class RequestPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[RequestOut]
