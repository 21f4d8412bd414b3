"""The resident portal: submit from an estate's QR code, follow by a private link (SPEC W-1, K-1, C-7).

Residents need no account; abuse is slowed by rate limits and unguessable tokens, and a
resident sees their own matter only, without staff names or internal notes (D-3, P-1).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from estatedesk.complaints import services, uploads
from estatedesk.complaints.models import Category, Channel, Complaint
from estatedesk.core.actors import RESIDENT
from estatedesk.core.errors import InvalidInput
from estatedesk.notifications.models import Message
from estatedesk.org import services as org_services
from estatedesk.portal import ratelimit
from tests.complaints.conftest import record
from tests.helpers import frozen_at


@pytest.fixture(autouse=True)
def own_uploads(settings: Any, tmp_path: Path):
    # Rate-limit counters start empty in every test (tests/conftest.py).
    settings.UPLOAD_ROOT = tmp_path / "uploads"


def resident(language: str = "en", ip: str = "203.0.113.7") -> Client:
    """A phone's browser: no account, its own language and address."""
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=ip)


def estate_url(world: Any) -> str:
    return reverse("portal:estate", args=[world.estate_a.code])


def signed_key(page: str) -> str:
    match = re.search(r'name="submission_key" value="([^"]+)"', page)
    assert match, "the form carries a one-time submission key"
    return match.group(1)


def notice_version(page: str) -> str:
    match = re.search(r'name="privacy_version" value="(\d+)"', page)
    assert match, "the form carries the version of the privacy notice it shows"
    return match.group(1)


def photo(name: str = "leak.jpg", colour: tuple[int, int, int] = (90, 90, 200)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/jpeg")


def fill(client: Client, world: Any, **overrides: Any) -> dict[str, Any]:
    page = client.get(estate_url(world)).content.decode()
    data: dict[str, Any] = {
        "submission_key": signed_key(page),
        "privacy_version": notice_version(page),
        "privacy_ack": "on",
        "kind": "complaint",
        "category": Category.objects.get(code="repairs").pk,
        "description": "地下车库B2入口漏水，地面很滑",
        "unit": "3栋-1201",
        "name": "王小明",
        "phone": "13812341234",
    }
    data.update(overrides)
    return data


def submit(client: Client, world: Any, **overrides: Any):
    return client.post(estate_url(world), fill(client, world, **overrides))


# --- Submitting ---------------------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("A-1")
def test_a_submission_costs_a_fixed_few_statements(world, django_assert_max_num_queries):
    """Sending the form is the page's reads (estate, notice, the key not used yet, category,
    unit) and intake's (decisions 0058, 0062: the settings with the estate's office and the
    channel's state in one read, the key's uniqueness left to its index): at most 16
    statements, whatever the number of complaints (19 before decision 0062)."""
    client = resident()
    assert submit(client, world).status_code == 302  # the first of the day creates the counter
    for index in range(5):
        record(world, description=f"别的投诉 {index}")
    data = fill(client, world)
    with django_assert_max_num_queries(16):
        response = client.post(estate_url(world), data)
    done = Complaint.objects.get(
        submission_key__isnull=False, portal_token=response["Location"].split("/")[-3]
    )
    assert (done.channel, done.description) == ("portal", data["description"])
    assert Message.objects.filter(key__startswith=f"{done.number}:").exists()  # the office is told


@pytest.mark.req("W-1")
def test_a_category_that_is_not_a_choice_is_refused_with_the_forms_message(world):
    """The category is read by a compiled query (decision 0070): an id that is not a number,
    out of any range, unknown or of a retired category is refused as the ORM's choice field
    refused it (Django's own message, translated), and nothing is recorded."""
    retired = Category.objects.create(
        code="retired", name_zh_hans="旧", name_zh_hant="舊", name_en="Old", active=False
    )
    client = resident()
    before = Complaint.objects.count()
    for value in ("abc", "1.5", "99999999999999999999999", "-1", str(retired.pk), "424242"):
        response = submit(client, world, category=value)
        assert response.status_code == 422, value
        assert "Select a valid choice" in response.content.decode(), value
    assert Complaint.objects.count() == before
    assert submit(client, world).status_code == 302


@pytest.mark.req("W-1")
@pytest.mark.req("K-1")
def test_a_resident_submits_from_the_estate_page_and_gets_a_private_link(world):
    client = resident()
    page = client.get(estate_url(world))
    assert page.status_code == 200
    text = page.content.decode()
    assert "翠湖花園" in text and "we will send you an SMS when we reply" in text
    assert 'href="/org/' not in text and "navbar" not in text  # no staff navigation

    response = submit(client, world, photos=[photo("leak 1.jpg"), photo("leak 2.jpg")])

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:receipt", args=[complaint.portal_token])
    assert complaint.channel == Channel.PORTAL and complaint.estate == world.estate_a
    assert complaint.unit == world.unit_a and complaint.complainant_name == "王小明"
    assert complaint.contact_phone == "13812341234" and complaint.recorded_by is None
    assert complaint.attachments.count() == 2

    receipt = client.get(response["Location"]).content.decode()
    status_path = reverse("portal:status", args=[complaint.portal_token])
    assert complaint.number in receipt
    assert f"http://testserver{status_path}" in receipt
    assert 'src="data:image/png;base64,' in receipt  # the QR code to save

    status = client.get(status_path)
    assert status.status_code == 200 and complaint.number in status.content.decode()


@pytest.mark.req("W-1")
def test_the_private_token_is_long_and_random(world):
    first = record(world)
    second = record(world)

    assert len(first.portal_token) >= 32 and len(second.portal_token) >= 32
    assert first.portal_token != second.portal_token
    assert first.number not in first.portal_token and str(first.pk) != first.portal_token


@pytest.mark.req("W-1")
def test_sending_the_same_form_twice_makes_one_complaint(world):
    client = resident()
    data = fill(client, world)

    first = client.post(estate_url(world), data)
    again = client.post(estate_url(world), data)  # double tap, or back and send again

    assert Complaint.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]


