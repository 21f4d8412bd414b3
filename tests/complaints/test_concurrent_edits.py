"""Two people editing the same text at once: the second save is refused (409) with both texts
shown, nothing is overwritten, and saving again after comparing goes through (decision 0011).

Each test opens the form in two browsers (two clients read the page, so both carry the version
the page showed), saves in the first, then in the second.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints import papers, services
from estatedesk.complaints.models import Complaint, TransferSlip, WorkNotice
from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from tests.complaints.api_client import Api, error, ok, version
from tests.complaints.conftest import record
from tests.helpers import form_version, stale_comparison

STALE = "Someone else saved this while you were editing"


def english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def browser(world: Any, persona: str) -> Client:
    return english(world.client(persona))


def get(client: Client, name: str, pk: int) -> str:
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def colleague(world: Any, username: str, role: str, department: Any) -> Any:
    """A second person who may edit the same text (a second head, a second engineer)."""
    world.users[username] = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username=username,
        display_name=username,
        role=role,
        estates=[world.estate_a],
        departments=[department],
        password="correct-horse-battery",
    ).user
    return world.users[username]


def assessed(world: Any, **overrides: Any) -> Complaint:
    c = record(world, **overrides)
    if c.kind == "complaint":
        services.assess(
            actor=world.users["handler_a"], complaint=c, cause="maintenance", serious=False, urgent=False
        )
    return c


# --- The complaint page ----------------------------------------------------------------------


@pytest.mark.req("K-7")
@pytest.mark.req("P-2")
def test_two_handlers_saving_cause_measures_and_result_at_once_lose_nothing(world):
    complaint = assessed(world)
    first, second = browser(world, "handler_a"), browser(world, "office_head_a")
    url = reverse("complaints:act_handle", args=[complaint.pk])
    opened = [
        form_version(get(c, "complaints:detail", complaint.pk), "id_handle_based_on_version")
        for c in (first, second)
    ]
    assert opened[0] == opened[1]

    saved = first.post(
        url,
        {"cause_analysis": "主板老化", "measures": "更换主板", "result": "", "based_on_version": opened[0]},
    )
    assert saved.status_code == 302
    mine = {
        "cause_analysis": "门机故障",
        "measures": "调校门机",
        "result": "已恢复运行",
        "based_on_version": opened[1],
    }
    refused = second.post(url, mine)

    assert refused.status_code == 409
    html = refused.content.decode()
    assert STALE in html
    # Theirs next to mine, field by field; mine still in the open form to save again.
    assert stale_comparison(html) == [("主板老化", "门机故障"), ("更换主板", "调校门机"), ("—", "已恢复运行")]
    assert "Saved meanwhile by handler_a at " in html
    assert re.search(r'<details class="action-step[^"]*" id="step-handle" open>', html)
    assert "调校门机</textarea>" in html and "已恢复运行</textarea>" in html
    c = Complaint.objects.get(pk=complaint.pk)
    assert (c.cause_analysis, c.measures, c.result) == ("主板老化", "更换主板", "")

    # Having compared, the second person saves again: on the version the refused page carries.
    again = form_version(html, "id_handle_based_on_version")
    assert again != opened[1]
    assert second.post(url, {**mine, "based_on_version": again}).status_code == 302
    c = Complaint.objects.get(pk=complaint.pk)
    assert (c.cause_analysis, c.measures, c.result) == ("门机故障", "调校门机", "已恢复运行")
    # Both texts are in the record's history, each with who wrote it (P-2).
    kept = [
        (h.measures, h.history_user.username)
        for h in c.history.exclude(measures="").order_by("history_date", "history_id")
    ]
    assert kept == [("更换主板", "handler_a"), ("调校门机", "office_head_a")]


@pytest.mark.req("C-7")
@pytest.mark.req("P-2")
def test_two_superiors_writing_a_grievance_analysis_at_once_lose_nothing(world):
    grievance = assessed(world, kind="grievance")
    first, second = browser(world, "office_head_a"), browser(world, "deputy_gm")
    url = reverse("complaints:act_analyse", args=[grievance.pk])
    opened = [
        form_version(get(c, "complaints:detail", grievance.pk), "id_analyse_based_on_version")
        for c in (first, second)
    ]

    assert first.post(url, {"analysis": "保安未經培訓", "based_on_version": opened[0]}).status_code == 302
    refused = second.post(url, {"analysis": "排班過長，態度欠佳", "based_on_version": opened[1]})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert STALE in html and stale_comparison(html) == [("保安未經培訓", "排班過長，態度欠佳")]
    assert Complaint.objects.get(pk=grievance.pk).grievance_analysis == "保安未經培訓"
    again = form_version(html, "id_analyse_based_on_version")
    assert second.post(url, {"analysis": "排班過長，態度欠佳", "based_on_version": again}).status_code == 302
    assert Complaint.objects.get(pk=grievance.pk).grievance_analysis == "排班過長，態度欠佳"


@pytest.mark.req("C-7")
@pytest.mark.req("K-7")
def test_editing_one_text_of_a_grievance_does_not_refuse_a_colleague_editing_another(world):
    grievance = assessed(world, kind="grievance")
    handler, head = browser(world, "handler_a"), browser(world, "office_head_a")
    handle = form_version(get(handler, "complaints:detail", grievance.pk), "id_handle_based_on_version")
    analyse = form_version(get(head, "complaints:detail", grievance.pk), "id_analyse_based_on_version")

    assert (
        head.post(
            reverse("complaints:act_analyse", args=[grievance.pk]),
            {"analysis": "服務意識不足", "based_on_version": analyse},
        ).status_code
        == 302
    )
    saved = handler.post(
        reverse("complaints:act_handle", args=[grievance.pk]),
        {"cause_analysis": "", "measures": "當面致歉", "result": "", "based_on_version": handle},
    )
    assert saved.status_code == 302  # the texts this form edits did not change meanwhile
    c = Complaint.objects.get(pk=grievance.pk)
    assert (c.grievance_analysis, c.measures) == ("服務意識不足", "當面致歉")


# --- Slips and notices -----------------------------------------------------------------------


@pytest.mark.req("K-8")
def test_two_heads_signing_a_slip_at_once_the_second_sees_the_first_opinion(world):
    colleague(world, "office_head_a2", "department_head", world.office_a)
    complaint = assessed(world)
    slip = papers.raise_slip(actor=world.users["handler_a"], complaint=complaint, matter="電梯需整機更換")
    first, second = browser(world, "office_head_a"), browser(world, "office_head_a2")
    url = reverse("complaints:slip_sign", args=[slip.pk])
    opened = [
        form_version(get(c, "complaints:slip_detail", slip.pk), "id_sign_based_on_version")
        for c in (first, second)
    ]

    assert (
        first.post(
            url, {"opinion": "呈副總協調維修基金", "decision": "escalate", "based_on_version": opened[0]}
        ).status_code
        == 302
    )
    mine = {"opinion": "管理處自行更換", "decision": "decide", "based_on_version": opened[1]}
    refused = second.post(url, mine)

    # Not "waits for another signer" (403): the first head's opinion, next to mine.
    assert refused.status_code == 409
    html = refused.content.decode()
    assert "it has moved on since" in html
    assert stale_comparison(html) == [("呈副總協調維修基金", "管理處自行更換")]
    assert "管理處自行更換</textarea>" in html
    s = TransferSlip.objects.get(pk=slip.pk)
    assert s.status == "at_deputy_gm" and [x.opinion for x in s.signatures.all()] == ["呈副總協調維修基金"]
    # The slip waits for the deputy GM now: saving again is refused, the text still kept.
    again = second.post(url, {**mine, "based_on_version": form_version(html, "id_sign_based_on_version")})
    assert again.status_code == 403 and "管理處自行更換</textarea>" in again.content.decode()
    assert TransferSlip.objects.get(pk=slip.pk).signatures.count() == 1


def _returned_notice(world: Any) -> tuple[WorkNotice, Client, Client, str]:
    """A notice to engineering that two engineers opened to report on; the second reports, the
    issuer returns it ("not done"): the first one's form is now based on an older report."""
    colleague(world, "engineer", "handler", world.engineering)
    notice = papers.issue_notice(
        actor=world.users["deputy_gm"],
        department=world.engineering,
        task="更換3栋電梯主機",
        due_at=timezone.now() + timedelta(days=3),
        estate=world.estate_a,
    )
    first, second = browser(world, "department_head"), browser(world, "engineer")
    opened = form_version(get(first, "complaints:notice_detail", notice.pk), "id_report_based_on_version")
    theirs = form_version(get(second, "complaints:notice_detail", notice.pk), "id_report_based_on_version")
    url = reverse("complaints:notice_report", args=[notice.pk])
    assert second.post(url, {"report": "主機已更換", "based_on_version": theirs}).status_code == 302
    papers.verify_notice(
        actor=world.users["deputy_gm"], notice=notice, accepted=False, verification="噪音仍大"
    )
    return notice, first, second, opened


@pytest.mark.req("K-9")
def test_a_report_on_a_notice_returned_meanwhile_does_not_overwrite_the_other_report(world):
    notice, first, _second, opened = _returned_notice(world)
    url = reverse("complaints:notice_report", args=[notice.pk])
    # Its status is back to "issued", as when the form was opened; its report is not.
    refused = first.post(url, {"report": "已完成", "based_on_version": opened})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert STALE in html and stale_comparison(html) == [("主機已更換", "已完成")]
    assert "Saved meanwhile by deputy_gm" in html  # who saved the version there now
    n = WorkNotice.objects.get(pk=notice.pk)
    assert (n.status, n.completion_report) == ("issued", "主機已更換")
    again = first.post(
        url,
        {
            "report": "已完成，噪音已調校",
            "based_on_version": form_version(html, "id_report_based_on_version"),
        },
    )
    assert again.status_code == 302
    n = WorkNotice.objects.get(pk=notice.pk)
    assert (n.status, n.completion_report) == ("reported", "已完成，噪音已調校")


@pytest.mark.req("K-9")
def test_a_verification_based_on_an_older_report_is_refused_with_the_newer_verification(world):
    notice = papers.issue_notice(
        actor=world.users["gm"],
        department=world.engineering,
        task="巡查電梯",
        due_at=timezone.now() + timedelta(days=3),
        estate=world.estate_a,
    )
    papers.report_notice(actor=world.users["department_head"], notice=notice, report="已巡查")
    issuer = browser(world, "gm")
    opened = form_version(get(issuer, "complaints:notice_detail", notice.pk), "id_verify_based_on_version")
    # Meanwhile the deputy GM returns it and engineering reports again.
    papers.verify_notice(
        actor=world.users["deputy_gm"], notice=notice, accepted=False, verification="未見巡查記錄"
    )
    papers.report_notice(actor=world.users["department_head"], notice=notice, report="已補巡查記錄")
    url = reverse("complaints:notice_verify", args=[notice.pk])
    refused = issuer.post(url, {"accepted": "yes", "verification": "合格", "based_on_version": opened})

    assert refused.status_code == 409
    html = refused.content.decode()
    assert stale_comparison(html) == [("未見巡查記錄", "合格")] and "已補巡查記錄" in html
    assert WorkNotice.objects.get(pk=notice.pk).status == "reported"
    again = issuer.post(
        url,
        {
            "accepted": "yes",
            "verification": "記錄齊全，合格",
            "based_on_version": form_version(html, "id_verify_based_on_version"),
        },
    )
    assert again.status_code == 302
    assert WorkNotice.objects.get(pk=notice.pk).verification == "記錄齊全，合格"


