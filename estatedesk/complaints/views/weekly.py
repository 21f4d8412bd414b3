"""Weekly review pages (SPEC K-11, §7.2.12): each department head looks once a week at the
department's complaint records and transfer slips and signs the review; missing reviews are
visible to the head and, for every department, to the deputy GM and the GM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from estatedesk.complaints import papers, selectors
from estatedesk.complaints.forms_actions import WeeklyReviewForm
from estatedesk.complaints.models import Complaint, TransferSlip, WeeklyReview
from estatedesk.complaints.views.common import person_name
from estatedesk.core import policy
from estatedesk.core.actors import RequestUser
from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.web import company_time, put_error
from estatedesk.org.models import Department, Staff

WEEKS_SHOWN = 9  # the current week and the eight before it


def overview_departments(user: RequestUser) -> QuerySet[Department]:
    """Heads see the departments they head; the deputy GM, GM and auditors see every department."""
    if policy.sees_all(user):
        return Department.objects.filter(active=True, developer__isnull=True)
    return selectors.departments_headed_by(user)


def visible_department(user: RequestUser, pk: int) -> Department:
    """A department whose weekly review this user may look at: one of their own, or any for all-seeing roles."""
    departments = Department.objects.filter(developer__isnull=True)
    if not policy.sees_all(user):
        departments = departments.filter(pk__in=policy.department_ids(user) or frozenset())
    department = departments.filter(pk=pk).first()
    if department is None:
        raise Http404
    return department


def is_head_of(user: RequestUser, department: Department) -> bool:
    staff = policy.staff_of(user)
    return (
        staff is not None
        and staff.role == "department_head"
        and staff.departments.filter(pk=department.pk).exists()
    )


def _weekly_counts(
    model: Any, field: str, department_field: str, departments: list[int], since: date
) -> dict:
    start, _end = papers.week_bounds(since)
    rows = (
        model.objects.filter(**{f"{department_field}__in": departments, f"{field}__gte": start})
        .annotate(week=TruncWeek(field, tzinfo=company_zone()))
        .values(department_field, "week")
        .annotate(n=Count("id"))
    )
    return {(r[department_field], r["week"].date()): r["n"] for r in rows}


@dataclass
class WeekCell:
    week: date
    review: WeeklyReview | None
    missing: bool
    complaints: int
    slips: int
    url: str


@dataclass
class DepartmentRow:
    department: Department
    has_head: bool
    cells: list[WeekCell]

    @property
    def missing(self) -> int:
        return sum(1 for c in self.cells if c.missing)


@company_time
def weekly(request: HttpRequest) -> HttpResponse:
    current = papers.week_of(company_today())
    weeks = [current - timedelta(weeks=i) for i in range(WEEKS_SHOWN)]
    departments = list(overview_departments(request.user).order_by("kind", "name"))
    ids = [d.pk for d in departments]
    reviews = {
        (r.department_id, r.week_start): r
        for r in WeeklyReview.objects.select_related("reviewed_by").filter(
            department__in=ids, week_start__gte=weeks[-1]
        )
    }
    complaints = _weekly_counts(Complaint, "received_at", "department", ids, weeks[-1])
    slips = _weekly_counts(TransferSlip, "raised_at", "complaint__department", ids, weeks[-1])
    headed = set(
        Staff.objects.filter(role="department_head", departments__in=ids, user__is_active=True).values_list(
            "departments", flat=True
        )
    )
    due_since = selectors.reviews_due_since(ids)
    rows = []
    for d in departments:
        base = reverse("complaints:weekly_review", args=[d.pk])
        cells = [
            WeekCell(
                week=w,
                review=reviews.get((d.pk, w)),
                missing=selectors.review_missing(
                    w, current, reviewed=(d.pk, w) in reviews, since=due_since[d.pk]
                ),
                complaints=complaints.get((d.pk, w), 0),
                slips=slips.get((d.pk, w), 0),
                url=f"{base}?week={w.isoformat()}",
            )
            for w in weeks
        ]
        rows.append(DepartmentRow(d, d.pk in headed, cells))
    return render(
        request,
        "complaints/weekly.html",
        {
            "weeks": weeks,
            "current": current,
            "rows": rows,
            "missing_total": sum(r.missing for r in rows),
            "all_departments": policy.sees_all(request.user),
        },
    )


def _week_param(request: HttpRequest, today: date) -> date:
    """The week of ``?week=`` (any day of it); this week when it is missing or not a usable date."""
    return papers.week_of(Params(request.GET).day("week") or today)


@company_time
def weekly_review(request: HttpRequest, pk: int) -> HttpResponse:
    department = visible_department(request.user, pk)
    today = company_today()
    week = _week_param(request, today)
    status = 200
    form = WeeklyReviewForm(auto_id="id_review_%s")
    if request.method == "POST":
        form = WeeklyReviewForm(request.POST, auto_id="id_review_%s")
        if form.is_valid():
            try:
                papers.review_week(
                    actor=request.user,
                    department=department,
                    week_start=week,
                    remarks=form.cleaned_data["remarks"],
                )
            except ServiceError as error:
                put_error(form, error)
                status = error.status
            else:
                messages.success(request, _("Weekly review signed."))
                url = reverse("complaints:weekly_review", args=[department.pk])
                return redirect(f"{url}?week={week.isoformat()}")
        else:
            status = 422
    start, end = papers.week_bounds(week)
    complaints = list(
        selectors.complaint_list(request.user)
        .filter(department=department, received_at__gte=start, received_at__lt=end)
        .order_by("received_at", "id")
    )
    now = timezone.now()
    windows = selectors.soon_windows()
    for c in complaints:
        state = selectors.due_state_of(c, now, windows)
        c.due_state = str(state)  # type: ignore[attr-defined]
        c.shown_name = person_name(request.user, c.complainant_name)  # type: ignore[attr-defined]
    slips = list(
        selectors.slips_for(request.user)
        .filter(complaint__department=department, raised_at__gte=start, raised_at__lt=end)
        .order_by("raised_at", "id")
    )
    review = (
        WeeklyReview.objects.select_related("reviewed_by")
        .filter(department=department, week_start=week)
        .first()
    )
    base = reverse("complaints:weekly_review", args=[department.pk])
    later = week + timedelta(weeks=1)
    return render(
        request,
        "complaints/weekly_review.html",
        {
            "department": department,
            "week": week,
            "week_end": week + timedelta(days=6),
            "complaints": complaints,
            "slips": slips,
            "review": review,
            "form": form,
            "can_review": review is None and week <= today and is_head_of(request.user, department),
            "missing": review is None and week < papers.week_of(today),
            "previous_url": f"{base}?week={(week - timedelta(weeks=1)).isoformat()}",
            "next_url": f"{base}?week={later.isoformat()}" if later <= today else "",
        },
        status=status,
    )
