"""Every home-page panel shows real work, with its count and a link to each item, or is not there
(SPEC A-1). Each persona signs in with work waiting for them and finds it on their home page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from estatedesk.complaints import papers, services
from estatedesk.core import panels
from estatedesk.core.actors import SYSTEM
from estatedesk.org import services as org_services
from estatedesk.org.models import Customer
from estatedesk.reports import services as report_services
from estatedesk.reports.models import MonthlyReport
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db, pytest.mark.req("A-1")]


def home(client: Client) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def panels_on(html: str) -> dict[str, tuple[int, str]]:
    """Each panel of the page: the count in its heading, and its body."""
    found = {}
    for key, body in re.findall(
        r'<section class="card[^"]*" data-panel="([a-z_]+)">(.*?)</section>', html, re.S
    ):
        count = re.search(r'data-count="(\d+)"', body)
        assert count is not None, f"panel {key} shows no count in its heading"
        found[key] = (int(count.group(1)), body)
    return found


def shows(html: str, key: str, url: str, count: int = 1) -> None:
    """The panel is on the page, counts ``count`` items, and links to ``url``."""
    shown = panels_on(html)
    assert key in shown, f"no {key} panel on the page (panels: {sorted(shown)})"
    assert shown[key][0] == count
    assert f'href="{url}"' in shown[key][1]


def complaint_url(complaint: Any) -> str:
    return reverse("complaints:detail", args=[complaint.pk])


def slip_url(slip: Any) -> str:
    return reverse("complaints:slip_detail", args=[slip.pk])


@pytest.fixture
def cs_supervisor(world: Any) -> Any:
    return org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_supervisor",
        display_name="cs_supervisor",
        role="cs_supervisor",
        estates=[],
        departments=[world.customer_service],
        password="correct-horse-battery",
    ).user


def forwarded_to_engineering(world: Any, description: str) -> Any:
    complaint = record(world, description=description)
    handler = world.users["handler_a"]
    services.assess(actor=handler, complaint=complaint, cause="maintenance", serious=False, urgent=False)
    services.assign(actor=handler, complaint=complaint, department=world.engineering)
    return complaint


def test_every_panel_a_role_is_promised_is_filled_by_some_app() -> None:
    for role, keys in panels.ROLE_PANELS.items():
        assert set(keys) <= panels.registered(), role
    # The apps that are not built yet promise nothing.
    promised = {key for keys in panels.ROLE_PANELS.values() for key in keys}
    assert not promised & {"satisfaction", "rectification", "records"}


def test_duty_staff_and_handler_find_todays_intake_and_their_work(world: Any) -> None:
    complaint = record(world, persona="colleague_a", description="3栋门禁坏了")
    duty = home(world.client("colleague_a"))
    shows(duty, "intake", complaint_url(complaint))
    assert (
        f'href="{reverse("complaints:intake")}"' in panels_on(duty)["intake"][1]
    )  # one click to the next call

    services.assign(
        actor=world.users["handler_a"],
        complaint=complaint,
        department=world.office_a,
        handler=world.users["handler_a"].staff,
    )
    handler = home(world.client("handler_a"))
    shows(handler, "my_work", complaint_url(complaint))
    shows(handler, "department", complaint_url(complaint))
    assert complaint.number not in home(world.client("handler_b"))  # another estate's


def test_the_head_signs_slips_of_the_department_but_never_one_they_raised(world: Any) -> None:
    complaint = forwarded_to_engineering(world, "3栋电梯主板损坏")
    slip = papers.raise_slip(actor=world.users["handler_a"], complaint=complaint, matter="更换主板需审批")
    html = home(world.client("department_head"))
    shows(html, "approvals", slip_url(slip))
    shows(html, "department", complaint_url(complaint))

    own = forwarded_to_engineering(world, "地下车库照明不足")
    raised = papers.raise_slip(actor=world.users["department_head"], complaint=own, matter="增加照明需审批")
    count, body = panels_on(home(world.client("department_head")))["approvals"]
    assert raised.number not in body and slip.number in body and count == 1


def test_the_customer_service_supervisor_finds_the_departments_open_complaints(
    world: Any, cs_supervisor: Any
) -> None:
    complaint = record(world, description="客服热线无人接听")
    services.assign(actor=world.users["handler_a"], complaint=complaint, department=world.customer_service)
    client = Client()
    client.force_login(cs_supervisor)
    shows(home(client), "department", complaint_url(complaint))


def _submitted_report(world: Any) -> MonthlyReport:
    with frozen_at(at(2026, 3, 10, 10, 0)):
        record(world)
    with frozen_at(at(2026, 4, 2, 9, 0)):
        (report,) = report_services.draft_month(year=2026, month=3, department=world.office_a)
        return report_services.submit(actor=world.users["office_head_a"], report=report, analysis="本月分析")


def test_the_deputy_gm_and_the_gm_find_slips_and_reports_waiting_for_them(world: Any) -> None:
    report = _submitted_report(world)
    report_url = reverse("reports:monthly_detail", args=[report.pk])
    complaint = forwarded_to_engineering(world, "外墙渗水需整体维修")
    slip = papers.raise_slip(
        actor=world.users["handler_a"], complaint=complaint, matter="外墙维修费用超出权限"
    )
    papers.sign_slip(
        actor=world.users["department_head"], slip=slip, opinion="超出部门权限", decision="escalate"
    )

    deputy = home(world.client("deputy_gm"))
    shows(deputy, "approvals", slip_url(slip))
    shows(deputy, "review_queue", report_url)
    assert slip.number not in (panels_on(home(world.client("gm"))).get("approvals") or (0, ""))[1]

    papers.sign_slip(actor=world.users["deputy_gm"], slip=slip, opinion="请总经理决定", decision="escalate")
    gm = home(world.client("gm"))
    shows(gm, "approvals", slip_url(slip))
    # The GM reviews reports only in the deputy GM's place (decision 0017; tests/reports/test_home_panel.py).
    count, body = panels_on(home(world.client("deputy_gm")))["approvals"]
    assert count == 0 and "No transfer slips waiting." in body  # the kind exists, nothing now


def test_the_administrator_finds_the_staff_accounts_and_the_last_import(world: Any) -> None:
    get_user_model().objects.filter(username="auditor").update(is_active=False)
    html = home(world.client("admin"))
    active = get_user_model().objects.filter(staff__isnull=False, is_active=True).count()
    shows(html, "roster", f"{reverse('org:staff_list')}?active=1", count=active)
    body = panels_on(html)["roster"][1]
    assert f'href="{reverse("org:staff_list")}?active=0"' in body and "1 disabled account" in body
    assert f'href="{reverse("org:import_start")}"' in body  # nothing imported yet: the way in
    on_record = Customer.objects.count()
    assert on_record and f"{on_record} customer" in body and "on record; no roster imported yet" in body
    # the staff list really filters by it
    listing = world.client("admin").get(f"{reverse('org:staff_list')}?active=0").content.decode()
    assert ">auditor<" in listing and ">handler_a<" not in listing


@pytest.mark.parametrize(
    "persona", ["colleague_a", "handler_a", "department_head", "deputy_gm", "gm", "auditor", "admin"]
)
def test_no_panel_is_shown_that_no_app_fills(world: Any, persona: str) -> None:
    shown = panels_on(home(world.client(persona)))
    assert shown and set(shown) <= panels.registered()
