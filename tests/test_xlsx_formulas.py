"""Excel exports store user text as text, never as a formula (SPEC A-3)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from estatedesk.core.xlsx import workbook_response

DANGEROUS = ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", '=HYPERLINK("http://x","y")']


@pytest.mark.req("A-3")
@pytest.mark.django_db  # the export is recorded for the audit
def test_text_starting_with_formula_characters_is_stored_as_text() -> None:
    request = RequestFactory().get("/export/")
    request.user = AnonymousUser()
    response = workbook_response(
        request, "t", ["matter", "count"], [[text, 3] for text in DANGEROUS], sheet="=SUM(A1:A2)"
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "=SUM(A1 A2)"  # a sheet's name is only a name, within Excel's rules
    cells = [sheet.cell(row=i + 2, column=1) for i in range(len(DANGEROUS))]
    assert [c.value for c in cells] == DANGEROUS
    assert {c.data_type for c in cells} == {"s"}, "a user's text became a formula"
    assert sheet.cell(row=2, column=2).value == 3
