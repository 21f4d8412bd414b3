"""A unit's rectification items on the resident portal (SPEC R-4, W-1, D-3; decision 0040).

The resident has no account: the unit's private link opens its own items only, accepts one
with a drawn signature or a typed name (the time recorded), or objects with text and photos,
which opens the next round. Bad input is 422 with what was typed kept, a second submission is
409 and nothing is recorded twice, and the token reaches no log and no other site.
"""

from __future__ import annotations

import base64
import io
import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageDraw

from estatedesk.core import uploads
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import AlreadyHandled
from estatedesk.core.redact import redact
from estatedesk.org.models import Unit
from estatedesk.portal import rectification_views
from estatedesk.portal.rectification_forms import SIGNATURE_MAX_BYTES
from estatedesk.rectification.models import Item, ItemEvent, ItemPhoto
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import resident, rounds, routing
from estatedesk.rectification.services.items import ItemInput
from estatedesk.rectification.services.resident_messages import link_of_unit
from tests.helpers import frozen_at
from tests.rectification.conftest import photo, rect  # noqa: F401 - rect: the fixture, used by name
from tests.test_i18n_pages import leftovers
from tests.test_logging import handler_output

pytestmark = [pytest.mark.django_db, pytest.mark.req("R-4"), pytest.mark.req("W-1")]


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path
    return tmp_path


def phone(language: str = "zh-hans") -> Client:
    """A resident's phone: no account, its own language."""
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


def token_of(unit) -> str:
    return link_of_unit(unit.pk).token


def list_url(token: str) -> str:
    return reverse("portal:rectification", args=[token])


def item_url(token: str, item: Item) -> str:
    return reverse("portal:rectification_item", args=[token, item.pk])


