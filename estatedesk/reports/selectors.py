"""Who sees which report (SPEC P-1).

* Monthly reports: staff of the department; the customer-service department and its
  supervisor (they compile the quarterly analysis from all of them); the leadership,
  auditors and administrators.
* Quarterly analyses: every staff member once published; drafts only to those who write
  them (customer service) and the leadership.
* Annual summaries: department heads, customer service and the leadership; drafts only to
  the deputy GM, GM, auditors and administrators.

Reviewing the monthly reports and writing the annual summary are the deputy GM's (§7.2.15–16);
the GM takes them only in the deputy GM's place, when the company settings allow it
(``org.acting``, decision 0017).
"""

from __future__ import annotations

from django.db.models import QuerySet

from estatedesk.core.actors import Actor
from estatedesk.core.policy import department_ids, is_staff_member, sees_all, staff_of
from estatedesk.org.acting import acting_for
from estatedesk.org.models import DepartmentKind, Role
from estatedesk.reports.models import (
    AnnualStatus,
    AnnualSummary,
    MonthlyReport,
    PeriodStatus,
    QuarterlyAnalysis,
    ReportStatus,
)


def in_customer_service(user: Actor) -> bool:
    staff = staff_of(user)
    if staff is None:
        return False
    return (
        staff.role == Role.CS_SUPERVISOR
        or staff.departments.filter(kind=DepartmentKind.CUSTOMER_SERVICE).exists()
    )


def writes_quarterly(user: Actor) -> bool:
    """The customer-service supervisor and the heads of customer-service departments."""
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.role == Role.CS_SUPERVISOR:
        return True
    return (
        staff.role == Role.DEPARTMENT_HEAD
        and staff.departments.filter(kind=DepartmentKind.CUSTOMER_SERVICE).exists()
    )


def as_deputy_gm(user: Actor) -> str | None:
    """The deputy GM's steps (§7.2.15–16: reviewing the monthly reports, writing the annual
    summary): ``""`` for the deputy GM, ``"deputy_gm"`` for the GM standing in when the company
    settings allow it (the record says so), ``None`` for anyone else."""
    return acting_for(user, Role.DEPUTY_GM)


def writes_annual(user: Actor) -> bool:
    return as_deputy_gm(user) is not None


def reviews_monthly(user: Actor) -> bool:
    return as_deputy_gm(user) is not None


def monthly_reports_for(user: Actor) -> QuerySet[MonthlyReport]:
    reports = MonthlyReport.objects.select_related("department", "submitted_by__user", "reviewed_by__user")
    if sees_all(user) or in_customer_service(user):
        return reports
    return reports.filter(department__in=department_ids(user) or ())


def quarterly_for(user: Actor) -> QuerySet[QuarterlyAnalysis]:
    analyses = QuarterlyAnalysis.objects.select_related("published_by__user", "edited_by__user")
    if sees_all(user) or in_customer_service(user):
        return analyses
    if is_staff_member(user):
        return analyses.filter(status=PeriodStatus.PUBLISHED)
    return analyses.none()


def annual_for(user: Actor) -> QuerySet[AnnualSummary]:
    summaries = AnnualSummary.objects.select_related("published_by__user")
    if sees_all(user):
        return summaries
    staff = staff_of(user)
    if staff is not None and (
        staff.role in (Role.DEPARTMENT_HEAD, Role.CS_SUPERVISOR) or in_customer_service(user)
    ):
        return summaries.filter(status=AnnualStatus.ISSUED)
    return summaries.none()


def review_queue(user: Actor) -> QuerySet[MonthlyReport]:
    """Submitted monthly reports awaiting the deputy GM's decision, oldest first."""
    if not reviews_monthly(user):
        return MonthlyReport.objects.none()
    return monthly_reports_for(user).filter(status=ReportStatus.SUBMITTED).order_by("submitted_at", "pk")
