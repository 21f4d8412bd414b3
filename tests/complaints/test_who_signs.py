"""Who signs a work transfer slip (K-8, §7.2.8, §4.2) and who issues a work arrangement notice
(K-9, §7.2.9); the GM standing in for the deputy GM when the company settings allow it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from estatedesk.complaints import papers, services
from estatedesk.complaints.models import TransferSlip
from estatedesk.core.actors import SYSTEM
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.notifications.models import Message
from estatedesk.org import services as org_services
from tests.complaints.conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_messages():
    """The services' refusals read in English here, whatever an earlier test left active."""
    with translation.override("en"):
        yield


def _assessed(world):
    return services.assess(
        actor=world.users["handler_a"],
        complaint=record(world),
        cause="maintenance",
        serious=True,
        urgent=False,
    )


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _chain(html: str) -> dict[str, str]:
    """The slip page's chain: each step's role and state."""
    return dict(re.findall(r'<li class="chain-step[^"]*" data-role="([a-z_]+)" data-state="([a-z_]+)"', html))


def _gm_stands_in(on: bool) -> None:
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=on)


# --- K-8: nobody signs a slip they raised ---------------------------------------------------------


@pytest.mark.req("K-8")
def test_nobody_signs_a_slip_they_raised(world):
    head = world.users["office_head_a"]
    c = _assessed(world)
    with pytest.raises(NotAllowed) as err:  # the head of the department cannot send it to himself
        papers.raise_slip(actor=head, complaint=c, matter="需動用維修基金", first_signer="department_head")
    assert err.value.field == "first_signer" and "nobody signs a slip they raised" in str(err.value).lower()
    slip = papers.raise_slip(actor=head, complaint=c, matter="需動用維修基金", first_signer="deputy_gm")
    assert (slip.status, slip.first_signer) == ("at_deputy_gm", "deputy_gm")
    with pytest.raises(NotAllowed):
        papers.sign_slip(actor=head, slip=slip, opinion="自己批", decision="decide")
    # the deputy GM, told of it, decides
    assert Message.objects.filter(user=world.users["deputy_gm"], subject__contains=slip.number).exists()
    assert not Message.objects.filter(user=head, subject__contains=slip.number).exists()
    slip = papers.sign_slip(actor=world.users["deputy_gm"], slip=slip, opinion="同意", decision="decide")
    assert list(slip.signatures.values_list("signer__display_name", flat=True)) == ["deputy_gm"]


@pytest.mark.req("K-8")
def test_a_deputy_gm_sends_his_slip_to_the_gm_and_the_gm_raises_none(world):
    c = record(world, persona="deputy_gm")
    with pytest.raises(NotAllowed):
        papers.raise_slip(actor=world.users["deputy_gm"], complaint=c, matter="x", first_signer="deputy_gm")
    slip = papers.raise_slip(
        actor=world.users["deputy_gm"], complaint=c, matter="集團層面協調", first_signer="gm"
    )
    assert slip.status == "at_gm"
    papers.sign_slip(actor=world.users["gm"], slip=slip, opinion="同意", decision="decide")
    c2 = record(world, persona="gm")
    with pytest.raises(NotAllowed) as err:
        papers.raise_slip(actor=world.users["gm"], complaint=c2, matter="x", first_signer="gm")
    assert "without a slip" in str(err.value)


@pytest.mark.req("K-8")
def test_a_slip_may_go_straight_to_the_gm(world):
    c = _assessed(world)
    slip = papers.raise_slip(
        actor=world.users["handler_a"], complaint=c, matter="業主揚言投訴到政府", first_signer="gm"
    )
    assert (slip.status, slip.first_signer) == ("at_gm", "gm")
    assert Message.objects.filter(user=world.users["gm"], subject__contains=slip.number).exists()
    assert not Message.objects.filter(
        user=world.users["office_head_a"], subject__contains=slip.number
    ).exists()
    for persona in ("office_head_a", "deputy_gm"):
        with pytest.raises(NotAllowed):
            papers.sign_slip(actor=world.users[persona], slip=slip, opinion="x", decision="decide")
    papers.sign_slip(actor=world.users["gm"], slip=slip, opinion="總經理親自協調", decision="decide")
    html = world.client("handler_a").get(reverse("complaints:slip_detail", args=[slip.pk])).content.decode()
    assert _chain(html) == {
        "raised": "signed",
        "department_head": "skipped",
        "deputy_gm": "skipped",
        "gm": "signed",
    }


