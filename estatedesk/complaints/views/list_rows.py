"""The complaint lists' rows as HTML, each row worked out once and written for the desk's table
and the phone's card (templates/complaints/list_rows.html holds the rest of the list).

The department list and "My work" show 50 rows, each twice (a table row at a desk, a card below
768 px). Through the template engine that was about 40 variable look-ups, escapes and
localisations per row and markup, most of the page's time (decision 0060); here each value is
escaped once and both markups are filled from the same strings. The markup is the template's,
byte for byte, so the look, the tests and the bulk script (complaint-lists.js) are unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from estatedesk.complaints.deadlines import DueState
from estatedesk.complaints.models import Complaint, Kind, Status
from estatedesk.complaints.views.common import DUE_LABELS, badge_style
from estatedesk.core.i18n import text_in

SUMMARY_CHARS = 40

# The columns a list row reads: its markup, its due state (``selectors.due_state_of``) and
# "take it" (``batch.may_take``), read as named tuples (``values_list(..., named=True)``): not
# the other 40-odd columns, whose text, dates and two encrypted phone fields (decrypted on load)
# cost more than the row's markup, and not seven model instances per row (the complaint and
# its estate, category, department, handler, unit and building).
COLUMNS = (
    "pk",
    "number",
    "kind",
    "status",
    "description",
    "received_at",
    "reply_due",
    "due_basis",
    "due_provisional",
    "replied_at",
    "department_id",
    "handler_id",
    "category_id",
    "unit_id",
    "estate__name",
    "category__name_zh_hans",
    "category__name_zh_hant",
    "category__name_en",
    "department__name",
    "handler__display_name",
    "unit__number",
    "unit__building__name",
)


def shape(rows: QuerySet[Complaint]) -> QuerySet[Any]:
    """The page's rows as named tuples of ``COLUMNS`` (``paging.rows_by_ids``: only the query of
    the page's 50 rows joins the tables its names come from, never the count or the ids')."""
    return rows.values_list(*COLUMNS, named=True)


_CHECK = (
    '<td class="bulk-check"><input class="form-check-input" type="checkbox" name="ids" value="{pk}"'
    ' data-bulk-item aria-labelledby="row-{pk}"></td>'
)
_TABLE_ROW = """    <tr>
      {check}
      <td class="text-nowrap"><a class="fw-semibold" id="row-{pk}" href="{url}">{number}</a></td>
      <td class="text-nowrap"><time datetime="{received_iso}">{received}</time></td>
      <td class="summary-cell"><div class="small text-muted">{kind} · {category}</div><div class="complaint-summary">{summary}</div></td>
      <td>{estate}<div class="small text-muted">{unit_or_dash}</div></td>
      <td><span class="badge complaint-status status-{status}">{status_label}</span></td>
      <td>{handler_cell}<div class="small text-muted">{department}</div>
        {take_table}</td>
      <td>{due_badge}</td>
    </tr>
"""
_TAKE_TABLE = (
    '<button class="btn btn-outline-primary btn-sm py-0 mt-1 take-button" type="submit" name="take_one"'
    ' value="{pk}"><i class="bi bi-person-check" aria-hidden="true"></i> {take}</button>'
)
_CARD_CHECK = (
    '<input class="form-check-input flex-shrink-0 mt-1" type="checkbox" name="ids" value="{pk}"'
    ' data-bulk-item aria-labelledby="card-{pk}">'
)
_CARD = """  <li class="card shadow-sm mb-2 complaint-card due-{due_state}">
    <div class="card-body p-2 d-flex gap-2">
      {check}
      <div class="flex-grow-1 min-w-0">
        <div class="d-flex justify-content-between align-items-start gap-2">
          <a class="fw-semibold text-nowrap" id="card-{pk}" href="{url}">{number}</a>
          <span class="badge complaint-status status-{status}">{status_label}</span>
        </div>
        <div class="complaint-summary">{summary}</div>
        <div class="small text-muted">{kind} · {category} · {estate}{unit_after}</div>
        <div class="d-flex flex-wrap justify-content-between align-items-center gap-1 mt-1">
          {due_badge}
          <span class="small text-muted text-truncate">{handler_or_none}</span>
        </div>
        {take_card}
      </div>
    </div>
  </li>
