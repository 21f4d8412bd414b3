"""Every report as PDF and as Excel (SPEC A-3): the monthly report (K-12), the quarterly
analysis (K-13) and the annual summary / management-review pack (K-15, I-2).

The PDFs are read back as text with poppler's pdftotext; the workbooks are opened with
openpyxl, so what is checked is what a reader of the file sees.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from typing import Any

import openpyxl
import pytest
from django.test import RequestFactory
from django.utils import translation

from estatedesk.core import pdf as printing
from estatedesk.reports import exports, services, services_periods
from estatedesk.reports.models import AnnualSummary, MonthlyReport, QuarterlyAnalysis
from tests.complaints.conftest import at
from tests.helpers import frozen_at
from tests.reports.test_figures import march_2026
from tests.reports.test_period_services import cs_supervisor

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://evil.example/","click")'
needs_pdf = pytest.mark.skipif(
    not printing.pdf_available() or shutil.which("pdftotext") is None,
    reason="WeasyPrint or poppler's pdftotext is not installed",
)


def _request(user: Any) -> Any:
    request = RequestFactory().get("/reports/")
    request.user = user
    return request


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    result = subprocess.run(  # noqa: S603 - fixed program
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


def workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def table(ws: Any, first_header: str) -> list[list[Any]]:
    """The rows under the header row that starts with ``first_header``, up to the first blank row."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == first_header)
    found = []
    for row in rows[start + 1 :]:
        if row[0] is None:
            break
        found.append(list(row))
    return found


def cells(ws: Any) -> list[Any]:
    return [cell for row in ws.iter_rows() for cell in row if cell.value is not None]


def submitted_march(world: Any, *, analysis: str = INJECTION) -> MonthlyReport:
    march_2026(world)
    with frozen_at(at(2026, 4, 1, 9, 0)):
        services.draft_month(year=2026, month=3, department=world.office_a)
    report = MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        return services.submit(actor=world.users["office_head_a"], report=report, analysis=analysis)


def reviewed_march(world: Any) -> MonthlyReport:
    report = submitted_march(world, analysis="維修類投訴佔六成，需加強電梯保養。")
    with frozen_at(at(2026, 4, 6, 10, 0)):
        return services.review(
            actor=world.users["deputy_gm"],
            report=report,
            decision="actions",
            note="請工程部跟進",
            new_action={
                "kind": "corrective",
                "title": "電梯保養計劃",
                "problem": "電梯停運投訴反覆出現",
                "department": world.office_a,
            },
        )


# --- the monthly report --------------------------------------------------------------------


@needs_pdf
@pytest.mark.req("A-3")
@pytest.mark.req("K-12")
def test_the_monthly_pdf_shows_the_department_categories_analysis_and_review(world: Any) -> None:
    report = reviewed_march(world)
    with translation.override("zh-hans"), frozen_at(at(2026, 4, 7, 9, 0)):
        data = exports.monthly_pdf(report, request=_request(world.users["deputy_gm"]))
    text = pdf_text(data)
    assert "翠湖花園管理處" in text
    for name in ("维修", "清洁", "治安"):  # the categories in Simplified Chinese
        assert name in text
    assert "需加強電梯保養" in text  # the head's analysis
    assert "電梯保養計劃" in text  # the action the review opened
    assert "CA-2026-" in text
    assert "2026年3月" in text  # the period, in the reader's language
    # The repeat complainant is not named: neither the customer nor the phone key.
    assert "王小明" not in text and "customer:" not in text and "phone:" not in text


@pytest.mark.req("K-12")
def test_the_monthly_print_view_says_when_live_figures_differ(world: Any) -> None:
    from estatedesk.complaints import services as complaint_services
    from estatedesk.complaints.models import Complaint

    report = submitted_march(world)
    request = _request(world.users["office_head_a"])
    with translation.override("en"):
        before = exports.monthly_print_html(report, request=request)
        undecided = Complaint.objects.get(department=world.office_a, valid__isnull=True, kind="complaint")
        with frozen_at(at(2026, 4, 8, 10, 0)):
            complaint_services.assess(
                actor=world.users["handler_a"],
                complaint=undecided,
                cause="maintenance",
                serious=False,
                urgent=False,
            )
        after = exports.monthly_print_html(report, request=request)
    assert "live figures now differ" not in before
    assert "live figures now differ" in after
    assert 'src="data:image/svg+xml;base64,' in after  # the Pareto charts, drawn on the server
    assert "<script>" not in after and "style=" not in after  # CSP: no inline script or style


