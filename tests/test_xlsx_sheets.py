"""Every workbook the product writes has named sheets (in the reader's language), a frozen
header row and a filter over the data (SPEC A-3, P-3)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from estatedesk.core.xlsx import SHEET_NAME_LENGTH, sheet_name
from estatedesk.reports import exports
from tests.complaints.conftest import record
from tests.reports.test_exports import published_q1, submitted_march
from tests.test_export_audit import NOT_LIST_EXPORTS
from tests.test_permissions import all_patterns

pytestmark = pytest.mark.req("A-3")

BAD = set("[]:*?/\\")


def _book(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.mark.parametrize(
    ("name", "taken", "expected"),
    [
        ("投诉清单", (), "投诉清单"),
        ("Work transfer slips", (), "Work transfer slips"),
        ("Q1/2026: [draft] *?", (), "Q1 2026 draft"),
        ("'quoted'", (), "quoted"),
        ("History", (), "History 1"),
        ("", (), "Sheet"),
        ("Summary", ("summary",), "Summary 2"),
        ("A" * 40, (), "A" * 31),
        ("A" * 40, ("A" * 31,), "A" * 29 + " 2"),
    ],
)
def test_sheet_names_keep_excels_rules(name, taken, expected):
    result = sheet_name(name, taken)
    assert result == expected
    assert len(result) <= SHEET_NAME_LENGTH and not BAD & set(result)


def _list_exports() -> list[str]:
    return sorted(
        name
        for name, route, _p in all_patterns()
        if name and name.endswith("export") and "<" not in route and name not in NOT_LIST_EXPORTS
    )


def test_every_list_export_has_a_named_sheet_a_frozen_header_and_a_filter(world):
    record(world)
    client = world.client("gm")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    names = _list_exports()
    assert {"complaints:export", "complaints:slip_export", "improvement:export", "org:unit_export"} <= set(
        names
    )
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        book = _book(response.content)
        sheet = book.worksheets[0]
        assert not sheet.title.startswith("Sheet"), (name, sheet.title)
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:"), name
        last_column = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref.split(":")[1].startswith(last_column), (name, sheet.auto_filter.ref)


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "title"), [("zh-hans", "投诉清单"), ("zh-hant", "投訴清單"), ("en", "Complaint list")]
)
def test_the_complaint_list_sheet_is_named_in_the_readers_language(world, language, title):
    record(world)
    record(world, description="第二宗")
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    book = _book(client.get(reverse("complaints:export")).content)
    assert book.sheetnames == [title]
    sheet = book[title]
    assert sheet.freeze_panes == "A2"
    last_column = openpyxl.utils.get_column_letter(sheet.max_column)
    assert sheet.auto_filter.ref == f"A1:{last_column}3"  # the header and the two complaints


@pytest.mark.req("K-12")
@pytest.mark.req("K-13")
def test_every_sheet_of_the_report_workbooks_has_a_frozen_header_and_a_filter(world):
    with translation.override("zh-hans"):
        books = {
            "monthly": _book(exports.monthly_xlsx(submitted_march(world))),
            "quarterly": _book(exports.quarterly_xlsx(published_q1(world))),
        }
    assert books["monthly"].sheetnames[0] != "Summary"  # named in the reader's language
    for kind, book in books.items():
        for sheet in book.worksheets:
            assert not sheet.title.startswith("Sheet"), (kind, sheet.title)
            assert sheet.freeze_panes, (kind, sheet.title)
            header_row = int(sheet.freeze_panes[1:]) - 1
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith(f"A{header_row}:"), (
                kind,
                sheet.title,
                sheet.auto_filter.ref,
            )
            assert sheet.cell(row=header_row, column=1).value, (kind, sheet.title)


def test_the_roster_template_has_a_frozen_header_and_a_filter(world):
    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    book = _book(client.get(reverse("org:import_template", args=["xlsx"])).content)
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:"), sheet.title
