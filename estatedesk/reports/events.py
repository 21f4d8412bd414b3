"""The timelines of the monthly report, the quarterly analysis and the annual summary: their
event kinds, and one function per kind.

Only the services call these, inside the transaction of the step they record. Rows go through
the record's ``events`` manager (``models.ReportEvent``), so this module needs no model import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.events import event_fields

if TYPE_CHECKING:
    from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis, ReportEvent

    Report: TypeAlias = MonthlyReport | QuarterlyAnalysis | AnnualSummary


class ReportEventKind(models.TextChoices):
    DRAFTED = "drafted", _("Figures drafted")
    ANALYSIS_SAVED = "analysis_saved", _("Analysis saved as a draft")
    SUBMITTED = "submitted", _("Submitted to the deputy general manager")
    REVIEWED_NO_ACTION = "reviewed_no_action", _("Reviewed: no action needed")
    REVIEWED_ACTIONS = "reviewed_actions", _("Reviewed: corrective / preventive actions opened")
    PUBLISHED = "published", _("Published to all departments")
    SUMMARY_SAVED = "summary_saved", _("Summary saved as a draft")
    ISSUED = "issued", _("Issued")


def _write(
    record: Report,
    actor: Actor,
    kind: ReportEventKind,
    *,
    from_status: str,
    note: str = "",
    data: dict[str, object] | None = None,
) -> ReportEvent:
    event: ReportEvent = record.events.create(
        kind=kind,
        from_status=from_status,
        to_status=record.status,
        note=note,
        data=data or {},
        **event_fields(actor),
    )
    return event


def figures_drafted(record: Report, actor: Actor) -> ReportEvent:
    """A period's record created with its first figures (by the nightly job or on demand)."""
    return _write(record, actor, ReportEventKind.DRAFTED, from_status="")


def analysis_saved(record: MonthlyReport | QuarterlyAnalysis, actor: Actor) -> ReportEvent:
    return _write(record, actor, ReportEventKind.ANALYSIS_SAVED, from_status=record.status)


def submitted(report: MonthlyReport, actor: Actor, *, from_status: str) -> ReportEvent:
    return _write(report, actor, ReportEventKind.SUBMITTED, from_status=from_status)


def _acting(acting_for: str) -> dict[str, object]:
    """Who the actor stood in for (the GM for the deputy GM): the timeline says "孙总（代 副总经理）"."""
    return {"acting_for": acting_for} if acting_for else {}


def reviewed_no_action(
    report: MonthlyReport, actor: Actor, *, from_status: str, acting_for: str = ""
) -> ReportEvent:
    return _write(
        report,
        actor,
        ReportEventKind.REVIEWED_NO_ACTION,
        from_status=from_status,
        note=report.review_note,
        data=_acting(acting_for) or None,
    )


def reviewed_actions(
    report: MonthlyReport, actor: Actor, *, from_status: str, opened: str = "", acting_for: str = ""
) -> ReportEvent:
    """``opened``: the number of the action opened with the review, if one was."""
    return _write(
        report,
        actor,
        ReportEventKind.REVIEWED_ACTIONS,
        from_status=from_status,
        note=report.review_note,
        data={**({"action": opened} if opened else {}), **_acting(acting_for)} or None,
    )


def published(analysis: QuarterlyAnalysis, actor: Actor, *, from_status: str) -> ReportEvent:
    return _write(analysis, actor, ReportEventKind.PUBLISHED, from_status=from_status)


def summary_saved(summary: AnnualSummary, actor: Actor, *, acting_for: str = "") -> ReportEvent:
    return _write(
        summary,
        actor,
        ReportEventKind.SUMMARY_SAVED,
        from_status=summary.status,
        data=_acting(acting_for) or None,
    )


def issued(summary: AnnualSummary, actor: Actor, *, from_status: str, acting_for: str = "") -> ReportEvent:
    return _write(
        summary, actor, ReportEventKind.ISSUED, from_status=from_status, data=_acting(acting_for) or None
    )
