"""Two writers of the same report text at once: the second save (or submission) is refused
(409) with both texts shown, nothing is overwritten, and saving again after comparing goes
through (decision 0011)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from estatedesk.org import services as org_services
from estatedesk.reports import services, services_periods
from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis, ReportStatus
from tests.complaints.conftest import at
from tests.helpers import form_version, frozen_at, stale_comparison
from tests.reports.test_period_services import cs_head, cs_supervisor

pytestmark = pytest.mark.django_db

STALE = "Someone else saved this while you were editing"


def browser(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def opened(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return form_version(response.content.decode())


def second_head_of_office_a(world: Any) -> Any:
    return org_services.save_staff(
        actor=None,
        staff=None,
        username="office_head_a2",
        display_name="管理處副主任",
        role="department_head",
        estates=[world.estate_a],
        departments=[world.office_a],
        password="correct-horse-battery",
    ).user


@pytest.mark.req("K-12")
@pytest.mark.req("P-2")
def test_two_heads_writing_the_monthly_analysis_at_once_lose_nothing(world):
    with frozen_at(at(2026, 4, 3, 10, 0)):
        (report,) = services.draft_month(year=2026, month=3, department=world.office_a)
        first, second = browser(world.users["office_head_a"]), browser(second_head_of_office_a(world))
        detail = reverse("reports:monthly_detail", args=[report.pk])
        save = reverse("reports:monthly_save", args=[report.pk])
        versions = [opened(c, detail) for c in (first, second)]

        assert (
            first.post(
                save, {"analysis": "電梯維修投訴集中", "save": "1", "based_on_version": versions[0]}
            ).status_code
            == 302
        )
        # The second head submits what they wrote, on the page opened before the first one saved.
        mine = {"analysis": "保安態度投訴上升", "submit": "1", "based_on_version": versions[1]}
        refused = second.post(save, mine)

        assert refused.status_code == 409
        html = refused.content.decode()
        assert STALE in html and stale_comparison(html) == [("電梯維修投訴集中", "保安態度投訴上升")]
        assert "Saved meanwhile by office_head_a" in html
        assert "保安態度投訴上升</textarea>" in html
        r = MonthlyReport.objects.get(pk=report.pk)
        assert (r.status, r.analysis) == (
            ReportStatus.DRAFT,
            "電梯維修投訴集中",
        )  # not submitted, not overwritten

        merged = "電梯維修投訴集中；保安態度投訴上升"
        again = second.post(save, {**mine, "analysis": merged, "based_on_version": form_version(html)})
        assert again.status_code == 302
    r = MonthlyReport.objects.get(pk=report.pk)
    assert (r.status, r.analysis) == (ReportStatus.SUBMITTED, merged)


@pytest.mark.req("K-13")
@pytest.mark.req("P-2")
def test_two_customer_service_writers_of_the_quarterly_analysis_lose_nothing(world):
    with frozen_at(at(2026, 4, 3, 9, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
        first, second = browser(cs_supervisor(world)), browser(cs_head(world))
        detail = reverse("reports:quarterly_detail", args=[analysis.pk])
        save = reverse("reports:quarterly_save", args=[analysis.pk])
        versions = [opened(c, detail) for c in (first, second)]

        assert (
            first.post(
                save, {"analysis": "維修類為主", "save": "1", "based_on_version": versions[0]}
            ).status_code
            == 302
        )
        mine = {"analysis": "工程部需加強", "publish": "1", "based_on_version": versions[1]}
        refused = second.post(save, mine)

        assert refused.status_code == 409
        html = refused.content.decode()
        assert STALE in html and stale_comparison(html) == [("維修類為主", "工程部需加強")]
        assert "工程部需加強</textarea>" in html
        a = QuarterlyAnalysis.objects.get(pk=analysis.pk)
        assert (a.status, a.analysis) == ("draft", "維修類為主")
        again = second.post(save, {**mine, "based_on_version": form_version(html)})
        assert again.status_code == 302
    a = QuarterlyAnalysis.objects.get(pk=analysis.pk)
    assert (a.status, a.analysis) == ("published", "工程部需加強")


@pytest.mark.req("K-15")
@pytest.mark.req("P-2")
def test_the_deputy_gm_and_the_gm_writing_the_annual_summary_at_once_lose_nothing(world):
    from estatedesk.core.models import CompanySettings

    # The GM writes the summary only in the deputy GM's place, when the settings allow it (0017).
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=True)
    with frozen_at(at(2027, 1, 5, 10, 0)):
        summary = services_periods.draft_year(year=2026)
        first, second = browser(world.users["deputy_gm"]), browser(world.users["gm"])
        detail = reverse("reports:annual_detail", args=[summary.pk])
        save = reverse("reports:annual_save", args=[summary.pk])
        versions = [opened(c, detail) for c in (first, second)]

        assert (
            first.post(
                save, {"summary": "全年投訴下降", "save": "1", "based_on_version": versions[0]}
            ).status_code
            == 302
        )
        mine = {"summary": "電梯投訴仍多", "save": "1", "based_on_version": versions[1]}
        refused = second.post(save, mine)

        assert refused.status_code == 409
        html = refused.content.decode()
        assert STALE in html and stale_comparison(html) == [("全年投訴下降", "電梯投訴仍多")]
        assert AnnualSummary.objects.get(pk=summary.pk).summary == "全年投訴下降"
        assert second.post(save, {**mine, "based_on_version": form_version(html)}).status_code == 302
    assert AnnualSummary.objects.get(pk=summary.pk).summary == "電梯投訴仍多"
