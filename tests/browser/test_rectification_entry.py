"""Entering ten rectification items for one unit on a phone, with photos, without a reload
(SPEC R-1, W-1; decision 0039). Same set-up as ``test_consultation_entry``; screenshots of
the unit's screen in the three languages go to ``$ESTATEDESK_SHOTS`` (default /tmp/x/shots)."""

from __future__ import annotations

import io
import os

import pytest
from django.urls import reverse
from PIL import Image

from estatedesk.rectification.models import Item, ItemPhoto
from estatedesk.rectification.services import items as item_services
from tests.browser.test_journeys import CHROMIUM, _sign_in, browser  # noqa: F401 - the fixture
from tests.conftest import make_world

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.req("R-1"),
    pytest.mark.req("W-1"),
]

SHOTS = os.environ.get("ESTATEDESK_SHOTS", "/tmp/x/shots")
PHONE = {"width": 375, "height": 740}
# (chip to tap, category, description, photos)
DEFECTS = [
    (0, "walls", "客厅墙面裂缝约30厘米", 1),
    (1, "doors_windows", "主卧窗户关不严", 2),
    (1, "walls", "主卧天花有水渍", 1),
    (2, "electrical", "次卧插座无电", 1),
    (3, "plumbing", "厨房水槽下水慢", 2),
    (3, "fittings", "橱柜门铰链松动", 1),
    (4, "waterproofing", "卫生间地漏反水", 1),
    (4, "fittings", "马桶盖板破损", 1),
    (5, "doors_windows", "阳台推拉门卡滞", 1),
    (6, "doors_windows", "入户门锁芯不顺", 3),
]
SAVE_WORD = {"zh-hans": "保存并录入下一条", "zh-hant": "儲存並錄入下一條", "en": "Save and enter the next"}


def _jpeg(n: int) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), ((n * 40) % 256, 90, 60)).save(buffer, "JPEG")
    return {"name": f"defect-{n}.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_ten_items_with_photos_for_one_unit_without_a_reload(browser, live_server, language):  # noqa: F811
    world = make_world()
    report = item_services.create_report(
        actor=world.users["handler_a"], estate=world.estate_a, title="第一批交付验房"
    )
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "estatedesk_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    _sign_in(page, live_server, "handler_a")

    # Pick the unit: search "3栋-1201" goes straight to its screen.
    page.goto(live_server.url + reverse("rectification:unit_entry", args=[report.pk]))
    page.fill("#unit-q", "3栋-1201")
    page.click("#unit-search button[type=submit]")
    url = live_server.url + reverse("rectification:unit_items", args=[report.pk, world.unit_a.pk])
    page.wait_for_url(url)
    assert SAVE_WORD[language] in page.inner_text("#entry-save")

    navigations: list[str] = []
    page.on(
        "framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None
    )
    page.evaluate("window.__stillHere = 'yes'")

    # A refused item: the message is on its field and what was typed stays.
    page.click("#entry-chips [data-chip]:nth-child(1)")
    page.select_option("#entry-category", "walls")
    page.click("#entry-save")
    page.wait_for_selector("#entry-description.is-invalid")
    assert page.inner_text("#entry-description-error").strip()
    assert page.input_value("#entry-location") and page.input_value("#entry-category") == "walls"

    photos = 0
    for n, (chip, category, description, count) in enumerate(DEFECTS, start=1):
        page.click(f"#entry-chips [data-chip]:nth-child({chip + 1})")
        page.select_option("#entry-category", category)
        page.fill("#entry-description", description)
        page.set_input_files("#entry-photos", files=[_jpeg(n * 10 + i) for i in range(count)])
        page.click("#entry-save")
        page.wait_for_selector(f"#entry-count:text-is('{n}')")
        # The form is ready for the next item: description and photos cleared, the location kept.
        assert page.input_value("#entry-description") == ""
        assert page.evaluate("document.getElementById('entry-photos').files.length") == 0
        assert page.input_value("#entry-location")
        photos += count
        if n == 3:
            os.makedirs(SHOTS, exist_ok=True)
            page.screenshot(path=os.path.join(SHOTS, f"rectification-entry-{language}.png"), full_page=True)

    assert navigations == [] and page.evaluate("window.__stillHere") == "yes"
    assert page.url == url
    items = Item.objects.filter(report=report, unit=world.unit_a).order_by("id")
    assert [i.description for i in items] == [d[2] for d in DEFECTS]
    assert [i.category for i in items] == [d[1] for d in DEFECTS]
    assert ItemPhoto.objects.filter(item__in=items, stage="reported").count() == photos
    assert page.locator("#entry-items .entry-item").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=os.path.join(SHOTS, f"rectification-entry-ten-{language}.png"), full_page=True)
    assert blocked == []
    context.close()
