"""How long each record type is kept, and the administrator's changes to it (SPEC D-1).

A type keeps its ``default_months`` (declared by the app that owns it) until an administrator
changes it; the change is a ``RetentionRule`` row, versioned like any text several people may
edit (``core.versioning``), with its history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from estatedesk.core import clock
from estatedesk.core.actors import Actor, stamp, user_of
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.core.policy import is_admin
from estatedesk.core.versioning import STALE_MESSAGE, take_edit
from estatedesk.records import periods
from estatedesk.records.models import RetentionRule
from estatedesk.records.registry import RecordType, record_type, record_types

MIN_MONTHS, MAX_MONTHS = 1, 1200  # a month to a hundred years

UNKNOWN_TYPE = _("There is no such record type.")


@dataclass(frozen=True)
class RuleRow:
    """One line of the retention table: the type, the period in force, and what it means today."""

    record_type: RecordType
    months: int
    rule: RetentionRule | None  # None: the type's default period, never changed
    cutoff: datetime  # records whose period started before this are past retention


def months_for(key: str) -> int:
    """The retention period in force for ``key``, in months."""
    kind = record_type(key)
    if kind is None:
        raise NotFound(UNKNOWN_TYPE)
    months = RetentionRule.objects.filter(record_type=key).values_list("months", flat=True).first()
    return kind.default_months if months is None else months


def rule_table(now: datetime | None = None) -> list[RuleRow]:
    """Every registered type, in the procedure's order, with its period and today's cut-off."""
    now = now or clock.now()
    zone = clock.company_zone()
    rules = {rule.record_type: rule for rule in RetentionRule.objects.select_related("updated_by")}
    rows = []
    for kind in record_types():
        rule = rules.get(kind.key)
        months = rule.months if rule is not None else kind.default_months
        rows.append(RuleRow(kind, months, rule, periods.cutoff(now, months, zone)))
    return rows


def _months(value: Any) -> int:
    invalid = InvalidInput(
        _("A retention period is a whole number of months from %(min)d to %(max)d.")
        % {"min": MIN_MONTHS, "max": MAX_MONTHS},
        field="months",
    )
    if isinstance(value, bool):
        raise invalid
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise invalid from None
    if months != value and str(months) != str(value).strip():
        raise invalid
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise invalid
    return months


@transaction.atomic
def set_months(*, actor: Actor, key: str, months: int, note: str, based_on: int | None) -> RetentionRule:
    """Change how long ``key`` is kept. Administrators only; ``based_on`` is the rule's version
    the page showed (0 for a type never changed)."""
    if not is_admin(actor):
        raise NotAllowed(_("Only an administrator changes how long records are kept."))
    kind = record_type(key)
    if kind is None:
        raise NotFound(UNKNOWN_TYPE)
    months = _months(months)
    note = (note or "").strip()
    rule = RetentionRule.objects.select_for_update().filter(record_type=key).first()
    if rule is None:
        if based_on not in (None, 0):
            raise StaleEdit(
                STALE_MESSAGE, current={"months": str(kind.default_months), "note": ""}, version=0
            )
        rule = RetentionRule(record_type=key, months=kind.default_months)
    take_edit(
        rule, based_on, current={"months": str(rule.months), "note": rule.note}, fields=["months", "note"]
    )
    rule.months = months
    rule.note = note
    rule.updated_by = user_of(actor)
    rule.updated_at = clock.now()
    stamp(rule, actor)
    if rule.pk is None:
        try:
            with transaction.atomic():
                rule.save()
        except IntegrityError:
            # Someone else changed this type for the first time a moment ago.
            saved = RetentionRule.objects.get(record_type=key)
            raise StaleEdit(
                STALE_MESSAGE,
                current={"months": str(saved.months), "note": saved.note},
                version=saved.edit_version,
            ) from None
    else:
        rule.save()
    return rule
