"""The complaint's timeline (SPEC P-2): every event with what happened, who, when (company
time), the status it moved from and to, and its note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from estatedesk.complaints import events, selectors
from estatedesk.complaints.models import Complaint, Event, Status
from estatedesk.org.acting import name_acting

STATUS_LABELS = dict(Status.choices)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class TimelineRow:
    pk: int
    label: Any
    who: str
    at: datetime
    from_status: Any
    to_status: Any
    note: str
    new_due: datetime | None
    paper: str  # the slip or notice number the event is about
    at_text: str = ""  # "Y-m-d H:i" in the active (company) time, as the ``date`` filter wrote it
    at_iso: str = ""  # for <time datetime>, as ``date:'c'`` wrote it
    markup: str = ""  # the row's <li>, as ``detail_timeline.html``'s loop wrote it (``write``)


def _who_without_name(event: Event) -> str:
    """Nobody signed in: a resident through the portal records; everything else is the system."""
    if event.action in events.PORTAL_KINDS:
        return _("Resident portal")
    return _("System")


def timeline_rows(complaint: Complaint) -> list[TimelineRow]:
    rows = []
    for e in selectors.timeline(complaint):
        moved = e.from_status and e.to_status and e.from_status != e.to_status
        # Formatted once here rather than by two template filters per row (decision 0061).
        local = timezone.localtime(e.at)
        rows.append(
            TimelineRow(
                pk=e.pk,
                label=events.label_of(e.action),
                who=name_acting(e.actor_name, str(e.data.get("acting_for", "")))
                if e.actor_name
                else _who_without_name(e),
                at=e.at,
                from_status=STATUS_LABELS.get(e.from_status, e.from_status) if moved else "",
                to_status=STATUS_LABELS.get(e.to_status, e.to_status) if moved or not e.from_status else "",
                note=e.note,
                new_due=_when(e.data.get("new_due") or e.data.get("reply_due")),
                paper=str(e.data.get("slip") or e.data.get("notice") or ""),
                at_text=local.strftime("%Y-%m-%d %H:%M"),
                at_iso=local.isoformat(),
            )
        )
    reply_due = conditional_escape(_("Reply due")) + conditional_escape(pgettext("label: value", ": "))
    for row in rows:
        row.markup = write(row, reply_due)
    return rows


def write(row: TimelineRow, reply_due: str) -> SafeString:
    """One event's ``<li>``, byte for byte what the template's loop wrote for it, with the
    surrounding whitespace (``tests/complaints/test_timeline_markup.py`` holds the two equal):
    ten rows of a dozen tags each were a tenth of the page's time (decision 0067)."""
    e = conditional_escape
    moved = f"{e(row.from_status)} → " if row.from_status else ""
    status = (
        f'<div class="small timeline-status">{moved}{e(row.to_status)}</div>'
        if row.from_status or row.to_status
        else ""
    )
    paper = f'<div class="small text-muted">{e(row.paper)}</div>' if row.paper else ""
    due = ""
    if row.new_due:
        shown = timezone.localtime(row.new_due) if timezone.is_aware(row.new_due) else row.new_due
        due = f'<div class="small text-muted">{reply_due}{shown.strftime("%Y-%m-%d %H:%M")}</div>'
    note = f'<div class="timeline-note text-prewrap">{e(row.note)}</div>' if row.note else ""
    return mark_safe(  # noqa: S308 - every value is escaped above
        f'\n    <li class="list-group-item timeline-item" id="event-{int(row.pk)}">\n'
        '      <div class="d-flex flex-wrap justify-content-between gap-2">\n'
        f'        <strong class="timeline-action">{e(row.label)}</strong>\n'
        f'        <span class="text-muted small"><time class="timeline-when" datetime="{e(row.at_iso)}">'
        f'{e(row.at_text)}</time> · <span class="timeline-who">{e(row.who)}</span></span>\n'
        "      </div>\n"
        f"      {status}\n"
        f"      {paper}\n"
        f"      {due}\n"
        f"      {note}\n"
        "    </li>\n"
        "  "
    )