@pytest.mark.req("W-1")
def test_the_same_form_sent_again_with_other_line_endings_and_blanks_gets_the_first_receipt(world):
    client = resident()
    data = fill(client, world, description="车库漏水\n地面很滑")

    first = client.post(estate_url(world), {**data, "photos": [photo("a.jpg")]})
    again = client.post(
        estate_url(world), {**data, "description": " 车库漏水\r\n地面很滑 ", "photos": [photo("a.jpg")]}
    )

    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Complaint.objects.count() == 1


@pytest.mark.req("W-1")
@pytest.mark.parametrize(
    "changed",
    [
        lambda: {"description": "另一件事：3栋电梯停运"},
        lambda: {"phone": "13900001111"},
        lambda: {"photos": [photo("b.jpg", colour=(0, 160, 0))]},
    ],
    ids=["text", "phone", "photo"],
)
def test_the_same_key_with_different_content_is_refused_and_keeps_what_was_typed(world, changed):
    client = resident()
    data = fill(client, world)
    client.post(estate_url(world), {**data, "photos": [photo("a.jpg")]})
    done = Complaint.objects.get()

    response = client.post(estate_url(world), {"photos": [photo("a.jpg")], **data, **changed()})

    page = response.content.decode()
    assert response.status_code == 422
    assert "This form was already sent, with different content." in page
    assert done.number not in page and done.portal_token not in page  # not the first one's receipt
    assert "地下车库B2入口漏水" in page or "另一件事：3栋电梯停运" in page
    assert Complaint.objects.count() == 1
    # The page carries a fresh key: sending again makes the second text a new submission.
    fresh = signed_key(page)
    assert fresh != data["submission_key"]
    again = client.post(
        estate_url(world), {"photos": [photo("a.jpg")], **data, **changed(), "submission_key": fresh}
    )
    assert again.status_code == 302 and Complaint.objects.count() == 2


@pytest.mark.req("W-1")
def test_the_intake_service_refuses_a_known_key_with_another_body(world):
    notice = org_services.current_privacy_notice()
    fields = {
        "estate": world.estate_a,
        "kind": "complaint",
        "channel": Channel.PORTAL,
        "category": Category.objects.get(code="repairs"),
        "phone": "13812341234",
        "submission_key": "k" * 32,
        "privacy_notice": notice,
    }
    first = services.record_complaint(
        actor=RESIDENT, data=services.Intake(description="漏水", submission_hash="a" * 64, **fields)
    )

    same = services.record_complaint(
        actor=RESIDENT, data=services.Intake(description="漏水", submission_hash="a" * 64, **fields)
    )
    with pytest.raises(InvalidInput) as refused:
        services.record_complaint(
            actor=RESIDENT, data=services.Intake(description="停电", submission_hash="b" * 64, **fields)
        )

    assert same.pk == first.pk and refused.value.status == 422
    assert Complaint.objects.count() == 1


