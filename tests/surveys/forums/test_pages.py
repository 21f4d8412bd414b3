"""The owners' forum pages (SPEC S-6, P-1, D-3, A-3): record a forum, its participants,
opinions, answers and follow-ups through the pages; an overdue follow-up in red with its days;
a stale answer kept; another estate's forum not found; the minutes PDF with the opinions."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.core.clock import company_today, company_zone
from estatedesk.core.pdf import pdf_available
from estatedesk.surveys.models import Forum, ForumFollowUp, ForumOpinion
from tests.helpers import form_version, frozen_at
from tests.surveys.api_client import Api
from tests.surveys.forums.helpers import committee_member, full_forum, staff_of

S6 = pytest.mark.req("S-6")
pytestmark = pytest.mark.django_db


def client_of(world: Any, name: str, language: str = "en") -> Client:
    client = Client()
    client.force_login(world.users[name])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@S6
def test_the_head_of_the_office_records_a_forum_through_the_pages(world):
    client = client_of(world, "office_head_a")
    listing = client.get(reverse("surveys:forum_list"))
    assert listing.status_code == 200 and b'id="new-forum"' in listing.content
    bad = client.post(reverse("surveys:forum_create"), {"title": "年终座谈会", "place": ""})
    assert bad.status_code == 422
    assert "年终座谈会" in bad.content.decode()  # what was typed is kept
    created = client.post(
        reverse("surveys:forum_create"),
        {
            "title": "2026年度业主座谈会",
            "estates": [world.estate_a.pk],
            "held_on": company_today().isoformat(),
            "place": "会所",
        },
    )
    assert created.status_code == 302
    forum = Forum.objects.get()
    detail = reverse("surveys:forum_detail", args=[forum.pk])
    member = committee_member(world)
    assert (
        client.post(
            reverse("surveys:forum_participant_add", args=[forum.pk]),
            {"kind": "owner", "unit": world.unit_a.pk},
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("surveys:forum_participant_add", args=[forum.pk]),
            {"kind": "committee", "committee_member": member.pk},
        ).status_code
        == 302
    )
    wrong = client.post(
        reverse("surveys:forum_participant_add", args=[forum.pk]), {"kind": "owner", "unit": ""}
    )
    assert wrong.status_code == 422
    owner = forum.participants.get(kind="owner")
    said = client.post(
        reverse("surveys:forum_opinion_add", args=[forum.pk]),
        {"category": "cleaning", "raised_by": owner.pk, "text": "垃圾桶清运不及时，夏天有异味。"},
    )
    assert said.status_code == 302
    opinion = ForumOpinion.objects.get(forum=forum)
    answered = client.post(
        reverse("surveys:forum_answer", args=[forum.pk]),
        {"opinion": opinion.pk, "answer": "增加为每日两次清运。", "based_on_version": "0"},
    )
    assert answered.status_code == 302
    late = client.post(
        reverse("surveys:forum_follow_up_add", args=[forum.pk]),
        {
            "opinion": opinion.pk,
            "description": "调整清运时间",
            "owner": staff_of(world, "handler_a").pk,
            "due_date": (company_today() - timedelta(days=1)).isoformat(),
        },
    )
    assert late.status_code == 422
    assert "调整清运时间" in late.content.decode()
    added = client.post(
        reverse("surveys:forum_follow_up_add", args=[forum.pk]),
        {
            "opinion": opinion.pk,
            "description": "调整清运时间",
            "owner": staff_of(world, "handler_a").pk,
            "due_date": (company_today() + timedelta(days=5)).isoformat(),
        },
    )
    assert added.status_code == 302
    page = client.get(detail).content.decode()
    assert "垃圾桶清运不及时" in page and "增加为每日两次清运。" in page and "调整清运时间" in page
    assert "王小明" in page  # the head of the office sees the owner's name (D-3)
    # The follow-up's owner records it as done.
    follow_up = ForumFollowUp.objects.get()
    done = client_of(world, "handler_a").post(
        reverse("surveys:forum_follow_up_done", args=[forum.pk]),
        {"follow_up": follow_up.pk, "result": "已改为每日两次"},
    )
    assert done.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.result == "已改为每日两次"


@S6
def test_an_overdue_follow_up_is_shown_in_red_with_its_days(world):
    forum, follow_up = full_forum(world)
    later = datetime.combine(follow_up.due_date + timedelta(days=4), time(9), tzinfo=company_zone())
    with frozen_at(later):
        page = client_of(world, "handler_a", "zh-hans").get(reverse("surveys:forum_detail", args=[forum.pk]))
        html = page.content.decode()
        assert "逾期 4 天" in html
        assert f'id="follow-up-{follow_up.pk}" class="follow-up table-danger"' in html
        listing = client_of(world, "handler_a").get(reverse("surveys:forum_list")).content.decode()
        assert 'class="badge text-bg-danger overdue-count">1<' in listing


@S6
@pytest.mark.req("D-3")
def test_an_auditor_reads_the_owners_names_masked(world):
    forum, _follow_up = full_forum(world)
    html = client_of(world, "auditor").get(reverse("surveys:forum_detail", args=[forum.pk])).content.decode()
    assert "王小明" not in html and "王*明" in html
    assert "李建国" not in html and "李*国" in html
    assert 'id="add-opinion"' not in html  # reads, does not organise


@S6
def test_a_stale_answer_is_refused_and_the_text_kept(world):
    forum, follow_up = full_forum(world)
    opinion = follow_up.opinion
    head = client_of(world, "office_head_a")
    detail = head.get(reverse("surveys:forum_detail", args=[forum.pk])).content.decode()
    version = form_version(detail, f"id_answer{opinion.pk}_based_on_version")
    first = client_of(world, "deputy_gm").post(
        reverse("surveys:forum_answer", args=[forum.pk]),
        {"opinion": opinion.pk, "answer": "本周更换灯具。", "based_on_version": version},
    )
    assert first.status_code == 302
    second = head.post(
        reverse("surveys:forum_answer", args=[forum.pk]),
        {"opinion": opinion.pk, "answer": "下月统一更换。", "based_on_version": version},
    )
    assert second.status_code == 409
    html = second.content.decode()
    assert "下月统一更换。" in html and "本周更换灯具。" in html
    opinion.refresh_from_db()
    assert opinion.answer == "本周更换灯具。"


@S6
@pytest.mark.req("P-1")
def test_another_estates_handler_gets_not_found(world):
    forum, follow_up = full_forum(world)
    client = client_of(world, "handler_b")
    for name in ("forum_detail", "forum_minutes", "forum_minutes_pdf"):
        assert client.get(reverse(f"surveys:{name}", args=[forum.pk])).status_code == 404
    refused = client.post(
        reverse("surveys:forum_follow_up_done", args=[forum.pk]), {"follow_up": follow_up.pk, "result": "x"}
    )
    assert refused.status_code == 404
    assert forum.number not in client.get(reverse("surveys:forum_list")).content.decode()
    # The handler of estate A reads it but does not organise it.
    html = (
        client_of(world, "handler_a").get(reverse("surveys:forum_detail", args=[forum.pk])).content.decode()
    )
    assert forum.number in html and 'id="add-opinion"' not in html
    assert (
        client_of(world, "handler_a")
        .post(reverse("surveys:forum_opinion_add", args=[forum.pk]), {"text": "x"})
        .status_code
        == 403
    )


@S6
@pytest.mark.req("A-3")
@pytest.mark.skipif(
    not pdf_available() or shutil.which("pdftotext") is None, reason="WeasyPrint or pdftotext missing"
)
def test_the_minutes_pdf_holds_the_opinions_and_masks_owners(world, tmp_path):
    forum, _follow_up = full_forum(world)
    client = client_of(world, "office_head_a", "zh-hans")
    html = client.get(reverse("surveys:forum_minutes", args=[forum.pk])).content.decode()
    assert "座谈会纪要" in html
    response = client.get(reverse("surveys:forum_minutes_pdf", args=[forum.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "minutes.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    squeezed = "".join(text.split())
    assert "地下车库照明不足" in squeezed and "希望增加儿童游乐设施" in squeezed
    assert "明年一季度在中心花园增设" in squeezed and "更换车库B区灯具" in squeezed
    assert "王*明" in squeezed and "王小明" not in squeezed  # owners masked in the minutes
    assert "李建国" in squeezed  # the committee's chair named in full


@S6
def test_the_list_and_the_api_list_do_not_grow_their_queries_with_rows(world):
    def counted(n: int) -> tuple[int, int]:
        while Forum.objects.count() < n:
            full_forum(world)
        client, api = client_of(world, "deputy_gm"), Api(world.users["deputy_gm"])
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("surveys:forum_list")).status_code == 200
        with CaptureQueriesContext(connection) as listed:
            assert api.get("/forums").status_code == 200
        return len(page), len(listed)

    one = counted(1)
    assert counted(4) == one
