"""How retention rules, holds, runs and requests read in the records API (SPEC A-2, D-1 … D-3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from estatedesk.records import registry, retention
from estatedesk.records.models import DataRequest, DisposalRun, LegalHold

COUNTS = ("listed", "held", "archived", "disposed", "kept")


def _name(user: Any) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)  # a user without a staff row raises an AttributeError
    return staff.display_name if staff is not None else user.get_username()


def _time(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def _type_label(key: str) -> str:
    kind = registry.record_type(key)
    return str(kind.label) if kind is not None else key


def retention_rows(rows: list[retention.RuleRow], zone: ZoneInfo) -> list[dict[str, Any]]:
    result = []
    for row in rows:
        kind, rule = row.record_type, row.rule
        by = _name(rule.updated_by) if rule is not None else ""
        result.append(
            {
                "record_type": kind.key,
                "label": str(kind.label),
                "owner": str(kind.owner),
                "basis": str(kind.basis),
                "note": str(kind.note),
                "months": row.months,
                "default_months": kind.default_months,
                "changed": rule is not None,
                "changed_by": by or None,
                "changed_at": _time(rule.updated_at, zone) if rule is not None else None,
                "reason": rule.note if rule is not None else "",
                "cutoff": _time(row.cutoff, zone),
                "version": rule.edit_version if rule is not None else 0,
            }
        )
    return result


def holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.select_related("placed_by__staff", "released_by__staff")


def hold(row: LegalHold, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": row.pk,
        "record_type": row.record_type,
        "record_type_label": _type_label(row.record_type),
        "record_id": row.record_id,
        "record_label": row.record_label,
        "reason": row.reason,
        "in_force": row.in_force,
        "placed_by": _name(row.placed_by),
        "placed_at": _time(row.placed_at, zone),
        "released_by": _name(row.released_by) or None,
        "released_at": _time(row.released_at, zone),
        "release_reason": row.release_reason,
    }


def runs() -> QuerySet[DisposalRun]:
    return DisposalRun.objects.select_related("started_by__staff")


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _figures(found: DisposalRun) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in (found.counts or {}).items() if isinstance(v, dict)}


def run(found: DisposalRun, zone: ZoneInfo) -> dict[str, Any]:
    figures = _figures(found)
    return {
        "id": found.pk,
        "number": found.number,
        "trigger": found.trigger,
        "trigger_label": str(found.get_trigger_display()),
        "started_by": _name(found.started_by) or None,
        "dry_run": found.dry_run,
        "status": found.status,
        "status_label": str(found.get_status_display()),
        "started_at": _time(found.started_at, zone),
        "archived_at": _time(found.archived_at, zone),
        "finished_at": _time(found.finished_at, zone),
        **{name: sum(_int(f.get(name)) for f in figures.values()) for name in COUNTS if name != "kept"},
        "archive_name": found.archive_name,
        "archive_bytes": found.archive_bytes,
        "archive_sha256": found.archive_sha256,
        "error": found.error,
    }


def run_detail(found: DisposalRun, zone: ZoneInfo) -> dict[str, Any]:
    types = []
    for key, f in _figures(found).items():
        samples = f.get("samples")
        months = f.get("months")
        cutoff = f.get("cutoff")
        types.append(
            {
                "record_type": key,
                "label": _type_label(key),
                "cutoff": cutoff if isinstance(cutoff, str) else None,
                "months": months if isinstance(months, int) else None,
                **{name: _int(f.get(name)) for name in COUNTS},
                "samples": [str(s) for s in samples] if isinstance(samples, list) else [],
            }
        )
    return {**run(found, zone), "types": types}


def data_request(row: DataRequest, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": row.pk,
        "number": row.number,
        "kind": row.kind,
        "kind_label": str(row.get_kind_display()),
        "subject": row.subject_label,
        "received_via": row.received_via,
        "handled_by": _name(row.handled_by),
        "handled_at": _time(row.handled_at, zone),
        "outcome": row.outcome if isinstance(row.outcome, dict) else {},
    }
