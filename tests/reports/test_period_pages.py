"""The quarterly analysis and annual summary pages (SPEC K-13, K-15, I-2, A-1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.improvement import services as improvement
from estatedesk.reports import services_periods
from estatedesk.reports.models import AnnualSummary, PeriodStatus, QuarterlyAnalysis
from tests.complaints.conftest import at
from tests.helpers import frozen_at
from tests.reports.test_period_services import cs_supervisor, first_quarter_2026

pytestmark = pytest.mark.django_db


def _version(record: QuarterlyAnalysis | AnnualSummary) -> int:
    """The version of the text the page's form carries now."""
    return type(record).objects.get(pk=record.pk).edit_version


def _login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _html(response: Any) -> str:
    return response.content.decode()


def _q1(world: Any) -> QuarterlyAnalysis:
    first_quarter_2026(world)
    with frozen_at(at(2026, 4, 1, 1, 0)):
        return services_periods.draft_quarter(year=2026, quarter=1)


@pytest.mark.req("K-13")
def test_customer_service_publishes_the_analysis_through_the_page(world: Any) -> None:
    analysis = _q1(world)
    writer = _login(cs_supervisor(world))
    detail = reverse("reports:quarterly_detail", args=[analysis.pk])
    save = reverse("reports:quarterly_save", args=[analysis.pk])
    with frozen_at(at(2026, 4, 3, 9, 0)):
        page = writer.get(detail)
        assert page.status_code == 200
        html = _html(page)
        assert 'name="analysis"' in html and 'name="publish"' in html
        # The figures are on the page: departments, totals against Q4 2025, charts and tables.
        assert world.office_a.name in html and world.office_b.name in html
        assert "2025年第4季度" in html
        for chart in ("chart-trend", "chart-rates", "chart-pareto"):
            assert f'id="{chart}"' in html and f'data-chart="{chart}"' in html
        assert "vendor/echarts/echarts.min.js" in html and "estatedesk/charts.js" in html
        assert "66.7% (2 / 3)" in html  # the company's on-time rate: J1 J2 of J1 J2 M1

        saved = writer.post(
            save, {"analysis": "維修類投訴為主（初稿）", "save": "1", "based_on_version": _version(analysis)}
        )
        assert saved.status_code == 302
        analysis.refresh_from_db()
        assert analysis.analysis == "維修類投訴為主（初稿）" and analysis.status == PeriodStatus.DRAFT

    # Twenty minutes later (the session's idle limit is thirty).
    with frozen_at(at(2026, 4, 3, 9, 20)):
        published = writer.post(
            save,
            {
                "analysis": "維修類投訴佔六成，工程部需加強。",
                "publish": "1",
                "based_on_version": _version(analysis),
            },
            follow=True,
        )
    assert published.status_code == 200
    html = _html(published)
    assert "客服主管" in html and "2026-04-03 09:20" in html and 'id="published-by"' in html
    assert 'name="analysis"' not in html  # read-only for everyone now, the writer included
    assert "維修類投訴佔六成，工程部需加強。" in html
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.PUBLISHED
    assert analysis.published_by is not None and analysis.published_by.display_name == "客服主管"


