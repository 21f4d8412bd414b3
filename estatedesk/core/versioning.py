"""Texts that more than one person may edit: no save silently overwrites another (decision 0011).

Two people open the same complaint, both write "cause, measures and result", both save: without
this, the second save wins and the first person's text is gone. So a record whose free texts
several people may edit carries a counter of its text edits, ``edit_version`` (the abstract
model ``Versioned``), and every edit of those texts says which version it was based on:

- **model**: subclass ``Versioned``; the field is in the record's history too, which is how a
  conflict can say who saved the text that is there now;
- **service**: with the row locked (``core.workflow.lock``), ``take_edit(record, based_on,
  current=…)`` refuses a save based on an older version with ``core.errors.StaleEdit`` (409,
  carrying the texts now saved) and otherwise counts this edit; the service then saves the
  record with ``EDIT_VERSION`` among its fields. The lock makes the compare and the count one
  step: a second save waits for the first to commit, then finds the version moved.
  ``based_on=None`` is for the system's own writes (the demo loader, jobs), never for a page
  or the API, which always send the version they showed;
- **form**: a hidden ``based_on_version`` field (``version_field()``), filled from the record
  (``version_initial``) when the form is shown. ``core.web.form_step_view`` answers a
  ``StaleEdit`` by showing the form again, 409, with the person's own text kept, the other
  person's text next to it (``templates/core/_stale_edit.html``), and the version moved on,
  so that saving again (after comparing) goes through;
- **API**: the body's ``version`` and the record's ``version`` (``core.api.stale_edit``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.db import models
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from estatedesk.core.errors import StaleEdit

EDIT_VERSION = "edit_version"
FORM_FIELD = "based_on_version"
# PostgreSQL's integer; a larger number in a form or a body is a typing mistake, not a version.
MAX_VERSION = 2**31 - 1

STALE_MESSAGE = _(
    "Someone else saved this while you were editing. Nothing was overwritten: your text is kept "
    "below, next to theirs. Compare them, then save again."
)
# For texts written once by a step that moves the record on (a slip's opinions and result).
MOVED_ON_MESSAGE = _(
    "Someone else saved this while you were editing, and it has moved on since: it cannot be "
    "saved again here. Nothing was overwritten: your text is kept below, next to theirs."
)


class Versioned(models.Model):
    """A record whose free texts more than one person may edit."""

    edit_version = models.PositiveIntegerField(_("edit version"), default=0, editable=False)

    class Meta:
        abstract = True


def _saved(record: Versioned) -> tuple[str, datetime | None]:
    """Who saved the version there now, and when: the first history row at that version."""
    history = getattr(record, "history", None)
    if history is None:
        return "", None
    row = (
        history.filter(edit_version=record.edit_version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
        .first()
    )
    if row is None:
        return "", None
    user = row.history_user
    name = getattr(getattr(user, "staff", None), "display_name", None) or (
        user.get_username() if user else ""
    )
    return name, row.history_date


def _untouched_since(record: Versioned, based_on: int, fields: Sequence[str]) -> bool:
    """Whether ``fields`` hold today what they held at version ``based_on`` (another text of the
    record was edited meanwhile, not these). Unknown (no such history row): not untouched."""
    history = getattr(record, "history", None)
    if history is None or not fields:
        return False
    then = history.filter(edit_version=based_on).order_by("-history_date", "-history_id").first()
    return then is not None and all(getattr(then, f) == getattr(record, f) for f in fields)


def take_edit(
    record: Versioned,
    based_on: int | None,
    *,
    current: Mapping[str, str] | None = None,
    fields: Sequence[str] = (),
    message: Any = STALE_MESSAGE,
) -> None:
    """Count an edit of ``record``'s texts, or refuse it if it was based on an older version.

    Call with the row locked, before writing. ``current`` is what the person would overwrite,
    by form field name (shown to them on a conflict). ``fields``, the model fields this edit
    writes, lets an edit through when only other texts of the record changed meanwhile; without
    them any newer version is a conflict. ``based_on=None``: the system writing, no check.

    Services check the status first, then the version: a ``StaleEdit`` then means the person may
    save again after comparing (``STALE_MESSAGE``). A record whose every text edit moves it on
    checks the version first and says so (``MOVED_ON_MESSAGE``).
    """
    stale = based_on is not None and based_on != record.edit_version
    if stale and not _untouched_since(record, based_on or 0, fields):
        saved_by, saved_at = _saved(record)
        raise StaleEdit(
            message,
            current=current or {},
            version=record.edit_version,
            saved_by=saved_by,
            saved_at=saved_at,
        )
    record.edit_version += 1


# --- Forms ------------------------------------------------------------------------------------


def version_field() -> forms.IntegerField:
    """The hidden field every form that edits such texts carries."""
    out_of_date = _("This form is out of date: copy your text, reload the page and try again.")
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        max_value=MAX_VERSION,
        error_messages={
            "required": out_of_date,
            "invalid": out_of_date,
            "min_value": out_of_date,
            "max_value": out_of_date,
        },
    )


def version_initial(record: Versioned) -> dict[str, int]:
    return {FORM_FIELD: record.edit_version}


@dataclass(frozen=True)
class Comparison:
    label: str
    theirs: str
    yours: str


@dataclass(frozen=True)
class StaleView:
    """What ``templates/core/_stale_edit.html`` shows: each text, theirs and yours."""

    rows: list[Comparison]
    saved_by: str
    saved_at: datetime | None


def show_stale(form: forms.BaseForm, error: StaleEdit) -> None:
    """Keep what was typed, show the other person's text next to it, and base the next save
    on the version now saved (so that saving again, after comparing, goes through)."""
    rows = []
    for name, theirs in error.current.items():
        field = form.fields.get(name)
        label = str(field.label) if field is not None and field.label else name
        yours = str(form.data.get(form.add_prefix(name), ""))
        if theirs or yours:
            rows.append(Comparison(label, theirs, yours))
    data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
    data[form.add_prefix(FORM_FIELD)] = str(error.version)
    form.data = data
    form.stale_edit = StaleView(rows, error.saved_by, error.saved_at)  # type: ignore[attr-defined]
