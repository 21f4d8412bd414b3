"""The complaint page: the record, its timeline, and every workflow step posted through its forms."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.complaints import papers, services
from estatedesk.complaints.models import Complaint, Event
from estatedesk.org.models import Developer
from estatedesk.records.models import PersonalDataAccess
from tests.complaints.conftest import record

SHANGHAI = ZoneInfo("Asia/Shanghai")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, complaint) -> str:
    response = client.get(reverse("complaints:detail", args=[complaint.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, complaint, step, **data):
    """Post a step's form as the page shows it now: with the version of the texts it edits."""
    data.setdefault("based_on_version", Complaint.objects.get(pk=complaint.pk).edit_version)
    return client.post(reverse(f"complaints:act_{step}", args=[complaint.pk]), data)


def done(response, complaint) -> Complaint:
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("complaints:detail", args=[complaint.pk])
    return Complaint.objects.get(pk=complaint.pk)


def timeline_items(html: str) -> dict[int, str]:
    return {
        int(pk): body
        for pk, body in re.findall(
            r'<li class="list-group-item timeline-item" id="event-(\d+)">(.*?)</li>', html, re.S
        )
    }


def action_forms(html: str) -> list[str]:
    return re.findall(r'action="/complaints/\d+/act/(\w+)/"', html)


def assess(client, complaint, cause="management", **extra):
    return act(client, complaint, "assess", cause=cause, **extra)


@pytest.mark.req("P-2")
@pytest.mark.req("K-7")
def test_timeline_shows_every_event_with_who_and_when_in_company_time(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint, urgent="on"), complaint)
    done(act(client, complaint, "handle", cause_analysis="电梯主板故障", measures="更换主板"), complaint)
    done(act(client, complaint, "reply", content="已安排维修", manner="oral"), complaint)
    done(
        act(client, complaint, "visit", method="phone", opinion="已恢复运行", satisfaction="satisfied"),
        complaint,
    )
    html = page(client, complaint)
    items = timeline_items(html)
    events = list(Event.objects.filter(complaint=complaint))
    assert {e.action for e in events} >= {"record", "assess", "handle", "reply", "visit_satisfied"}
    assert set(items) == {e.pk for e in events}
    for event in events:
        body = items[event.pk]
        assert "handler_a" in body, event.action
        assert event.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") in body, event.action
    # the reply's note and the status it moved to are on its line
    reply = next(e for e in events if e.action == "reply")
    assert "已安排维修" in items[reply.pk]
    assert "→" in items[reply.pk]


@pytest.mark.req("K-4")
@pytest.mark.req("K-5")
def test_assess_through_the_page_sets_validity_and_deadline(world, complaint):
    client = world.client("handler_a")
    c = done(assess(client, complaint, cause="maintenance", serious="on", urgent="on"), complaint)
    assert (c.status, c.cause, c.valid, c.serious, c.urgent) == (
        "in_progress",
        "maintenance",
        True,
        True,
        True,
    )
    assert c.reply_due is not None
    html = page(english(client), c)
    assert "Valid complaint" in html
    assert 'class="due-display due-state-due"' in html


@pytest.mark.req("K-6")
def test_developer_cause_is_referred_and_its_result_recorded(world, complaint):
    developer = Developer.objects.create(name="翠湖地產開發有限公司")
    developer.estates.add(world.estate_a)
    client = world.client("handler_a")
    done(assess(client, complaint, cause="developer"), complaint)
    assert "refer" in action_forms(page(client, complaint))
    c = done(
        act(
            client,
            complaint,
            "refer",
            party="置業客服部 李經理",
            developer=developer.pk,
            referred_at="2026-01-05T10:00",
        ),
        complaint,
    )
    assert (c.status, c.referred_developer, c.referred_to) == ("referred", developer, "置業客服部 李經理")
    assert c.referred_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2026-01-05 10:00"
    assert action_forms(page(client, c))[0:1] != ["refer"] and "referral_result" in action_forms(
        page(client, c)
    )
    c = done(act(client, complaint, "referral_result", result="開發商已更換防水層"), complaint)
    assert (c.status, c.referral_result) == ("in_progress", "開發商已更換防水層")
    html = page(client, c)
    assert "翠湖地產開發有限公司" in html and "開發商已更換防水層" in html
    c = done(act(client, complaint, "reply", content="開發商已處理", manner="written"), complaint)
    assert c.status == "replied"


