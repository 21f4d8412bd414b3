"""Administrators keep the communication channels (SPEC C-1): add one with three names and it
is offered on the complaint intake and accepted by the API; switch one off and it is neither,
while old complaints keep its name; delete only an unused channel of their own."""

from __future__ import annotations

import html as html_text
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.org import channel_services, channels
from estatedesk.org.channels import Use
from estatedesk.org.models import Channel
from tests.complaints.api_client import Api, error, ok
from tests.complaints.conftest import record
from tests.complaints.test_api_complaints import intake
from tests.helpers import form_version

pytestmark = pytest.mark.req("C-1")

GROUP = {
    "name_zh_hans": "业主微信群",
    "name_zh_hant": "業主微信群",
    "name_en": "Owners' WeChat group",
    "code": "owners_group",
    "for_complaints": "on",
    "for_log": "on",
}


def _client(world: Any, persona: str = "admin", language: str = "en") -> Client:
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _offered(html: str) -> dict[str, str]:
    """The channel options of the intake form: code → name, in order."""
    select = re.search(r'<select name="channel"[^>]*>(.*?)</select>', html, re.S)
    assert select, "the page has a channel field"
    options = re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', select.group(1))
    return {code: html_text.unescape(name) for code, name in options}


def _intake_channels(world: Any, persona: str = "handler_a", language: str = "en") -> dict[str, str]:
    return _offered(_client(world, persona, language).get(reverse("complaints:intake")).content.decode())


def _add_group(world: Any) -> Channel:
    response = _client(world).post(reverse("org:channel_create"), GROUP)
    assert response.status_code == 302, response.content
    return Channel.objects.get(code="owners_group")


def test_an_administrator_adds_a_channel_offered_on_the_intake_and_accepted_by_the_api(world):
    admin = _client(world)
    assert "Communication channels" in admin.get(reverse("home")).content.decode()  # the menu
    assert admin.get(reverse("org:channel_list")).status_code == 200
    group = _add_group(world)
    assert group.active and group.for_complaints and group.for_log and not group.for_notices
    assert group.kind == "offline"  # recorded by staff: the product delivers only its own
    assert 'data-code="owners_group"' in admin.get(reverse("org:channel_list")).content.decode()

    offered = _intake_channels(world)
    assert offered["owners_group"] == "Owners' WeChat group"
    assert list(offered)[-1] == "owners_group"  # placed last
    assert "portal" not in offered  # the residents' own, as before

    handler = Api(world.users["handler_a"])
    created = ok(handler.post("/complaints", intake(world, channel="owners_group")), 201)
    assert created["channel"] == "owners_group"
    assert created["channel_name"] == "Owners' WeChat group"
    listed = {c["code"]: c for c in ok(handler.get("/channels"))}
    assert listed["owners_group"] == {
        "code": "owners_group",
        "name": "Owners' WeChat group",
        "kind": "offline",
        "uses": ["for_complaints", "for_log"],
        "active": True,
    }


@pytest.mark.parametrize(
    ("language", "name"),
    [("zh-hans", "业主微信群"), ("zh-hant", "業主微信群"), ("en", "Owners' WeChat group")],
)
def test_names_are_shown_in_the_readers_language(world, language, name):
    _add_group(world)
    complaint = record(world, channel="owners_group")
    assert _intake_channels(world, language=language)["owners_group"] == name
    detail = _client(world, "handler_a", language).get(reverse("complaints:detail", args=[complaint.pk]))
    assert name in html_text.unescape(detail.content.decode())
    listed = _client(world, language=language).get(reverse("org:channel_list")).content.decode()
    assert name in html_text.unescape(listed)
    with translation.override(language):
        assert channels.name_of("owners_group") == name
        assert complaint.channel_name == name


def test_a_channel_switched_off_is_not_offered_and_refused_but_old_complaints_keep_its_name(world):
    group = _add_group(world)
    old = record(world, channel="owners_group")
    admin = _client(world)
    response = admin.post(reverse("org:channel_active", args=[group.pk]), {"active": "0"})
    assert response.status_code == 302
    assert "owners_group" not in _intake_channels(world)
    page = admin.get(reverse("org:channel_list")).content.decode()
    assert 'data-code="owners_group" data-active="0"' in page

    # Refused beside the field on the form, everything typed kept…
    handler = _client(world, "handler_a")
    form = handler.get(reverse("complaints:intake")).content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', form).group(1)
    posted = handler.post(
        reverse("complaints:intake"),
        {
            "kind": "complaint",
            "channel": "owners_group",
            "received_at": "2026-11-23T10:00",
            "estate": world.estate_a.pk,
            "unit": world.unit_a.pk,
            "customer": world.customer_a.pk,
            "category": old.category.pk,
            "description": "群里反映电梯停运",
            "submission_key": key,
        },
    )
    html = posted.content.decode()
    assert posted.status_code == 422
    assert "This channel has been switched off for new complaints: choose another." in html
    assert "群里反映电梯停运" in html
    # … and by the API, naming the field.
    body = error(
        Api(world.users["handler_a"]).post("/complaints", intake(world, channel="owners_group")),
        422,
        "invalid",
    )
    assert ["body", "channel"] in [e["loc"] for e in body["errors"]]
    with pytest.raises(InvalidInput) as refused:
        record(world, channel="owners_group")
    assert refused.value.field == "channel"

    # The old complaint keeps its code and shows the name, in the list's export too.
    old.refresh_from_db()
    assert old.channel == "owners_group"
    detail = handler.get(reverse("complaints:detail", args=[old.pk])).content.decode()
    assert "Owners' WeChat group" in html_text.unescape(detail)

    admin.post(reverse("org:channel_active", args=[group.pk]), {"active": "1"})
    assert "owners_group" in _intake_channels(world)


def test_a_used_channel_cannot_be_deleted_and_an_unused_one_of_our_own_can(world):
    group = _add_group(world)
    record(world, channel="owners_group")
    admin = _client(world)
    response = admin.post(reverse("org:channel_delete", args=[group.pk]))
    assert response.status_code == 422
    assert (
        "1 record uses this channel, so it cannot be deleted. Switch it off instead"
        in response.content.decode()
    )
    assert Channel.objects.filter(code="owners_group").exists()

    # A record of the communication log counts as use too (registered by that app).
    leaflet = channel_services.add_channel(
        actor=world.users["admin"], name_zh_hans="传单", name_en="Leaflet", for_log=True
    )
    assert leaflet.code == "leaflet"
    assert channels.uses_of("leaflet") == 0
    assert admin.post(reverse("org:channel_delete", args=[leaflet.pk])).status_code == 302
    assert not Channel.objects.filter(code="leaflet").exists()
    assert channels.uses_of("owners_group") == 1


def test_a_notice_sent_by_a_channel_counts_as_use(world):
    from estatedesk.communication.services import notices
    from tests.communication.conftest import draft

    assert channels.uses_of("notice_board") == 0
    notices.create_notice(
        actor=world.users["handler_a"], draft=draft(world, channels=["portal", "notice_board"])
    )
    assert channels.uses_of("notice_board") == 1
    assert channels.uses_of("bulletin_board") == 0
    assert channels.uses_of("notice") == 0  # a code inside another is not counted


def test_a_built_in_channel_is_never_deleted_and_keeps_the_use_its_behaviour_needs(world):
    admin = _client(world)
    sms = Channel.objects.get(code="sms")
    response = admin.post(reverse("org:channel_delete", args=[sms.pk]))
    assert response.status_code == 422
    assert "The product relies on this channel, so it cannot be deleted." in response.content.decode()
    assert Channel.objects.filter(code="sms").exists()

    edit = admin.get(reverse("org:channel_edit", args=[sms.pk])).content.decode()
    dropped = admin.post(
        reverse("org:channel_rename", args=[sms.pk]),
        {"name_zh_hans": "短信", "for_complaints": "on", "based_on_version": form_version(edit)},
    )
    assert dropped.status_code == 422
    assert (
        "The product relies on this channel for notices: that use stays ticked." in dropped.content.decode()
    )
    sms.refresh_from_db()
    assert sms.for_notices and sms.code == "sms"

    portal = Channel.objects.get(code="portal")
    refused = admin.post(reverse("org:channel_active", args=[portal.pk]), {"active": "0"})
    assert refused.status_code == 422 and "The resident portal stays on" in refused.content.decode()
    # A built-in may be renamed, and switched off if the company does not use it.
    saved = admin.post(
        reverse("org:channel_rename", args=[sms.pk]),
        {
            "name_zh_hans": "手机短信",
            "name_zh_hant": "簡訊",
            "name_en": "Text message",
            "for_notices": "on",
            "based_on_version": form_version(edit),
        },
    )
    assert saved.status_code == 302
    sms.refresh_from_db()
    assert (sms.name_zh_hans, sms.for_complaints, sms.for_log) == ("手机短信", False, False)
    wechat = Channel.objects.get(code="wechat")
    assert admin.post(reverse("org:channel_active", args=[wechat.pk]), {"active": "0"}).status_code == 302


