"""A household's notices on the resident portal (SPEC C-3, W-1): its own notices only, the read
receipt kept from the first opening, the estate's public page without receipts, withdrawn notices
shown as such, the phone-sized pages in three languages, and a script in a notice harmless."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from estatedesk.communication.models import HouseholdLink, Notice, NoticeAttachment, NoticeRecipient
from estatedesk.communication.services import notices
from estatedesk.core.clock import now
from estatedesk.core.redact import redact
from estatedesk.org.models import Building
from tests.communication.conftest import add_households, draft
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("C-3"), pytest.mark.req("W-1")]


def resident(language: str = "zh-hans") -> Client:
    """A phone's browser: no account, its own language."""
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR="203.0.113.9")


def publish(world, **changes) -> Notice:
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world, **changes))
    return notices.publish_notice(actor=handler, notice=notice)


def token_of(unit) -> str:
    return HouseholdLink.objects.get(unit=unit).token


def test_opening_a_notice_is_the_read_receipt_and_the_first_time_is_kept(world):
    notice = publish(world)
    token = token_of(world.unit_a)
    row = NoticeRecipient.objects.get(notice=notice, unit=world.unit_a)
    assert row.read_at is None
    listed = resident().get(reverse("portal:notices", args=[token]))
    assert listed.status_code == 200
    assert 'class="portal-unread"' in listed.content.decode()
    row.refresh_from_db()
    assert row.read_at is None  # the list alone is not reading the notice

    first = now() + timedelta(minutes=5)
    with frozen_at(first):
        assert resident().get(reverse("portal:notice", args=[token, notice.pk])).status_code == 200
    with frozen_at(first + timedelta(hours=3)):
        assert resident().get(reverse("portal:notice", args=[token, notice.pk])).status_code == 200
        listed = resident().get(reverse("portal:notices", args=[token])).content.decode()
    row.refresh_from_db()
    assert row.read_at == first
    assert 'class="portal-unread"' not in listed


def test_a_household_sees_only_the_notices_that_reached_it(world):
    tower_5 = Building.objects.create(estate=world.estate_a, name="5栋", floors=20)
    (in_5,) = add_households(tower_5, 1)
    for_5 = publish(world, title="5栋电梯维修通知", kind="repair", buildings=[tower_5.pk])
    for_all = publish(world, title="全小区停水通知")
    handler_b = world.users["handler_b"]
    other = notices.create_notice(
        actor=handler_b, draft=draft(world, estate=world.estate_b.pk, title="金山大厦停电通知")
    )
    notices.publish_notice(actor=handler_b, notice=other)

    page = resident().get(reverse("portal:notices", args=[token_of(world.unit_a)])).content.decode()
    assert "全小区停水通知" in page
    assert "5栋电梯维修通知" not in page and "金山大厦停电通知" not in page
    page_5 = resident().get(reverse("portal:notices", args=[token_of(in_5)])).content.decode()
    assert "5栋电梯维修通知" in page_5 and "全小区停水通知" in page_5

    # Another household's notice, or another estate's, through this link: not found, no receipt.
    token = token_of(world.unit_a)
    for pk in (for_5.pk, other.pk):
        assert resident().get(reverse("portal:notice", args=[token, pk])).status_code == 404
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()
    assert for_all.pk  # reached unit A


def test_urgent_notices_under_way_come_first_then_the_newest(world):
    with frozen_at(now() - timedelta(days=1)):
        urgent = publish(world, title="紧急停水", urgent=True, late_reason="水管爆裂")
    publish(world, kind="event", title="中秋游园会", starts_at=now() + timedelta(days=5), ends_at=None)
    page = resident().get(reverse("portal:notices", args=[token_of(world.unit_a)])).content.decode()
    assert page.index("紧急停水") < page.index("中秋游园会")
    assert "portal-urgent-badge" in page
    assert urgent.urgent


