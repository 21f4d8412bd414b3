"""The reports' record types (SPEC D-1, D-2; §8: "complaint reports and summaries", kept by the
deputy GM): monthly reports, quarterly analyses and annual summaries, each from the day it was
issued — reviewed (monthly) or published (quarterly, annual). Drafts and reports still waiting
for review are never past retention.

Disposal deletes the report with its timeline and its history rows. Nothing else reads a
report's figures: the dashboard computes from the complaints, and each quarterly analysis and
annual summary keeps its own frozen copy, so a later quarter or year reads the same after the
months behind it are gone (decision 0049). A monthly report an improvement action was opened
from stays while that action exists (the action points at it, and its page links to it); it
goes at the first run after the action itself was disposed of.

The archive holds each report as JSON (its stored figures, text, review and timeline), one CSV
row, and its Excel workbook — the same file the report's page exports, made without a request.
The PDF is not rendered: it needs a request (the printer's name, the server's address) and a
second per report; the workbook carries the same figures and text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from estatedesk.core.i18n import in_company_language, month_label
from estatedesk.records.registry import ArchiveBatch, ArchivedFile, Disposal, RecordType, register
from estatedesk.reports import exports
from estatedesk.reports.models import (
    AnnualStatus,
    AnnualSummary,
    MonthlyReport,
    PeriodStatus,
    QuarterlyAnalysis,
    ReportEvent,
    ReportStatus,
)

OWNER = _("Deputy general manager")
BASIS = _("issued (reviewed or published)")


def _when(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _person(staff: Any) -> str:
    return staff.display_name if staff is not None else ""


def _events(field: str, ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
    events: dict[int, list[dict[str, Any]]] = {}
    rows = ReportEvent.objects.filter(**{f"{field}__in": ids}).order_by("at", "pk")
    for event in rows:
        events.setdefault(getattr(event, f"{field}_id"), []).append(
            {
                "at": _when(event.at),
                "by": event.actor_name,
                "kind": event.kind,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "data": event.data,
            }
        )
    return events


@dataclass(frozen=True)
class _Kind:
    """What differs between the three kinds of report."""

    key: str
    label: Any
    model: type[Model]
    issued: Q  # the final status
    issued_at: str  # the field the period runs from
    event_field: str  # ReportEvent's foreign key to this kind
    related: tuple[str, ...]
    order: int
    note: Any
    as_json: Callable[[Any], dict[str, Any]]
    csv_header: list[str]
    as_csv: Callable[[Any], list[Any]]
    workbook: Callable[[Any], bytes]
    filename: Callable[[Any], str]
    label_of: Callable[[Any], str]
    find: Callable[[str], int | None]
    kept: Q = Q()  # issued reports that must stay anyway (something still points at them)

    def issued_rows(self) -> QuerySet[Any]:
        return self.model._default_manager.filter(self.issued).exclude(self.kept)

    def past_retention(self, cutoff: datetime) -> QuerySet[Any]:
        return self.issued_rows().filter(**{f"{self.issued_at}__lt": cutoff}).order_by("pk")

    def archive(self, ids: Sequence[int]) -> ArchiveBatch:
        rows = list(
            self.model._default_manager.filter(pk__in=ids).select_related(*self.related).order_by("pk")
        )
        events = _events(self.event_field, [row.pk for row in rows])
        batch = ArchiveBatch(records=[], csv_header=self.csv_header, csv_rows=[])
        with in_company_language():
            for row in rows:
                record = {"id": row.pk, "label": self.label_of(row), **self.as_json(row)}
                record["events"] = events.get(row.pk, [])
                batch.records.append(record)
                batch.csv_rows.append(self.as_csv(row))
                batch.files.append(
                    ArchivedFile(
                        name=f"{self.key}/files/{self.filename(row)}/{self.filename(row)}.xlsx",
                        data=self.workbook(row),
                    )
                )
        return batch

    @transaction.atomic
    def dispose(self, ids: Sequence[int]) -> int:
        manager = self.model._default_manager
        going = list(
            manager.filter(pk__in=ids).filter(self.issued).exclude(self.kept).values_list("pk", flat=True)
        )
        staying = set(manager.filter(pk__in=ids).values_list("pk", flat=True)) - set(going)
        ReportEvent.objects.filter(**{f"{self.event_field}__in": going}).delete()
        deleted = manager.filter(pk__in=going).delete()[1].get(self.model._meta.label, 0)
        # After the rows: deleting a row writes a last history row ("-"), which goes too.
        gone = [pk for pk in ids if pk not in staying]
        self.model.history.filter(id__in=gone).delete()  # type: ignore[attr-defined]
        return deleted

    def labels(self, ids: Sequence[int]) -> dict[int, str]:
        rows = self.model._default_manager.filter(pk__in=ids).select_related(*self.related)
        with in_company_language():
            return {row.pk: self.label_of(row) for row in rows}

    def record_type(self) -> RecordType:
        return RecordType(
            key=self.key,
            label=self.label,
            owner=OWNER,
            basis=BASIS,
            disposal=Disposal.DELETE,
            past_retention=self.past_retention,
            archive=self.archive,
            dispose=self.dispose,
            labels=self.labels,
            find=self.find,
            order=self.order,
            note=self.note,
        )


# --- finding a report by the label people know it by -----------------------------------------

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})\s*(?:年|-|/|\.)\s*(\d{1,2})(?!\d)")
_QUARTER = re.compile(r"(?<!\d)(\d{4})\s*(?:年)?\s*(?:第\s*(\d)\s*季度?|Q\s*(\d))", re.IGNORECASE)


def _find_monthly(text: str) -> int | None:
    match = _YEAR_MONTH.search(text)
    if match is None:
        return None
    year, month = int(match[1]), int(match[2])
    department = (text[: match.start()] + text[match.end() :]).replace("月", "").strip()
    reports = MonthlyReport.objects.filter(year=year, month=month)
    if department:
        reports = reports.filter(department__name=department)
    found = list(reports.values_list("pk", flat=True)[:2])
    return found[0] if len(found) == 1 else None


def _find_quarterly(text: str) -> int | None:
    match = _QUARTER.search(text)
    if match is None:
        return None
    quarter = int(match[2] or match[3])
    found = QuarterlyAnalysis.objects.filter(year=int(match[1]), quarter=quarter).values_list("pk", flat=True)
    return found.first()


def _find_annual(text: str) -> int | None:
    match = _YEAR.search(text)
    if match is None:
        return None
    return AnnualSummary.objects.filter(year=int(match[1])).values_list("pk", flat=True).first()


# --- the three kinds -------------------------------------------------------------------------


def _monthly_json(report: MonthlyReport) -> dict[str, Any]:
    return {
        "department": report.department.name,
        "department_id": report.department_id,
        "year": report.year,
        "month": report.month,
        "status": report.status,
        "figures": report.figures,
        "analysis": report.analysis,
        "drafted_at": _when(report.drafted_at),
        "submitted_by": _person(report.submitted_by),
        "submitted_at": _when(report.submitted_at),
        "decision": report.decision,
        "review_note": report.review_note,
        "reviewed_by": _person(report.reviewed_by),
        "reviewed_at": _when(report.reviewed_at),
    }


def _monthly_csv(report: MonthlyReport) -> list[Any]:
    return [
        report.pk,
        report.department.name,
        report.year,
        report.month,
        report.status,
        _person(report.submitted_by),
        _when(report.submitted_at),
        report.decision,
        _person(report.reviewed_by),
        _when(report.reviewed_at),
        report.analysis,
        report.review_note,
    ]


def _quarterly_json(analysis: QuarterlyAnalysis) -> dict[str, Any]:
    return {
        "year": analysis.year,
        "quarter": analysis.quarter,
        "status": analysis.status,
        "figures": analysis.figures,
        "analysis": analysis.analysis,
        "drafted_at": _when(analysis.drafted_at),
        "edited_by": _person(analysis.edited_by),
        "edited_at": _when(analysis.edited_at),
        "published_by": _person(analysis.published_by),
        "published_at": _when(analysis.published_at),
    }


def _quarterly_csv(analysis: QuarterlyAnalysis) -> list[Any]:
    return [
        analysis.pk,
        analysis.year,
        analysis.quarter,
        analysis.status,
        _person(analysis.published_by),
        _when(analysis.published_at),
        analysis.analysis,
    ]


def _annual_json(summary: AnnualSummary) -> dict[str, Any]:
    return {
        "year": summary.year,
        "status": summary.status,
        "figures": summary.figures,
        "summary": summary.summary,
        "drafted_at": _when(summary.drafted_at),
        "published_by": _person(summary.published_by),
        "published_at": _when(summary.published_at),
    }


def _annual_csv(summary: AnnualSummary) -> list[Any]:
    return [
        summary.pk,
        summary.year,
        summary.status,
        _person(summary.published_by),
        _when(summary.published_at),
        summary.summary,
    ]


MONTHLY_KIND = _Kind(
    key="monthly_reports",
    label=_("Monthly complaint reports"),
    model=MonthlyReport,
    issued=Q(status=ReportStatus.REVIEWED, reviewed_at__isnull=False),
    issued_at="reviewed_at",
    event_field="monthly_report",
    related=("department", "submitted_by", "reviewed_by"),
    order=40,
    note=_(
        "Deleted with their timelines; the workbook and the stored figures go into the archive. "
        "A report an improvement action was opened from stays while the action is kept."
    ),
    as_json=_monthly_json,
    csv_header=[
        "id",
        "department",
        "year",
        "month",
        "status",
        "submitted_by",
        "submitted_at",
        "decision",
        "reviewed_by",
        "reviewed_at",
        "analysis",
        "review_note",
    ],
    as_csv=_monthly_csv,
    workbook=exports.monthly_xlsx,
    filename=exports.monthly_filename,
    label_of=lambda report: f"{report.department.name} {month_label(report.year, report.month)}",
    find=_find_monthly,
    kept=Q(improvement_actions__isnull=False),
)

QUARTERLY_KIND = _Kind(
    key="quarterly_reports",
    label=_("Quarterly complaint analyses"),
    model=QuarterlyAnalysis,
    issued=Q(status=PeriodStatus.PUBLISHED, published_at__isnull=False),
    issued_at="published_at",
    event_field="quarterly_analysis",
    related=("edited_by", "published_by"),
    order=41,
    note=_("Deleted with their timelines; the workbook and the stored figures go into the archive."),
    as_json=_quarterly_json,
    csv_header=["id", "year", "quarter", "status", "published_by", "published_at", "analysis"],
    as_csv=_quarterly_csv,
    workbook=exports.quarterly_xlsx,
    filename=exports.quarterly_filename,
    label_of=lambda analysis: exports.quarter_label(analysis.year, analysis.quarter),
    find=_find_quarterly,
)

ANNUAL_KIND = _Kind(
    key="annual_reports",
    label=_("Annual complaint summaries"),
    model=AnnualSummary,
    issued=Q(status=AnnualStatus.ISSUED, published_at__isnull=False),
    issued_at="published_at",
    event_field="annual_summary",
    related=("published_by",),
    order=42,
    note=_("Deleted with their timelines; the workbook and the stored figures go into the archive."),
    as_json=_annual_json,
    csv_header=["id", "year", "status", "published_by", "published_at", "summary"],
    as_csv=_annual_csv,
    workbook=exports.annual_xlsx,
    filename=exports.annual_filename,
    label_of=lambda summary: exports.year_label(summary.year),
    find=_find_annual,
)

KINDS = (MONTHLY_KIND, QUARTERLY_KIND, ANNUAL_KIND)
RECORD_TYPES = tuple(kind.record_type() for kind in KINDS)


def register_types() -> None:
    for record_type in RECORD_TYPES:
        register(record_type)
