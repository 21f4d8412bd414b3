"""The rectification papers (SPEC R-2, R-5, K-16, P-1): the rectification report (项目整改报告,
§7.5.2) as print view, PDF and workbook, and a unit's acceptance sheet for the resident, in the
three languages, scoped like every other rectification page."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from html import unescape
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.core.clock import company_today
from estatedesk.core.models import ExportRecord
from estatedesk.core.pdf import pdf_available
from estatedesk.org.models import Unit
from estatedesk.rectification.models import UnitLink
from estatedesk.rectification.services import resident, routing
from tests.test_i18n_pages import leftovers

needs_pdf = pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftotext") is None, reason="WeasyPrint or pdftotext missing"
)

TITLES = {"zh-hans": "项目整改报告", "zh-hant": "項目整改報告", "en": "Rectification report"}
SHEET_TITLES = {"zh-hans": "住户验收单", "zh-hant": "住戶驗收單", "en": "Resident's acceptance sheet"}
# The signature blocks of the report: property customer service and the developer's.
SIGNERS = {
    "zh-hans": ("物业公司客服部", "置业客服部"),
    "zh-hant": ("物業公司客服部", "置業客服部"),
    "en": ("Property customer service department", "Developer's customer service department"),
}


def _client(user: Any, language: str = "zh-hans") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _papers(rect: Any) -> dict[str, Any]:
    """Estate A's report: four units' items in different states, one the property company fixes."""
    world = rect.world
    building = world.unit_a.building
    u201 = Unit.objects.create(estate=world.estate_a, building=building, number="201", floor=2)
    u1001 = Unit.objects.create(estate=world.estate_a, building=building, number="1001", floor=10)
    waiting = rect.walk(rect.item(description="主卧墙面裂缝约30厘米"), "res_check")  # 3栋-1201
    accepted = rect.walk(rect.item(unit=u201, location="客厅", description="入户门变形关不严"), "res_check")
    token = UnitLink.objects.get(unit=u201).token
    resident.accept(token=token, item_id=accepted.pk, signed_name="王小明")
    fixing = rect.walk(rect.item(unit=u1001, location="厨房", description="水槽下水管渗水"), "team_fixing")
    ours = rect.item(unit=u1001, location="阳台", description="地漏盖板缺失", category="plumbing")
    routing.fix_ourselves(
        actor=world.users["handler_a"],
        item=ours.pk,
        department=world.office_a,
        due_date=company_today() + timedelta(days=3),
    )
    return {
        "waiting": waiting,
        "accepted": accepted,
        "fixing": fixing,
        "ours": ours,
        "u201": u201,
        "u1001": u1001,
    }


def _pdf_text(content: bytes, tmp_path: Any) -> str:
    path = tmp_path / "paper.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())


# --- The report --------------------------------------------------------------------------------


@pytest.mark.req("R-2")
@pytest.mark.req("K-16")
@pytest.mark.django_db
def test_the_report_lists_every_item_in_unit_order_with_summary_signatures_and_qr(rect, settings):
    settings.ESTATEDESK_SITE_URL = "https://wuye.example.cn"
    made = _papers(rect)
    response = _client(rect.world.users["handler_a"]).get(
        reverse("rectification:report_print", args=[rect.report.pk])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "项目整改报告" in html and rect.report.number in html and "翠湖花園" in html and "X置业" in html
    # natural unit order: 3栋-201, 3栋-1001 (two items), 3栋-1201
    positions = [html.index(made[key].number) for key in ("accepted", "fixing", "ours", "waiting")]
    assert positions == sorted(positions)
    assert "X置业整改小组" in html and "翠湖花園管理處" in html  # fixed by: their team, our office
    assert "铲除重新批荡" in html  # the developer's measure
    summary = html.split('class="rect-summary"')[1].split("</p>")[0]
    assert "合计：<strong>4</strong>" in summary
    assert "验收合格：<strong>1</strong>" in summary and "一次验收合格：<strong>1</strong>" in summary
    assert "未完成：<strong>3</strong>" in summary
    assert "物业公司客服部" in html and "置业客服部" in html
    detail = f"https://wuye.example.cn{reverse('rectification:report_detail', args=[rect.report.pk])}"
    assert 'src="data:image/svg+xml' in html and detail in html
    assert leftovers(html) == []


@pytest.mark.req("R-2")
@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_the_developer_prints_only_its_items_and_others_find_no_report(rect):
    made = _papers(rect)
    url = reverse("rectification:report_print", args=[rect.report.pk])
    for persona in ("dev_x", "team_x"):
        html = _client(rect.user(persona)).get(url).content.decode()
        assert made["waiting"].number in html and made["fixing"].number in html
        assert made["ours"].number not in html  # the property company keeps it: not the developer's
    for persona in ("dev_y", "team_y", "handler_b"):
        client = _client(rect.user(persona))
        for name in ("report_print", "report_pdf", "report_xlsx"):
            assert client.get(reverse(f"rectification:{name}", args=[rect.report.pk])).status_code == 404, (
                persona,
                name,
            )


@pytest.mark.req("R-5")
@pytest.mark.req("K-16")
@pytest.mark.django_db
def test_the_report_workbook_has_the_papers_columns_and_keeps_text_as_text(rect):
    made = _papers(rect)
    rect.item(unit=made["u201"], location='=HYPERLINK("http://x")', description="+1 漏水")
    response = _client(rect.world.users["handler_a"]).get(
        reverse("rectification:report_xlsx", args=[rect.report.pk])
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.title == "项目整改报告"
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "序号",
        "整改编号",
        "单元",
        "部位",
        "情况描述",
        "类别",
        "来源",
        "整改方",
        "整改措施",
        "完成日期",
        "轮次",
        "状态",
        "验收日期",
        "验收方式",
    )
    units = [row[2] for row in rows[1:6]]
    assert units == ["3栋-201", "3栋-201", "3栋-1001", "3栋-1001", "3栋-1201"]  # natural unit order
    accepted = next(row for row in rows if row[1] == made["accepted"].number)
    assert accepted[2] == "3栋-201" and accepted[10] == 1 and accepted[11] == "验收合格"
    assert accepted[12] == company_today().isoformat() and accepted[13] == "手机上填写姓名"
    hostile = next(row for row in rows if row[3] and str(row[3]).startswith("="))
    assert hostile[3] == '=HYPERLINK("http://x")' and hostile[4] == "+1 漏水"
    assert not any(rows[6])  # a blank line, then the summary
    assert rows[7][:2] == ("合计", 5) and rows[8][:2] == ("验收合格", 1)
    record = ExportRecord.objects.get()
    assert record.list_name == "rectification-report" and record.filters["number"] == rect.report.number


@pytest.mark.req("K-16")
@pytest.mark.req("R-2")
@needs_pdf
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_report_pdf_in_each_language(rect, tmp_path, language):
    made = _papers(rect)
    response = _client(rect.world.users["handler_a"], language).get(
        reverse("rectification:report_pdf", args=[rect.report.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "".join(TITLES[language].split()) in text
    assert "入户门变形关不严" in text and made["accepted"].number in text
    for signer in SIGNERS[language]:
        assert "".join(signer.split()) in text
    assert ExportRecord.objects.filter(list_name="rectification-report").count() == 1


# --- The resident's acceptance sheet ---------------------------------------------------------------


@pytest.mark.req("K-16")
@pytest.mark.req("R-4")
@pytest.mark.django_db
def test_the_unit_sheet_lists_the_items_for_the_resident_with_boxes_and_the_units_qr(rect, settings):
    settings.ESTATEDESK_SITE_URL = "https://wuye.example.cn"
    made = _papers(rect)
    client = _client(rect.world.users["handler_a"])
    url = reverse("rectification:unit_sheet", args=[rect.report.pk, rect.world.unit_a.pk])
    html = client.get(url).content.decode()
    assert "住户验收单" in html and "3栋-1201" in html and made["waiting"].number in html
    assert "合格" in html and "不合格" in html and "住户" in html
    token = UnitLink.objects.get(unit=rect.world.unit_a).token
    assert 'src="data:image/svg+xml' in html
    assert token not in html  # the household's key is in the code only, never printed as text
    assert leftovers(html) == []
    # 3栋-1001: one item being fixed by the team, one by us: none ready, unless asked for all open ones
    url_1001 = reverse("rectification:unit_sheet", args=[rect.report.pk, made["u1001"].pk])
    ready = client.get(url_1001).content.decode()
    assert made["fixing"].number not in ready and "暂无可验收的整改项目" in ready
    everything = client.get(url_1001, {"all": "1"}).content.decode()
    assert made["fixing"].number in everything and made["ours"].number in everything
    assert "整改中" in everything


@pytest.mark.req("K-16")
@pytest.mark.req("W-1")
@pytest.mark.django_db
def test_the_unit_sheets_qr_code_is_the_units_private_link(rect, settings, monkeypatch):
    settings.ESTATEDESK_SITE_URL = "https://wuye.example.cn"
    _papers(rect)
    encoded = []
    from estatedesk.core import qr

    monkeypatch.setattr(qr, "svg_data_uri", lambda url: encoded.append(url) or "data:image/svg+xml,x")
    _client(rect.world.users["handler_a"]).get(
        reverse("rectification:unit_sheet", args=[rect.report.pk, rect.world.unit_a.pk])
    )
    token = UnitLink.objects.get(unit=rect.world.unit_a).token
    assert encoded == [f"https://wuye.example.cn{reverse('portal:rectification', args=[token])}"]


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_the_unit_sheet_is_the_property_companys_paper(rect):
    made = _papers(rect)
    args = [rect.report.pk, rect.world.unit_a.pk]
    for persona in ("dev_x", "team_x", "dev_y", "team_y", "handler_b"):
        client = _client(rect.user(persona))
        assert client.get(reverse("rectification:unit_sheet", args=args)).status_code == 404, persona
        assert client.get(reverse("rectification:unit_sheet_pdf", args=args)).status_code == 404, persona
    handler = _client(rect.world.users["handler_a"])
    # a unit of another estate, or with no item in the report: not found
    for unit in (
        rect.world.unit_b,
        Unit.objects.create(estate=rect.world.estate_a, building=made["u201"].building, number="301"),
    ):
        assert (
            handler.get(reverse("rectification:unit_sheet", args=[rect.report.pk, unit.pk])).status_code
            == 404
        )


@pytest.mark.req("K-16")
@needs_pdf
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_the_unit_sheet_pdf_in_each_language(rect, tmp_path, language):
    made = _papers(rect)
    response = _client(rect.world.users["handler_a"], language).get(
        reverse("rectification:unit_sheet_pdf", args=[rect.report.pk, rect.world.unit_a.pk])
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _pdf_text(response.content, tmp_path)
    assert "".join(SHEET_TITLES[language].split()) in text
    assert "主卧墙面裂缝约30厘米" in text and made["waiting"].number in text
    resident_word = {"zh-hans": "住户", "zh-hant": "住戶", "en": "Resident"}[language]
    assert resident_word in text


@pytest.mark.req("K-16")
@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_the_print_views_follow_the_readers_language(rect, language):
    _papers(rect)
    client = _client(rect.world.users["handler_a"], language)
    report = unescape(
        client.get(reverse("rectification:report_print", args=[rect.report.pk])).content.decode()
    )
    sheet = unescape(
        client.get(
            reverse("rectification:unit_sheet", args=[rect.report.pk, rect.world.unit_a.pk])
        ).content.decode()
    )
    assert TITLES[language] in report and SIGNERS[language][1] in report
    assert SHEET_TITLES[language] in sheet


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_a_unit_id_past_64_bits_is_no_unit(rect):
    _papers(rect)
    client = _client(rect.world.users["handler_a"])
    for name in ("unit_sheet", "unit_sheet_pdf"):
        url = reverse(f"rectification:{name}", args=[rect.report.pk, 2**63])
        assert client.get(url).status_code == 404
