"""A resident accepting a rectification item on a phone (SPEC R-4, W-1; decision 0040): opens the
unit's link, opens the item, signs on the canvas with a finger (the mouse here) and accepts; the
item is accepted with the drawn signature kept as a picture. Same set-up and skip rule as
``test_consultation_entry``; screenshots of the list, the item and the thank-you page in the three
languages go to ``$ESTATEDESK_SHOTS`` (default /tmp/x/shots)."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse
from PIL import Image

from estatedesk.core import uploads
from estatedesk.rectification.models import ItemEvent
from estatedesk.rectification.services.resident_messages import link_of_unit
from tests.browser.test_journeys import CHROMIUM, browser  # noqa: F401 - the fixture
from tests.rectification.conftest import photo, rect  # noqa: F401 - rect: the fixture, used by name

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.req("R-4"),
    pytest.mark.req("W-1"),
]


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path


SHOTS = os.environ.get("ESTATEDESK_SHOTS", "/tmp/x/shots")
PHONE = {"width": 375, "height": 740}


def _phone(chromium, live_server, language, *, script=True):
    context = chromium.new_context(
        viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True, java_script_enabled=script
    )
    context.add_cookies([{"name": "estatedesk_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    blocked: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    return context, page, blocked, outside


def _sign(page) -> None:
    """A signature's strokes with the mouse (pointer events, as a finger gives)."""
    page.locator("#signature-pad").scroll_into_view_if_needed()
    box = page.locator("#signature-pad").bounding_box()
    assert box is not None
    left, top, width, height = box["x"], box["y"], box["width"], box["height"]
    for stroke in (
        [(0.1, 0.7), (0.25, 0.2), (0.4, 0.75), (0.55, 0.3)],
        [(0.6, 0.6), (0.75, 0.25), (0.9, 0.65)],
    ):
        x, y = stroke[0]
        page.mouse.move(left + x * width, top + y * height)
        page.mouse.down()
        for x, y in stroke[1:]:
            page.mouse.move(left + x * width, top + y * height, steps=12)
        page.mouse.up()


def _shot(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, name), full_page=True)


def _fits(page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


@pytest.mark.parametrize(
    ("language", "accept_word", "thanks"),
    [
        ("zh-hans", "我确认验收合格", "谢谢"),
        ("zh-hant", "我確認驗收合格", "謝謝"),
        ("en", "I accept the rectification", "Thank you"),
    ],
)
def test_a_resident_signs_on_the_phone_and_accepts(browser, live_server, rect, language, accept_word, thanks):  # noqa: F811
    item = rect.walk(rect.item(photos=[photo()]), "res_check")
    rect.walk(rect.item(location="厨房", description="水龙头滴水"), "team_fixing")
    token = link_of_unit(rect.world.unit_a.pk).token
    context, page, blocked, outside = _phone(browser, live_server, language)

    page.goto(live_server.url + reverse("portal:rectification", args=[token]))
    assert item.number in page.inner_text("#awaiting")
    assert _fits(page)
    _shot(page, f"rectification-list-{language}.png")

    page.click(f"#item-{item.pk} a")
    page.wait_for_selector("#signature-box:not([hidden])")  # the script showed the drawing box
    assert accept_word in page.inner_text("#accept-send")
    assert page.locator("#defect-photos img").count() == 1 and page.locator("#done-photos img").count() == 1
    _sign(page)
    assert _fits(page)
    _shot(page, f"rectification-item-{language}.png")

    page.click("#accept-send")
    page.wait_for_selector("#done")
    assert thanks in page.inner_text("#done")
    assert page.locator("#accept-form").count() == 0
    _shot(page, f"rectification-done-{language}.png")

    item.refresh_from_db()
    assert (item.status, item.acceptance_method) == ("accepted", "signature")
    assert item.accepted_at is not None and item.signature
    with Image.open(uploads.path_of(item.signature)) as kept:
        assert kept.format == "PNG"
        ink = kept.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    assert ink is not None  # the strokes are in the picture, not a blank box
    assert ItemEvent.objects.filter(item=item, kind="accepted").count() == 1
    assert blocked == [] and outside == []
    context.close()


def test_without_a_script_the_typed_name_accepts(browser, live_server, rect):  # noqa: F811 - the fixtures above
    item = rect.walk(rect.item(), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    context, page, blocked, _outside = _phone(browser, live_server, "zh-hans", script=False)
    page.goto(live_server.url + reverse("portal:rectification_item", args=[token, item.pk]))
    assert not page.is_visible("#signature-pad")  # no script, no drawing box
    page.click("#accept-send")  # neither signed nor named: said so, in Chinese
    assert "请在框内签名，或填写您的姓名" in page.inner_text("#signature-error")
    page.fill("#id_accept-signed_name", "王小明")
    page.click("#accept-send")
    page.wait_for_selector("#done")
    item.refresh_from_db()
    assert (item.status, item.acceptance_method, item.signed_name) == ("accepted", "typed", "王小明")
    assert blocked == []
    context.close()
