"""Every export leaves an audit row (SPEC P-2, D-3): who, which list, which filters, how many rows.

The walk below finds every list export by its URL name, so a new export that forgets the
audit fails here. Phone numbers typed into a search are stored masked; the log is shown to
those who see the whole company, and to nobody else.
"""

from __future__ import annotations

import io
import json
from typing import Any

import openpyxl
import pytest
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from estatedesk.core import pdf as printing
from estatedesk.core.exportlog import LIST_LABELS, clean_filters, record_export
from estatedesk.core.models import ExportRecord
from estatedesk.core.xlsx import NoteRow, workbook_response
from tests.reports.test_exports import submitted_march

pytestmark = pytest.mark.django_db

FULL_PHONE = "13812341234"


# Named like an export but not a list: recorded their own way.
NOT_LIST_EXPORTS = {
    # A person's copy of their data (PDF, POST only): a personal-data request with its access-log
    # row (tests/records/test_requests.py).
    "records:request_export",
}


def export_url_names() -> list[str]:
    """Every named URL of a list export (no arguments: it exports a list, not one record)."""
    found: list[str] = []

    def walk(patterns: Any, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif (
                isinstance(entry, URLPattern)
                and (entry.name or "").endswith("export")
                and not entry.pattern.regex.groups
            ):
                found.append(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(set(found) - NOT_LIST_EXPORTS)


def data_rows(response: Any) -> int:
    assert response.status_code == 200, response.content[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))[1:]
    return sum(1 for row in rows if not str(row[0] or "").startswith(("Only the first", "仅导出")))


EXPORTS = export_url_names()


@pytest.mark.req("P-2")
def test_the_walk_finds_every_list_export():
    assert len(EXPORTS) >= 15, EXPORTS
    assert {
        "complaints:export",
        "org:customer_export",
        "improvement:export",
        "reports:monthly_export",
    } <= set(EXPORTS)


@pytest.mark.req("P-2")
@pytest.mark.parametrize("name", EXPORTS)
def test_every_list_export_writes_one_audit_row_with_list_filters_and_row_count(world, name):
    submitted_march(world)  # complaints, a monthly report and an action to export
    client = world.client("gm")
    params = {"estate": str(world.estate_a.pk), "status": ["open", "closed"]}
    response = client.get(reverse(name), params)
    rows = data_rows(response)
    record = ExportRecord.objects.get()
    assert record.user == world.users["gm"]
    assert record.username == "gm"
    assert record.list_name in LIST_LABELS
    assert response["Content-Disposition"].startswith(f'attachment; filename="{record.list_name}-')
    assert record.filters == {"estate": str(world.estate_a.pk), "status": ["open", "closed"]}
    assert record.row_count == rows
    assert record.ip_address == "127.0.0.1"


@pytest.mark.req("P-2")
def test_the_row_count_is_what_the_user_could_see(world):
    world.client("handler_a").get(reverse("org:unit_export"))
    world.client("gm").get(reverse("org:unit_export"))
    counts = dict(ExportRecord.objects.values_list("username", "row_count"))
    assert counts == {"handler_a": 1, "gm": 2}


@pytest.mark.req("P-2")
def test_a_note_that_the_export_was_cut_short_is_not_counted_as_a_row(world):
    request = RequestFactory().get("/complaints/export/", {"q": "x"})
    request.user = world.users["gm"]
    response = workbook_response(
        request,
        "complaints",
        ["Number"],
        [["TS-1"], ["TS-2"], NoteRow(["Only the first 2"])],
        sheet="Complaints",
    )
    assert ExportRecord.objects.get().row_count == 2
    # The filter covers the header and the rows, not the note under them.
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Complaints"]
    assert sheet.auto_filter.ref == "A1:A3" and sheet["A4"].value == "Only the first 2"


@pytest.mark.req("D-3")
def test_a_phone_number_typed_into_a_search_is_stored_masked(world):
    client = world.client("gm")
    client.get(reverse("complaints:export"), {"q": FULL_PHONE})
    client.get(reverse("org:customer_export"), {"q": "138 1234 1234"})
    client.get(reverse("org:customer_export"), {"q": "1381234"})  # part of a number
    stored = [json.dumps(r.filters) for r in ExportRecord.objects.order_by("pk")]
    assert stored == ['{"q": "138****1234"}', '{"q": "138****1234"}', '{"q": "138****"}']


@pytest.mark.req("D-3")
def test_dates_and_document_numbers_stay_readable_and_dashed_numbers_are_masked():
    cleaned = clean_filters(
        {
            "from": "2026-03-01",
            "to": "2026-03-31 17:30",
            "q": "TS-2026-000123",
            "tel": ["021-12345678", "138-1234-1234"],
        }
    )
    assert cleaned == {
        "from": "2026-03-01",
        "to": "2026-03-31 17:30",
        "q": "TS-2026-000123",
        "tel": ["021****5678", "138****1234"],
    }


@pytest.mark.req("D-3")
def test_hostile_filter_values_are_stored_clean_and_bounded(world):
    # NUL cannot be stored in PostgreSQL's jsonb: it must not turn an export into a 500.
    request = RequestFactory().get(
        "/org/units/export.xlsx", {"q\x00": "a\x00b" + "x" * 5000, "page": "3", "empty": "", "n": "9" * 40}
    )
    request.user = world.users["gm"]
    record_export(request, list_name="units", filters=request.GET, row_count=0)
    assert ExportRecord.objects.get().filters == {"q": "ab" + "x" * 198, "n": "999" + "*" * 33 + "9999"}


@pytest.mark.req("P-2")
def test_report_documents_are_recorded_with_no_row_count(world):
    report = submitted_march(world)
    client = world.client("gm")
    assert client.get(reverse("reports:monthly_xlsx", args=[report.pk])).status_code == 200
    assert client.get(reverse("reports:monthly_print", args=[report.pk])).status_code == 200  # a page
    record = ExportRecord.objects.get()
    assert (record.list_name, record.filters, record.row_count) == (
        "monthly-report",
        {"id": str(report.pk), "format": "xlsx"},
        None,
    )


@pytest.mark.req("P-2")
@pytest.mark.skipif(not printing.pdf_available(), reason="WeasyPrint is not installed")
def test_a_printed_complaint_form_pdf_is_recorded(world):
    complaint = next(iter(submitted_march(world).department.complaints.all()))
    response = world.client("gm").get(reverse("complaints:record_pdf", args=[complaint.pk]))
    assert response.status_code == 200
    record = ExportRecord.objects.get()
    assert record.list_name == "complaint-record"
    assert record.filters == {"number": complaint.number, "format": "pdf"}


@pytest.mark.req("P-2")
@pytest.mark.parametrize("persona", ["gm", "deputy_gm", "auditor", "admin"])
def test_the_export_log_is_shown_to_those_who_see_the_whole_company(world, persona):
    world.client("handler_a").get(reverse("complaints:export"), {"q": FULL_PHONE})
    response = world.client(persona).get(reverse("export_log"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "handler_a" in page
    assert "投诉" in page  # the list's name in the page's language, not "complaints"
    assert "q=138****1234" in page
    assert FULL_PHONE not in page


@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["handler_a", "colleague_a", "department_head"])
def test_the_export_log_is_refused_to_everyone_else(world, persona):
    assert world.client(persona).get(reverse("export_log")).status_code == 403
