"""Monthly report pages: list, draft on demand, the head's analysis, the deputy GM's review
(SPEC K-12, K-14, A-3, P-1)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.complaints import services as complaint_services
from estatedesk.complaints.models import Complaint
from estatedesk.improvement.models import Action
from estatedesk.org.models import Department
from estatedesk.reports import services
from estatedesk.reports.models import MonthlyReport, ReportStatus
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db]

APRIL_3 = at(2026, 4, 3, 10, 0)
DUMP = False


def _version(report: MonthlyReport) -> int:
    """The version of the report's text the page's form carries now."""
    return MonthlyReport.objects.get(pk=report.pk).edit_version


def _client(world: Any, persona: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[persona])
    client.cookies["django_language"] = "en"
    return client


def _march(world: Any, department: Department | None = None) -> MonthlyReport:
    return MonthlyReport.objects.get(department=department or world.office_a, year=2026, month=3)


def _drafted_march(world: Any) -> Complaint:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        complaint = record(world)
    with frozen_at(at(2026, 4, 1, 0, 30)):
        services.draft_month(year=2026, month=3)
    return complaint


def _submitted_march(world: Any) -> tuple[MonthlyReport, Complaint]:
    complaint = _drafted_march(world)
    with frozen_at(APRIL_3):
        report = services.submit(
            actor=world.users["office_head_a"], report=_march(world), analysis="維修為主"
        )
    return report, complaint


def _html(response: Any) -> str:
    return response.content.decode()


# --- list and scope ------------------------------------------------------------------------


@pytest.mark.req("P-1")
@pytest.mark.req("K-12")
def test_staff_see_only_their_departments_reports(world: Any) -> None:
    _drafted_march(world)
    office_a_report = _march(world)
    office_b_report = _march(world, world.office_b)
    with frozen_at(APRIL_3):
        handler_b = _client(world, "handler_b")
        listing = _html(handler_b.get(reverse("reports:monthly_list")))
        assert f"report-{office_b_report.pk}" in listing
        assert f"report-{office_a_report.pk}" not in listing
        assert "翠湖花園管理處" not in listing.split('id="monthly-reports"')[1]
        for name in ("monthly_detail", "monthly_print", "monthly_pdf", "monthly_xlsx"):
            url = reverse(f"reports:{name}", args=[office_a_report.pk])
            assert handler_b.get(url).status_code == 404, name
        for name in ("monthly_save", "monthly_review"):
            url = reverse(f"reports:{name}", args=[office_a_report.pk])
            assert handler_b.post(url, {"analysis": "x", "decision": "no_action"}).status_code == 404, name
        assert handler_b.get(reverse("reports:monthly_detail", args=[office_b_report.pk])).status_code == 200

        # The deputy GM sees every department's report.
        everything = _html(_client(world, "deputy_gm").get(reverse("reports:monthly_list")))
        assert f"report-{office_a_report.pk}" in everything and f"report-{office_b_report.pk}" in everything


@pytest.mark.req("K-12")
def test_the_list_filters_by_department_month_and_status(world: Any) -> None:
    _submitted_march(world)
    with frozen_at(APRIL_3):
        services.draft_month(year=2026, month=2, department=world.office_a)
        client = _client(world, "deputy_gm")
        url = reverse("reports:monthly_list")
        by_status = _html(client.get(url, {"status": "submitted"}))
        assert f"report-{_march(world).pk}" in by_status
        assert f"report-{_march(world, world.office_b).pk}" not in by_status
        february = MonthlyReport.objects.get(department=world.office_a, year=2026, month=2)
        by_month = _html(client.get(url, {"year": 2026, "month": 2, "department": world.office_a.pk}))
        assert f"report-{february.pk}" in by_month and f"report-{_march(world).pk}" not in by_month
        # A month typed by hand that is not one is a form error, not a 500.
        assert client.get(url, {"month": 13}).status_code == 200


@pytest.mark.req("K-12")
@pytest.mark.req("A-3")
def test_the_list_exports_to_excel_within_scope(world: Any) -> None:
    _submitted_march(world)
    with frozen_at(APRIL_3):
        response = _client(world, "handler_a").get(reverse("reports:monthly_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Department"
    assert [r[0] for r in rows[1:]] == ["翠湖花園管理處"]
    assert rows[1][1:5] == (2026, 3, "Submitted", 1)


@pytest.mark.req("K-12")
@pytest.mark.req("A-1")
def test_the_list_page_query_count_does_not_grow_with_reports(world: Any) -> None:
    url = reverse("reports:monthly_list")

    def count() -> int:
        client = _client(world, "deputy_gm")
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    with frozen_at(APRIL_3):
        services.draft_month(year=2026, month=3)
        few = count()
        for month in (1, 2):
            services.draft_month(year=2026, month=month)
        services.submit(actor=world.users["office_head_a"], report=_march(world), analysis="分析")
        many = count()
    assert MonthlyReport.objects.count() == 12
    assert few == many


# --- drafting on demand ----------------------------------------------------------------------


@pytest.mark.req("K-12")
def test_a_head_drafts_a_month_of_their_department_on_demand(world: Any) -> None:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    url = reverse("reports:monthly_draft")
    with frozen_at(APRIL_3):
        head = _client(world, "office_head_a")
        listing = _html(head.get(reverse("reports:monthly_list")))
        assert 'id="monthly-draft"' in listing

        response = head.post(url, {"year": 2026, "month": 3, "department": world.office_a.pk})
        report = _march(world)
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:monthly_detail", args=[report.pk])
        assert report.figures["received"] == 1 and report.status == ReportStatus.DRAFT

        # The current month is a preview; it exists but cannot be submitted yet.
        assert head.post(url, {"year": 2026, "month": 4, "department": world.office_a.pk}).status_code == 302

        bad = head.post(url, {"year": 2026, "month": 13, "department": world.office_a.pk})
        assert bad.status_code == 422
        assert 'id="monthly-draft" open' in _html(bad)
        assert 'value="2026"' in _html(bad)

        future = head.post(url, {"year": 2026, "month": 6, "department": world.office_a.pk})
        assert future.status_code == 422 and "This month has not begun yet." in _html(future)

        other = head.post(url, {"year": 2026, "month": 3, "department": world.office_b.pk})
        assert other.status_code == 422
        assert not MonthlyReport.objects.filter(department=world.office_b).exists()

        assert _client(world, "handler_a").post(url, {"year": 2026, "month": 3}).status_code == 403
        deputy = _client(world, "deputy_gm")
        assert (
            deputy.post(url, {"year": 2026, "month": 3, "department": world.office_b.pk}).status_code == 302
        )
    assert MonthlyReport.objects.filter(department=world.office_b, year=2026, month=3).count() == 1
    assert MonthlyReport.objects.filter(department=world.office_a, year=2026, month=3).count() == 1


# --- the head's analysis ---------------------------------------------------------------------


@pytest.mark.req("K-12")
def test_the_head_saves_and_submits_the_analysis_through_the_page(world: Any) -> None:
    _drafted_march(world)
    report = _march(world)
    save = reverse("reports:monthly_save", args=[report.pk])
    detail = reverse("reports:monthly_detail", args=[report.pk])
    with frozen_at(APRIL_3):
        head = _client(world, "office_head_a")
        page = _html(head.get(detail))
        assert 'action="' + save + '"' in page
        assert 'name="submit"' in page
        assert "How these figures are computed" in page
        assert 'data-chart="chart-category-pareto"' in page

        # Others see the report but not the form.
        assert save not in _html(_client(world, "handler_a").get(detail))
        assert (
            _client(world, "handler_a")
            .post(save, {"analysis": "x", "submit": "1", "based_on_version": _version(report)})
            .status_code
            == 403
        )

        blank = head.post(save, {"analysis": "   ", "submit": "1", "based_on_version": _version(report)})
        assert blank.status_code == 422
        assert "Write the analysis before submitting." in _html(blank)

        saved = head.post(
            save, {"analysis": "電梯維修投訴集中於3栋", "save": "1", "based_on_version": _version(report)}
        )
        assert saved.status_code == 302
        report.refresh_from_db()
        assert report.analysis == "電梯維修投訴集中於3栋" and report.status == ReportStatus.DRAFT
        assert "電梯維修投訴集中於3栋" in _html(head.get(detail))

        submitted = head.post(
            save,
            {"analysis": "電梯維修投訴集中於3栋。", "submit": "1", "based_on_version": _version(report)},
            follow=True,
        )
        assert "Submitted to the deputy general manager." in _html(submitted)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by is not None and report.submitted_by.user == world.users["office_head_a"]
    with frozen_at(APRIL_3):
        again = _client(world, "office_head_a").post(
            save, {"analysis": "再交", "submit": "1", "based_on_version": _version(report)}
        )
    assert again.status_code == 409
    assert "already been submitted" in _html(again)


@pytest.mark.req("K-12")
def test_submitting_before_the_month_ends_keeps_the_typed_text(world: Any) -> None:
    with frozen_at(at(2026, 3, 20, 10, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
        report = _march(world)
        response = _client(world, "office_head_a").post(
            reverse("reports:monthly_save", args=[report.pk]),
            {"analysis": "三月初步分析", "submit": "1", "based_on_version": _version(report)},
        )
    assert response.status_code == 422
    html = _html(response)
    assert "The month is not over yet" in html
    assert "三月初步分析" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.analysis == ""


# --- the deputy GM's review ------------------------------------------------------------------


@pytest.mark.req("K-14")
def test_the_deputy_gm_reviews_from_the_queue_with_no_action(world: Any) -> None:
    report, _complaint = _submitted_march(world)
    review = reverse("reports:monthly_review", args=[report.pk])
    detail = reverse("reports:monthly_detail", args=[report.pk])
    with frozen_at(at(2026, 4, 4, 9, 0)):
        deputy = _client(world, "deputy_gm")
        queue = _html(deputy.get(reverse("reports:review_queue")))
        assert f"queue-{report.pk}" in queue and detail in queue
        assert _client(world, "handler_a").get(reverse("reports:review_queue")).status_code == 403
        assert 'id="review-form"' in _html(deputy.get(detail))
        assert 'id="review-form"' not in _html(_client(world, "office_head_a").get(detail))
        # Only the leadership reviews.
        assert _client(world, "office_head_a").post(review, {"decision": "no_action"}).status_code == 403

        done = deputy.post(review, {"decision": "no_action", "note": "持續關注電梯維保"}, follow=True)
        html = _html(done)
        assert "Review recorded." in html
        assert "No action needed" in html and "持續關注電梯維保" in html
        assert f"queue-{report.pk}" not in _html(deputy.get(reverse("reports:review_queue")))

        # The GM does not review unless standing in for the deputy GM (decision 0017).
        assert _client(world, "gm").post(review, {"decision": "no_action", "note": "越權"}).status_code == 403
        again = deputy.post(review, {"decision": "no_action", "note": "第二次"})
    assert again.status_code == 409
    assert "This monthly report has already been reviewed." in _html(again)
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and report.review_note == "持續關注電梯維保"
    assert report.reviewed_by is not None and report.reviewed_by.user == world.users["deputy_gm"]


@pytest.mark.req("K-14")
@pytest.mark.req("I-1")
def test_the_deputy_gm_opens_a_linked_action_in_the_review(world: Any) -> None:
    report, _complaint = _submitted_march(world)
    review = reverse("reports:monthly_review", args=[report.pk])
    with frozen_at(at(2026, 4, 4, 9, 0)):
        deputy = _client(world, "deputy_gm")
        missing = deputy.post(
            review, {"decision": "actions", "note": "需要改進", "department": world.engineering.pk}
        )
        assert missing.status_code == 422
        assert "Describe the action to open, or choose no action." in _html(missing)
        assert "需要改進" in _html(missing)
        assert not Action.objects.exists()

        done = deputy.post(
            review,
            {
                "decision": "actions",
                "note": "電梯投訴偏多",
                "kind": "corrective",
                "title": "電梯維保改進",
                "problem": "3栋电梯一個月內停運兩次",
                "department": world.engineering.pk,
            },
            follow=True,
        )
    action = Action.objects.get()
    assert action.source_report_id == report.pk
    assert action.department == world.engineering and action.kind == "corrective"
    html = _html(done)
    if DUMP:
        with open("/tmp/monthly_detail.html", "w") as f:
            f.write(html)
    assert reverse("improvement:detail", args=[action.pk]) in html
    assert action.number in html
    assert "Corrective / preventive actions opened" in html
    assert reverse("improvement:create") + f"?report={report.pk}" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and report.decision == "actions"

    # The head of the department sees the linked action too, but may not review.
    with frozen_at(at(2026, 4, 4, 9, 0)):
        head_page = _html(
            _client(world, "office_head_a").get(reverse("reports:monthly_detail", args=[report.pk]))
        )
    assert 'id="review-form"' not in head_page and "電梯投訴偏多" in head_page


# --- frozen figures ----------------------------------------------------------------------------


@pytest.mark.req("K-12")
def test_the_page_warns_when_live_figures_differ_from_the_submitted_report(world: Any) -> None:
    report, complaint = _submitted_march(world)
    detail = reverse("reports:monthly_detail", args=[report.pk])
    with frozen_at(at(2026, 4, 4, 9, 0)):
        client = _client(world, "deputy_gm")
        assert 'id="live-differs"' not in _html(client.get(detail))
    with frozen_at(at(2026, 4, 5, 10, 0)):
        complaint_services.assess(
            actor=world.users["handler_a"],
            complaint=complaint,
            cause="maintenance",
            serious=False,
            urgent=False,
        )
        client = _client(world, "deputy_gm")  # a new day, a new sign-in (sessions time out)
        frozen = _html(client.get(detail))
        live = _html(client.get(detail, {"live": "1"}))
    assert "The live figures now differ from this submitted report" in frozen
    assert f"{detail}?live=1" in frozen
    assert 'id="live-note"' in live

    def valid_count(html: str) -> str:
        row = html.split("Valid complaints</th>")[1]
        return row.split("</td>")[0].rsplit(">", 1)[1]

    assert valid_count(frozen) == "0"
    assert valid_count(live) == "1"
    report.refresh_from_db()
    assert report.figures["valid"] == 0  # showing the live figures stored nothing


# --- print, PDF and Excel of one report --------------------------------------------------------


@pytest.mark.req("A-3")
@pytest.mark.req("K-12")
def test_one_report_prints_and_exports(world: Any) -> None:
    report, _complaint = _submitted_march(world)
    with frozen_at(APRIL_3):
        client = _client(world, "office_head_a")
        printed = client.get(reverse("reports:monthly_print", args=[report.pk]))
        assert printed.status_code == 200 and "翠湖花園管理處" in _html(printed)
        workbook = client.get(reverse("reports:monthly_xlsx", args=[report.pk]))
        assert workbook.status_code == 200
        assert openpyxl.load_workbook(io.BytesIO(workbook.content)).sheetnames
        pdf = client.get(reverse("reports:monthly_pdf", args=[report.pk]))
    assert pdf.status_code in (200, 503)
    if pdf.status_code == 200:
        assert pdf.content.startswith(b"%PDF")
        assert pdf["Content-Type"] == "application/pdf"
    else:
        assert reverse("reports:monthly_print", args=[report.pk]) in _html(pdf)


@pytest.mark.req("K-12")
def test_the_page_links_each_repeat_complainants_complaints_in_order(world: Any) -> None:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        first = record(world)
    with frozen_at(at(2026, 3, 12, 10, 0)):
        second = record(world)
    with frozen_at(APRIL_3):
        services.draft_month(year=2026, month=3, department=world.office_a)
        response = _client(world, "office_head_a").get(
            reverse("reports:monthly_detail", args=[_march(world).pk])
        )
    links = ", ".join(
        f'<a href="{reverse("complaints:detail", args=[c.pk])}">{c.number}</a>' for c in (first, second)
    )
    assert response.status_code == 200
    assert links in response.content.decode()


@pytest.mark.req("K-12")
def test_the_links_filter_escapes_exactly_as_djangos_format_html_join() -> None:
    """The fast filter (decision 0063) writes what ``format_html_join`` wrote, quotes, angle
    brackets and ampersands escaped alike."""
    from django.utils.html import format_html_join

    from estatedesk.reports.presenters import ComplaintLink
    from estatedesk.reports.templatetags.report_links import complaint_links

    links = [
        ComplaintLink("TS-2026-000001", "/complaints/1/"),
        ComplaintLink("<b>\"x\" & 'y'</b>", '/c/?a=1&b="2"'),
        ComplaintLink("", ""),
    ]
    expected = format_html_join(", ", '<a href="{}">{}</a>', ((link.url, link.number) for link in links))
    assert complaint_links(links) == expected
    assert complaint_links([]) == ""


@pytest.mark.req("K-12")
def test_the_repeat_rows_filter_writes_what_the_template_loop_wrote() -> None:
    """Label and count escaped and localised as ``{{ r.label }}`` and ``{{ r.count }}`` would be."""
    from django.template import Context, Template
    from django.utils import translation

    from estatedesk.reports.presenters import ComplaintLink, RepeatRow
    from estatedesk.reports.templatetags.report_links import repeat_table_rows

    rows = [
        RepeatRow("Complainant 1", 1234, (ComplaintLink("TS-1", "/complaints/1/"),)),
        RepeatRow('<i>"2"</i> & co', 2, ()),
    ]
    loop = Template(
        "{% load report_links %}{% for r in rows %}"
        '<tr><td>{{ r.label }}</td><td class="text-end">{{ r.count }}</td>'
        "<td>{{ r.complaints|complaint_links }}</td></tr>\n{% endfor %}"
    )
    for language in ("en", "zh-hans"):
        with translation.override(language):
            assert repeat_table_rows(rows) == loop.render(Context({"rows": rows}))


@pytest.mark.req("K-12")
def test_a_long_list_of_repeat_complainants_shows_the_most_and_links_to_all(world: Any, monkeypatch) -> None:
    """A busy month's repeaters run to thousands of rows: the page shows those with the most
    complaints and says how many there are, with a link to them all (decision 0069)."""
    from estatedesk.reports import views_monthly

    monkeypatch.setattr(views_monthly, "REPEATS_SHOWN", 2)
    people = [("王小明", None, 3), ("陈阿姨", "13900001111", 2), ("李先生", "13900002222", 2)]
    for name, phone, times in people:
        for day in range(times):
            with frozen_at(at(2026, 3, 10 + day, 10, 0)):
                if phone is None:
                    record(world)  # 王小明, the customer of 3栋-1201
                else:
                    record(world, customer=None, unit=None, complainant_name=name, phone=phone)
    with frozen_at(APRIL_3):
        services.draft_month(year=2026, month=3, department=world.office_a)
        url = reverse("reports:monthly_detail", args=[_march(world).pk])
        client = _client(world, "office_head_a")
        page = _html(client.get(url))
        everything = _html(client.get(url, {"all_repeats": "1"}))
        chinese_client = Client()  # no language asked for: the default, Simplified Chinese
        chinese_client.force_login(world.users["office_head_a"])
        chinese = _html(chinese_client.get(url))
    assert "Complainant 1" in page and "Complainant 2" in page and "Complainant 3" not in page
    assert "The 2 complainants with the most complaints, of 3" in page
    assert "all_repeats=1#repeat-complainants" in page
    assert "Complainant 3" in everything and 'id="repeats-shown"' not in everything
    assert "以上为投诉次数最多的 2 位投诉人（共 3 位）" in chinese and "显示全部" in chinese
