"""Monthly report records: drafted once per department and month, frozen when submitted (SPEC K-12)."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from estatedesk.complaints import services as complaint_services
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.org.models import Department, Developer
from estatedesk.reports import services
from estatedesk.reports.models import MonthlyReport, ReportStatus
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("K-12")]


def _company_departments() -> int:
    return Department.objects.filter(active=True, developer__isnull=True).count()


def _march_report(world: Any) -> MonthlyReport:
    return MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)


def test_drafting_a_month_twice_makes_one_report_per_department(world: Any) -> None:
    developer = Developer.objects.create(name="開發商")
    Department.objects.create(name="開發商客服", kind="developer_cs", developer=developer)
    Department.objects.create(name="已撤銷部門", kind="engineering", active=False)
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 1, 9, 0)):
        first = services.draft_month(year=2026, month=3)
        second = services.draft_month(year=2026, month=3)

    assert len(first) == len(second) == _company_departments() == 4
    assert [r.pk for r in first] == [r.pk for r in second]
    assert MonthlyReport.objects.count() == 4  # not the developer's, not the inactive one
    report = _march_report(world)
    assert report.status == ReportStatus.DRAFT
    assert report.figures["received"] == 1
    assert report.figures["on_time"] == {"numerator": 0, "denominator": 0}


def test_a_draft_is_refreshed_with_the_live_figures(world: Any) -> None:
    with frozen_at(at(2026, 4, 1, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
    assert _march_report(world).figures["received"] == 0
    with frozen_at(at(2026, 3, 20, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 2, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
    assert _march_report(world).figures["received"] == 1
    assert MonthlyReport.objects.count() == 1


def test_catching_up_three_missed_months_makes_three_reports_per_department(world: Any) -> None:
    with frozen_at(at(2026, 1, 1, 0, 30)):
        made = services.catch_up(at(2026, 1, 1, 0, 30))
    assert {(r.year, r.month) for r in made} == {(2025, 12)}
    departments = _company_departments()
    assert MonthlyReport.objects.count() == departments

    # The laptop was off for January, February and March.
    with frozen_at(at(2026, 4, 2, 0, 30)):
        services.catch_up(at(2026, 4, 2, 0, 30))
    assert MonthlyReport.objects.count() == departments * 4
    for month in (1, 2, 3):
        assert MonthlyReport.objects.filter(year=2026, month=month).count() == departments

    with frozen_at(at(2026, 4, 3, 0, 30)):
        services.catch_up(at(2026, 4, 3, 0, 30))
    assert MonthlyReport.objects.count() == departments * 4


def test_catch_up_works_in_company_time(world: Any) -> None:
    # 31 March 17:00 UTC is 1 April 01:00 in Shanghai: March has ended for the company.
    with frozen_at(at(2026, 4, 1, 1, 0)):
        made = services.catch_up(at(2026, 4, 1, 1, 0))
    assert {(r.year, r.month) for r in made} == {(2026, 3)}


def _submitted_march(world: Any) -> tuple[MonthlyReport, Any]:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        complaint = record(world)
    with frozen_at(at(2026, 4, 1, 0, 30)):
        services.draft_month(year=2026, month=3)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        report = services.submit(
            actor=world.users["office_head_a"], report=_march_report(world), analysis="  維修類投訴為主。 "
        )
    return report, complaint


def test_a_submitted_report_is_frozen_but_shows_that_live_figures_differ(world: Any) -> None:
    report, complaint = _submitted_march(world)
    assert report.status == ReportStatus.SUBMITTED
    assert report.analysis == "維修類投訴為主。"
    assert report.submitted_by is not None and report.submitted_by.user == world.users["office_head_a"]
    assert report.submitted_at is not None
    frozen = dict(report.figures)
    assert frozen["undecided"] == 1 and frozen["valid"] == 0
    assert not services.live_differs(report)

    with frozen_at(at(2026, 4, 5, 10, 0)):
        complaint_services.assess(
            actor=world.users["handler_a"],
            complaint=complaint,
            cause="maintenance",
            serious=False,
            urgent=False,
        )
        services.draft_month(year=2026, month=3)  # the period job leaves it alone
        services.catch_up(at(2026, 4, 5, 10, 0))

    report.refresh_from_db()
    assert report.figures == frozen
    assert report.status == ReportStatus.SUBMITTED
    assert services.live_differs(report)
    assert MonthlyReport.objects.filter(department=world.office_a, year=2026, month=3).count() == 1


def test_only_the_head_of_the_department_submits(world: Any) -> None:
    with frozen_at(at(2026, 4, 1, 0, 30)):
        services.draft_month(year=2026, month=3)
    report = _march_report(world)
    with frozen_at(at(2026, 4, 2, 10, 0)):
        for persona in ("handler_a", "department_head", "deputy_gm"):
            with pytest.raises(NotAllowed):
                services.submit(actor=world.users[persona], report=report, analysis="分析")
        with pytest.raises(InvalidInput) as blank:
            services.submit(actor=world.users["office_head_a"], report=report, analysis="  \n ")
        assert blank.value.field == "analysis"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT


def test_a_month_cannot_be_submitted_before_it_ends(world: Any) -> None:
    with frozen_at(at(2026, 3, 20, 10, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
        with pytest.raises(InvalidInput):
            services.submit(actor=world.users["office_head_a"], report=_march_report(world), analysis="分析")


def test_a_second_submission_is_already_handled(world: Any) -> None:
    report, _complaint = _submitted_march(world)
    with frozen_at(at(2026, 4, 4, 10, 0)), pytest.raises(AlreadyHandled):
        services.submit(actor=world.users["office_head_a"], report=report.pk, analysis="再交一次")
    report.refresh_from_db()
    assert report.analysis == "維修類投訴為主。"


def test_the_command_drafts_a_given_month_or_catches_up(world: Any) -> None:
    out = StringIO()
    with frozen_at(at(2026, 4, 2, 9, 0)):
        call_command("draft_monthly_reports", "--year", "2026", "--month", "2", stdout=out)
        call_command("draft_monthly_reports", stdout=out)
        call_command("draft_monthly_reports", stdout=out)
    departments = _company_departments()
    assert MonthlyReport.objects.filter(year=2026, month=2).count() == departments
    assert MonthlyReport.objects.filter(year=2026, month=3).count() == departments
    assert MonthlyReport.objects.count() == departments * 2
    assert "2026-02" in out.getvalue() and "2026-03" in out.getvalue()


def test_the_periodic_task_catches_up(world: Any) -> None:
    from estatedesk.reports.tasks import draft_monthly_reports

    with frozen_at(at(2026, 4, 2, 0, 30)):
        made = draft_monthly_reports.call_local()
    assert made == _company_departments()