@pytest.mark.req("K-7")
def test_handle_and_reply_are_recorded_and_shown(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint), complaint)
    c = done(
        act(client, complaint, "handle", cause_analysis="保養不到位", measures="加強巡檢", result="已恢復"),
        complaint,
    )
    assert (c.cause_analysis, c.measures, c.result) == ("保養不到位", "加強巡檢", "已恢復")
    c = done(act(client, complaint, "reply", content="電梯已恢復運行", manner="written"), complaint)
    assert (c.status, c.reply_manner, c.on_time) == ("replied", "written", True)
    html = page(client, c)
    for text in ("保養不到位", "加強巡檢", "電梯已恢復運行"):
        assert text in html


@pytest.mark.req("K-10")
def test_dissatisfied_visit_reopens_the_complaint(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint), complaint)
    done(act(client, complaint, "reply", content="已維修", manner="oral"), complaint)
    c = done(
        act(client, complaint, "visit", method="in_person", opinion="仍有異響", satisfaction="dissatisfied"),
        complaint,
    )
    assert (c.status, c.reopen_count, c.satisfaction, c.complainant_opinion) == (
        "in_progress",
        1,
        "dissatisfied",
        "仍有異響",
    )
    forms = action_forms(page(client, c))
    assert "reply" in forms and "visit" not in forms


@pytest.mark.req("K-10")
def test_a_valid_complaint_cannot_be_closed_without_its_visit(world, complaint):
    client = english(world.client("handler_a"))
    done(assess(client, complaint), complaint)
    done(act(client, complaint, "reply", content="已維修", manner="oral"), complaint)
    assert "close" not in action_forms(page(client, complaint))  # no button that can only fail
    response = act(client, complaint, "close", note="結案")
    assert response.status_code == 422
    assert "closed by a follow-up visit" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).status == "replied"
    # nor by a superior before the visit
    response = act(english(world.client("office_head_a")), complaint, "close_superior", reason="業主拒絕回訪")
    assert response.status_code == 422
    assert "needs its follow-up visit" in response.content.decode()
    assert "業主拒絕回訪" in response.content.decode()


@pytest.mark.req("K-10")
def test_superior_closes_a_still_dissatisfied_complaint_with_a_reason(world, complaint):
    handler = world.client("handler_a")
    done(assess(handler, complaint), complaint)
    done(act(handler, complaint, "reply", content="已維修", manner="oral"), complaint)
    done(
        act(handler, complaint, "visit", method="phone", opinion="不滿意", satisfaction="dissatisfied"),
        complaint,
    )
    assert "close_superior" not in action_forms(page(handler, complaint))  # handlers are not superiors
    head = world.client("office_head_a")
    assert "close_superior" in action_forms(page(head, complaint))
    c = done(act(head, complaint, "close_superior", reason="已按規範處理，業主要求超出服務範圍"), complaint)
    assert (c.status, c.closing_reason) == ("closed", "已按規範處理，業主要求超出服務範圍")
    assert "業主要求超出服務範圍" in page(head, c)


@pytest.mark.req("K-10")
def test_an_invalid_complaint_is_closed_after_its_explanation(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint, cause="unfounded"), complaint)
    done(act(client, complaint, "reply", content="經核實不屬實，已向業主解釋", manner="oral"), complaint)
    assert "close" in action_forms(page(client, complaint))
    assert done(act(client, complaint, "close", note="已解釋"), complaint).status == "closed"


@pytest.mark.req("K-18")
def test_link_a_duplicate_through_the_page_and_see_each_ones_reply_and_visit(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint), complaint)
    second = record(world, customer=None, unit=world.unit_a, complainant_name="李四", phone="13900001111")
    c = done(act(client, second, "link", lead=f" {complaint.number.lower()} "), second)
    assert c.lead_id == complaint.pk
    assert (c.status, c.valid) == ("in_progress", True)  # takes the lead's assessment
    done(act(client, complaint, "reply", content="水管已搶修", manner="oral"), complaint)
    html = page(client, complaint)
    rows = re.search(r'<table class="table table-sm mb-0" id="duplicates">(.*?)</table>', html, re.S).group(1)
    assert second.number in rows and "李四" in rows
    assert "status-in_progress" in rows  # the duplicate still waits for its own reply
    assert "link" not in action_forms(html)  # a lead is not linked to another
    dup_html = page(client, second)
    assert f'id="lead-link">{complaint.number}<' in dup_html
    # unlinking goes through the same step
    c = done(act(client, second, "link", unlink="on"), second)
    assert c.lead_id is None