def test_the_estates_public_page_lists_its_notices_without_read_receipts(world):
    tower_5 = Building.objects.create(estate=world.estate_a, name="5栋", floors=20)
    add_households(tower_5, 1)
    publish(world, title="全小区消防演练", kind="publicity", starts_at=None, ends_at=None)
    publish(world, title="5栋电梯维修通知", kind="repair", buildings=[tower_5.pk])
    publish(world, title="1201室门前维修", units=[world.unit_a.pk])
    publish(
        world,
        kind="financial_report",
        title="业委会财务报告",
        audience="committee",
        starts_at=None,
        ends_at=None,
    )
    response = resident().get(reverse("portal:estate_notices", args=[world.estate_a.code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "全小区消防演练" in page and "5栋电梯维修通知" in page
    assert "1201室门前维修" not in page and "业委会财务报告" not in page
    assert "5栋" in page[page.index("5栋电梯维修通知") :]  # says which building
    assert "/r/n/" not in page  # no household's link on a public page
    assert not NoticeRecipient.objects.filter(read_at__isnull=False).exists()
    assert response["Referrer-Policy"] == "no-referrer"
    # The estate's QR page links to it.
    qr_page = resident().get(reverse("portal:estate", args=[world.estate_a.code])).content.decode()
    assert reverse("portal:estate_notices", args=[world.estate_a.code]) in qr_page
    assert resident().get(reverse("portal:estate_notices", args=["NOPE"])).status_code == 404


def test_a_withdrawn_notice_is_shown_struck_through_with_the_reason(world):
    notice = publish(world, title="3栋停水通知")
    notices.withdraw_notice(actor=world.users["handler_a"], notice=notice, reason="维修提前完成，不再停水")
    token = token_of(world.unit_a)
    page = resident().get(reverse("portal:notices", args=[token])).content.decode()
    assert "<del>3栋停水通知</del>" in page and "维修提前完成，不再停水" in page
    detail = resident().get(reverse("portal:notice", args=[token, notice.pk])).content.decode()
    assert 'id="withdrawn-reason"' in detail and "维修提前完成，不再停水" in detail
    public = resident().get(reverse("portal:estate_notices", args=[world.estate_a.code])).content.decode()
    assert "3栋停水通知" not in public


def test_an_unknown_link_is_the_portals_friendly_not_found_page(world):
    for token in ("x" * 32, "short"):
        response = resident("zh-hans").get(reverse("portal:notices", args=[token]))
        assert response.status_code == 404
        assert 'id="not-found"' in response.content.decode()
    notice = publish(world)
    assert resident().get(reverse("portal:notice", args=["y" * 32, notice.pk])).status_code == 404


def test_the_token_never_reaches_a_log_nor_another_site(world):
    notice = publish(world)
    token = token_of(world.unit_a)
    for url in (reverse("portal:notices", args=[token]), reverse("portal:notice", args=[token, notice.pk])):
        assert token not in redact(f'"GET {url} HTTP/1.1" 200')
        assert resident().get(url)["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", "您家的通知"), ("zh-hant", "您家的通知"), ("en", "Notices for your home")],
)
def test_the_phone_sized_pages_render_in_each_language(world, language, words):
    notice = publish(world, urgent=True, late_reason="水管爆裂")
    token = token_of(world.unit_a)
    by_header = resident(language)
    by_cookie = Client()
    by_cookie.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    for client in (by_header, by_cookie):
        page = client.get(reverse("portal:notices", args=[token])).content.decode()
        assert f'<html lang="{language}">' in page
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
        assert words in page
        detail = client.get(reverse("portal:notice", args=[token, notice.pk]))
        assert detail.status_code == 200 and "portal-urgent-badge" in detail.content.decode()
        public = client.get(reverse("portal:estate_notices", args=[world.estate_a.code]))
        assert public.status_code == 200 and f'<html lang="{language}">' in public.content.decode()
    # The language switch is links, without a script.
    assert 'href="?lang=zh-hant"' in page


def test_a_script_in_a_notice_is_not_rendered_as_a_tag(world):
    notice = publish(world, body="<p>停水<script>alert('x')</script></p>")
    # Even a row written around the service (an import, an old version) is cleaned on the way out.
    Notice.objects.filter(pk=notice.pk).update(
        body="<p>停水</p><script>alert('y')</script><img src=x onerror=alert(1)>"
    )
    token = token_of(world.unit_a)
    for url in (
        reverse("portal:notice", args=[token, notice.pk]),
        reverse("portal:estate_notices", args=[world.estate_a.code]),
    ):
        page = resident().get(url).content.decode()
        assert "停水" in page
        assert "<script>alert" not in page and "onerror" not in page


def test_an_attachment_is_downloaded_through_the_households_link_only(world, settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path
    (tmp_path / "notices").mkdir()
    (tmp_path / "notices" / "plan.pdf").write_bytes(b"%PDF-1.4 plan")
    notice = publish(world)
    attachment = NoticeAttachment.objects.create(
        notice=notice,
        file="notices/plan.pdf",
        name="停水范围图.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_at=now(),
    )
    token = token_of(world.unit_a)
    detail = resident().get(reverse("portal:notice", args=[token, notice.pk])).content.decode()
    url = reverse("portal:notice_file", args=[token, notice.pk, attachment.pk])
    assert url in detail
    response = resident().get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    other = publish(world, title="另一则通知")
    assert (
        resident().get(reverse("portal:notice_file", args=[token, other.pk, attachment.pk])).status_code
        == 404
    )
    outside = NoticeAttachment.objects.create(
        notice=notice, file="../../etc/passwd", name="x", content_type="text/plain", uploaded_at=now()
    )
    assert (
        resident().get(reverse("portal:notice_file", args=[token, notice.pk, outside.pk])).status_code == 404
    )


def test_the_households_list_reads_the_same_queries_however_many_notices(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = token_of_after(world, publish(world, title="第一则"))
    notices.withdraw_notice(
        actor=world.users["handler_a"], notice=publish(world, title="第二则"), reason="取消"
    )
    url = reverse("portal:notices", args=[token])

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            assert resident().get(url).status_code == 200
        return len(seen.captured_queries)

    few = queries()
    for n in range(4):
        notice = publish(world, title=f"通知{n}")
        if n % 2:
            notices.withdraw_notice(actor=world.users["handler_a"], notice=notice, reason="取消")
    assert queries() == few


def token_of_after(world, notice: Notice) -> str:
    assert notice.status == "published"
    return token_of(world.unit_a)
