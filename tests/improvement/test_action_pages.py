"""Corrective and preventive actions (SPEC I-1) driven through their pages, with scope (P-1).

K-14 (the deputy GM's review of monthly reports) is not tested here: its form lives on the
monthly report's page; this area only opens actions from ``?report=`` links.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.core.clock import company_today
from estatedesk.improvement.models import Action, ActionStatus
from estatedesk.improvement.panels import overdue_actions_panel
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def page(client, name, *args, expect=200, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == expect, response.content.decode()[:2000]
    return response.content.decode()


def rows(html: str) -> str:
    """The list's table only (the search box and the export link repeat the query)."""
    found = re.search(r'<table[^>]*id="actions">.*?</table>', html, re.S)
    assert found is not None, html[:2000]
    return found.group(0)


def post_ok(client, name, pk, data) -> None:
    """Post a form of the action's page as the page shows it now (with its texts' version)."""
    data = {"based_on_version": Action.objects.get(pk=pk).edit_version, **data}
    response = client.post(reverse(name, args=[pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == reverse("improvement:detail", args=[pk])


def open_from_complaint(world, complaint, persona="deputy_gm", **overrides) -> Action:
    data = {
        "kind": "corrective",
        "source": "complaint",
        "source_complaint": complaint.number,
        "title": "3栋电梯反复停运",
        "problem": "一个月内停运三次，业主多次投诉",
        "department": "",
        "source_reference": "",
        **overrides,
    }
    response = world.client(persona).post(reverse("improvement:create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    action = Action.objects.get(source_complaint=complaint)
    assert response["Location"] == reverse("improvement:detail", args=[action.pk])
    return action


def add_step(world, action, *, owner="handler_a", due=None, persona="deputy_gm", text="更换控制柜") -> None:
    post_ok(
        world.client(persona),
        "improvement:step_add",
        action.pk,
        {
            "description": text,
            "owner": world.users[owner].staff.pk,
            "due_date": (due or company_today() + timedelta(days=7)).isoformat(),
        },
    )


def finish_open_step(world, action, persona="handler_a") -> None:
    step = action.steps.get(done_at__isnull=True)
    html = page(world.client(persona), "improvement:detail", action.pk)
    assert f'name="step" value="{step.pk}"' in html  # the owner gets the form of their step
    post_ok(
        world.client(persona), "improvement:step_finish", action.pk, {"step": step.pk, "result": "已完成"}
    )


def status_of(action) -> str:
    action.refresh_from_db()
    return action.status


@pytest.mark.req("I-1")
def test_an_action_lives_from_a_complaint_to_an_effective_close(world):
    complaint = record(world)  # handler_a's complaint, estate A
    deputy = english(world.client("deputy_gm"))

    # the complaint page offers to open an action, which arrives with the complaint filled in
    complaint_page = page(deputy, "complaints:detail", complaint.pk)
    assert f"{reverse('improvement:create')}?complaint={complaint.pk}" in complaint_page
    form = page(deputy, "improvement:create", complaint=complaint.pk)
    assert f'value="{complaint.number}"' in form
    assert 'value="complaint" selected' in form or '<option value="complaint" selected>' in form

    action = open_from_complaint(world, complaint)
    assert action.number.startswith("CA-")
    assert action.estate == world.estate_a and action.department == complaint.department
    assert action.status == ActionStatus.OPEN

    # linked both ways: the complaint lists the action, the action links to the complaint
    handler = english(world.client("handler_a"))
    complaint_page = page(handler, "complaints:detail", complaint.pk)
    assert reverse("improvement:detail", args=[action.pk]) in complaint_page
    assert action.number in complaint_page
    assert 'id="capa-open"' not in complaint_page  # a handler does not open actions
    detail = page(handler, "improvement:detail", action.pk)
    assert reverse("complaints:detail", args=[complaint.pk]) in detail

    # the analysis, with a fishbone drawn from it
    post_ok(
        deputy,
        "improvement:analyse",
        action.pk,
        {
            "cause_analysis": "控制柜老化",
            "fishbone_machine": "控制柜老化\n备用电源失效",
            "fishbone_man": "巡查不到位",
        },
    )
    action.refresh_from_db()
    assert action.fishbone == {"man": ["巡查不到位"], "machine": ["控制柜老化", "备用电源失效"]}
    detail = page(deputy, "improvement:detail", action.pk)
    assert reverse("improvement:fishbone", args=[action.pk]) in detail
    svg = page(deputy, "improvement:fishbone", action.pk)
    assert "备用电源失效" in svg

    # a step for handler_a, who finishes it: every step done, the action waits for verification
    add_step(world, action)
    assert status_of(action) == ActionStatus.IN_PROGRESS
    finish_open_step(world, action)
    assert status_of(action) == ActionStatus.VERIFYING
    detail = page(handler, "improvement:detail", action.pk)
    assert 'id="verify-form"' not in detail  # the handler cannot verify

    # not effective: back to work
    assert 'id="verify-form"' in page(deputy, "improvement:detail", action.pk)
    post_ok(deputy, "improvement:verify", action.pk, {"effective": "no", "note": "本月又停运一次"})
    assert status_of(action) == ActionStatus.IN_PROGRESS

    # a new step, finished, verified effective: closed
    add_step(world, action, text="增加每周巡检")
    finish_open_step(world, action)
    assert status_of(action) == ActionStatus.VERIFYING
    post_ok(deputy, "improvement:verify", action.pk, {"effective": "yes", "note": "连续两个月无停运"})
    assert status_of(action) == ActionStatus.CLOSED
    detail = page(deputy, "improvement:detail", action.pk)
    assert "本月又停运一次" in detail and "连续两个月无停运" in detail  # the verification history
    assert "Not effective" in detail and detail.count("verification-row") == 2
    assert 'id="verify-form"' not in detail and 'id="add-step"' not in detail  # closed: no more forms
    assert action.steps.filter(done_at__isnull=False).count() == 2


@pytest.mark.req("I-1")
@pytest.mark.req("P-1")
def test_another_estates_handler_gets_404_everywhere_and_no_list_row(world):
    action = open_from_complaint(world, record(world))
    add_step(world, action)
    step = action.steps.get()
    client = world.client("handler_b")
    for name in ("detail", "fishbone", "analyse", "step_add", "step_finish", "verify"):
        url = reverse(f"improvement:{name}", args=[action.pk])
        assert client.get(url).status_code == 404, name
        assert (
            client.post(url, {"step": step.pk, "result": "x", "effective": "yes", "note": "x"}).status_code
            == 404
        )
    assert action.number not in rows(page(client, "improvement:list"))
    assert action.number not in rows(page(client, "improvement:list", q=action.number))
    # the export is the list's rows: nothing of estate A
    response = client.get(reverse("improvement:export"))
    assert action.number.encode() not in response.content
    assert step.done_at is None and status_of(action) == ActionStatus.IN_PROGRESS
    # inside the scope the same pages answer
    assert world.client("colleague_a").get(reverse("improvement:detail", args=[action.pk])).status_code == 200


@pytest.mark.req("I-1")
@pytest.mark.req("P-1")
def test_a_step_id_of_another_action_is_404(world):
    first = open_from_complaint(world, record(world))
    second = open_from_complaint(world, record(world, description="2号门禁失灵"), title="门禁")
    add_step(world, first)
    step = first.steps.get()
    response = world.client("deputy_gm").post(
        reverse("improvement:step_finish", args=[second.pk]), {"step": step.pk, "result": "x"}
    )
    assert response.status_code == 404
    step.refresh_from_db()
    assert step.done_at is None


@pytest.mark.req("I-1")
def test_only_the_owner_or_a_manager_finishes_a_step(world):
    action = open_from_complaint(world, record(world))
    add_step(world, action, owner="handler_a")
    step = action.steps.get()
    colleague = english(world.client("colleague_a"))  # sees the action (estate A), owns nothing
    assert f'name="step" value="{step.pk}"' not in page(colleague, "improvement:detail", action.pk)
    response = colleague.post(
        reverse("improvement:step_finish", args=[action.pk]), {"step": step.pk, "result": "我做完了"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only the step&#x27;s owner" in html and "我做完了" in html  # why, and what was typed
    step.refresh_from_db()
    assert step.done_at is None


@pytest.mark.req("I-1")
def test_overdue_actions_show_in_the_list_filter_and_the_panel(world):
    with frozen_at(at(2026, 3, 2, 9, 0)):
        action = open_from_complaint(world, record(world))
        add_step(world, action, due=date(2026, 3, 6))
        late = english(world.client("office_head_a"))
        assert action.number in rows(page(late, "improvement:list"))
        assert action.number not in rows(page(late, "improvement:list", overdue="1"))
        assert overdue_actions_panel(world.users["office_head_a"])["count"] == 0
    # the step is due on the 6th, overdue from the 7th: on the 9th it is three days late
    with frozen_at(at(2026, 3, 9, 10, 0)):
        late = english(world.client("office_head_a"))  # a new day, a new sign-in
        html = page(late, "improvement:list", overdue="1")
        row = re.search(
            rf'<tr class="action-row action-overdue" id="action-{action.pk}">.*?</tr>', html, re.S
        )
        assert row is not None, html
        assert "3 days overdue" in row.group(0)
        assert "3 days overdue" in page(late, "improvement:detail", action.pk)
        panel = overdue_actions_panel(world.users["office_head_a"])
        assert panel["count"] == 1
        assert panel["rows"][0]["number"] == action.number and panel["rows"][0]["days_overdue"] == 3
        assert panel["url"] == reverse("improvement:list") + "?overdue=1"
        assert overdue_actions_panel(world.users["handler_b"])["count"] == 0  # out of scope
        # the export of the same filter
        book = openpyxl.load_workbook(
            io.BytesIO(late.get(reverse("improvement:export"), {"overdue": "1"}).content)
        )
        sheet = list(book.active.iter_rows(values_only=True))
        assert [r[0] for r in sheet[1:]] == [action.number]
        assert sheet[0][10] == "Days overdue" and sheet[1][10] == 3
        # a finished step is no longer overdue
        finish_open_step(world, action)
        assert action.number not in rows(page(late, "improvement:list", overdue="1"))
        assert overdue_actions_panel(world.users["office_head_a"])["count"] == 0


@pytest.mark.req("I-1")
def test_the_panel_lists_the_five_most_overdue_first(world):
    with frozen_at(at(2026, 3, 2, 9, 0)):
        actions = []
        for days in range(7):
            complaint = record(world, description=f"问题{days}")
            action = open_from_complaint(world, complaint, title=f"措施{days}")
            add_step(world, action, due=date(2026, 3, 3) + timedelta(days=days))
            actions.append(action)
    with frozen_at(at(2026, 3, 20, 9, 0)):
        panel = overdue_actions_panel(world.users["deputy_gm"])
    assert panel["count"] == 7
    assert [r["number"] for r in panel["rows"]] == [a.number for a in actions[:5]]
    assert panel["rows"][0]["days_overdue"] == 17


@pytest.mark.req("I-1")
def test_a_handler_cannot_open_an_action(world):
    complaint = record(world)
    client = english(world.client("handler_a"))
    response = client.get(reverse("improvement:create"), {"complaint": complaint.pk})
    assert response.status_code == 403
    assert "open actions" in response.content.decode()
    response = client.post(
        reverse("improvement:create"),
        {
            "kind": "corrective",
            "source": "complaint",
            "source_complaint": complaint.number,
            "title": "t",
            "problem": "p",
        },
    )
    assert response.status_code == 403
    assert not Action.objects.exists()
    assert reverse("improvement:create") not in page(client, "improvement:list")


@pytest.mark.req("I-1")
def test_bad_input_keeps_everything_typed(world):
    complaint = record(world)
    client = english(world.client("deputy_gm"))
    data = {
        "kind": "preventive",
        "source": "complaint",
        "source_complaint": complaint.number,
        "title": "电梯预防性维护",
        "problem": "",
        "department": world.engineering.pk,
    }
    response = client.post(reverse("improvement:create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="电梯预防性维护"' in html and f'value="{complaint.number}"' in html
    assert re.search(r'id="id_problem".*?invalid-feedback', html, re.S)
    assert 'value="preventive" class="choice-radio" id="id_kind_1" checked' in html or re.search(
        r'value="preventive"[^>]*checked', html
    )
    # only spaces: the service's own message, next to the field
    response = client.post(reverse("improvement:create"), {**data, "problem": "   "})
    assert response.status_code == 422
    assert "Describe the problem." in response.content.decode()
    # a number that is no complaint
    response = client.post(
        reverse("improvement:create"), {**data, "problem": "p", "source_complaint": "TS-2026-999999"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "No such complaint in your scope." in html and 'value="TS-2026-999999"' in html
    # a survey without saying which
    response = client.post(reverse("improvement:create"), {**data, "problem": "p", "source": "survey"})
    assert response.status_code == 422
    assert "Say where the problem was found" in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.req("I-1")
@pytest.mark.req("P-1")
def test_a_complaint_outside_the_openers_scope_is_refused(world):
    estate_b = record(world, "handler_b", estate=world.estate_b, unit=world.unit_b, customer=world.customer_b)
    head = english(world.client("department_head"))  # engineering, estate A
    assert head.get(reverse("improvement:create"), {"complaint": estate_b.pk}).status_code == 404
    response = head.post(
        reverse("improvement:create"),
        {
            "kind": "corrective",
            "source": "complaint",
            "source_complaint": estate_b.number,
            "title": "t",
            "problem": "p",
        },
    )
    assert response.status_code == 422
    assert "No such complaint in your scope." in response.content.decode()
    assert not Action.objects.exists()


@pytest.mark.req("I-1")
def test_analysis_and_step_errors_keep_what_was_typed(world):
    action = open_from_complaint(world, record(world))
    client = english(world.client("deputy_gm"))
    nine = "\n".join(f"原因{i}" for i in range(9))
    response = client.post(
        reverse("improvement:analyse", args=[action.pk]),
        {"cause_analysis": "分析文字", "fishbone_method": nine, "based_on_version": 0},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "At most 8 causes per bone" in html and "原因8" in html and "分析文字" in html
    assert re.search(r'id="id_analyse_fishbone_method".*?invalid-feedback', html, re.S)
    response = client.post(
        reverse("improvement:step_add", args=[action.pk]),
        {"description": "补装监控", "owner": world.users["handler_a"].staff.pk, "due_date": "2020-01-01"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "The due date has already passed." in html and "补装监控" in html
    action.refresh_from_db()
    assert action.fishbone == {} and not action.steps.exists()


@pytest.mark.req("I-1")
def test_the_owner_choice_offers_only_colleagues_in_scope(world):
    action = open_from_complaint(world, record(world), persona="office_head_a")
    html = page(world.client("office_head_a"), "improvement:detail", action.pk)
    options = re.search(r'<select name="owner".*?</select>', html, re.S).group(0)
    assert f'value="{world.users["handler_a"].staff.pk}"' in options
    assert f'value="{world.users["handler_b"].staff.pk}"' not in options


@pytest.mark.req("I-1")
def test_the_list_filters_and_search(world):
    first = open_from_complaint(world, record(world))
    second = open_from_complaint(
        world, record(world, description="门禁"), title="门禁系统故障", kind="preventive"
    )
    client = english(world.client("deputy_gm"))
    html = rows(page(client, "improvement:list", kind="preventive"))
    assert second.number in html and first.number not in html
    html = rows(page(client, "improvement:list", q="门禁系统"))
    assert second.number in html and first.number not in html
    html = rows(page(client, "improvement:list", q=first.number))
    assert first.number in html and second.number not in html
    html = page(client, "improvement:list", status="nonsense")
    assert "is not one of the choices" in html and first.number in rows(html) and second.number in rows(html)
    html = rows(
        page(client, "improvement:list", status="open", department=first.department_id, source="complaint")
    )
    assert first.number in html and second.number in html
    assert first.number not in rows(page(client, "improvement:list", status="closed"))


@pytest.mark.req("I-1")
def test_the_fishbone_image_is_svg_with_a_strict_policy(world):
    action = open_from_complaint(world, record(world))
    response = world.client("deputy_gm").get(reverse("improvement:fishbone", args=[action.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response.content.startswith(b"<?xml")


@pytest.mark.req("I-1")
def test_the_list_and_its_export_cost_the_same_queries_for_2_or_8_actions(
    world, django_assert_max_num_queries
):
    client = world.client("office_head_a")

    def make(n):
        for i in range(n):
            action = open_from_complaint(world, record(world, description=f"问题{i}"), title=f"措施{i}")
            add_step(world, action)

    make(2)
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("improvement:list"))
    budget = len(few.captured_queries)
    make(6)
    with django_assert_max_num_queries(budget):
        assert client.get(reverse("improvement:list")).status_code == 200
    with django_assert_max_num_queries(budget):
        assert client.get(reverse("improvement:export")).status_code == 200