"""
_TAKE_CARD = (
    '<button class="btn btn-outline-primary btn-sm mt-2 w-100 take-button" type="submit" name="take_one"'
    ' value="{pk}"><i class="bi bi-person-check" aria-hidden="true"></i> {take}</button>'
)


@dataclass(frozen=True)
class RowMarkup:
    """One complaint as the table's row and as the phone's card."""

    table: SafeString
    card: SafeString


class _Words:
    """The page's fixed words and badges in the active language, worked out once per list."""

    def __init__(self) -> None:
        self.kinds = {key: escape(str(label)) for key, label in Kind.choices}
        self.statuses = {key: escape(str(label)) for key, label in Status.choices}
        self.unassigned = escape(gettext("Unassigned"))
        self.take = escape(gettext("Take it"))
        self.reply_due = escape(gettext("Reply due"))
        self.provisional = '<abbr class="due-provisional text-warning-emphasis" title="{}">*</abbr>'.format(
            escape(gettext("Provisional: the holidays of that year are not confirmed yet."))
        )
        self.badges = {state: _badge(state) for state in DueState}
        link = reverse("complaints:detail", args=[0])
        cut = link.rindex("/0/")
        self.link_head, self.link_tail = link[:cut] + "/", "/" + link[cut + 3 :]

    def due_badge(self, state: str, due: datetime | None, provisional: bool) -> str:
        """``common.due_badge``'s markup (a test holds them equal); ``due`` in the page's zone."""
        badge = self.badges.get(DueState(state), "")
        if due is None:
            return f'<span class="due-badge-wrap">{badge}</span>'
        shown = due.strftime("%Y-%m-%d %H:%M")
        return (
            f'<span class="due-badge-wrap">{badge} <time class="due-time small text-muted" '
            f'datetime="{due.isoformat()}" title="{self.reply_due} {shown}">{due.strftime("%m-%d %H:%M")}</time>'
            f"{self.provisional if provisional else ''}</span>"
        )


@lru_cache(maxsize=16)
def _words(language: str | None, script_prefix: str) -> _Words:
    """The fixed words of a language (and links under a script prefix), made once per process."""
    return _Words()


def _badge(state: DueState) -> str:
    style = badge_style(state)
    if style is None:
        return ""
    css, icon = style
    label = escape(str(DUE_LABELS[state]))
    if icon:
        return (
            f'<span class="badge {css} due-badge"><i class="bi {icon}" aria-hidden="true"></i> {label}</span>'
        )
    return f'<span class="badge {css} due-badge">{label}</span>'


def summary(description: str) -> str:
    """The first 40 characters of the description, with "…" if cut (``Truncator``'s answer)."""
    if len(description) <= SUMMARY_CHARS and unicodedata.is_normalized("NFC", description):
        return description  # Truncator would count at most 40 characters and return it as it is
    return Truncator(description).chars(SUMMARY_CHARS)


def write_rows(
    rows: Sequence[Any], states: Sequence[str], takeable: Sequence[bool], zone: ZoneInfo, *, bulk: bool
) -> list[RowMarkup]:
    """Each row (a named tuple of ``COLUMNS``) with its due state and whether it may be taken,
    as markup. Strings read from the database are escaped here; the template prints the markup
    as it is."""
    language = get_language()
    words = _words(language, get_script_prefix())
    categories: dict[int, str] = {}
    written = []
    for c, state, can_take in zip(rows, states, takeable, strict=True):
        received = c.received_at.astimezone(zone)
        due = c.reply_due.astimezone(zone) if c.reply_due is not None else None
        pk = c.pk
        category = categories.get(c.category_id)
        if category is None:
            name = text_in(language, c.category__name_zh_hans, c.category__name_zh_hant, c.category__name_en)
            category = categories[c.category_id] = escape(name)
        unit = escape(f"{c.unit__building__name}-{c.unit__number}") if c.unit_id is not None else None
        handler = escape(c.handler__display_name) if c.handler_id is not None else None
        take = bulk and can_take
        values: dict[str, Any] = {
            "pk": pk,
            "url": f"{words.link_head}{pk}{words.link_tail}",
            "number": escape(c.number),
            "status": escape(c.status),
            "status_label": words.statuses.get(c.status) or escape(c.status),
            "summary": escape(summary(c.description)),
            "kind": words.kinds.get(c.kind) or escape(c.kind),
            "category": category,
            "estate": escape(c.estate__name),
            "due_badge": words.due_badge(state, due, c.due_provisional),
        }
        table = _TABLE_ROW.format(
            check=_CHECK.format(pk=pk) if bulk else "",
            received_iso=received.isoformat(),
            received=received.strftime("%Y-%m-%d %H:%M"),
            unit_or_dash=unit if unit is not None else "—",
            handler_cell=handler
            if handler is not None
            else f'<span class="text-muted">{words.unassigned}</span>',
            department=escape(c.department__name),
            take_table=_TAKE_TABLE.format(pk=pk, take=words.take) if take else "",
            **values,
        )
        card = _CARD.format(
            due_state=escape(str(state)),
            check=_CARD_CHECK.format(pk=pk) if bulk else "",
            unit_after=f" {unit}" if unit is not None else "",
            handler_or_none=handler if handler is not None else words.unassigned,
            take_card=_TAKE_CARD.format(pk=pk, take=words.take) if take else "",
            **values,
        )
        written.append(RowMarkup(mark_safe(table), mark_safe(card)))  # noqa: S308 - every value escaped above
    return written
