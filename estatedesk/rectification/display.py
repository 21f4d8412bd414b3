"""How items read on pages, exports and the API (SPEC R-4, D-3): due states and who signed."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from estatedesk.core.clock import company_zone, now
from estatedesk.core.crypto import mask_name
from estatedesk.rectification.deadlines import item_due_state
from estatedesk.rectification.models import Item
from estatedesk.workcal.due import DueState


def due_of(item: Item, at: datetime | None = None, zone: ZoneInfo | None = None) -> DueState:
    """The item's due state now (or at ``at``), from its status, completion date and work done.

    A list reads the company's zone once and passes it (``company_zone()`` reads the settings)."""
    return item_due_state(
        status=item.status,
        due_date=item.due_date,
        completed_at=item.completed_at,
        now=at or now(),
        zone=zone or company_zone(),
    )


def signer(item: Item, *, full: bool) -> str:
    """The resident's name as signed: masked (王**) unless the reader needs it (SPEC D-3)."""
    if not item.signed_name:
        return ""
    return item.signed_name if full else mask_name(item.signed_name)
