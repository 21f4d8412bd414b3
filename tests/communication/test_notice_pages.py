"""The staff pages of notices to customers (SPEC C-2, C-3): writing a notice on the form (the
lead time answered on the late-reason field), editing it while someone else does, the steps
on its page, the list with its filters and workbook, and who may see and do what."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.timezone import localtime

from estatedesk.communication.models import Notice, NoticeRecipient
from estatedesk.communication.services import notices
from estatedesk.core.clock import company_zone, now
from tests.communication.conftest import add_households, at, draft


def _local(moment: datetime) -> str:
    return localtime(moment, company_zone()).strftime("%Y-%m-%dT%H:%M")


def _post(world, **changes):
    """What the form posts for a water cut in estate A's building 3 in ``hours`` hours."""
    starts = changes.pop("starts", at(48))
    data = {
        "kind": "water_cut",
        "title": "3栋停水通知",
        "body": "因清洗水箱，停水4小时。\n\n请提前储水。",
        "estate": str(world.estate_a.pk),
        "buildings": [str(world.building_a.pk)],
        "units": "",
        "audience": "",
        "starts_at": _local(starts),
        "ends_at": _local(starts + timedelta(hours=4)),
        "publish_at": "",
        "channels": ["portal", "sms"],
        "late_reason": "",
    }
    data.update(changes)
    return data


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_late_work_notice_asks_for_its_reason_on_the_form_and_saves_with_one(world):
    client = world.client("handler_a")
    typed = _post(world, starts=at(3), title="紧急停水：3栋", body="水管爆裂，\n\n立即停水抢修。")
    response = client.post(reverse("communication:notice_create"), typed)
    assert response.status_code == 422
    html = _page(response)
    # The message is next to the reason field, and nothing typed is lost.
    error = html.split('id="error-late_reason">', 1)[1].split("</div>", 1)[0]
    assert "24" in error
    assert "紧急停水：3栋" in html and "水管爆裂" in html
    assert not Notice.objects.exists()

    typed["late_reason"] = "水管爆裂，紧急抢修"
    response = client.post(reverse("communication:notice_create"), typed)
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert response["Location"] == reverse("communication:notice_detail", args=[notice.pk])
    assert notice.status == "draft" and notice.late_reason == "水管爆裂，紧急抢修"
    # Plain text without the editor: blank lines became paragraphs.
    assert notice.body == "<p>水管爆裂，</p><p>立即停水抢修。</p>"
    assert list(notice.buildings.all()) == [world.building_a] and notice.channels == ["portal", "sms"]


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_units_are_typed_as_labels_and_an_unknown_one_is_named(world):
    add_households(world.building_a, 2, start=1301)
    client = world.client("handler_a")
    response = client.post(
        reverse("communication:notice_create"),
        _post(world, kind="repair", units="3栋-1301，3栋-1302、3栋-9999"),
    )
    assert response.status_code == 422
    assert "3栋-9999" in _page(response) and 'id="error-units"' in _page(response)
    response = client.post(
        reverse("communication:notice_create"), _post(world, kind="repair", units="3栋 - 1301, 3栋-1302")
    )
    assert response.status_code == 302
    assert sorted(u.number for u in Notice.objects.get().units.all()) == ["1301", "1302"]


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_financial_report_goes_to_all_owners_when_the_audience_is_left_to_the_type(world):
    client = world.client("handler_a")
    data = _post(world, kind="financial_report", title="2026年上半年物业费收支", starts_at="", ends_at="")
    assert client.post(reverse("communication:notice_create"), data).status_code == 302
    assert Notice.objects.get().audience == "owners"
    data["audience"] = "households"
    response = client.post(reverse("communication:notice_create"), data)
    assert response.status_code == 422 and 'id="error-audience"' in _page(response)


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_an_edit_on_an_old_version_answers_409_and_keeps_both_texts(world):
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world))
    page = world.client("handler_a").get(reverse("communication:notice_edit", args=[notice.pk]))
    assert page.status_code == 200 and 'name="based_on_version" value="0"' in _page(page)
    # A colleague saves first.
    notices.edit_notice(
        actor=world.users["office_head_a"],
        notice=notice,
        draft=draft(world, body="<p>停水改为6小时。</p>"),
        based_on=notice.edit_version,
    )
    mine = _post(world, body="停水时间不变，请储水。", based_on_version="0")
    response = world.client("handler_a").post(reverse("communication:notice_edit", args=[notice.pk]), mine)
    assert response.status_code == 409
    html = _page(response)
    assert "停水改为6小时。" in html and "停水时间不变，请储水。" in html
    assert "stale-theirs" in html and 'name="based_on_version" value="1"' in html
    notice.refresh_from_db()
    assert notice.body == "<p>停水改为6小时。</p>"
    # Saving again after comparing goes through.
    mine["based_on_version"] = "1"
    again = world.client("handler_a").post(reverse("communication:notice_edit", args=[notice.pk]), mine)
    assert again.status_code == 302
    notice.refresh_from_db()
    assert notice.body == "<p>停水时间不变，请储水。</p>"