@pytest.mark.req("K-8")
def test_the_head_passes_a_slip_directly_to_the_gm(world):
    c = _assessed(world)
    slip = papers.raise_slip(actor=world.users["handler_a"], complaint=c, matter="外牆大修")
    assert (slip.status, slip.first_signer) == ("at_head", "department_head")
    head_page = world.client("office_head_a").get(reverse("complaints:slip_detail", args=[slip.pk]))
    assert 'value="escalate_gm"' in head_page.content.decode()
    assert _chain(head_page.content.decode())["department_head"] == "current"
    with pytest.raises(InvalidInput):  # not below the head
        papers.sign_slip(
            actor=world.users["office_head_a"],
            slip=slip,
            opinion="x",
            decision="escalate",
            to="department_head",
        )
    client = world.client("office_head_a")
    response = client.post(
        reverse("complaints:slip_sign", args=[slip.pk]),
        {"opinion": "金額大，直接呈總經理", "decision": "escalate_gm", "based_on_version": slip.edit_version},
    )
    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.status == "at_gm"
    with pytest.raises(NotAllowed):
        papers.sign_slip(actor=world.users["deputy_gm"], slip=slip, opinion="x", decision="decide")
    assert "slip_escalate_head_gm" in c.events.values_list("action", flat=True)
    html = world.client("gm").get(reverse("complaints:slip_detail", args=[slip.pk])).content.decode()
    assert _chain(html) == {
        "raised": "signed",
        "department_head": "signed",
        "deputy_gm": "skipped",
        "gm": "current",
    }
    assert 'aria-current="step"' in html
    papers.sign_slip(actor=world.users["gm"], slip=slip, opinion="同意", decision="decide")


@pytest.mark.req("K-8")
def test_the_raise_form_offers_only_the_superiors_above_the_raiser(world):
    c = _assessed(world)
    slip_step = reverse("complaints:detail", args=[c.pk]) + "?step=slip"  # opened (decision 0061)
    handler_form = world.client("handler_a").get(slip_step).content.decode()
    for value in ("department_head", "deputy_gm", "gm"):
        assert f'name="first_signer" value="{value}"' in handler_form
    head_form = world.client("office_head_a").get(slip_step).content.decode()
    assert 'name="first_signer" value="department_head"' not in head_form
    assert 'name="first_signer" value="deputy_gm"' in head_form
    response = world.client("handler_a").post(
        reverse("complaints:act_slip", args=[c.pk]), {"matter": "需集團協調", "first_signer": "deputy_gm"}
    )
    assert response.status_code == 302
    assert TransferSlip.objects.get(complaint=c).status == "at_deputy_gm"


@pytest.mark.req("K-8")
def test_the_gm_signs_for_the_deputy_gm_only_when_the_settings_say_so_and_the_record_says_so(world):
    c = _assessed(world)
    slip = papers.raise_slip(
        actor=world.users["handler_a"], complaint=c, matter="x", first_signer="deputy_gm"
    )
    with pytest.raises(NotAllowed):
        papers.sign_slip(actor=world.users["gm"], slip=slip, opinion="代批", decision="decide")
    _gm_stands_in(True)
    assert (
        slip.number in world.client("gm").get(reverse("complaints:slip_list"), {"mine": "1"}).content.decode()
    )
    slip = papers.sign_slip(actor=world.users["gm"], slip=slip, opinion="副總出差，代批", decision="decide")
    signature = slip.signatures.get()
    assert (signature.level, signature.signer.display_name, signature.acting_for) == (
        "deputy_gm",
        "gm",
        "deputy_gm",
    )
    client = _english(world.client("handler_a"))
    slip_page = client.get(reverse("complaints:slip_detail", args=[slip.pk])).content.decode()
    assert "gm (for the Deputy general manager)" in slip_page
    timeline = client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    assert "gm (for the Deputy general manager)" in timeline


# --- K-9: the issuer is a superior of the department ----------------------------------------------


@pytest.mark.req("K-9")
def test_a_notice_goes_only_to_departments_under_the_issuer(world):
    due = timezone.now() + timedelta(days=2)
    head = world.users["office_head_a"]
    with pytest.raises(NotAllowed) as err:
        papers.issue_notice(actor=head, department=world.engineering, task="清理水箱", due_at=due)
    assert err.value.field == "department" and "工程部" in str(err.value)
    notice = papers.issue_notice(actor=head, department=world.office_a, task="清理水箱", due_at=due)
    assert notice.origin == "initiative"
    for persona in ("deputy_gm", "gm"):
        papers.issue_notice(actor=world.users[persona], department=world.engineering, task="巡查", due_at=due)
    supervisor = org_services.save_staff(
        actor=SYSTEM,
        staff=None,
        username="cs_sup",
        display_name="cs_sup",
        role="cs_supervisor",
        estates=[world.estate_a],
        departments=[world.customer_service],
        password="correct-horse-battery",
    ).user
    for user in (supervisor, world.users["handler_a"]):
        with pytest.raises(NotAllowed):
            papers.issue_notice(actor=user, department=world.customer_service, task="x", due_at=due)


@pytest.mark.req("K-9")
def test_the_issue_form_offers_only_the_departments_under_the_user_and_the_server_refuses_others(world):
    head = _english(world.client("office_head_a"))
    form = head.get(reverse("complaints:notice_create")).content.decode()
    assert f'<option value="{world.office_a.pk}"' in form
    assert f'<option value="{world.engineering.pk}"' not in form
    gm_form = world.client("gm").get(reverse("complaints:notice_create")).content.decode()
    assert f'<option value="{world.engineering.pk}"' in gm_form
    due = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = head.post(
        reverse("complaints:notice_create"),
        {"department": world.engineering.pk, "task": "巡查泵房", "due_at": due},
    )
    assert response.status_code == 422 and "巡查泵房" in response.content.decode()