@pytest.mark.req("A-3")
@pytest.mark.req("K-12")
def test_the_monthly_workbook_has_the_figures_a_native_pareto_and_no_formulas(world: Any) -> None:
    world.office_a.name = "=1+2 翠湖"
    world.office_a.save()
    report = submitted_march(world)
    with translation.override("en"):
        book = workbook(exports.monthly_xlsx(report))

    assert book.sheetnames == [
        "Summary",
        "By category",
        "By cause",
        "By estate",
        "By channel",
        "Repeat complainants",
        "Monthly consultations",  # a management office: its month without one is flagged (S-4)
    ]
    rows = table(book["By category"], "Category")
    # Pareto order, counts from the frozen figures, the last cumulative share exactly 1.
    expected = [(r["count"], r["cumulative_count"]) for r in report.figures["category_pareto"]]
    assert [(r[1], r[3]) for r in rows] == expected == [(3, 3), (1, 4), (1, 5)]
    assert rows[0][0] == "Repairs and maintenance"
    counts = [r[1] for r in rows]
    assert counts == sorted(counts, reverse=True)
    assert rows[-1][4] == 1.0
    assert [r[2] for r in rows] == pytest.approx([0.6, 0.2, 0.2])
    shares = [c for c in book["By category"]["C"] if isinstance(c.value, float)]
    assert len(shares) == 3 and {c.number_format for c in shares} == {"0.0%"}
    assert book["By category"]._charts  # the native Pareto chart
    assert book["By cause"]._charts
    assert [r[1] for r in table(book["By channel"], "Channel")] == [2, 2, 1]

    # User text starting with "=" is a text cell, never a formula.
    summary = cells(book["Summary"])
    analysis = next(c for c in summary if c.value == INJECTION)
    assert analysis.data_type == "s"
    department = next(c for c in summary if c.value == "=1+2 翠湖")
    assert department.data_type == "s"
    assert not [c for sheet in book for c in cells(sheet) if c.data_type == "f"]

    # Repeat complainants: masked, with their complaint numbers.
    [repeat] = table(book["Repeat complainants"], "Complainant")
    assert repeat[0] == "Complainant 1" and repeat[1] == 2 and repeat[2].count(",") == 1
    assert "王小明" not in str([c.value for sheet in book for c in cells(sheet)])


# --- the quarterly analysis ------------------------------------------------------------------


def published_q1(world: Any) -> QuarterlyAnalysis:
    march_2026(world)
    with frozen_at(at(2026, 4, 2, 9, 0)):
        analysis = services_periods.draft_quarter(year=2026, quarter=1)
        return services_periods.publish_quarter(actor=cs_supervisor(world), analysis=analysis, text=INJECTION)


@needs_pdf
@pytest.mark.req("A-3")
@pytest.mark.req("K-13")
def test_the_quarterly_pdf_shows_departments_categories_and_estates(world: Any) -> None:
    analysis = published_q1(world)
    with translation.override("zh-hans"):
        text = pdf_text(exports.quarterly_pdf(analysis, request=_request(world.users["deputy_gm"])))
    for name in (
        "翠湖花園管理處",
        "金山大廈管理處",
        "翠湖花園",
        "金山大廈",
        "维修",
        "清洁",
        "治安",
        "客服主管",
    ):
        assert name in text
    assert INJECTION in text  # the analysis, printed as written