def test_only_administrators_change_the_list(world):
    group = _add_group(world)
    handler = _client(world, "handler_a")
    for name, args in [
        ("org:channel_list", []),
        ("org:channel_create", []),
        ("org:channel_edit", [group.pk]),
    ]:
        assert handler.get(reverse(name, args=args)).status_code == 403
    for name in ("org:channel_rename", "org:channel_move", "org:channel_active", "org:channel_delete"):
        assert (
            handler.post(reverse(name, args=[group.pk]), {"active": "0", "direction": "up"}).status_code
            == 403
        )
    assert handler.post(reverse("org:channel_create"), {**GROUP, "code": "x"}).status_code == 403
    assert not Channel.objects.filter(code="x").exists()

    with pytest.raises(NotAllowed):
        channel_services.add_channel(actor=world.users["handler_a"], name_zh_hans="传单", for_log=True)
    with pytest.raises(NotAllowed):
        channel_services.set_channel_active(actor=world.users["handler_a"], channel=group.pk, active=False)
    with pytest.raises(NotAllowed):
        channel_services.delete_channel(actor=world.users["handler_a"], channel=group.pk)
    group.refresh_from_db()
    assert group.active


def test_two_administrators_editing_at_once_get_one_success_and_one_409_with_both_names(world):
    group = _add_group(world)
    first, second = _client(world), _client(world)
    url = reverse("org:channel_edit", args=[group.pk])
    version = form_version(first.get(url).content.decode())
    assert version == form_version(second.get(url).content.decode())
    rename = reverse("org:channel_rename", args=[group.pk])
    common = {"for_complaints": "on", "based_on_version": version}
    assert first.post(rename, {"name_zh_hans": "业主群一", **common}).status_code == 302
    late = second.post(rename, {"name_zh_hans": "业主群二", **common})
    assert late.status_code == 409
    html = late.content.decode()
    assert "业主群一" in html and "业主群二" in html  # theirs next to mine, mine kept in the form
    group.refresh_from_db()
    assert group.name_zh_hans == "业主群一" and group.code == "owners_group"


def test_an_administrator_reorders_the_channels_and_the_intake_follows(world):
    group = _add_group(world)
    admin = _client(world)
    assert admin.post(reverse("org:channel_move", args=[group.pk]), {"direction": "up"}).status_code == 302
    codes = [code for code, _name in channels.choices(Use.COMPLAINTS)]
    assert codes[-2:] == ["owners_group", "government"]
    # The intake form offers them in that order (without the portal and leadership's own).
    offered = list(_intake_channels(world))
    assert offered == [code for code in codes if code in offered]
    assert offered[-1] == "owners_group"
    listed = re.findall(r'data-code="([^"]+)"', admin.get(reverse("org:channel_list")).content.decode())
    assert listed[-2] == "owners_group"


def test_a_new_channel_needs_a_name_a_use_and_a_free_code(world):
    admin = _client(world)
    response = admin.post(reverse("org:channel_create"), {**GROUP, "for_complaints": "", "for_log": ""})
    assert response.status_code == 422
    assert "Tick what the channel is used for" in response.content.decode()
    assert "业主微信群" in response.content.decode()  # nothing typed is lost
    taken = admin.post(reverse("org:channel_create"), {**GROUP, "code": "phone", "name_zh_hans": "新"})
    assert taken.status_code == 422 and "Another channel already has this code." in taken.content.decode()
    with translation.override("zh-hans"):
        assert channels.choices(Use.COMPLAINTS)[0] == ("phone", "电话")
