"""A record's timeline as the detail pages show it (SPEC P-2): what happened, who, when
(company time on the page), the status it moved from and to, and its note.

Written for any ``core.events.TimelineEvent`` rows with a ``kind`` field (corrective actions,
the three reports; new modules the same), shown with the template ``core/_timeline.html``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from estatedesk.core.workflow import Workflow


@dataclass(frozen=True)
class TimelineRow:
    pk: int
    label: str
    who: str
    at: datetime
    from_status: str  # "" when the status did not change
    to_status: str
    note: str


def _who(event: Any, acting: Callable[[str, str], str] | None) -> str:
    if not event.actor_name:
        return _("System")
    role = str((event.data or {}).get("acting_for", ""))
    return acting(event.actor_name, role) if acting is not None and role else event.actor_name


def timeline_rows(
    events: Iterable[Any],
    workflow: Workflow,
    labels: Mapping[str, Any],
    acting: Callable[[str, str], str] | None = None,
) -> list[TimelineRow]:
    """``events`` oldest first; ``labels`` names each kind (its enum's labels). ``acting`` names
    someone who stood in for a role (``data["acting_for"]``): "孙总（代 副总经理）"."""
    rows = []
    for event in events:
        moved = bool(event.from_status and event.to_status and event.from_status != event.to_status)
        created = not event.from_status and bool(event.to_status)
        rows.append(
            TimelineRow(
                pk=event.pk,
                label=str(labels.get(event.kind, event.kind)),
                # No name: the nightly job (or a record from before names were kept).
                who=_who(event, acting),
                at=event.at,
                from_status=workflow.label_of(event.from_status) if moved else "",
                to_status=workflow.label_of(event.to_status) if moved or created else "",
                note=event.note,
            )
        )
    return rows
