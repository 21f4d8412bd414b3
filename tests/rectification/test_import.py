"""Importing rectification items from Excel (SPEC R-1, R-2; decision 0039).

The good rows are recorded, the bad ones listed with their spreadsheet row numbers and the
reason in the user's language, and offered back as a workbook with a reason column; a file
that is not a workbook, is empty or has the wrong headers is refused with a message.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from estatedesk.rectification import importer
from estatedesk.rectification.models import Item
from tests.test_i18n_pages import leftovers

pytestmark = pytest.mark.django_db

HEADERS = ["楼栋", "房号", "部位", "类别", "问题描述", "来源"]


def workbook(rows, headers=HEADERS, title=None):
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, rect, data, name="items.xlsx"):
    url = reverse("rectification:report_import", args=[rect.report.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def zh_client(rect, persona="handler_a", language="zh-hans"):
    client = rect.world.client(persona)
    client.cookies["estatedesk_language"] = language
    return client


def bad_rows(response):
    return {row["row"]: row["reason"] for row in response.context["bad"]}


@pytest.mark.req("R-1")
@pytest.mark.req("R-2")
def test_good_rows_are_recorded_and_bad_rows_are_listed_with_their_row_numbers(rect):
    data = workbook(
        [
            ["3栋", "1201", "主卧", "墙面、地面及天花", "窗边墙面裂缝", "交付验房"],  # row 2: good (label)
            ["3棟", 1201, "廚房", "plumbing", "水槽下水慢", ""],  # row 3: good (Traditional, code, number)
            ["9栋", "101", "客厅", "walls", "地面空鼓", ""],  # row 4: no such building
            ["3栋", "9999", "客厅", "walls", "地面空鼓", ""],  # row 5: no such unit
            [None, None, None, None, None, None],  # row 6: blank, skipped
            ["3栋", "1201", "阳台", "walls", "", ""],  # row 7: no description
            ["3栋", "1201", "阳台", "屋顶", "栏杆松动", ""],  # row 8: unknown category
            ["3栋", "1201", "阳台", "Doors and windows", "字" * 1001, ""],  # row 9: too long
            ["", "", "3栋大堂", "公共区域", "大堂地砖空鼓", "工程部"],  # row 10: good, a public area
            ["3栋", "1201", "主卧", "walls", "窗边墙面裂缝", ""],  # row 11: the same as row 2
            ["3栋", "", "主卧", "walls", "门框变形", ""],  # row 12: no unit number
            ["金山大廈A座", "2001", "前台", "walls", "墙面裂缝", ""],  # row 13: estate B's unit
        ]
    )
    response = upload(zh_client(rect), rect, data)
    assert response.status_code == 200
    items = Item.objects.filter(report=rect.report).order_by("id")
    assert [(i.location, i.category, i.source) for i in items] == [
        ("主卧", "walls", "handover"),
        ("廚房", "plumbing", "handover"),
        ("3栋大堂", "public_areas", "engineering"),
    ]
    assert items[0].unit == rect.world.unit_a and items[2].unit is None
    reasons = bad_rows(response)
    assert sorted(reasons) == [4, 5, 7, 8, 9, 11, 12, 13]
    assert "本小区没有楼栋“9栋”" in reasons[4]
    assert "本小区没有房号 3栋-9999" in reasons[5]
    assert "问题描述为空" in reasons[7]
    assert "“屋顶”不是有效的类别" in reasons[8] and "门窗" in reasons[8]
    assert "问题描述过长" in reasons[9]
    assert "与第 2 行是同一条整改项" in reasons[11]
    assert "房号" in reasons[12]
    assert "本小区没有楼栋" in reasons[13]  # another estate's unit is not named, only not found here
    page = response.content.decode()
    assert '<tr data-row="4">' in page and leftovers(page) == []


@pytest.mark.req("R-2")
def test_the_rows_to_fix_come_back_as_a_workbook_with_a_reason_that_imports_once_fixed(rect):
    client = zh_client(rect)
    first = upload(
        client,
        rect,
        workbook([["3栋", "1201", "主卧", "墙面", "", ""], ["3栋", "1201", "次卧", "门窗", "门吸缺失", ""]]),
    )
    assert Item.objects.count() == 1 and sorted(bad_rows(first)) == [2]
    url = reverse("rectification:report_import", args=[rect.report.pk])
    response = client.post(url, {"action": "rejected", "rows": first.context["rejected"]})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0][:6]) == HEADERS and rows[0][6] == "未导入原因"
    assert rows[1][:4] == ("3栋", "1201", "主卧", "墙面") and "问题描述为空" in rows[1][6] and rows[1][7] == 2

    sheet.cell(row=2, column=5, value="墙面起皮")  # fixed in Excel, the reason column left in
    fixed = io.BytesIO()
    sheet.parent.save(fixed)
    again = upload(client, rect, fixed.getvalue())
    assert again.status_code == 200 and bad_rows(again) == {}
    assert Item.objects.filter(report=rect.report, description="墙面起皮").exists()

    tampered = client.post(url, {"action": "rejected", "rows": first.context["rejected"] + "x"})
    assert tampered.status_code == 422


@pytest.mark.req("R-2")
def test_the_same_file_uploaded_twice_records_nothing_twice(rect):
    client = zh_client(rect)
    data = workbook([["3栋", "1201", "主卧", "墙面", "墙面裂缝", ""]])
    assert upload(client, rect, data).status_code == 200
    again = upload(client, rect, data)
    assert again.status_code == 422  # nothing recorded this time
    assert "已在本报告中" in bad_rows(again)[2]
    assert Item.objects.count() == 1


@pytest.mark.req("R-2")
@pytest.mark.req("W-1")
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a spreadsheet at all", "items.xlsx", "无法将该文件读取为 Excel 工作簿"),
        (b"", "items.xlsx", "无法将该文件读取为 Excel 工作簿"),
        (b"PK\x03\x04" + b"\x00" * 200, "items.xlsx", "无法将该文件读取为 Excel 工作簿"),
        ("楼栋,房号\n3栋,1201\n".encode(), "items.csv", "无法将该文件读取为 Excel 工作簿"),
        (workbook([], headers=["姓名", "电话"]), "items.xlsx", "找不到表头行"),
        (workbook([]), "items.xlsx", "没有整改项"),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_with_a_message(rect, data, name, message):
    response = upload(zh_client(rect), rect, data, name)
    assert response.status_code == 422
    assert message in response.context["file_error"]
    assert leftovers(response.content.decode()) == []
    assert not Item.objects.exists()


@pytest.mark.req("R-2")
def test_no_file_and_too_many_rows_are_refused(rect, monkeypatch):
    client = zh_client(rect)
    url = reverse("rectification:report_import", args=[rect.report.pk])
    assert client.post(url, {}).status_code == 422
    monkeypatch.setattr(importer, "MAX_ROWS", 3)
    rows = [["3栋", "1201", "主卧", "墙面", f"问题{i}", ""] for i in range(4)]
    response = upload(client, rect, workbook(rows))
    assert response.status_code == 422 and "超过 3 条" in response.context["file_error"]
    assert not Item.objects.exists()


@pytest.mark.req("R-2")
def test_a_title_line_above_the_header_and_english_headers_are_read(rect):
    headers = ["Building", "Unit number", "Location", "Category", "Defect description", "Source"]
    data = workbook(
        [["3栋", "1201", "Kitchen", "Plumbing and drainage", "Slow drain", "Cleaning department"]],
        headers,
        "翠湖花园交付验房问题清单",
    )
    response = upload(rect.world.client("handler_a"), rect, data)
    assert response.status_code == 200
    item = Item.objects.get()
    assert (item.category, item.source, item.unit) == ("plumbing", "cleaning", rect.world.unit_a)


@pytest.mark.req("R-2")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_template_round_trips(rect, language):
    client = zh_client(rect, language=language)
    response = client.get(reverse("rectification:import_template"), {"report": rect.report.pk})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    if language == "zh-hans":
        assert list(rows[0]) == HEADERS
    assert rows[1][:2] == ("3栋", "1201")
    imported = upload(client, rect, response.content)
    assert imported.status_code == 200 and bad_rows(imported) == {}
    item = Item.objects.get(report=rect.report)
    assert (item.unit, item.category, item.source) == (rect.world.unit_a, "walls", "handover")


@pytest.mark.req("R-2")
@pytest.mark.req("P-1")
def test_the_template_without_a_report_names_no_unit_and_import_needs_the_entry_role(rect):
    dev = rect.world.client("handler_a")
    dev.force_login(rect.user("dev_x"))
    template = dev.get(reverse("rectification:import_template"), {"report": rect.report.pk})
    assert template.status_code == 200  # a blank template: no unit of the estate in it
    assert upload(dev, rect, workbook([["3栋", "1201", "主卧", "墙面", "裂缝", ""]])).status_code == 403
    assert upload(rect.world.client("handler_b"), rect, workbook([])).status_code == 404
    assert not Item.objects.exists()


@pytest.mark.req("R-2")
def test_categories_and_sources_are_read_in_every_language_and_by_code():
    from django.utils import translation  # the look-up must not depend on the active language

    with translation.override("en"):
        assert importer.lookup("category", "門窗") == "doors_windows"
        assert importer.lookup("category", "墙面、地面及天花") == "walls"
        assert importer.lookup("category", "Waterproofing and leaks") == "waterproofing"
        assert importer.lookup("category", " ELECTRICAL ") == "electrical"
        assert importer.lookup("source", "驗房") == "handover"
        assert importer.lookup("category", "屋顶") is None
