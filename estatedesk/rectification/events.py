"""The timeline of a rectification item: one write function for every kind (``ItemEventKind``).

Only the rectification services call it, inside the transaction of the step they record; each
event carries the round it happened in (R-4).
"""

from __future__ import annotations

from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields
from estatedesk.rectification.models import Item, ItemEvent, ItemEventKind


def write(
    item: Item,
    actor: Actor,
    kind: ItemEventKind,
    *,
    from_status: str | None = None,
    note: str = "",
    data: dict[str, object] | None = None,
) -> ItemEvent:
    return ItemEvent.objects.create(
        item=item,
        kind=kind,
        round=item.round,
        from_status=item.status if from_status is None else from_status,
        to_status=item.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )
