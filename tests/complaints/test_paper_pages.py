"""Work transfer slips (K-8) and work arrangement notices (K-9), driven through their pages."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints import papers, services
from estatedesk.complaints.models import TransferSlip, WorkNotice

SHANGHAI = ZoneInfo("Asia/Shanghai")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def get(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def post_ok(client, name, pk, data, *, to: str) -> None:
    """Post a paper's form as its page shows it now (with the version it carries)."""
    model = TransferSlip if name.startswith("complaints:slip_") else WorkNotice
    data = {"based_on_version": model.objects.get(pk=pk).edit_version, **data}
    response = client.post(reverse(name, args=[pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse(to, args=[pk])


def signatures(html: str) -> list[str]:
    return re.findall(r'<li class="list-group-item signature-row">(.*?)</li>', html, re.S)


def slip_of(world, complaint) -> TransferSlip:
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="management", serious=True, urgent=False
    )
    client = world.client("handler_a")
    response = client.post(
        reverse("complaints:act_slip", args=[complaint.pk]),
        {"matter": "電梯需整機更換，費用超出管理處權限", "handler_opinion": "建議申請維修基金"},
    )
    assert response.status_code == 302
    return TransferSlip.objects.get(complaint=complaint)


@pytest.mark.req("K-8")
def test_a_slip_passes_head_deputy_gm_gm_with_each_opinion_then_the_result(world, complaint):
    slip = slip_of(world, complaint)
    # the list's "waiting for my signature" shows it to the head of the handling department only
    assert slip.number in get(world.client("office_head_a"), "complaints:slip_list", mine="1")
    assert slip.number not in get(world.client("department_head"), "complaints:slip_list", mine="1")
    assert slip.number not in get(world.client("deputy_gm"), "complaints:slip_list", mine="1")
    assert 'id="sign"' not in get(world.client("handler_a"), "complaints:slip_detail", slip.pk)

    chain = [
        ("office_head_a", "需公司層面協調維修基金", "escalate", "at_deputy_gm"),
        ("deputy_gm", "涉及金額較大，呈總經理", "escalate", "at_gm"),
        ("gm", "同意動用維修基金，工程部負責", "decide", "decided"),
    ]
    for persona, opinion, decision, status in chain:
        client = world.client(persona)
        html = get(client, "complaints:slip_detail", slip.pk)
        assert 'id="sign"' in html, persona
        assert slip.number in get(client, "complaints:slip_list", mine="1")
        post_ok(
            client,
            "complaints:slip_sign",
            slip.pk,
            {"opinion": opinion, "decision": decision},
            to="complaints:slip_detail",
        )
        assert TransferSlip.objects.get(pk=slip.pk).status == status

    html = get(world.client("handler_a"), "complaints:slip_detail", slip.pk)
    rows = signatures(html)
    assert len(rows) == 3
    for row, (persona, opinion, _decision, _status) in zip(rows, chain, strict=True):
        assert persona in row and opinion in row
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", row)
    assert 'id="result"' in html  # decided: the handler writes the final result
    post_ok(
        world.client("handler_a"),
        "complaints:slip_result",
        slip.pk,
        {"result": "已更換電梯主機並通知業主"},
        to="complaints:slip_detail",
    )
    slip.refresh_from_db()
    assert (slip.status, slip.result, slip.result_by.display_name) == (
        "done",
        "已更換電梯主機並通知業主",
        "handler_a",
    )
    assert "已更換電梯主機並通知業主" in get(world.client("handler_a"), "complaints:detail", complaint.pk)


@pytest.mark.req("K-8")
def test_the_gm_cannot_pass_a_slip_further_and_a_wrong_signer_is_refused(world, complaint):
    slip = slip_of(world, complaint)
    english_client = english(world.client("deputy_gm"))
    response = english_client.post(
        reverse("complaints:slip_sign", args=[slip.pk]),
        {"opinion": "越級", "decision": "decide", "based_on_version": 0},
    )
    assert response.status_code == 403
    assert "waits for another signer" in response.content.decode() and "越級" in response.content.decode()
    papers.sign_slip(actor=world.users["office_head_a"], slip=slip, opinion="呈副總", decision="escalate")
    papers.sign_slip(actor=world.users["deputy_gm"], slip=slip, opinion="呈總經理", decision="escalate")
    html = get(world.client("gm"), "complaints:slip_detail", slip.pk)
    assert 'value="decide"' in html and 'value="escalate"' not in html
    response = english(world.client("gm")).post(
        reverse("complaints:slip_sign", args=[slip.pk]),
        {"opinion": "", "decision": "decide", "based_on_version": 2},
    )
    assert response.status_code == 422
    assert TransferSlip.objects.get(pk=slip.pk).status == "at_gm"


@pytest.mark.req("K-9")
def test_notice_from_a_decided_slip_is_reported_returned_and_verified(world, complaint):
    slip = slip_of(world, complaint)
    papers.sign_slip(
        actor=world.users["office_head_a"], slip=slip, opinion="管理處維修組三日內更換主機", decision="decide"
    )
    head = world.client("office_head_a")
    html = get(head, "complaints:slip_detail", slip.pk)
    assert f"{reverse('complaints:notice_create')}?slip={slip.pk}" in html
    assert "?slip=" not in get(
        world.client("handler_a"), "complaints:slip_detail", slip.pk
    )  # handlers do not issue
    assert "?slip=" not in get(world.client("gm"), "complaints:slip_detail", slip.pk)  # not the decider
    # pre-filled with the decision: the deciding opinion as the task, the complaint's department
    form = get(head, "complaints:notice_create", slip=slip.pk)
    assert re.search(rf'<option value="{slip.pk}" selected>', form)
    assert re.search(rf'<option value="{world.office_a.pk}" selected>', form)
    assert "管理處維修組三日內更換主機</textarea>" in form
    # only the departments the head heads are offered, and the server refuses the others
    assert f'<option value="{world.engineering.pk}"' not in form
    due = (timezone.now() + timedelta(days=3)).astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")
    fields = {"slip": slip.pk, "task": "三日內完成電梯主機更換", "due_at": due}
    refused = english(head).post(
        reverse("complaints:notice_create"), {**fields, "department": world.engineering.pk}
    )
    assert refused.status_code == 422  # not a choice of the form
    assert "三日內完成電梯主機更換" in refused.content.decode()
    response = head.post(reverse("complaints:notice_create"), {**fields, "department": world.office_a.pk})
    assert response.status_code == 302
    notice = WorkNotice.objects.get()
    assert response["Location"] == reverse("complaints:notice_detail", args=[notice.pk])
    assert (notice.origin, notice.slip, notice.complaint, notice.estate) == (
        "slip",
        slip,
        complaint,
        world.estate_a,
    )
    assert notice.due_at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") == due

    engineering = world.client("handler_a")  # the management office's handler reports for it
    assert 'id="report"' in get(engineering, "complaints:notice_detail", notice.pk)
    assert 'id="report"' not in get(world.client("department_head"), "complaints:notice_detail", notice.pk)
    post_ok(
        engineering,
        "complaints:notice_report",
        notice.pk,
        {"report": "已更換"},
        to="complaints:notice_detail",
    )
    assert 'id="verify"' in get(head, "complaints:notice_detail", notice.pk)
    post_ok(
        head,
        "complaints:notice_verify",
        notice.pk,
        {"accepted": "no", "verification": "轎廂照明未恢復"},
        to="complaints:notice_detail",
    )
    notice.refresh_from_db()
    assert (notice.status, notice.verification) == ("issued", "轎廂照明未恢復")
    post_ok(
        engineering,
        "complaints:notice_report",
        notice.pk,
        {"report": "照明已修復"},
        to="complaints:notice_detail",
    )
    post_ok(
        head,
        "complaints:notice_verify",
        notice.pk,
        {"accepted": "yes", "verification": "現場查驗合格"},
        to="complaints:notice_detail",
    )
    notice.refresh_from_db()
    assert (notice.status, notice.completion_report, notice.verified_by.display_name) == (
        "verified",
        "照明已修復",
        "office_head_a",
    )
    html = get(engineering, "complaints:notice_detail", notice.pk)
    assert "現場查驗合格" in html and 'id="verify"' not in html and 'id="report"' not in html
    timeline = get(head, "complaints:detail", complaint.pk)
    assert notice.number in timeline and "轎廂照明未恢復" in timeline


@pytest.mark.req("K-9")
def test_notice_on_own_initiative_keeps_typed_values_and_overdue_ones_are_marked(world):
    gm = english(world.client("gm"))
    response = gm.post(
        reverse("complaints:notice_create"),
        {"department": world.engineering.pk, "task": "檢查全部消防栓", "due_at": "2001-01-01T09:00"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "must be in the future" in html and "檢查全部消防栓" in html and 'value="2001-01-01T09:00"' in html
    assert world.client("handler_a").get(reverse("complaints:notice_create")).status_code == 403

    def issue(task):
        return papers.issue_notice(
            actor=world.users["gm"],
            department=world.engineering,
            task=task,
            due_at=timezone.now() + timedelta(days=1),
            estate=world.estate_a,
        )

    with time_machine.travel(timezone.now() - timedelta(days=3)):  # issued three days ago, due in one
        late = issue("檢查全部消防栓")
    on_time = issue("檢查全部滅火器")
    listed = get(gm, "complaints:notice_list")
    assert re.search(rf'<tr class="notice-row notice-overdue" id="notice-{late.pk}">', listed)
    assert re.search(rf'<tr class="notice-row" id="notice-{on_time.pk}">', listed)
    overdue = get(gm, "complaints:notice_list", state="overdue")
    assert late.number in overdue and on_time.number not in overdue
    assert "overdue-marker" in get(gm, "complaints:notice_detail", late.pk)
    assert "overdue-marker" not in get(gm, "complaints:notice_detail", on_time.pk)
    # once verified it is no longer overdue
    papers.report_notice(actor=world.users["department_head"], notice=late, report="已檢查")
    papers.verify_notice(actor=world.users["gm"], notice=late, accepted=True, verification="合格")
    assert late.number not in get(gm, "complaints:notice_list", state="overdue")
    notice = late
    # the estate B handler neither lists nor opens it
    assert notice.number not in get(world.client("handler_b"), "complaints:notice_list")


@pytest.mark.req("A-1")
def test_slip_and_notice_lists_keep_their_query_count_as_rows_grow(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.complaints.conftest import record

    def add(n):
        for i in range(n):
            c = record(world, description=f"第{i}宗")
            services.assess(
                actor=world.users["handler_a"], complaint=c, cause="management", serious=False, urgent=False
            )
            papers.raise_slip(actor=world.users["handler_a"], complaint=c, matter=f"事項{i}")
            papers.issue_notice(
                actor=world.users["gm"],
                department=world.engineering,
                task=f"任務{i}",
                due_at=timezone.now() + timedelta(days=1),
                estate=world.estate_a,
            )

    client = world.client("handler_a")
    client.get(reverse("home"))

    def queries(name):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        return len(ctx)

    add(2)
    few = {name: queries(name) for name in ("complaints:slip_list", "complaints:notice_list")}
    add(5)
    assert {name: queries(name) for name in few} == few
