"""The timeline of a notice to customers: one function per kind (``NoticeEventKind``).

Only the notice services call these, inside the transaction of the step they record. Reading
a notice is not an event (a notice reaches thousands): the recipients' table says who read it.
"""

from __future__ import annotations

from estatedesk.communication.models import Notice, NoticeEvent, NoticeEventKind
from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields


def write(
    notice: Notice,
    actor: Actor,
    kind: NoticeEventKind,
    *,
    from_status: str | None = None,
    note: str = "",
    data: dict[str, object] | None = None,
) -> NoticeEvent:
    return notice.events.create(
        kind=kind,
        from_status=notice.status if from_status is None else from_status,
        to_status=notice.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )
