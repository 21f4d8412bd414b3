"""The printed notice sheet for lobbies and lifts (SPEC C-2, C-3, W-1): HTML and PDF, in the
reader's language, with the QR code to the estate's notices page on the portal."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from estatedesk.communication.services import notices
from estatedesk.core.pdf import pdf_available
from tests.communication.conftest import add_households, draft

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _client(world, language):
    client = Client()
    client.force_login(world.users["handler_a"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _notice(world):
    world.estate_a.service_phone = "021-55667788"
    world.estate_a.save(update_fields=["service_phone"])
    add_households(world.building_a, 2)
    handler = world.users["handler_a"]
    with time_machine.travel(datetime(2026, 6, 3, 9, 30, tzinfo=SHANGHAI), tick=False):
        notice = notices.create_notice(
            actor=handler,
            draft=draft(
                world,
                buildings=[world.building_a.pk],
                body='<p>因清洗水箱，停水4小时。</p><script>alert(1)</script><p onclick="x()">请提前储水。</p>',
            ),
        )
        return notices.publish_notice(actor=handler, notice=notice)


@pytest.mark.req("C-2")
@pytest.mark.req("W-1")
@pytest.mark.django_db
def test_the_sheet_carries_the_notice_the_office_and_the_qr_code_to_the_portal(world, settings):
    settings.ESTATEDESK_SITE_URL = "https://wuye.example.cn"
    notice = _notice(world)
    page = _client(world, "zh-hans").get(reverse("communication:notice_sheet", args=[notice.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "測試物業" in html  # the company
    assert "通知" in html and "3栋停水通知" in html
    assert "因清洗水箱" in html and "<script" not in html.split("</head>")[1].replace(
        '<script src="/static/estatedesk/print.js"></script>', ""
    )
    assert "onclick" not in html
    assert "翠湖花園管理處" in html and "021-55667788" in html
    assert "2026年6月3日" in html
    assert "3栋" in html
    assert 'src="data:image/svg+xml' in html


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_the_sheet_is_printed_in_the_readers_language(world):
    notice = _notice(world)
    english = (
        _client(world, "en").get(reverse("communication:notice_sheet", args=[notice.pk])).content.decode()
    )
    assert "NOTICE" in english and "June 3, 2026" in english and "Service phone" in english
    traditional = _client(world, "zh-hant").get(reverse("communication:notice_sheet", args=[notice.pk]))
    assert "客服電話" in traditional.content.decode()


@pytest.mark.req("C-2")
@pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftotext") is None, reason="WeasyPrint or pdftotext missing"
)
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading"), [("zh-hans", "通知"), ("zh-hant", "通知"), ("en", "NOTICE")]
)
def test_the_sheet_pdf_is_a_pdf_with_the_title_in_each_language(world, tmp_path, language, heading):
    notice = _notice(world)
    response = _client(world, language).get(reverse("communication:notice_sheet_pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    squeezed = "".join(text.split())
    assert heading in squeezed and "3栋停水通知" in squeezed
    assert text.count("\f") == 1  # one page


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_notice_has_no_sheet(world):
    notice = _notice(world)
    client = world.client("handler_b")
    assert client.get(reverse("communication:notice_sheet", args=[notice.pk])).status_code == 404
    assert client.get(reverse("communication:notice_sheet_pdf", args=[notice.pk])).status_code == 404


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_only_a_work_notice_apologises_for_the_inconvenience(world):
    handler = world.users["handler_a"]
    water = _notice(world)
    event = notices.create_notice(
        actor=handler, draft=draft(world, kind="event", title="中秋游园会", body="<p>欢迎参加。</p>")
    )
    client = _client(world, "zh-hans")
    apology = "不便之处，敬请谅解"
    assert apology in client.get(reverse("communication:notice_sheet", args=[water.pk])).content.decode()
    assert apology not in client.get(reverse("communication:notice_sheet", args=[event.pk])).content.decode()