@pytest.mark.req("W-1")
def test_an_altered_submission_key_is_not_trusted(world):
    client = resident()
    submit(client, world)
    done = Complaint.objects.get()

    response = submit(client, world, submission_key=done.submission_key)  # unsigned: not one we handed out

    assert response.status_code == 302 and Complaint.objects.count() == 2
    assert response["Location"] != reverse("portal:receipt", args=[done.portal_token])


@pytest.mark.req("W-1")
def test_an_unknown_unit_gets_a_message_and_keeps_what_was_typed(world):
    response = submit(resident(), world, unit="9栋-9999")

    page = response.content.decode()
    assert response.status_code == 422
    assert "We could not find unit “9栋-9999” in 翠湖花園" in page
    assert "地下车库B2入口漏水，地面很滑" in page and 'value="13812341234"' in page
    assert not Complaint.objects.exists()


@pytest.mark.req("W-1")
def test_a_resident_must_leave_a_way_to_be_answered(world):
    response = submit(resident(), world, unit="", name="", phone="")

    assert response.status_code == 422
    assert "Give a mobile phone number, or your unit and name" in response.content.decode()


@pytest.mark.req("W-1")
def test_a_bad_photo_is_refused_with_a_message_and_the_text_kept(world):
    fake = SimpleUploadedFile("door.jpg", b"this is not a picture" * 20, "image/jpeg")

    response = submit(resident(), world, photos=[fake])

    page = response.content.decode()
    assert response.status_code == 422
    assert "door.jpg" in page and "not an image or PDF" in page
    assert "choose them again" in page and "地下车库B2入口漏水" in page
    assert not Complaint.objects.exists()


@pytest.mark.req("W-1")
def test_too_many_photos_are_refused(world, settings):
    settings.PORTAL_MAX_PHOTOS = 2

    response = submit(resident(), world, photos=[photo(), photo(), photo()])

    assert response.status_code == 422 and "at most 2 photos" in response.content.decode()


@pytest.mark.req("C-7")
def test_an_enquiry_from_the_portal_is_recorded_as_an_enquiry(world):
    submit(resident(), world, kind="enquiry", description="物业费可以用微信交吗？")

    assert Complaint.objects.get().kind == "enquiry"


@pytest.mark.req("W-1")
@pytest.mark.parametrize("code", ["NOPE", "B-INACTIVE"])
def test_an_unknown_or_inactive_estate_answers_not_found(world, code):
    world.estate_b.code = "B-INACTIVE"
    world.estate_b.active = False
    world.estate_b.save()

    response = resident().get(reverse("portal:estate", args=[code]))

    assert response.status_code == 404
    assert "This page does not exist" in response.content.decode()


# --- Rate limits --------------------------------------------------------------------------------


@pytest.fixture
def still_clock():
    """The clock stopped mid-minute: a rate window ending during a test would reset its counts."""
    with frozen_at(datetime(2026, 12, 3, 4, 5, 30, tzinfo=UTC)):
        yield


@pytest.mark.req("W-1")
def test_too_many_submissions_from_one_address_get_a_friendly_429_with_the_text_kept(
    world, settings, still_clock
):
    settings.PORTAL_RATE_SUBMIT_IP = "1/10m"
    client = resident()
    assert submit(client, world).status_code == 302

    response = submit(client, world, description="第二次：车库还在漏水")

    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many requests from your network" in page
    assert "第二次：车库还在漏水" in page
    assert int(response["Retry-After"]) > 0
    assert Complaint.objects.count() == 1
    # another address is not held back
    assert submit(resident(ip="198.51.100.20"), world).status_code == 302