# --- The API ---------------------------------------------------------------------------------


@pytest.mark.req("A-2")
@pytest.mark.req("K-7")
@pytest.mark.req("P-2")
def test_the_api_refuses_a_stale_edit_with_the_current_text_and_takes_it_again_on_the_new_version(world):
    complaint = assessed(world)
    first, second = Api(world.users["handler_a"]), Api(world.users["office_head_a"])
    path = f"/complaints/{complaint.number}"
    read = [version(a, path) for a in (first, second)]

    saved = ok(first.post(f"{path}/handle", {"measures": "更换主板", "version": read[0]}))
    assert saved["version"] == read[0] + 1 and saved["handling"]["measures"] == "更换主板"
    mine = {"cause_analysis": "门机故障", "measures": "调校门机", "result": "", "version": read[1]}
    body = error(second.post(f"{path}/handle", mine), 409, "stale_edit")

    assert body["current"] == {"cause_analysis": "", "measures": "更换主板", "result": ""}
    assert body["version"] == saved["version"] and body["saved_by"] == "handler_a"
    assert body["saved_at"].endswith("+08:00")  # company time, like every time the API answers
    assert body["errors"] == [{"loc": ["body", "version"], "msg": body["detail"]}]
    assert Complaint.objects.get(pk=complaint.pk).measures == "更换主板"
    again = ok(second.post(f"{path}/handle", {**mine, "version": body["version"]}))
    assert again["handling"]["measures"] == "调校门机" and again["version"] == body["version"] + 1


