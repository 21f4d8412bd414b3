"""Writes of the monthly report (SPEC K-12, K-14): draft, refresh, save, submit (freeze),
review, catch up. Each step is a transition of ``workflow.MONTHLY`` and writes its timeline
event (``events``).

Every month is keyed by (department, year, month), unique in the database, so running the
period job twice, on two workers, or catching up after the laptop was off makes exactly one
report per department and month.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import SYSTEM, Actor
from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.clock import now as clock_now
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock
from estatedesk.improvement import services as improvement
from estatedesk.improvement.models import Source
from estatedesk.org.models import Department, Staff
from estatedesk.reports import events, stats
from estatedesk.reports.figures import check_month, month_bounds, monthly_figures, previous_month
from estatedesk.reports.models import MonthlyReport, ReportStatus, ReviewDecision
from estatedesk.reports.selectors import as_deputy_gm
from estatedesk.reports.workflow import MONTHLY, check, require
from estatedesk.surveys import consultation_summary

__all__ = [
    "catch_up",
    "draft_month",
    "live_differs",
    "month_figures",
    "review",
    "save_analysis",
    "snapshot",
    "submit",
]


# --- the snapshot --------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as JSON would give it back: dataclasses as mappings of their fields, tuples as
    lists, mapping keys as text, dates ISO 8601, durations in seconds, fractions as floats.

    Walks the figures once, building new containers as it goes: no ``dataclasses.asdict``
    (which deep-copies every leaf first) and no JSON round trip, which together were about
    40 % of a monthly draft (issue 18). ``tests/reports/test_figures.py`` checks that
    the result equals that round trip's, so stored snapshots compare equal to fresh ones.
    A dataclass's field names are looked up once per class (``_FIELDS``): a busy month's
    repeat complainants are a thousand of them (decision 0071).
    """
    kind = type(value)
    if value is None or kind in _SCALARS:
        return value
    if kind is stats.RepeatComplainant and _REPEAT_FAST:
        fast = _plain_repeat(value)
        if fast is not None:
            return fast
    names = _FIELDS.get(kind)
    if names is not None:
        return _plain_fields(value, names)
    if kind is datetime:
        return value.isoformat()
    if kind is dict or isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple or isinstance(value, list | tuple):
        if set(map(type, value)) <= _INT:  # a C loop, not a generator's: tens of thousands
            return list(value)  # ids: a busy month's repeat complainants hold tens of thousands
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _plain_dataclass(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, str):
        return str(value)  # a text choice, stored as its plain value
    if isinstance(value, bool | int | float):
        return value
    raise TypeError(f"not JSON: {type(value).__name__}")