@pytest.mark.req("C-2", "C-3")
@pytest.mark.django_db
def test_the_steps_on_the_page_publish_schedule_cancel_and_withdraw(world):
    add_households(world.building_a, 3, start=1501)
    handler = world.users["handler_a"]
    client = world.client("handler_a")
    first = notices.create_notice(actor=handler, draft=draft(world))
    detail = _page(client.get(reverse("communication:notice_detail", args=[first.pk])))
    assert (
        'id="step-publish"' in detail and 'id="step-cancel"' in detail and 'id="step-withdraw"' not in detail
    )
    response = client.post(reverse("communication:notice_publish", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert (
        first.status == "published"
        and first.households == NoticeRecipient.objects.filter(notice=first).count()
    )
    detail = _page(client.get(reverse("communication:notice_detail", args=[first.pk])))
    assert 'id="reach-households"' in detail and 'id="step-withdraw"' in detail
    assert reverse("communication:notice_recipients", args=[first.pk]) in detail

    # Withdrawing needs its reason: 422 on the page, the step kept open.
    refused = client.post(reverse("communication:notice_withdraw", args=[first.pk]), {"reason": " "})
    assert refused.status_code == 422 and '<details open id="step-withdraw">' in _page(refused)
    client.post(reverse("communication:notice_withdraw", args=[first.pk]), {"reason": "施工取消"})
    first.refresh_from_db()
    assert first.status == "withdrawn"

    second = notices.create_notice(actor=handler, draft=draft(world, publish_at=at(12)))
    assert client.post(reverse("communication:notice_schedule", args=[second.pk])).status_code == 302
    second.refresh_from_db()
    assert second.status == "scheduled"
    client.post(reverse("communication:notice_cancel", args=[second.pk]), {"reason": "改期"})
    second.refresh_from_db()
    assert second.status == "cancelled"
    timeline = _page(client.get(reverse("communication:notice_detail", args=[second.pk])))
    assert "改期" in timeline and 'id="timeline"' in timeline


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_late_scheduled_time_is_refused_on_the_reason_field(world):
    handler = world.users["handler_a"]
    notice = notices.create_notice(
        actor=handler,
        draft=draft(world, starts_at=at(30), ends_at=at(34), publish_at=at(20), late_reason="x"),
    )
    Notice.objects.filter(pk=notice.pk).update(late_reason="")
    response = world.client("handler_a").post(reverse("communication:notice_schedule", args=[notice.pk]))
    assert response.status_code == 422
    notice.refresh_from_db()
    assert notice.status == "draft"


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_pest_control_asks_for_the_warning_sign_and_records_it(world):
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world, kind="pest_control", title="灭鼠消杀"))
    notices.publish_notice(actor=handler, notice=notice)
    client = world.client("handler_a")
    html = _page(client.get(reverse("communication:notice_detail", args=[notice.pk])))
    with translation.override("zh-hans"):
        assert "现场须设置警示牌。" in html and 'id="step-sign"' in html
    response = client.post(reverse("communication:notice_sign", args=[notice.pk]), {"place": "3栋大堂入口"})
    assert response.status_code == 302
    html = _page(client.get(reverse("communication:notice_detail", args=[notice.pk])))
    assert 'id="sign-confirmed"' in html and "3栋大堂入口" in html


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_a_script_in_the_body_is_not_rendered_as_a_tag(world):
    client = world.client("handler_a")
    body = '<p>停水通知</p><script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">点此</a>'
    assert client.post(reverse("communication:notice_create"), _post(world, body=body)).status_code == 302
    notice = Notice.objects.get()
    html = _page(client.get(reverse("communication:notice_detail", args=[notice.pk])))
    section = html.split('id="notice-body">', 1)[1].split("</div>", 1)[0]
    assert "<p>停水通知</p>" in section
    assert "<script" not in section and "onerror" not in section and "javascript:" not in section