@pytest.mark.req("W-1")
def test_an_estate_takes_only_so_many_submissions_an_hour(world, settings, still_clock):
    settings.PORTAL_RATE_SUBMIT_ESTATE = "2/1h"
    for n in range(2):
        assert submit(resident(ip=f"198.51.100.{n + 1}"), world).status_code == 302

    assert submit(resident(ip="198.51.100.99"), world).status_code == 429
    assert Complaint.objects.count() == 2


@pytest.mark.req("W-1")
def test_status_lookups_are_limited_per_address(world, settings, still_clock):
    settings.PORTAL_RATE_LOOKUP_IP = "3/1m"
    client = resident()
    for _ in range(3):
        assert client.get(reverse("portal:status", args=["x" * 32])).status_code == 404

    response = client.get(reverse("portal:status", args=["y" * 32]))

    assert response.status_code == 429 and "Too many requests" in response.content.decode()


def test_rates_are_read_as_count_per_period():
    assert ratelimit.parse("5/10m") == ratelimit.Rate(5, 600)
    assert ratelimit.parse("60/h") == ratelimit.Rate(60, 3600)
    with pytest.raises(ValueError):
        ratelimit.parse("five a minute")


# --- Following ----------------------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("A-4")
def test_the_resident_reads_the_reply_and_gets_an_sms(world):
    client = resident()
    submit(client, world)
    complaint = Complaint.objects.get()
    status_url = reverse("portal:status", args=[complaint.portal_token])
    before = client.get(status_url).content.decode()
    assert "Received, waiting to be looked at" in before and "We will answer by" in before
    assert "Our reply" not in before

    handler = world.users["handler_a"]
    services.assess(actor=handler, complaint=complaint, cause="maintenance", serious=False, urgent=True)
    services.handle(
        actor=handler, complaint=complaint, cause_analysis="排水沟堵塞", measures="内部备注：疏通排水沟"
    )
    services.reply(actor=handler, complaint=complaint, content="已疏通排水沟，请放心使用。", manner="written")

    page = client.get(status_url).content.decode()
    assert "Answered" in page and "已疏通排水沟，请放心使用。" in page
    assert "内部备注" not in page and "排水沟堵塞" not in page  # internal notes stay inside
    assert "handler_a" not in page  # no staff names
    sms = Message.objects.get(channel="sms")
    assert sms.address == "13812341234" and complaint.number in sms.body


@pytest.mark.req("W-1")
def test_an_unknown_token_answers_not_found_in_the_portal_style(world):
    response = resident().get(reverse("portal:status", args=["A" * 32]))

    page = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist" in page and "portal.css" in page