def signature_png(size: tuple[int, int] = (600, 240)) -> bytes:
    image = Image.new("RGB", size, (255, 255, 255))
    ImageDraw.Draw(image).line([(20, 200), (200, 40), (380, 180), (580, 60)], fill=(16, 24, 64), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def accept(client: Client, token: str, item: Item, *, signature: str = "", name: str = ""):
    return client.post(
        item_url(token, item), {"action": "accept", "accept-signature": signature, "accept-signed_name": name}
    )


def object_to(client: Client, token: str, item: Item, text: str, photos=()):
    return client.post(
        item_url(token, item), {"action": "object", "object-objection": text, "object-photos": list(photos)}
    )


def acceptances(item: Item) -> int:
    return ItemEvent.objects.filter(item=item, kind="accepted").count()


def page(response) -> str:
    return response.content.decode()


def neighbour(world) -> Unit:
    """Another unit of estate A, the same building (a report may hold both)."""
    return Unit.objects.create(estate=world.estate_a, building=world.building_a, number="1202", occupied=True)


# --- The list and the item ------------------------------------------------------------------------


def test_the_list_shows_what_awaits_the_resident_first_then_in_progress_then_accepted(rect):  # noqa: F811 - the fixture imported above
    accepted = rect.walk(rect.item(location="客厅", description="地砖空鼓"), "res_check")
    again = rect.walk(rect.item(location="卫生间", description="地漏返水"), "res_check")
    waiting = rect.walk(rect.item(location="主卧", description="墙面裂缝约30厘米"), "res_check")
    fixing = rect.walk(rect.item(location="厨房", description="水龙头滴水"), "team_fixing")
    token = token_of(rect.world.unit_a)
    with frozen_at(now().replace(year=2026, month=6, day=3, hour=10)):
        resident.accept(token=token, item_id=accepted.pk, signed_name="王小明")
    resident.object_to(token=token, item_id=again.pk, objection="仍然返水")

    response = phone().get(list_url(token))
    assert response.status_code == 200
    html = page(response)
    assert html.index('id="awaiting"') < html.index('id="in-progress"') < html.index('id="accepted"')
    awaiting = html[html.index('id="awaiting"') : html.index('id="in-progress"')]
    in_progress = html[html.index('id="in-progress"') : html.index('id="accepted"')]
    done = html[html.index('id="accepted"') :]
    assert waiting.number in awaiting and "主卧" in awaiting
    assert fixing.number in in_progress and again.number in in_progress
    assert "由开发商整改小组整改中" in in_progress  # the status in plain words
    assert "第2轮整改" in in_progress[in_progress.index(again.number) :]
    assert accepted.number in done and "2026-06-03" in done
    assert item_url(token, waiting) in awaiting
    assert 'href="?lang=zh-hant"' in html  # the language switch, as links


def test_the_item_page_shows_the_defect_the_measure_the_round_and_this_rounds_photos(rect):  # noqa: F811 - the fixture imported above
    item = rect.item(photos=[photo("crack.jpg")])
    item = rect.walk(item, "res_check")
    token = token_of(rect.world.unit_a)
    resident.object_to(token=token, item_id=item.pk, objection="颜色不一致", photos=[photo("still.jpg")])
    rect.walk(item, "res_check")  # round 2: new work photos
    item.refresh_from_db()
    defect = ItemPhoto.objects.get(item=item, stage="reported")
    done_1, done_2 = ItemPhoto.objects.filter(item=item, stage="completed").order_by("round")
    objection = ItemPhoto.objects.get(item=item, stage="objection")

    html = page(phone().get(item_url(token, item)))
    assert "主卧" in html and "墙面裂缝约30厘米" in html and "铲除重新批荡" in html
    assert "第2轮整改" in html and "颜色不一致" in html
    photo_url = lambda p: reverse("portal:rectification_photo", args=[token, p.pk])  # noqa: E731 - short helper
    for shown in (defect, done_2, objection):
        assert photo_url(shown) in html
        assert phone().get(photo_url(shown)).status_code == 200
    assert photo_url(done_1) not in html  # the first round's work is not this round's
    assert phone().get(photo_url(done_1)).status_code == 404
    assert 'id="accept-form"' in html and 'id="objection-form"' in html
    assert "signature_pad.umd.min.js" in html and "estatedesk/signature.js" in html


@pytest.mark.req("P-1")
def test_an_unknown_link_is_the_portals_not_found_page(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(photos=[photo()]), "res_check")
    picture = ItemPhoto.objects.filter(item=item).first()
    for url in (
        list_url("x" * 32),
        reverse("portal:rectification_item", args=["x" * 32, item.pk]),
        reverse("portal:rectification_photo", args=["x" * 32, picture.pk]),
        list_url("short"),
    ):
        response = phone().get(url)
        assert response.status_code == 404
        assert 'id="not-found"' in page(response)
    assert accept(phone(), "y" * 32, item, name="王小明").status_code == 404
    item.refresh_from_db()
    assert item.status == "res_check"


@pytest.mark.req("P-1")
def test_a_link_cannot_see_or_act_on_another_units_item_or_photo(rect):  # noqa: F811 - the fixture imported above
    world = rect.world
    next_door = rect.walk(rect.item(unit=neighbour(world), photos=[photo()]), "res_check")
    report_b = item_services.create_report(actor=world.users["handler_b"], estate=world.estate_b, title="B座")
    elsewhere = item_services.add_items(
        actor=world.users["handler_b"],
        report=report_b,
        rows=[
            ItemInput(
                location="大堂",
                description="门禁失灵",
                category="electrical",
                unit=world.unit_b,
                photos=[photo()],
            )
        ],
    )[0]
    cancelled = rect.item(location="阳台")
    rounds.cancel(actor=world.users["handler_a"], item=cancelled.pk, reason="重复录入")
    mine = rect.walk(rect.item(photos=[photo()]), "res_check")
    token = token_of(world.unit_a)
    scan = ItemPhoto.objects.create(
        item=mine,
        stage="acceptance",
        round=1,
        file="rectification/scan.jpg",
        content_type="image/jpeg",
        uploaded_at=now(),
    )

    html = page(phone().get(list_url(token)))
    assert mine.number in html
    assert next_door.number not in html and elsewhere.number not in html and cancelled.number not in html
    for other in (next_door, elsewhere, cancelled):
        assert phone().get(item_url(token, other)).status_code == 404
        assert accept(phone(), token, other, name="王小明").status_code == 404
        assert object_to(phone(), token, other, "不满意").status_code == 404
    next_door.refresh_from_db()
    assert next_door.status == "res_check" and acceptances(next_door) == 0
    for picture in list(ItemPhoto.objects.filter(item__in=[next_door, elsewhere])) + [scan]:
        assert phone().get(reverse("portal:rectification_photo", args=[token, picture.pk])).status_code == 404
    # The neighbour's own link opens the neighbour's item.
    assert phone().get(item_url(token_of(next_door.unit), next_door)).status_code == 200


# --- Accepting ------------------------------------------------------------------------------------


def test_accepting_with_a_typed_name_records_the_name_and_the_time(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    at = now().replace(microsecond=0) + timedelta(minutes=3)
    with frozen_at(at):
        response = accept(phone(), token, item, name="王小明")
    assert response.status_code == 302
    assert response["Location"] == item_url(token, item) + "?done=accepted#done"
    item.refresh_from_db()
    assert (item.status, item.acceptance_method, item.signed_name) == ("accepted", "typed", "王小明")
    assert item.accepted_at == at and item.signature == ""
    assert acceptances(item) == 1
    done = page(phone().get(response["Location"]))
    assert 'id="done"' in done and "谢谢" in done
    assert "王*明" in done and "王小明" not in done  # the name masked on the page (D-3)
    assert 'id="accept-form"' not in done


def test_accepting_with_a_drawn_signature_keeps_the_picture(rect, upload_root):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    response = accept(phone(), token, item, signature=data_url(signature_png()))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.acceptance_method) == ("accepted", "signature")
    stored = uploads.path_of(item.signature)
    assert stored.is_file() and str(stored).startswith(str(upload_root))
    with Image.open(stored) as kept:
        assert kept.format == "PNG" and kept.size == (600, 240)
    assert acceptances(item) == 1


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("hello", "无法读取签名"),
        (data_url(b"\xff\xd8\xff\xe0 not a png", "image/jpeg"), "无法读取签名"),
        (data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), "无法读取签名"),
        ("data:image/png;base64,@@@not-base64@@@", "无法读取签名"),
        (data_url(b"\x89PNG\r\n\x1a\n" + b"\x00" * (SIGNATURE_MAX_BYTES + 1)), "签名超过"),
    ],
    ids=["not-a-data-url", "a-jpeg", "a-broken-png", "not-base64", "too-big"],
)
def test_a_bad_signature_is_422_in_the_residents_language_with_the_name_kept(rect, signature, message):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    response = accept(phone(), token, item, signature=signature, name="王小明")
    assert response.status_code == 422
    html = page(response)
    assert message in html and 'id="signature-error"' in html
    assert 'value="王小明"' in html  # what was typed is kept
    assert 'id="signature-data" value=""' in html  # a bad drawing is not put back
    item.refresh_from_db()
    assert item.status == "res_check" and acceptances(item) == 0


