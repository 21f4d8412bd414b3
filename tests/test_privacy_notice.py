"""The privacy notice on the resident portal (PIPL; SPEC W-1, D-3).

Residents read who handles their information, what for, how long it is kept, their rights
and whom to contact, and tick that they have read it, before anything is sent. The company
words the notice; each published text is a version that never changes, and every complaint
from the portal keeps the version its sender was shown.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from estatedesk.complaints.models import Complaint
from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from estatedesk.org.models import PrivacyNotice
from tests.test_portal import estate_url, fill, own_uploads, resident  # noqa: F401 - own_uploads is a fixture


def staff_client(world: Any, persona: str) -> Client:
    if persona != "cs_supervisor":
        return world.client(persona)
    staff = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="客服主管",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password="a long enough password",
    )
    client = Client()
    client.force_login(staff.user)
    return client


def publish(world: Any, persona: str | Client, based_on: int, text: str, **texts: str):
    """Post the notice form as ``persona`` would, edited from version ``based_on``."""
    client = persona if isinstance(persona, Client) else world.client(persona)
    notice = PrivacyNotice.objects.get(version=based_on)
    data = {"based_on_version": based_on, "text_zh_hans": text, "text_zh_hant": "", "text_en": "", **texts}
    return client.post(reverse("org:privacy_notice_publish", args=[notice.pk]), data)


# --- The resident reads it before sending ------------------------------------------------------


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
def test_the_portal_shows_the_privacy_notice_before_the_send_button(world):
    page = resident("zh-hans").get(estate_url(world)).content.decode()

    notice = PrivacyNotice.objects.get()
    assert notice.version == 1 and notice.published_by is None  # the default, written on first use
    before_send = page[page.index('id="submission-form"') : page.index("data-sending-label")]
    assert 'id="privacy-notice"' in before_send and 'name="privacy_ack"' in before_send
    assert "測試物業" in before_send  # the company's name from its settings: who handles the data
    for point in ["用于什么目的", "保存多长时间", "您的权利", "如何联系我们"]:
        assert point in before_send
    assert "个人信息处理说明（第1版）" in before_send


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
@pytest.mark.parametrize(
    ("language", "words"), [("zh-hant", "您的權利"), ("en", "Your rights")], ids=["zh-hant", "en"]
)
def test_the_notice_is_shown_in_the_residents_language(world, language, words):
    page = resident(language).get(estate_url(world)).content.decode()

    assert words in page


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
def test_sending_without_acknowledging_the_notice_keeps_everything_typed_and_says_why(world):
    client = resident()
    data = fill(client, world)
    del data["privacy_ack"]

    response = client.post(estate_url(world), data)

    page = response.content.decode()
    assert response.status_code == 422
    assert "Please read the privacy notice and tick the box before sending." in page
    assert "地下车库B2入口漏水，地面很滑" in page and 'value="13812341234"' in page
    assert 'value="王小明"' in page and 'value="3栋-1201"' in page
    assert re.search(r"<details[^>]*open", page), "the notice is opened for the resident to read"
    assert not Complaint.objects.exists()


@pytest.mark.req("W-1")
@pytest.mark.req("D-3")
def test_a_submission_keeps_the_version_shown_even_after_a_newer_one_is_published(world):
    client = resident()
    data = fill(client, world)  # the page showed version 1
    assert publish(world, "gm", 1, "第二版：个人信息处理说明").status_code == 302

    response = client.post(estate_url(world), data)

    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.privacy_notice is not None and complaint.privacy_notice.version == 1
    later = fill(resident(ip="198.51.100.9"), world, description="另一件事")
    resident(ip="198.51.100.9").post(estate_url(world), later)
    assert Complaint.objects.get(description="另一件事").privacy_notice.version == 2


@pytest.mark.req("D-3")
def test_staff_see_which_version_the_resident_was_shown(world):
    client = resident()
    client.post(estate_url(world), fill(client, world))
    complaint = Complaint.objects.get()

    page = world.client("handler_a").get(reverse("complaints:detail", args=[complaint.pk])).content.decode()

    link = reverse("org:privacy_notice_detail", args=[complaint.privacy_notice.pk])
    assert re.search(rf'id="privacy-notice-version"><a href="{link}">第1版</a>', page)
    assert world.client("handler_a").get(link).status_code == 200


# --- The company words it ----------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_publishing_an_edit_makes_a_new_version_and_keeps_the_old_one(world):
    first = org_services.current_privacy_notice()

    response = publish(world, "admin", 1, "新的说明", text_en="The new notice")

    assert response.status_code == 302
    assert response["Location"] == reverse("org:privacy_notice")
    latest = PrivacyNotice.objects.order_by("-version").first()
    assert latest.version == 2 and latest.text_zh_hans == "新的说明" and latest.text_en == "The new notice"
    assert latest.published_by == world.users["admin"] and latest.published_by_name == "admin"
    first.refresh_from_db()
    assert first.text_zh_hans.startswith("測試物業")  # unchanged: complaints point at it
    assert "新的说明" in resident("zh-hans").get(estate_url(world)).content.decode()
    assert "The new notice" in resident("en").get(estate_url(world)).content.decode()
    page = world.client("admin").get(reverse("org:privacy_notice"), follow=True).content.decode()
    assert "新的说明" in page and 'id="notice-versions"' in page


@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["cs_supervisor", "gm", "admin"])
def test_the_supervisor_the_gm_and_administrators_edit_the_notice(world, persona):
    client = staff_client(world, persona)
    notice = org_services.current_privacy_notice()

    page = client.get(reverse("org:privacy_notice_detail", args=[notice.pk]))

    assert page.status_code == 200 and 'id="notice-form"' in page.content.decode()
    assert publish(world, client, 1, "主管修改的说明").status_code == 302
    assert PrivacyNotice.objects.get(version=2).text_zh_hans == "主管修改的说明"


@pytest.mark.req("D-3")
@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["handler_a", "deputy_gm", "auditor"])
def test_other_staff_read_the_notice_but_cannot_publish(world, persona):
    notice = org_services.current_privacy_notice()

    page = world.client(persona).get(reverse("org:privacy_notice_detail", args=[notice.pk]))
    refused = publish(world, persona, 1, "不该发布")

    assert page.status_code == 200 and 'id="notice-form"' not in page.content.decode()
    assert refused.status_code == 403
    assert PrivacyNotice.objects.count() == 1


@pytest.mark.req("D-3")
def test_an_empty_simplified_chinese_text_is_refused_with_the_other_texts_kept(world):
    org_services.current_privacy_notice()

    response = publish(world, "gm", 1, "   ", text_en="Only English")

    assert response.status_code == 422
    assert "Only English" in response.content.decode()
    assert PrivacyNotice.objects.count() == 1


@pytest.mark.req("D-3")
def test_a_stale_edit_answers_409_with_both_texts_and_loses_nothing(world):
    org_services.current_privacy_notice()
    assert publish(world, "gm", 1, "总经理的版本").status_code == 302

    response = publish(world, "admin", 1, "管理员的版本")  # also edited from version 1

    page = response.content.decode()
    assert response.status_code == 409
    assert "在您编辑期间，已有人发布了第2版说明。" in page
    assert "总经理的版本" in page  # the colleague's text
    assert "管理员的版本" in page  # one's own, still in the form
    assert re.search(r'name="based_on_version" value="2"', page)  # publishing again is a knowing choice
    assert PrivacyNotice.objects.order_by("-version").first().text_zh_hans == "总经理的版本"

    again = publish(world, "admin", 2, "管理员的版本")

    assert again.status_code == 302
    assert PrivacyNotice.objects.order_by("-version").first().text_zh_hans == "管理员的版本"
    assert PrivacyNotice.objects.count() == 3


@pytest.mark.req("D-3")
def test_an_older_version_says_which_one_residents_read_now(world):
    first = org_services.current_privacy_notice()
    publish(world, "gm", 1, "第二版")

    page = world.client("gm").get(reverse("org:privacy_notice_detail", args=[first.pk])).content.decode()

    assert 'id="older-version"' in page and 'id="notice-form"' not in page