@pytest.mark.req("A-3")
@pytest.mark.req("K-13")
def test_the_quarterly_workbook_has_departments_months_and_a_pareto(world: Any) -> None:
    analysis = published_q1(world)
    with translation.override("en"):
        book = workbook(exports.quarterly_xlsx(analysis))
    assert {"Summary", "By department", "By month", "By category", "By cause", "By estate", "Actions"} <= set(
        book.sheetnames
    )
    rows = table(book["By category"], "Category")
    # The quarter: repairs F1 F2 (February), C1 C3 C7 and estate B's (March); cleaning C2; security C4.
    assert [(r[0], r[1]) for r in rows] == [("Repairs and maintenance", 6), ("Cleaning", 1), ("Security", 1)]
    assert rows[-1][4] == 1.0
    assert book["By category"]._charts
    months = table(book["By month"], "Month")
    assert [r[1] for r in months] == [0, 2, 6]  # received: F1 F2 in February, five + B in March
    assert book["By month"]._charts  # the native line chart
    departments = {r[0]: r[1] for r in table(book["By department"], "Department")}
    assert departments == {"翠湖花園管理處": 7, "金山大廈管理處": 1}
    analysis_cell = next(c for c in cells(book["Summary"]) if c.value == INJECTION)
    assert analysis_cell.data_type == "s"


# --- the annual summary and management-review pack -------------------------------------------


def drafted_2026(world: Any) -> AnnualSummary:
    reviewed_march(world)
    with frozen_at(at(2027, 1, 2, 9, 0)):
        summary = services_periods.draft_year(year=2026)
    summary.summary = INJECTION
    summary.save(update_fields=["summary"])
    return summary


@needs_pdf
@pytest.mark.req("A-3")
@pytest.mark.req("K-15")
@pytest.mark.req("I-2")
def test_the_annual_pack_pdf_has_every_section(world: Any) -> None:
    summary = drafted_2026(world)
    with translation.override("zh-hans"):
        text = pdf_text(exports.annual_pdf(summary, request=_request(world.users["deputy_gm"])))
    for name in ("翠湖花園管理處", "翠湖花園", "维修", "清洁", "治安"):
        assert name in text
    assert "電梯保養計劃" in text and "CA-2026-" in text  # the year's actions, queried at print time
    assert INJECTION in text


@pytest.mark.req("I-2")
def test_the_annual_pack_says_when_no_annual_survey_was_closed(world: Any) -> None:
    summary = drafted_2026(world)
    with translation.override("en"):
        html = exports.annual_print_html(summary, request=_request(world.users["deputy_gm"]))
    assert "No annual satisfaction survey was closed for 2026." in html
    for section in (
        "Complaint summary",
        "Customer satisfaction",
        "Corrective and preventive actions and their effectiveness",
        "Monthly report discipline",
        "Summary by the deputy general manager",
    ):
        assert section in html
    assert "Not yet verified" in html  # the action opened by the review is not verified yet


@pytest.mark.req("A-3")
@pytest.mark.req("K-15")
@pytest.mark.req("I-2")
def test_the_annual_workbook_lists_the_actions_and_keeps_text_as_text(world: Any) -> None:
    summary = drafted_2026(world)
    with translation.override("en"):
        book = workbook(exports.annual_xlsx(summary))
    rows = table(book["By category"], "Category")
    assert [r[1] for r in rows] == [6, 1, 1] and rows[-1][4] == 1.0
    assert book["By category"]._charts and book["By month"]._charts
    months = table(book["By month"], "Month")
    assert len(months) == 12 and sum(r[1] for r in months) == 8
    [action] = table(book["Actions"], "Number")
    assert action[0].startswith("CA-2026-") and action[3] == "電梯保養計劃"
    assert action[7] == "Not yet verified"
    summary_cells = cells(book["Summary"])
    assert next(c for c in summary_cells if c.value == INJECTION).data_type == "s"
    assert any("No annual satisfaction survey was closed for 2026." in str(c.value) for c in summary_cells)


@pytest.mark.req("A-3")
def test_exports_follow_the_active_language(world: Any) -> None:
    report = submitted_march(world)
    request = _request(world.users["office_head_a"])
    with translation.override("zh-hans"):
        hans = exports.monthly_print_html(report, request=request)
    with translation.override("zh-hant"):
        hant = exports.monthly_print_html(report, request=request)
    with translation.override("en"):
        english = exports.monthly_print_html(report, request=request)
    assert 'lang="zh-hans"' in hans and "维修" in hans
    assert 'lang="zh-hant"' in hant and "維修" in hant
    assert 'lang="en"' in english and "Repairs and maintenance" in english