def test_accepting_with_neither_signature_nor_name_or_too_long_a_name_is_422(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    empty = accept(phone(), token, item)
    assert empty.status_code == 422 and "请在框内签名，或填写您的姓名" in page(empty)
    drawn = data_url(signature_png())
    long_name = accept(phone("en"), token, item, signature=drawn, name="王" * 51)
    assert long_name.status_code == 422
    html = page(long_name)
    assert "At most 50 characters" in html and "王" * 51 in html
    assert f'id="signature-data" value="{drawn}"' in html  # the drawing goes back on the canvas
    item.refresh_from_db()
    assert item.status == "res_check" and acceptances(item) == 0


# --- Objecting ------------------------------------------------------------------------------------


def test_an_objection_opens_round_two_with_the_text_and_photos(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    response = object_to(
        phone(), token, item, "裂缝仍在，颜色不一致", [photo("a.jpg"), photo("b.jpg", (9, 9, 9))]
    )
    assert response.status_code == 302
    assert response["Location"] == item_url(token, item) + "?done=objected#done"
    item.refresh_from_db()
    assert (item.round, item.status, item.objection) == (2, "dev_review", "裂缝仍在，颜色不一致")
    kept = ItemPhoto.objects.filter(item=item, stage="objection", round=2)
    assert kept.count() == 2
    html = page(phone().get(response["Location"]))
    assert "第2轮整改" in html and "裂缝仍在，颜色不一致" in html and 'id="done"' in html
    assert 'id="accept-form"' not in html  # back with the developer: nothing to accept now
    for picture in kept:
        assert reverse("portal:rectification_photo", args=[token, picture.pk]) in html


def test_a_bad_objection_is_422_with_the_text_kept_and_nothing_stored(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    empty = object_to(phone(), token, item, "   ", [photo()])
    assert empty.status_code == 422
    assert "请说明仍存在的问题" in page(empty)
    assert "浏览器无法保留" in page(empty)  # the chosen photos must be chosen again
    not_a_photo = SimpleUploadedFile("note.jpg", b"just text", "image/jpeg")
    bad_photo = object_to(phone(), token, item, "门关不严", [not_a_photo])
    assert bad_photo.status_code == 422
    assert "门关不严" in page(bad_photo) and "不是照片" in page(bad_photo)
    item.refresh_from_db()
    assert (item.round, item.status) == (1, "res_check")
    assert not ItemPhoto.objects.filter(stage="objection").exists()


# --- Twice, and at once ---------------------------------------------------------------------------


def test_a_second_submission_is_already_handled_and_nothing_is_recorded_twice(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    assert accept(phone(), token, item, name="王小明").status_code == 302
    again = accept(phone(), token, item, name="王小明")
    assert again.status_code == 409
    assert "已处理" in page(again) and 'id="handled"' in page(again)
    late_objection = object_to(phone(), token, item, "还有问题")
    assert late_objection.status_code == 409
    assert 'id="unsent"' in page(late_objection) and "还有问题" in page(late_objection)
    item.refresh_from_db()
    assert item.status == "accepted" and item.round == 1 and acceptances(item) == 1


def test_a_second_objection_to_an_item_the_property_company_fixes_is_already_handled(rect):  # noqa: F811 - the fixture imported above
    """The property company's own item goes back to "collected" after an objection; a second tap
    on the old page is "already handled" (409), not "not possible now"."""
    handler = rect.world.users["handler_a"]
    item = rect.item()
    routing.fix_ourselves(
        actor=handler,
        item=item.pk,
        department=rect.world.engineering,
        due_date=company_today() + timedelta(days=3),
    )
    rounds.complete_ourselves(actor=handler, item=item.pk, photos=[photo()])
    rounds.notify(actor=handler, item=item.pk)
    token = token_of(rect.world.unit_a)
    assert object_to(phone(), token, item, "还是漏水").status_code == 302
    second = object_to(phone(), token, item, "还是漏水")
    assert second.status_code == 409
    item.refresh_from_db()
    assert (item.round, item.status) == (2, "reported")
    assert ItemEvent.objects.filter(item=item, kind="objected").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_phones_accepting_at_once_record_one_acceptance(rect, monkeypatch):  # noqa: F811 - the fixture imported above
    """Both phones loaded the page while the item awaited the resident and send at the same
    moment. On PostgreSQL the second waits on the first's row lock, then finds the item
    accepted: 409. SQLite lets one writer in at a time (``BEGIN IMMEDIATE`` waits for the
    other's commit); its in-memory test database answers "locked" instead of waiting, so here
    the two service calls are let in one after the other, as a file database does."""
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    url = item_url(token, item)
    real_accept = resident.accept
    postgres = connection.vendor == "postgresql"
    both_checked = threading.Barrier(2, timeout=30)
    one_writer = threading.Lock()
    first = threading.Event()

    def at_once(**kwargs):
        both_checked.wait()  # each view has read the item as awaiting the resident
        if postgres:
            return real_accept(**kwargs)
        with one_writer:
            return real_accept(**kwargs)

    real_finish = resident.finish

    def finish_once_the_other_waits(*args, **kwargs):
        # The first one in holds the row until the other is seen waiting for its lock.
        if postgres and not first.is_set():
            first.set()
            _wait_for_a_lock_waiter()
        return real_finish(*args, **kwargs)

    monkeypatch.setattr(rectification_views.resident, "accept", at_once)
    monkeypatch.setattr(resident, "finish", finish_once_the_other_waits)
    outcomes: list[tuple[int, str]] = []
    record = threading.Lock()

    def send(name: str) -> None:
        try:
            response = phone().post(url, {"action": "accept", "accept-signed_name": name})
            result = (response.status_code, page(response))
        except AlreadyHandled as error:  # never expected: the view answers 409 itself
            result = (-1, str(error))
        finally:
            connections.close_all()
        with record:
            outcomes.append(result)

    threads = [threading.Thread(target=send, args=(name,)) for name in ("王小明", "王大明")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(status for status, _html in outcomes) == [302, 409]
    assert "已处理" in next(html for status, html in outcomes if status == 409)
    item.refresh_from_db()
    assert item.status == "accepted" and acceptances(item) == 1
    assert item.signed_name in ("王小明", "王大明")


def _wait_for_a_lock_waiter() -> None:
    """Until another session of this database waits for a row lock (PostgreSQL), at most 30 s."""
    for _attempt in range(3000):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
        threading.Event().wait(0.01)
    raise AssertionError("the second submission never waited for the row lock")


# --- Privacy, limits, languages -------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_the_token_never_reaches_a_log_nor_another_site(rect):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(photos=[photo()]), "res_check")
    token = token_of(rect.world.unit_a)
    picture = ItemPhoto.objects.filter(item=item).first()
    other = rect.walk(rect.item(unit=neighbour(rect.world)), "res_check")
    photo_url = reverse("portal:rectification_photo", args=[token, picture.pk])
    with handler_output("django.request") as log:
        assert phone().get(list_url(token))["Referrer-Policy"] == "no-referrer"
        assert phone().get(photo_url)["Referrer-Policy"] == "no-referrer"
        # The item page posts its forms: the origin only, never the path (decision 0008).
        assert phone().get(item_url(token, item))["Referrer-Policy"] == "strict-origin"
        assert phone().get(item_url(token, other)).status_code == 404
        assert accept(phone(), token, item, signature="hello").status_code == 422
        assert accept(phone(), token, item, name="王小明").status_code == 302
        assert accept(phone(), token, item, name="王小明").status_code == 409
    written = log.getvalue()
    assert "/r/z/***/" in written and "Not Found" in written and "Conflict" in written
    assert token not in written and "王小明" not in written
    for url in (list_url(token), item_url(token, item), photo_url):
        assert token not in redact(f'"GET {url} HTTP/1.1" 200')


def test_the_lookups_and_the_sends_are_limited_per_network_address_keeping_what_was_typed(rect, settings):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    settings.PORTAL_RATE_WRITE_IP = "1/10m"
    assert object_to(phone(), token, item, "").status_code == 422
    limited = object_to(phone(), token, item, "门关不严，有缝")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert "门关不严，有缝" in page(limited) and 'id="limit-message"' in page(limited)
    settings.PORTAL_RATE_LOOKUP_IP = "1/1m"
    other_phone = Client(REMOTE_ADDR="198.51.100.4")
    assert other_phone.get(list_url(token)).status_code == 200
    assert other_phone.get(list_url(token)).status_code == 429
    item.refresh_from_db()
    assert item.status == "res_check"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ("您家的整改", "我确认验收合格")),
        ("zh-hant", ("您家的整改", "我確認驗收合格")),
        ("en", ("Rectification of your home", "I accept the rectification")),
    ],
)
def test_the_pages_follow_the_residents_language(rect, language, words):  # noqa: F811 - the fixture imported above
    item = rect.walk(rect.item(), "res_check")
    token = token_of(rect.world.unit_a)
    switched = phone("en").get(list_url(token) + f"?lang={language}")
    assert switched.status_code == 302 and switched["Location"] == list_url(token)
    assert switched.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == language
    for url, expected in zip((list_url(token), item_url(token, item)), words, strict=True):
        html = page(phone(language).get(url))
        assert f'<html lang="{language}">' in html and expected in html
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in html


@pytest.mark.req("D-3")
def test_the_chinese_pages_show_no_english(rect):  # noqa: F811 - the fixture imported above
    token = token_of(rect.world.unit_a)
    waiting = rect.walk(rect.item(photos=[photo()]), "res_check")
    fixing = rect.walk(rect.item(location="厨房"), "team_fixing")
    done = rect.walk(rect.item(location="客厅"), "res_check")
    resident.accept(token=token, item_id=done.pk, signature=SimpleUploadedFile("s.png", signature_png()))
    again = rect.walk(rect.item(location="卫生间"), "res_check")
    resident.object_to(token=token, item_id=again.pk, objection="仍然返水", photos=[photo()])
    client = phone("zh-hans")
    pages = {
        "list": client.get(list_url(token)),
        "awaiting": client.get(item_url(token, waiting)),
        "fixing": client.get(item_url(token, fixing)),
        "accepted": client.get(item_url(token, done) + "?done=accepted"),
        "objected": client.get(item_url(token, again) + "?done=objected"),
        "422 accept": accept(client, token, waiting, signature="hello"),
        "422 object": object_to(client, token, waiting, ""),
        "409": accept(client, token, done, name="王小明"),
        "404": client.get(list_url("z" * 32)),
    }
    for what, response in pages.items():
        assert leftovers(page(response)) == [], what


def test_the_list_reads_the_same_queries_however_many_items(rect):  # noqa: F811 - the fixture imported above
    token = token_of(rect.world.unit_a)
    rect.walk(rect.item(), "res_check")
    client = phone()
    client.get(list_url(token))  # the first request warms the caches
    with CaptureQueriesContext(connection) as one:
        client.get(list_url(token))
    for _n in range(5):
        rect.walk(rect.item(location="次卧"), "team_fixing")
    with CaptureQueriesContext(connection) as six:
        client.get(list_url(token))
    assert len(six) == len(one)
