"""The reports as record types (SPEC D-1, D-2): monthly reports, quarterly analyses and annual
summaries kept two years from when they were issued, archived with their figures, timelines and
workbooks, and disposed of without changing what the later quarter and year show."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from estatedesk.core.clock import company_zone
from estatedesk.records import periods, registry
from estatedesk.reports import services, services_periods
from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis, ReportEvent
from tests.complaints.conftest import at
from tests.helpers import frozen_at
from tests.reports.test_exports import reviewed_march, submitted_march
from tests.reports.test_period_services import cs_supervisor

pytestmark = pytest.mark.django_db


def _type(key: str) -> registry.RecordType:
    record_type = registry.record_type(key)
    assert record_type is not None, f"{key} is not registered"
    return record_type


def _past(key: str, now: datetime) -> set[int]:
    cutoff = periods.cutoff(now, 24, company_zone())
    return set(_type(key).past_retention(cutoff).values_list("pk", flat=True))


def _reviewed_without_action(world: Any) -> MonthlyReport:
    report = submitted_march(world, analysis="维修类投诉占六成。")
    with frozen_at(at(2026, 4, 6, 10, 0)):  # reviewed on 6 April 2026, 10:00 company time
        return services.review(
            actor=world.users["deputy_gm"], report=report, decision="no_action", note="同意"
        )


def _the_year(world: Any) -> tuple[MonthlyReport, QuarterlyAnalysis, AnnualSummary]:
    report = _reviewed_without_action(world)
    with frozen_at(at(2026, 4, 7, 9, 0)):
        quarter = services_periods.draft_quarter(year=2026, quarter=1)
        quarter = services_periods.publish_quarter(
            actor=cs_supervisor(world), analysis=quarter, text="第一季度分析"
        )
    with frozen_at(at(2027, 1, 4, 9, 0)):
        year = services_periods.draft_year(year=2026)
        year = services_periods.publish_annual(actor=world.users["deputy_gm"], summary=year, text="年度总结")
    return report, quarter, year


@pytest.mark.req("D-1")
def test_the_reports_are_kept_by_the_deputy_gm_from_when_they_were_issued(world: Any) -> None:
    for key in ("monthly_reports", "quarterly_reports", "annual_reports"):
        record_type = _type(key)
        with translation.override("en"):
            assert str(record_type.owner) == "Deputy general manager"
        assert record_type.default_months == 24


@pytest.mark.req("D-1")
def test_a_monthly_report_one_day_inside_retention_stays_and_one_day_past_goes(world: Any) -> None:
    report = _reviewed_without_action(world)
    # Reviewed on 6 April 2026: kept through 6 April 2028, company time.
    assert report.pk not in _past("monthly_reports", at(2028, 4, 6, 23, 59))
    assert report.pk in _past("monthly_reports", at(2028, 4, 7, 0, 0))


@pytest.mark.req("D-1")
def test_a_report_not_yet_issued_is_never_past_retention(world: Any) -> None:
    report = submitted_march(world)  # waiting for review
    assert report.pk not in _past("monthly_reports", at(2030, 1, 1, 0, 0))
    with frozen_at(at(2026, 4, 2, 9, 0)):
        draft = services_periods.draft_quarter(year=2026, quarter=1)
    assert draft.pk not in _past("quarterly_reports", at(2030, 1, 1, 0, 0))


@pytest.mark.req("D-2")
def test_a_monthly_report_an_action_was_opened_from_stays_while_the_action_is_kept(world: Any) -> None:
    report = reviewed_march(world)  # the review opened a corrective action from it
    assert report.pk not in _past("monthly_reports", at(2030, 1, 1, 0, 0))
    assert _type("monthly_reports").dispose([report.pk]) == 0
    assert MonthlyReport.objects.filter(pk=report.pk).exists()
    assert MonthlyReport.history.filter(id=report.pk).exists()


@pytest.mark.req("D-2")
def test_the_archive_holds_the_stored_figures_the_timeline_and_the_workbook(world: Any) -> None:
    report, quarter, year = _the_year(world)
    batch = _type("monthly_reports").archive([report.pk])
    [record] = batch.records
    assert record["id"] == report.pk and record["figures"] == report.figures
    assert record["department"] == world.office_a.name and record["analysis"] == "维修类投诉占六成。"
    assert record["review_note"] == "同意"
    assert [event["kind"] for event in record["events"]] == list(
        report.events.order_by("at", "pk").values_list("kind", flat=True)
    )
    assert len(batch.csv_rows) == 1 and len(batch.csv_rows[0]) == len(batch.csv_header)
    [workbook] = batch.files
    assert workbook.name.startswith("monthly_reports/files/") and workbook.name.endswith(".xlsx")
    assert workbook.data is not None
    assert openpyxl.load_workbook(io.BytesIO(workbook.data)).sheetnames
    labels = _type("monthly_reports").labels([report.pk])
    assert labels == {report.pk: f"{world.office_a.name} 2026年3月"}
    assert _type("monthly_reports").find(labels[report.pk]) == report.pk

    for key, row in (("quarterly_reports", quarter), ("annual_reports", year)):
        batch = _type(key).archive([row.pk])
        assert batch.records[0]["figures"] == row.figures and batch.files[0].data
        label = _type(key).labels([row.pk])[row.pk]
        assert _type(key).find(label) == row.pk


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    # The form's token changes with every page; everything else must read the same.
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


@pytest.mark.req("D-2")
def test_disposing_of_a_month_leaves_the_quarter_and_year_showing_their_own_figures(world: Any) -> None:
    report, quarter, year = _the_year(world)
    pages = [
        reverse("reports:quarterly_detail", args=[quarter.pk]),
        reverse("reports:annual_detail", args=[year.pk]),
        reverse("reports:dashboard"),
    ]
    with frozen_at(at(2028, 5, 1, 9, 0)):
        reader = world.client("deputy_gm")  # signed in now: the session's idle limit is thirty minutes
        before = [_page(reader, url) for url in pages]
        monthly = _type("monthly_reports")
        assert report.pk in _past("monthly_reports", at(2028, 5, 1, 9, 0))
        assert monthly.dispose([report.pk]) == 1
        assert monthly.dispose([report.pk]) == 0  # a second time: nothing left to do
        after = [_page(reader, url) for url in pages]
    assert not MonthlyReport.objects.filter(pk=report.pk).exists()
    assert not MonthlyReport.history.filter(id=report.pk).exists()
    assert not ReportEvent.objects.filter(monthly_report_id=report.pk).exists()
    assert QuarterlyAnalysis.objects.get(pk=quarter.pk).figures == quarter.figures
    assert AnnualSummary.objects.get(pk=year.pk).figures == year.figures
    assert after[:2] == before[:2]  # the quarter and the year read exactly as before
    assert world.office_a.name in after[0]


@pytest.mark.req("D-2")
def test_a_quarter_and_a_year_are_disposed_of_with_their_timelines_and_history(world: Any) -> None:
    _report, quarter, year = _the_year(world)
    assert quarter.pk in _past("quarterly_reports", at(2028, 4, 8, 0, 0))
    assert year.pk not in _past("annual_reports", at(2029, 1, 4, 23, 0))
    assert year.pk in _past("annual_reports", at(2029, 1, 5, 0, 0))
    for key, model, row in (
        ("quarterly_reports", QuarterlyAnalysis, quarter),
        ("annual_reports", AnnualSummary, year),
    ):
        assert _type(key).dispose([row.pk]) == 1
        assert _type(key).dispose([row.pk]) == 0
        assert not model.objects.filter(pk=row.pk).exists()
        assert not model.history.filter(id=row.pk).exists()