@pytest.mark.req("W-1")
@pytest.mark.req("P-1")
def test_the_status_page_shows_the_residents_own_photos_only(world):
    client = resident()
    submit(client, world, photos=[photo("mine.jpg")])
    complaint = Complaint.objects.get()
    staff_file = uploads.store(
        complaint=complaint, upload=photo("internal.jpg"), actor=world.users["handler_a"]
    )
    other = record(world)
    foreign = uploads.store(complaint=other, upload=photo("other.jpg"), actor=RESIDENT)
    mine = complaint.attachments.get(original_name="mine.jpg")

    page = client.get(reverse("portal:status", args=[complaint.portal_token])).content.decode()

    own_url = reverse("portal:photo", args=[complaint.portal_token, mine.pk])
    assert own_url in page and "internal.jpg" not in page
    served = client.get(own_url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    for hidden in (staff_file, foreign):
        assert (
            client.get(reverse("portal:photo", args=[complaint.portal_token, hidden.pk])).status_code == 404
        )


@pytest.mark.req("P-3")
@pytest.mark.parametrize(
    ("accept", "html_lang"), [("zh-CN,zh;q=0.9", "zh-hans"), ("zh-TW", "zh-hant"), ("en-GB,en", "en")]
)
def test_the_portal_follows_the_browsers_language(world, accept, html_lang):
    page = resident(language=accept).get(estate_url(world)).content.decode()

    assert f'<html lang="{html_lang}">' in page
    assert 'href="?lang=en"' in page  # the small switch


@pytest.mark.req("P-3")
@pytest.mark.req("W-1")
def test_a_resident_switches_language_by_link_and_keeps_the_page(world):
    client = resident()
    submit(client, world)
    status_url = reverse("portal:status", args=[Complaint.objects.get().portal_token])

    switched = client.get(status_url + "?lang=zh-hant")

    assert switched.status_code == 302 and switched["Location"] == status_url
    assert '<html lang="zh-hant">' in client.get(status_url).content.decode()
    # A language that does not exist changes nothing and breaks nothing.
    assert client.get(status_url + "?lang=xx")["Location"] == status_url
    assert '<html lang="zh-hant">' in client.get(status_url).content.decode()


# --- The poster ---------------------------------------------------------------------------------


@pytest.mark.req("W-1")
def test_staff_print_a_poster_with_the_estates_qr_code(world):
    client = world.client("handler_a")

    response = client.get(reverse("complaints:poster", args=[world.estate_a.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "翠湖花園" in page and "<svg" in page
    assert f"http://testserver{estate_url(world)}" in page
    assert (
        world.client("handler_b").get(reverse("complaints:poster", args=[world.estate_a.pk])).status_code
        == 404
    )


@pytest.mark.req("W-1")
def test_the_poster_uses_the_public_site_address_when_configured(world, settings):
    settings.ESTATEDESK_SITE_URL = "https://service.example.com"

    page = (
        world.client("handler_a").get(reverse("complaints:poster", args=[world.estate_a.pk])).content.decode()
    )

    assert f"https://service.example.com{estate_url(world)}" in page


def test_portal_settings_have_sane_defaults():
    assert settings.PORTAL_MAX_PHOTOS >= 1
    for name in ("PORTAL_RATE_SUBMIT_IP", "PORTAL_RATE_SUBMIT_ESTATE", "PORTAL_RATE_LOOKUP_IP"):
        assert ratelimit.setting(name).count >= 1


# --- Addresses with secrets ---------------------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
def test_no_page_with_a_token_or_code_in_its_address_sends_it_on_as_a_referrer(world):
    from tests.test_permissions import all_patterns  # reason: the same walk of every URL pattern

    client = resident()
    submit(client, world, photos=[photo()])
    complaint = Complaint.objects.get()
    token = complaint.portal_token
    secret_urls = {
        "portal:estate": [world.estate_a.code],
        "portal:status": [token],
        "portal:receipt": [token],
        "portal:photo": [token, complaint.attachments.get().pk],
    }
    # Outside the portal, string parts of addresses are names (a flowchart, a file format).
    with_secret = {
        name for name, route, _ in all_patterns() if name and name.startswith("portal:") and "<str:" in route
    }
    # The survey and consultation links' pages: tests/surveys/test_portal_answering.py and
    # tests/surveys/consultations/test_portal_consultation.py check their policies; the notice
    # pages: tests/communication/test_portal_notices.py; the unit's rectification pages:
    # tests/test_portal_rectification.py.
    walked = set(secret_urls) | {
        "portal:rectification",
        "portal:rectification_item",
        "portal:rectification_photo",
        "portal:survey",
        "portal:survey_done",
        "portal:consultation",
        "portal:consultation_done",
        "portal:notices",
        "portal:notice",
        "portal:notice_file",
        "portal:estate_notices",
    }
    assert with_secret <= walked, f"add these to the walk: {with_secret - walked}"

    answers = [client.get(reverse(name, args=args)) for name, args in secret_urls.items()]
    answers += [
        client.get(reverse("portal:status", args=["x" * 32])),  # not found
        client.post(estate_url(world), {"description": "只写了一半"}),  # sent back to finish
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 200, 404, 422]
    policies = [a["Referrer-Policy"] for a in answers]
    # A private token never travels on. The receipt and the photos send no referrer at all.
    assert policies[2:4] == ["no-referrer"] * 2
    # The status page posts its own forms (add information, chase, rate), and under no-referrer
    # browsers send "Origin: null", which CSRF refuses: like the estate page, it sends the
    # origin only, never the path with the token (nor does its not-found answer).
    assert policies[0] == policies[1] == policies[4] == policies[5] == "strict-origin"
    status_page = answers[1].content.decode()
    assert 'id="information-form"' in status_page and 'name="csrfmiddlewaretoken"' in status_page
    # The language switch stays links, whatever the page.
    assert 'href="?lang=zh-hant"' in status_page
    # Staff pages keep the site-wide policy.
    assert world.client("handler_a").get(reverse("home"))["Referrer-Policy"] == "same-origin"