@pytest.mark.req("K-13")
def test_a_blank_analysis_is_refused_and_nothing_is_lost(world: Any) -> None:
    analysis = _q1(world)
    writer = _login(cs_supervisor(world))
    save = reverse("reports:quarterly_save", args=[analysis.pk])
    with frozen_at(at(2026, 4, 3, 9, 0)):
        writer.post(save, {"analysis": "已保存的初稿", "save": "1", "based_on_version": _version(analysis)})
        blank = writer.post(
            save,
            {"analysis": "  \n  ", "publish": "1", "based_on_version": _version(analysis)},
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert blank.status_code == 422
    html = _html(blank)
    # The message sits under the text box, which is still there to write in.
    assert 'invalid-feedback d-block">Write the analysis before publishing.' in html
    assert 'name="analysis"' in html
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT
    assert analysis.analysis == "已保存的初稿"  # the saved draft is not wiped by the refused publish


@pytest.mark.req("K-13")
def test_publishing_before_the_quarter_ends_keeps_the_typed_text(world: Any) -> None:
    writer = _login(cs_supervisor(world))
    with frozen_at(at(2026, 3, 20, 10, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
        page = writer.get(reverse("reports:quarterly_detail", args=[analysis.pk]))
        assert 'name="publish" value="1" disabled' in _html(page)
        refused = writer.post(
            reverse("reports:quarterly_save", args=[analysis.pk]),
            {"analysis": "季度未完的分析", "publish": "1", "based_on_version": _version(analysis)},
        )
    assert refused.status_code == 422
    assert "季度未完的分析" in _html(refused)
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT and analysis.analysis == ""


@pytest.mark.req("K-13")
def test_every_staff_member_reads_the_published_analysis(world: Any) -> None:
    analysis = _q1(world)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        services_periods.publish_quarter(
            actor=cs_supervisor(world), analysis=analysis, text="全公司的季度分析"
        )
    detail = reverse("reports:quarterly_detail", args=[analysis.pk])
    for persona in ("handler_b", "colleague_a", "department_head", "auditor"):
        client = world.client(persona)
        listing = _html(client.get(reverse("reports:quarterly_list")))
        assert detail in listing and "客服主管" in listing, persona
        page = client.get(detail)
        assert page.status_code == 200, persona
        html = _html(page)
        assert "全公司的季度分析" in html and 'id="published-by"' in html
        assert 'name="analysis"' not in html
        assert 'id="draft-quarter"' not in listing  # only writers draft


@pytest.mark.req("K-13")
def test_a_draft_is_not_found_for_staff_outside_customer_service(world: Any) -> None:
    analysis = _q1(world)
    pk = analysis.pk
    client = world.client("handler_b")
    assert reverse("reports:quarterly_detail", args=[pk]) not in _html(
        client.get(reverse("reports:quarterly_list"))
    )
    for name in ("quarterly_detail", "quarterly_print", "quarterly_pdf", "quarterly_xlsx"):
        assert client.get(reverse(f"reports:{name}", args=[pk])).status_code == 404, name
    with frozen_at(at(2026, 4, 3, 10, 0)):
        response = client.post(
            reverse("reports:quarterly_save", args=[pk]),
            {"analysis": "x", "publish": "1", "based_on_version": 0},
        )
    assert response.status_code == 404
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT


@pytest.mark.req("K-13")
def test_the_leadership_reads_a_draft_but_only_customer_service_writes_it(world: Any) -> None:
    analysis = _q1(world)
    client = world.client("deputy_gm")
    page = client.get(reverse("reports:quarterly_detail", args=[analysis.pk]))
    assert page.status_code == 200 and 'name="analysis"' not in _html(page)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        refused = client.post(
            reverse("reports:quarterly_save", args=[analysis.pk]),
            {"analysis": "副總的意見", "publish": "1", "based_on_version": _version(analysis)},
        )
        drafting = client.post(reverse("reports:quarterly_draft"), {"year": 2026, "quarter": 2})
    assert refused.status_code == 403
    assert drafting.status_code == 403
    analysis.refresh_from_db()
    assert analysis.status == PeriodStatus.DRAFT and analysis.analysis == ""
    assert QuarterlyAnalysis.objects.count() == 1


@pytest.mark.req("K-13")
def test_a_writer_drafts_a_quarter_on_demand(world: Any) -> None:
    writer = _login(cs_supervisor(world))
    with frozen_at(at(2026, 5, 10, 10, 0)):
        listing = writer.get(reverse("reports:quarterly_list"))
        assert 'id="draft-quarter"' in _html(listing)
        made = writer.post(reverse("reports:quarterly_draft"), {"year": 2026, "quarter": 1})
        again = writer.post(reverse("reports:quarterly_draft"), {"year": 2026, "quarter": 1})
        future = writer.post(reverse("reports:quarterly_draft"), {"year": 2026, "quarter": 4})
    analysis = QuarterlyAnalysis.objects.get()
    assert made.status_code == again.status_code == 302
    assert made["Location"] == reverse("reports:quarterly_detail", args=[analysis.pk])
    assert future.status_code == 422
    assert 'id="draft-quarter"' in _html(future)
    assert QuarterlyAnalysis.objects.count() == 1


@pytest.mark.req("K-13")
@pytest.mark.req("A-1")
def test_the_quarterly_list_takes_the_same_queries_for_more_analyses(world: Any) -> None:
    author = cs_supervisor(world)
    writer = _login(author)
    with frozen_at(at(2026, 4, 2, 10, 0)):
        services_periods.draft_quarter(year=2026, quarter=1)
        writer.get(reverse("reports:quarterly_list"))  # warm the session and the company zone
        with CaptureQueriesContext(connection) as one:
            assert writer.get(reverse("reports:quarterly_list")).status_code == 200
        for quarter in (1, 2, 3, 4):
            a = services_periods.draft_quarter(year=2025, quarter=quarter)
            services_periods.edit_quarter(actor=author, analysis=a, text="分析")
            services_periods.publish_quarter(actor=author, analysis=a, text="分析")
        with CaptureQueriesContext(connection) as five:
            response = writer.get(reverse("reports:quarterly_list"))
    assert response.content.decode().count("reports/quarterly/") >= 5
    assert len(five) == len(one)


# --- the annual summary -----------------------------------------------------------------------


def _year_2026(world: Any) -> AnnualSummary:
    first_quarter_2026(world)
    with frozen_at(at(2026, 5, 10, 10, 0)):
        improvement.open_action(
            actor=world.users["deputy_gm"],
            kind="corrective",
            source="inspection",
            source_reference="2026年5月電梯巡檢",
            title="電梯維保不及時",
            problem="3栋电梯一月内停运两次",
            department=world.engineering,
        )
    with frozen_at(at(2027, 1, 1, 1, 0)):
        return services_periods.draft_year(year=2026)


@pytest.mark.req("K-15")
@pytest.mark.req("I-2")
def test_the_deputy_gm_writes_and_issues_the_annual_summary(world: Any) -> None:
    summary = _year_2026(world)
    detail = reverse("reports:annual_detail", args=[summary.pk])
    with frozen_at(at(2027, 1, 5, 9, 50)):
        client = world.client("deputy_gm")
        page = client.get(detail)
    assert page.status_code == 200
    html = _html(page)
    assert 'name="summary"' in html and 'name="issue"' in html
    for chart in ("chart-trend", "chart-rates", "chart-pareto", "chart-estates"):
        assert f'data-chart="{chart}"' in html
    assert "電梯維保不及時" in html and "2026年5月電梯巡檢" in html  # the year's action, with its source
    assert 'id="monthly-reports"' in html and 'id="surveys"' in html
    assert "2026年12月" in html and world.estate_b.name in html  # twelve monthly columns, by estate
    assert world.office_b.name in html

    save = reverse("reports:annual_save", args=[summary.pk])
    with frozen_at(at(2027, 1, 5, 10, 0)):
        blank = client.post(save, {"summary": " ", "issue": "1", "based_on_version": _version(summary)})
        assert blank.status_code == 422 and 'name="summary"' in _html(blank)
        issued = client.post(
            save,
            {"summary": "全年投訴總結，提交管理評審。", "issue": "1", "based_on_version": _version(summary)},
            follow=True,
        )
    html = _html(issued)
    assert 'id="published-by"' in html and "deputy_gm" in html and "2027-01-05 10:00" in html
    assert 'name="summary"' not in html
    summary.refresh_from_db()
    assert summary.status == PeriodStatus.PUBLISHED and summary.summary == "全年投訴總結，提交管理評審。"

    # Department heads read the issued summary, not an editor.
    with frozen_at(at(2027, 1, 6, 9, 0)):
        page = world.client("department_head").get(detail)
    assert page.status_code == 200 and "全年投訴總結" in _html(page) and 'name="summary"' not in _html(page)


@pytest.mark.req("K-15")
def test_annual_pages_are_not_found_for_handlers(world: Any) -> None:
    summary = _year_2026(world)
    with frozen_at(at(2027, 1, 5, 10, 0)):
        services_periods.publish_annual(actor=world.users["deputy_gm"], summary=summary, text="總結")
    for persona in ("handler_a", "handler_b", "colleague_a"):
        client = world.client(persona)
        for name in ("annual_detail", "annual_print", "annual_pdf", "annual_xlsx"):
            assert client.get(reverse(f"reports:{name}", args=[summary.pk])).status_code == 404, (
                persona,
                name,
            )
        assert (
            client.post(reverse("reports:annual_save", args=[summary.pk]), {"summary": "x"}).status_code
            == 404
        )
        listing = client.get(reverse("reports:annual_list"))
        assert reverse("reports:annual_detail", args=[summary.pk]) not in _html(listing)
        assert client.post(reverse("reports:annual_draft"), {"year": 2025}).status_code == 403
    assert AnnualSummary.objects.count() == 1


@pytest.mark.req("K-15")
def test_a_draft_summary_is_not_found_for_department_heads(world: Any) -> None:
    summary = _year_2026(world)
    head = world.client("department_head")
    assert head.get(reverse("reports:annual_detail", args=[summary.pk])).status_code == 404


@pytest.mark.req("I-2")
def test_the_summary_says_when_no_annual_survey_was_closed(world: Any) -> None:
    summary = _year_2026(world)
    client = world.client("gm")
    html = _html(client.get(reverse("reports:annual_detail", args=[summary.pk]), HTTP_ACCEPT_LANGUAGE="en"))
    section = html[html.index('id="surveys"') :]
    assert "No annual satisfaction survey was closed for 2026." in section[:600]


@pytest.mark.req("K-15")
@pytest.mark.req("A-1")
def test_the_annual_list_takes_the_same_queries_for_more_summaries(world: Any) -> None:
    with frozen_at(at(2027, 1, 5, 10, 0)):
        client = world.client("deputy_gm")
        services_periods.draft_year(year=2026)
        client.get(reverse("reports:annual_list"))
        with CaptureQueriesContext(connection) as one:
            assert client.get(reverse("reports:annual_list")).status_code == 200
        for year in (2022, 2023, 2024, 2025):
            s = services_periods.draft_year(year=year)
            services_periods.publish_annual(actor=world.users["deputy_gm"], summary=s, text="總結")
        with CaptureQueriesContext(connection) as five:
            client.get(reverse("reports:annual_list"))
    assert len(five) == len(one)


# --- print, PDF and Excel ---------------------------------------------------------------------


@pytest.mark.req("K-13")
@pytest.mark.req("A-3")
def test_the_quarterly_analysis_prints_and_exports(world: Any) -> None:
    analysis = _q1(world)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        services_periods.publish_quarter(actor=cs_supervisor(world), analysis=analysis, text="季度分析正文")
    client = world.client("handler_b")
    printed = client.get(reverse("reports:quarterly_print", args=[analysis.pk]))
    assert printed.status_code == 200 and "季度分析正文" in _html(printed)
    book = client.get(reverse("reports:quarterly_xlsx", args=[analysis.pk]))
    assert book.status_code == 200
    assert book["Content-Type"].startswith("application/vnd.openxmlformats")
    assert book.content[:2] == b"PK"
    assert "quarterly-analysis-2026-Q1" in book["Content-Disposition"]
    pdf = client.get(reverse("reports:quarterly_pdf", args=[analysis.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.req("K-15")
@pytest.mark.req("I-2")
@pytest.mark.req("A-3")
def test_without_a_pdf_library_the_page_offers_the_print_view(world: Any, monkeypatch: Any) -> None:
    from estatedesk.core.pdf import PdfUnavailable
    from estatedesk.reports import exports

    def unavailable(*args: Any, **kwargs: Any) -> bytes:
        raise PdfUnavailable("no WeasyPrint here")

    monkeypatch.setattr(exports, "annual_pdf", unavailable)
    summary = _year_2026(world)
    client = world.client("gm")
    response = client.get(reverse("reports:annual_pdf", args=[summary.pk]))
    assert response.status_code == 503
    assert reverse("reports:annual_print", args=[summary.pk]) in _html(response)
    printed = client.get(reverse("reports:annual_print", args=[summary.pk]))
    assert printed.status_code == 200 and "電梯維保不及時" in _html(printed)
    book = client.get(reverse("reports:annual_xlsx", args=[summary.pk]))
    assert book.status_code == 200 and book.content[:2] == b"PK"