@pytest.mark.req("C-2", "C-3")
@pytest.mark.django_db
def test_the_list_filters_and_shows_the_read_share_of_published_notices(world, django_assert_max_num_queries):
    units = add_households(world.building_a, 4, start=1601)
    handler = world.users["handler_a"]
    water = notices.create_notice(actor=handler, draft=draft(world, title="停水通知甲", urgent=True))
    notices.publish_notice(actor=handler, notice=water)
    NoticeRecipient.objects.filter(notice=water, unit=units[0]).update(read_at=now())
    notices.create_notice(actor=handler, draft=draft(world, kind="event", title="中秋游园活动"))
    client = world.client("handler_a")
    with django_assert_max_num_queries(20):
        html = _page(client.get(reverse("communication:notice_list")))
    assert "停水通知甲" in html and "中秋游园活动" in html
    water.refresh_from_db()
    assert f"{100 / water.households:.0f}%" in html
    filtered = _page(client.get(reverse("communication:notice_list"), {"kind": "event"}))
    assert "中秋游园活动" in filtered and "停水通知甲" not in filtered
    urgent = _page(client.get(reverse("communication:notice_list"), {"urgent": "1", "q": "停水"}))
    assert "停水通知甲" in urgent and "中秋游园活动" not in urgent
    noted = client.get(reverse("communication:notice_list"), {"status": "nonsense", "from": "2026-02-30"})
    assert noted.status_code == 200 and "alert-warning" in _page(noted)
    tomorrow = (localtime(now(), company_zone()) + timedelta(days=1)).date().isoformat()
    assert "停水通知甲" not in _page(client.get(reverse("communication:notice_list"), {"from": tomorrow}))


def _export(client, **params):
    response = client.get(reverse("communication:notice_export"), params)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]


