"""Change history of any record, for its page (SPEC P-2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models

from estatedesk.core.fields import EncryptedTextField
from estatedesk.core.versioning import EDIT_VERSION

HIDDEN = "••••"


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryRow:
    when: Any
    who: str
    kind: str
    changes: list[Change]


def _display(field: models.Field, value: Any) -> str:
    if isinstance(field, EncryptedTextField):
        return HIDDEN if value else ""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    return str(value)


def history_rows(obj: models.Model, limit: int = 50) -> list[HistoryRow]:
    history = getattr(obj, "history", None)
    if history is None:
        return []
    records = list(
        history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]
    )
    rows: list[HistoryRow] = []
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    model_fields = {f.name: f for f in obj._meta.concrete_fields}
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[Change] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                field = model_fields.get(change.field)
                if field is None or change.field == EDIT_VERSION:  # bookkeeping, not content
                    continue
                changes.append(
                    Change(str(field.verbose_name), _display(field, change.old), _display(field, change.new))
                )
        user = record.history_user
        who = getattr(getattr(user, "staff", None), "display_name", None) or (
            user.get_username() if user else ""
        )
        rows.append(HistoryRow(record.history_date, who, kinds.get(record.history_type, ""), changes))
    return rows