@pytest.mark.req("A-2")
@pytest.mark.req("K-7")
def test_an_api_edit_of_a_text_without_its_version_is_refused(world):
    complaint = assessed(world, kind="grievance")
    api = Api(world.users["office_head_a"])
    for step, body in (("handle", {"measures": "致歉"}), ("analyse", {"analysis": "服務意識不足"})):
        refused = error(api.post(f"/complaints/{complaint.number}/{step}", body), 422, "invalid")
        assert refused["errors"][0]["loc"] == ["body", "version"], step
    c = Complaint.objects.get(pk=complaint.pk)
    assert (c.measures, c.grievance_analysis, c.edit_version) == ("", "", 0)


@pytest.mark.req("A-2")
@pytest.mark.req("K-8")
@pytest.mark.req("K-9")
def test_the_api_papers_carry_their_version_and_refuse_stale_edits(world):
    colleague(world, "office_head_a2", "department_head", world.office_a)
    complaint = assessed(world)
    slip = papers.raise_slip(actor=world.users["handler_a"], complaint=complaint, matter="需要上級協調")
    heads = Api(world.users["office_head_a"]), Api(world.users["office_head_a2"])
    read = [version(h, f"/slips/{slip.number}") for h in heads]
    ok(
        heads[0].post(
            f"/slips/{slip.number}/sign", {"opinion": "呈副總", "decision": "escalate", "version": read[0]}
        )
    )
    body = error(
        heads[1].post(
            f"/slips/{slip.number}/sign", {"opinion": "自行決定", "decision": "decide", "version": read[1]}
        ),
        409,
        "stale_edit",
    )
    assert body["current"] == {"opinion": "呈副總"} and body["saved_by"] == "office_head_a"

    notice = papers.issue_notice(
        actor=world.users["deputy_gm"],
        department=world.engineering,
        task="更換主機",
        due_at=timezone.now() + timedelta(days=3),
        estate=world.estate_a,
    )
    engineering = Api(world.users["department_head"])
    opened = version(engineering, f"/notices/{notice.number}")
    papers.report_notice(actor=world.users["department_head"], notice=notice, report="已更換")
    papers.verify_notice(actor=world.users["deputy_gm"], notice=notice, accepted=False, verification="未完成")
    body = error(
        engineering.post(f"/notices/{notice.number}/report", {"report": "完成", "version": opened}),
        409,
        "stale_edit",
    )
    assert body["current"] == {"report": "已更換"}
    reported = ok(
        engineering.post(f"/notices/{notice.number}/report", {"report": "完成", "version": body["version"]})
    )
    assert (reported["status"], reported["completion_report"]) == ("reported", "完成")