@pytest.mark.req("C-2", "P-1")
@pytest.mark.django_db
def test_the_export_has_the_same_filters_and_only_the_users_estates(world):
    notices.create_notice(actor=world.users["handler_a"], draft=draft(world, title="翠湖停水"))
    notices.create_notice(actor=world.users["handler_a"], draft=draft(world, kind="event", title="翠湖活动"))
    notices.create_notice(
        actor=world.users["handler_b"], draft=draft(world, estate=world.estate_b.pk, title="金山停電")
    )
    titles = [row[2] for row in _export(world.client("handler_a"))]
    assert sorted(titles) == ["翠湖停水", "翠湖活动"]
    assert [row[2] for row in _export(world.client("handler_a"), kind="event")] == ["翠湖活动"]
    assert [row[2] for row in _export(world.client("handler_b"))] == ["金山停電"]
    assert len(_export(world.client("deputy_gm"))) == 3


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_notice_is_not_found_for_every_page_and_step(world):
    other = notices.create_notice(
        actor=world.users["handler_b"], draft=draft(world, estate=world.estate_b.pk, title="金山停電")
    )
    client = world.client("handler_a")
    for name in ("notice_detail", "notice_edit"):
        assert client.get(reverse(f"communication:{name}", args=[other.pk])).status_code == 404
    for name in (
        "notice_edit",
        "notice_schedule",
        "notice_publish",
        "notice_cancel",
        "notice_withdraw",
        "notice_sign",
    ):
        assert (
            client.post(reverse(f"communication:{name}", args=[other.pk]), {"reason": "x"}).status_code == 404
        )
    other.refresh_from_db()
    assert other.status == "draft"
    assert "金山停電" not in _page(client.get(reverse("communication:notice_list")))


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_the_auditor_reads_but_cannot_write(world):
    notice = notices.create_notice(actor=world.users["handler_a"], draft=draft(world))
    auditor = world.client("auditor")
    listing = _page(auditor.get(reverse("communication:notice_list")))
    assert notice.number in listing and 'id="new-notice"' not in listing
    detail = auditor.get(reverse("communication:notice_detail", args=[notice.pk]))
    assert detail.status_code == 200
    assert 'id="notice-steps"' not in _page(detail) and 'id="edit-notice"' not in _page(detail)
    assert auditor.get(reverse("communication:notice_create")).status_code == 403
    assert auditor.post(reverse("communication:notice_create"), _post(world)).status_code == 403
    assert auditor.get(reverse("communication:notice_edit", args=[notice.pk])).status_code == 403
    assert auditor.post(reverse("communication:notice_publish", args=[notice.pk])).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "draft" and Notice.objects.count() == 1


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_the_form_explains_the_lead_time_and_the_navigation_links_the_list(world):
    client = world.client("handler_a")
    html = _page(client.get(reverse("communication:notice_create")))
    assert 'data-lead-hours="24"' in html and 'id="lead-rule"' in html
    assert "richtext-editor.js" in html and 'data-richtext="1"' in html
    assert reverse("communication:notice_list") in html and 'id="nav-communication"' in html


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_the_edit_form_shows_what_was_saved(world):
    units = add_households(world.building_a, 2, start=1701)
    notice = notices.create_notice(
        actor=world.users["handler_a"],
        draft=draft(world, buildings=[world.building_a.pk], units=[u.pk for u in units], urgent=True),
    )
    html = _page(world.client("handler_a").get(reverse("communication:notice_edit", args=[notice.pk])))
    assert f'<option value="{world.building_a.pk}" selected>3栋</option>' in html
    assert 'value="3栋-1701, 3栋-1702"' in html
    assert 'name="channels" value="sms"' in html and 'name="urgent"' in html
    assert "<optgroup" in html and "金山" not in html  # only the notice's estate's buildings


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_the_reach_of_an_urgent_notice_counts_by_channel_and_who_is_still_to_be_contacted(
    world, django_assert_max_num_queries
):
    units = add_households(world.building_a, 3, start=1801, phone_from=1)
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world, urgent=True))
    notices.publish_notice(actor=handler, notice=notice)
    NoticeRecipient.objects.filter(notice=notice, unit=units[0]).update(read_at=now())
    NoticeRecipient.objects.filter(notice=notice, unit=units[1]).update(contacted_at=now())
    client = world.client("handler_a")
    with django_assert_max_num_queries(30):
        html = _page(client.get(reverse("communication:notice_detail", args=[notice.pk])))
    notice.refresh_from_db()
    total = notice.households
    assert f'id="reach-households">{total}<' in html
    assert f'id="reach-unread">{total - 1}<' in html
    assert f'id="reach-waiting">{total - 2}<' in html
    assert html.count('class="col-5 text-end reach-channel"') >= 2  # the portal and SMS