def _plain_dataclass(value: Any) -> dict[str, Any]:
    names = _FIELDS[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return _plain_fields(value, names)


def _plain_fields(value: Any, names: tuple[str, ...]) -> dict[str, Any]:
    plain: dict[str, Any] = {}
    for name in names:
        field = getattr(value, name)
        # A text or a number is itself: no call for each (a thousand repeat complainants).
        plain[name] = field if type(field) in _SCALARS or field is None else _plain(field)
    return plain


# A dataclass's field names, by class, filled as ``_plain`` meets them.
_FIELDS: dict[type, tuple[str, ...]] = {}

_REPEAT_FIELDS = ("key", "count", "complaint_ids", "first_received", "last_received")
# The repeat complainant's shape as ``_plain_repeat`` writes it; another shape takes the walk.
_REPEAT_FAST = tuple(f.name for f in dataclasses.fields(stats.RepeatComplainant)) == _REPEAT_FIELDS


def _plain_repeat(value: Any) -> dict[str, Any] | None:
    """A repeat complainant as ``_plain`` writes any dataclass, in one step when its fields hold
    what they always do (a text key, a whole count, whole ids, two datetimes); None otherwise.
    A busy month has a thousand of them: a third of the snapshot's time (decision 0071)."""
    key, count, ids = value.key, value.count, value.complaint_ids
    first, last = value.first_received, value.last_received
    if (
        type(key) is str
        and type(count) is int
        and type(first) is datetime
        and type(last) is datetime
        and type(ids) in (tuple, list)
        and set(map(type, ids)) <= _INT
    ):
        return {
            "key": key,
            "count": count,
            "complaint_ids": list(ids),
            "first_received": first.isoformat(),
            "last_received": last.isoformat(),
        }
    return None


_SCALARS = frozenset({str, int, float, bool})
_INT = frozenset({int})


def snapshot(figures: Any) -> dict[str, Any]:
    """The figures as plain JSON (what the JSONField stores and gives back unchanged).

    Rates stay numerator/denominator (the report prints "45 / 50"), durations are seconds,
    datetimes ISO 8601, mapping keys strings (JSON has no integer keys: estate ids become "3").
    """
    data: dict[str, Any] = _plain(figures)
    # A repeat complainant's key may be a name or a phone's blind index (personal data,
    # SPEC D-3): the stored report keeps only an ordinal; the complaint ids lead to the person
    # for those allowed to see them.
    for index, repeat in enumerate(data.get("repeat_complainants") or [], start=1):
        repeat["key"] = f"#{index}"
    return data


def month_figures(
    department: Department, year: int, month: int, *, company: CompanySettings | None = None
) -> dict[str, Any]:
    """The month's figures as stored: the complaints' (``monthly_figures``) and, for a
    management office, its estate's monthly consultations (S-4, K-14) as counts, so a
    submitted report keeps them too. ``company``: the settings, when the caller has them."""
    company = company or CompanySettings.load()
    figures = snapshot(
        monthly_figures(department_id=department.pk, year=year, month=month, zone=company_zone(company))
    )
    figures["consultations"] = consultation_summary.month_json(
        department.estate_id, year, month, company_today(company)
    )
    return figures


def _current(report: MonthlyReport) -> dict[str, Any]:
    return month_figures(report.department, report.year, report.month)


def live_differs(report: MonthlyReport) -> bool:
    """Whether the figures computed now differ from those stored (a submitted report's frozen ones)."""
    return _current(report) != report.figures


# --- drafting ------------------------------------------------------------------------------


def _company_departments() -> list[Department]:
    return list(Department.objects.filter(active=True, developer__isnull=True).order_by("pk"))


def _draft_one(
    department: Department, year: int, month: int, actor: Actor, company: CompanySettings
) -> MonthlyReport:
    key = {"department": department, "year": year, "month": month}
    existing = MonthlyReport.objects.filter(**key).first()
    if existing is not None and existing.status != ReportStatus.DRAFT:
        return existing  # frozen
    figures = month_figures(department, year, month, company=company)
    if existing is not None and existing.figures == figures:
        return existing  # nothing changed since the last draft: no lock, no write
    now = clock_now()
    if existing is None:
        try:
            with transaction.atomic():
                report, created = MonthlyReport.objects.get_or_create(
                    **key,
                    defaults={
                        "figures": figures,
                        "drafted_at": now,
                        "status": MONTHLY.get("draft").result(""),
                    },
                )
                if created:
                    events.figures_drafted(report, actor)
        except IntegrityError:
            # Another worker created it between our look and our insert.
            report, created = MonthlyReport.objects.get(**key), False
        if created:
            return report
        existing = report
    with transaction.atomic():
        locked = MonthlyReport.objects.select_for_update().get(pk=existing.pk)
        # Checked under the lock: a report submitted meanwhile keeps its frozen figures.
        if locked.status == ReportStatus.DRAFT and locked.figures != figures:
            locked.figures = figures
            locked.drafted_at = now
            locked.save(update_fields=["figures", "drafted_at"])
    return locked


def draft_month(
    *,
    year: int,
    month: int,
    department: Department | None = None,
    actor: Actor = SYSTEM,
    company: CompanySettings | None = None,
) -> list[MonthlyReport]:
    """Draft (or refresh the draft of) each active company department's report for a month.

    A submitted report is returned as it is. Idempotent: one report per department-month.
    ``actor`` is who asked (the nightly job is the system); who may ask is the page's rule.
    ``company``: the settings, when the caller has read them (a page has).
    """
    check_month(year, month)  # ValueError for a month that is not one
    departments = [department] if department is not None else _company_departments()
    company = company or CompanySettings.load()  # read once for every department
    return [_draft_one(d, year, month, actor, company) for d in departments]


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def catch_up(now: datetime) -> list[MonthlyReport]:
    """Draft every month from the last one drafted up to the month before ``now`` (company time).

    With no report yet, only the month before ``now``. The last drafted month is drafted
    again, so its draft picks up edits made since; months already there are not duplicated.
    """
    today = now.astimezone(company_zone()).date()
    target = previous_month(today.year, today.month)
    last = (
        MonthlyReport.objects.filter(year__lte=target[0])
        .exclude(year=target[0], month__gt=target[1])
        .order_by("-year", "-month")
        .values_list("year", "month")
        .first()
    )
    period = last if last is not None else target
    reports: list[MonthlyReport] = []
    while period <= target:
        reports.extend(draft_month(year=period[0], month=period[1]))
        period = _next(*period)
    return reports


def _head_of(actor: Actor, report: MonthlyReport, step: str, refusal: Any) -> Staff:
    """The acting head of the report's department taking ``step``, or ``NotAllowed`` with ``refusal``."""
    staff = require(actor, MONTHLY.get(step), refusal)
    if not staff.departments.filter(pk=report.department_id).exists():
        raise NotAllowed(refusal)
    return staff


def _locked(report: MonthlyReport | int) -> MonthlyReport:
    # Not scoped: who may act on which report is each step's own rule (the head of its
    # department, the leadership), which answers "not allowed" rather than "not found".
    return lock(MonthlyReport.objects.all(), report.pk if isinstance(report, MonthlyReport) else report)


# --- submission ----------------------------------------------------------------------------


@transaction.atomic
def submit(
    *, actor: Actor, report: MonthlyReport | int, analysis: str, based_on: int | None = None
) -> MonthlyReport:
    """The department head's analysis; freezes the report with the figures as they are now.

    ``based_on``: the report's ``edit_version`` the text was written on (decision 0011): the
    text submitted may not silently replace a draft another head saved meanwhile."""
    locked = _locked(report)
    staff = _head_of(
        actor, locked, "submit", _("Only the head of this department can submit its monthly report.")
    )
    transition = MONTHLY.get("submit")
    check(
        MONTHLY,
        transition,
        locked.status,
        str(locked),
        done=_("This monthly report has already been submitted."),
    )
    take_edit(locked, based_on, current={"analysis": locked.analysis})
    text = analysis.strip()
    if not text:
        raise InvalidInput(_("Write the analysis before submitting."), field="analysis")
    _start, end = month_bounds(locked.year, locked.month)
    now = clock_now()
    if now < end:
        raise InvalidInput(_("The month is not over yet; submit its report after it ends."))
    before = locked.status
    locked.figures = _current(locked)
    locked.analysis = text
    locked.status = transition.result(before)
    locked.submitted_by = staff
    locked.submitted_at = now
    locked.drafted_at = now
    locked.save()
    events.submitted(locked, actor, from_status=before)
    return locked


@transaction.atomic
def save_analysis(
    *, actor: Actor, report: MonthlyReport | int, analysis: str, based_on: int | None = None
) -> MonthlyReport:
    """Keep the head's draft analysis without submitting (the figures stay live); ``based_on``
    as in ``submit``."""
    locked = _locked(report)
    _head_of(
        actor, locked, "save_analysis", _("Only the head of this department can write its monthly report.")
    )
    check(
        MONTHLY,
        MONTHLY.get("save_analysis"),
        locked.status,
        str(locked),
        done=_("This monthly report has already been submitted."),
    )
    take_edit(locked, based_on, current={"analysis": locked.analysis})
    locked.analysis = analysis.strip()
    locked.save(update_fields=["analysis", EDIT_VERSION])
    events.analysis_saved(locked, actor)
    return locked


# --- the deputy GM's review (K-14) -----------------------------------------------------------


@transaction.atomic
def review(
    *,
    actor: Actor,
    report: MonthlyReport | int,
    decision: str,
    note: str = "",
    new_action: dict[str, Any] | None = None,
) -> MonthlyReport:
    """Decide on a submitted report: no action, or corrective / preventive action(s).

    With "actions", ``new_action`` (kind, title, problem, department) opens one linked to
    the report in the same transaction; actions already opened from the report also count.
    """
    locked = _locked(report)
    transition = MONTHLY.get("review")
    refusal = _("Monthly reports are reviewed by the deputy general manager.")
    staff = require(actor, transition, refusal)
    acting = as_deputy_gm(actor)
    if acting is None:
        raise NotAllowed(refusal)
    check(
        MONTHLY,
        transition,
        locked.status,
        str(locked),
        done=_("This monthly report has already been reviewed."),
        not_yet=_("Not possible now: the department head has not submitted this report yet."),
    )
    if decision not in ReviewDecision.values:
        raise InvalidInput(_("Choose a decision."), field="decision")
    if decision == ReviewDecision.NO_ACTION and new_action:
        raise InvalidInput(
            _("You chose no action but described one; choose one or the other."), field="decision"
        )
    opened = ""
    if decision == ReviewDecision.ACTIONS:
        if new_action:
            opened = improvement.open_action(
                actor=actor,
                kind=new_action.get("kind", ""),
                source=Source.MONTHLY_REPORT,
                source_report=locked,
                title=new_action.get("title", ""),
                problem=new_action.get("problem", ""),
                department=new_action.get("department") or locked.department,
            ).number
        elif not locked.improvement_actions.exists():
            raise InvalidInput(_("Describe the action to open, or choose no action."), field="title")
    before = locked.status
    locked.status = transition.result(before)
    locked.decision = decision
    locked.review_note = note.strip()
    locked.reviewed_by = staff
    locked.reviewed_at = clock_now()
    locked.save(update_fields=["status", "decision", "review_note", "reviewed_by", "reviewed_at"])
    if decision == ReviewDecision.ACTIONS:
        events.reviewed_actions(locked, actor, from_status=before, opened=opened, acting_for=acting)
    else:
        events.reviewed_no_action(locked, actor, from_status=before, acting_for=acting)
    return locked
