"""Consultation answers on a phone with the connection cut and restored (SPEC S-4, W-1;
decision 0024): answers typed offline wait on the phone, survive a reload, are sent when the
connection returns, and each household is recorded once, even when the phone sends an answer
again. Same set-up as ``test_journeys``; screenshots of the page in the three languages go to
``$ESTATEDESK_SHOTS`` (default /tmp/x/shots)."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest
from django.urls import reverse

from estatedesk.surveys.models import ConsultationAnswer, ConsultedHousehold
from estatedesk.surveys.services import consultations as svc
from tests.browser.test_journeys import CHROMIUM, _sign_in, browser  # noqa: F401 - the fixture
from tests.conftest import make_world
from tests.surveys.conftest import add_households

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM), reason="Chromium is not installed (apt-get install chromium)"
    ),
    pytest.mark.django_db(transaction=True),
    pytest.mark.req("S-4"),
    pytest.mark.req("W-1"),
]

SHOTS = os.environ.get("ESTATEDESK_SHOTS", "/tmp/x/shots")
PHONE = {"width": 375, "height": 740}


def _running(world, topics=("cleaning", "security", "repairs")):
    add_households(world.building_a, 4)
    consultation = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=list(topics),
        method="door_to_door",
        share=100,
    )
    return svc.start_consultation(actor=world.users["handler_a"], consultation=consultation)


def _phone(chromium, live_server, language):
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.add_cookies([{"name": "estatedesk_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    return context, page, blocked


def _answer(page, cleaning: str, reason: str = "", remarks: str = "") -> str:
    unit = page.locator("#entry-unit option:checked").inner_text()
    page.click(f"#topic-cleaning label:has(input[value='{cleaning}'])")
    if reason:
        page.fill("#reason-cleaning", reason)
    page.click("#topic-security label:has(input[value='satisfied'])")
    if remarks:
        page.fill("#entry-remarks", remarks)
    page.click("#entry-save")
    return unit


def _queue(page, key):
    return json.loads(page.evaluate("k => localStorage.getItem(k) || '{\"queue\": []}'", key))["queue"]


def test_answers_typed_offline_are_sent_once_when_the_connection_returns(browser, live_server):  # noqa: F811
    world = make_world()
    consultation = _running(world)
    context, page, blocked = _phone(browser, live_server, "zh-hans")
    _sign_in(page, live_server, "handler_a")
    url = live_server.url + reverse("surveys:consultation_entry", args=[consultation.pk])
    page.goto(url)
    storage = page.get_attribute("#entry-form", "data-storage-key")

    first = _answer(page, "very_satisfied")
    page.wait_for_selector("#entry-notes :text('已发送')")
    assert _queue(page, storage) == []
    assert page.locator("#entry-answered").inner_text() == "1"

    context.set_offline(True)
    second = _answer(page, "very_dissatisfied", reason="楼道灯坏了一个月", remarks="希望多巡逻")
    third = _answer(page, "neutral")
    assert len({first, second, third}) == 3  # the page moved on to the next household each time
    page.wait_for_selector("#entry-queue:has-text('2 户待发送')")
    os.makedirs(SHOTS, exist_ok=True)
    page.wait_for_function("() => window.scrollY === 0")  # the smooth scroll back to the top is over
    page.screenshot(path=os.path.join(SHOTS, "entry-offline-zh-hans.png"))
    queued = _queue(page, storage)
    assert [item["label"] for item in queued] == [second, third]
    assert (
        ConsultedHousehold.objects.filter(consultation=consultation, answered_at__isnull=False).count() == 1
    )

    # The connection is back but the server cannot be reached yet: a reload keeps the queue.
    page.route("**/entry/submit/", lambda route: route.abort())
    context.set_offline(False)
    page.reload()
    page.wait_for_selector("#entry-queue:has-text('2 户待发送')")
    offered = page.locator("#entry-unit option:not([disabled])").all_inner_texts()
    assert second not in offered and third not in offered and first not in offered

    page.unroute("**/entry/submit/")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#entry-queue", state="hidden")
    assert _queue(page, storage) == []
    answered = ConsultedHousehold.objects.filter(consultation=consultation, answered_at__isnull=False)
    assert sorted(h.unit.label for h in answered) == sorted([first, second, third])
    assert ConsultationAnswer.objects.filter(consultation=consultation).count() == 6  # two topics each
    remarks = ConsultedHousehold.objects.get(consultation=consultation, remarks="希望多巡逻")
    assert remarks.unit.label == second
    assert ConsultationAnswer.objects.get(household=remarks, category="cleaning").reason == "楼道灯坏了一个月"

    # A resend of an answer already recorded (its reply was lost): the same key, recorded once.
    page.evaluate(
        "([k, item]) => localStorage.setItem(k, JSON.stringify({queue: [item], notes: []}))",
        [storage, queued[0]],
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("k => JSON.parse(localStorage.getItem(k)).queue.length === 0", arg=storage)
    assert ConsultationAnswer.objects.filter(consultation=consultation).count() == 6
    assert (
        ConsultedHousehold.objects.filter(consultation=consultation, answered_at__isnull=False).count() == 3
    )
    assert page.locator("#entry-notes .alert-danger").count() == 0

    # A different answer for an answered household: refused, taken off the queue with a note.
    other = dict(queued[1], key="another-key-0001", remarks="另一份")
    page.evaluate(
        "([k, item]) => localStorage.setItem(k, JSON.stringify({queue: [item], notes: []}))", [storage, other]
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#entry-notes .alert-danger")
    assert third in page.inner_text("#entry-notes .alert-danger")
    page.screenshot(path=os.path.join(SHOTS, "entry-conflict-zh-hans.png"))
    assert _queue(page, storage) == []
    assert not ConsultedHousehold.objects.filter(remarks="另一份").exists()

    # A refused answer (a level the scale does not have): noted, and put back into the form to correct.
    unit = page.locator("#entry-unit").input_value()
    label = page.locator("#entry-unit option:checked").inner_text()
    wrong = {
        "key": "wrong-level-0001",
        "unit": unit,
        "label": label,
        "answers": [{"topic": "cleaning", "level": "great", "reason": ""}],
        "remarks": "要改一下",
    }
    page.evaluate(
        "([k, item]) => localStorage.setItem(k, JSON.stringify({queue: [item], notes: []}))", [storage, wrong]
    )
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_selector("#entry-notes .alert-danger:has-text('保洁')")
    page.click("#entry-notes .alert-danger button:has-text('修改')")
    assert page.locator("#entry-unit").input_value() == unit
    assert page.locator("#entry-remarks").input_value() == "要改一下"
    assert not ConsultedHousehold.objects.get(consultation=consultation, unit_id=int(unit)).answered_at
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert blocked == []
    context.close()


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("language", "word"), [("zh-hans", "录入下一户"), ("zh-hant", "錄入下一戶"), ("en", "Save and next")]
)
def test_the_entry_page_fits_a_phone_in_each_language(browser, live_server, language, word):  # noqa: F811
    world = make_world()
    consultation = _running(world)
    context, page, blocked = _phone(browser, live_server, language)
    _sign_in(page, live_server, "handler_a")
    page.goto(live_server.url + reverse("surveys:consultation_entry", args=[consultation.pk]))
    page.click("#topic-cleaning label:has(input[value='dissatisfied'])")
    assert page.is_visible("#reason-cleaning") and not page.is_visible("#reason-security")
    assert word in page.inner_text("#entry-save")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"entry-{language}.png"), full_page=True)
    assert blocked == []
    context.close()


@pytest.mark.parametrize(
    ("language", "thanks"), [("zh-hans", "感谢"), ("zh-hant", "感謝"), ("en", "Thank you")]
)
def test_a_resident_answers_the_questionnaire_on_a_phone(browser, live_server, language, thanks):  # noqa: F811
    world = make_world()
    add_households(world.building_a, 1)
    planned = svc.plan_consultation(
        actor=world.users["handler_a"],
        estate=world.estate_a,
        month=date(2026, 11, 1),
        topics=["cleaning", "security"],
        method="questionnaire",
        share=100,
    )
    svc.start_consultation(actor=world.users["handler_a"], consultation=planned)
    household = ConsultedHousehold.objects.get(consultation=planned, unit=world.unit_a)
    context, page, blocked = _phone(browser, live_server, language)
    page.goto(live_server.url + reverse("portal:consultation", args=[household.token]))
    page.click("#topic-cleaning label:has(input[value='very_dissatisfied'])")
    assert page.is_visible("#reason-cleaning") and not page.is_visible("#reason-security")
    page.fill("#reason-cleaning", "垃圾清运不及时")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"portal-consultation-{language}.png"), full_page=True)
    page.click("#consultation-send")
    page.wait_for_selector("#consultation-thanks")
    assert thanks in page.inner_text("#consultation-thanks")
    assert ConsultationAnswer.objects.get(household=household).reason == "垃圾清运不及时"
    assert blocked == []
    context.close()