@pytest.mark.req("K-18")
def test_linking_to_an_unknown_number_keeps_what_was_typed(world, complaint):
    client = english(world.client("handler_a"))
    response = act(client, complaint, "link", lead="TS-2099-999999")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="TS-2099-999999"' in html
    assert "No such complaint" in html


@pytest.mark.req("C-7")
def test_department_head_analyses_a_grievance(world):
    grievance = record(world, kind="grievance", description="保安態度冷淡")
    assert "analyse" not in action_forms(page(world.client("handler_a"), grievance))
    head = world.client("office_head_a")
    assert "analyse" in action_forms(page(head, grievance))
    c = done(act(head, grievance, "analyse", analysis="新入職保安未經服務培訓，安排培訓"), grievance)
    assert c.grievance_analysis == "新入職保安未經服務培訓，安排培訓"
    html = page(head, c)
    assert "新入職保安未經服務培訓" in html
    assert any(e.action == "analyse" and e.actor_name == "office_head_a" for e in c.events.all())


@pytest.mark.req("K-7")
def test_bad_input_keeps_everything_typed_and_answers_422(world, complaint):
    client = english(world.client("handler_a"))
    done(assess(client, complaint), complaint)
    response = act(
        client, complaint, "reply", content="已安排師傅上門", manner="", replied_at="2030-01-01T09:00"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "已安排師傅上門" in html and 'value="2030-01-01T09:00"' in html
    assert re.search(r'<details class="action-step[^"]*" id="step-reply" open>', html)
    # the service's own refusal lands next to its field, with the typed values kept
    response = act(
        client, complaint, "reply", content="已安排師傅上門", manner="oral", replied_at="2030-01-01T09:00"
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot be in the future" in html and "已安排師傅上門" in html
    assert Complaint.objects.get(pk=complaint.pk).status == "in_progress"


@pytest.mark.req("K-7")
def test_the_second_of_two_replies_is_told_it_was_already_handled(world, complaint):
    done(assess(world.client("handler_a"), complaint), complaint)
    first = world.client("handler_a")
    second = english(world.client("office_head_a"))
    done(act(first, complaint, "reply", content="第一個回覆", manner="oral"), complaint)
    response = act(second, complaint, "reply", content="第二個回覆", manner="written")
    assert response.status_code == 409
    html = response.content.decode()
    assert "already been handled by someone else" in html
    assert "第二個回覆" in html  # nothing typed is lost
    assert Complaint.objects.get(pk=complaint.pk).reply == "第一個回覆"


@pytest.mark.req("D-3")
def test_auditor_reads_the_page_with_masked_name_and_no_forms(world, complaint):
    done(assess(world.client("handler_a"), complaint), complaint)
    client = world.client("auditor")
    html = page(client, complaint)
    assert complaint.number in html
    assert "王*明" in html and "王小明" not in html
    assert "138****1234" in html and "13812341234" not in html
    assert action_forms(html) == []
    assert reverse("complaints:act_reveal", args=[complaint.pk]) not in html
    assert act(client, complaint, "reply", content="x", manner="oral").status_code == 403
    assert client.post(reverse("complaints:act_reveal", args=[complaint.pk])).status_code == 403


@pytest.mark.req("D-3")
def test_showing_the_full_phone_number_is_logged(world, complaint):
    client = world.client("handler_a")
    html = page(client, complaint)
    assert "王小明" in html and "138****1234" in html and "13812341234" not in html
    response = client.post(reverse("complaints:act_reveal", args=[complaint.pk]))
    assert response.status_code == 200 and "13812341234" in response.content.decode()
    fragment = client.post(reverse("complaints:act_reveal", args=[complaint.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode() == '<span class="font-monospace" id="phone-value">13812341234</span>'
    logged = PersonalDataAccess.objects.filter(subject_id=complaint.pk, field="contact_phone")
    assert logged.count() == 2 and logged.first().user == world.users["handler_a"]


@pytest.mark.req("K-2")
def test_request_time_and_forwarding_through_the_page(world, complaint):
    head = world.client("office_head_a")
    c = done(act(head, complaint, "request", requested_reply_at="2099-01-05T16:00"), complaint)
    assert c.reply_due.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2099-01-05 16:00"
    c = done(act(head, complaint, "assign", department=world.engineering.pk, handler=""), complaint)
    assert c.department == world.engineering and c.handler is None
    assert "工程部" in page(head, c)


@pytest.mark.req("K-8")
def test_raise_a_slip_from_the_complaint_page(world, complaint):
    client = world.client("handler_a")
    done(assess(client, complaint), complaint)
    done(
        act(client, complaint, "slip", matter="需更換整台電梯主機", handler_opinion="費用超出權限"), complaint
    )
    html = page(client, complaint)
    slip = complaint.slips.get()
    assert slip.number in html and "需更換整台電梯主機" in html
    assert "slip" not in action_forms(html)  # one open slip at a time


@pytest.mark.req("P-1")
def test_another_estates_handler_gets_404_on_every_page_of_estate_a(world, complaint):
    head = world.users["office_head_a"]
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="management", serious=False, urgent=False
    )
    slip = papers.raise_slip(actor=world.users["handler_a"], complaint=complaint, matter="需要上級協調")
    papers.sign_slip(actor=head, slip=slip, opinion="同意", decision="decide")
    from datetime import timedelta

    from django.utils import timezone

    notice = papers.issue_notice(
        actor=head,
        department=world.office_a,
        task="巡查電梯",
        due_at=timezone.now() + timedelta(days=2),
        slip=slip,
    )
    client = world.client("handler_b")
    from estatedesk.complaints.urls_detail import urlpatterns

    checked = 0
    for pattern in urlpatterns:
        if "<int:pk>" not in str(pattern.pattern):
            continue
        name = pattern.name or ""
        pk = {"slip_": slip.pk, "notice_": notice.pk, "weekly_": world.office_a.pk}.get(
            next((p for p in ("slip_", "notice_", "weekly_") if name.startswith(p)), ""), complaint.pk
        )
        url = reverse(f"complaints:{name}", args=[pk])
        assert client.get(url).status_code == 404, name
        assert client.post(url, {"content": "x", "manner": "oral", "opinion": "x"}).status_code == 404, name
        checked += 1
    assert checked == len([p for p in urlpatterns if "<int:pk>" in str(p.pattern)]) >= 20
    assert client.get(reverse("complaints:notice_create") + f"?slip={slip.pk}").status_code in (403, 404)
    assert Complaint.objects.get(pk=complaint.pk).status == "in_progress"


def _busy(world, complaint, duplicates: int, notes: int) -> None:
    """Around ``complaint``: other complaints linked to it, and timeline events on it."""
    handler = world.users["handler_a"]
    for index in range(duplicates):
        other = record(world, description=f"同一部電梯 {index}")
        services.link(actor=handler, complaint=other, lead=complaint)
    first = complaint.events.order_by("at", "id").first()
    Event.objects.bulk_create(
        Event(
            complaint=complaint,
            at=first.at,
            actor=first.actor,
            actor_name=first.actor_name,
            action=first.action,
        )
        for _ in range(notes)
    )


@pytest.mark.req("A-1")
@pytest.mark.parametrize(("duplicates", "notes", "others"), [(0, 1, 0), (3, 11, 12)])
def test_the_page_costs_the_same_queries_whatever_hangs_on_it(
    world, complaint, duplicates, notes, others, django_assert_max_num_queries
):
    """The page's reads are a fixed set (decisions 0058, 0061): the duplicates, visits, slips,
    notices, attachments and timeline are one query each, whatever their number, and only those
    that have rows are read (the complaint's own statement says which); the steps offered are
    decided from them without asking again, and their forms are not built until opened."""
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="management", serious=False, urgent=False
    )
    _busy(world, complaint, duplicates, notes)
    for index in range(others):
        record(world, description=f"别的投诉 {index}")
    client = world.client("handler_a")
    page(client, complaint)  # warm the session, as a second page view would be
    with django_assert_max_num_queries(12):
        html = page(client, complaint)
    assert len(timeline_items(html)) == complaint.events.count() == 2 + notes  # recorded, assessed, more
    assert ("link" in action_forms(html)) is (duplicates == 0)  # a lead is not itself linked
