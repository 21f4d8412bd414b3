"""The complaint procedure of §7.2 through the service layer, one requirement at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from estatedesk.complaints import papers, services, workflow
from estatedesk.complaints.models import Category, Complaint, Event, TransferSlip, Visit, WorkNotice
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.notifications.models import Message
from estatedesk.org.models import Developer
from tests.complaints.conftest import at, category, record

pytestmark = pytest.mark.django_db


def _user(world, persona):
    return world.users[persona]


# --- K-1 intake -----------------------------------------------------------------------------------


@pytest.mark.req("K-1")
def test_every_complaint_gets_a_readable_number_in_sequence(world):
    first = record(world)
    second = record(world)
    assert first.number == "TS-2026-000001" or first.number.startswith("TS-")
    year = first.received_at.astimezone(at(2026, 1, 1, 0, 0).tzinfo).year
    assert first.number == f"TS-{year}-000001"
    assert second.number == f"TS-{year}-000002"


@pytest.mark.req("K-1")
def test_intake_without_immediate_reply_becomes_a_handling_record_for_the_handler(world):
    c = record(world, persona="colleague_a")
    assert c.status == "new" and not c.replied_at_intake
    assert c.department == world.office_a  # the estate's management office handles it
    inbox = Message.objects.filter(user=_user(world, "handler_a"), channel="in_app")
    assert inbox.filter(subject__contains=c.number).exists()


@pytest.mark.req("K-1")
def test_duty_staff_can_answer_at_once_and_the_handler_is_informed(world):
    c = record(
        world, persona="colleague_a", immediate_reply="停水是因為水箱清洗，下午4點恢復", reply_manner="oral"
    )
    assert c.status == "replied" and c.replied_at_intake and c.on_time
    assert c.reply.startswith("停水")
    assert Message.objects.filter(user=_user(world, "handler_a"), subject__contains=c.number).exists()
    assert [e.action for e in c.events.all()] == ["record_answered"]


@pytest.mark.req("K-1")
def test_intake_refuses_a_complaint_without_any_way_to_reach_the_complainant(world):
    with pytest.raises(InvalidInput) as err:
        record(world, unit=None, customer=None, complainant_name="", phone="")
    assert err.value.field == "complainant_name"
    assert not Complaint.objects.exists()


@pytest.mark.req("K-1")
@time_machine.travel(at(2026, 11, 23, 10, 0), tick=False)
def test_requested_reply_time_in_the_past_or_before_receipt_is_refused(world):
    with pytest.raises(InvalidInput) as err:
        record(world, requested_reply_at=at(2026, 11, 23, 9, 0))
    assert err.value.field == "requested_reply_at"
    with pytest.raises(InvalidInput) as err:
        record(world, received_at=at(2026, 11, 24, 10, 0))
    assert err.value.field == "received_at"


@pytest.mark.req("K-1")
def test_a_unit_of_another_estate_is_refused(world):
    with pytest.raises(NotFound):
        record(world, persona="handler_a", estate=world.estate_b, unit=world.unit_b, customer=None)
    with pytest.raises(InvalidInput) as err:
        record(world, persona="deputy_gm", unit=world.unit_b, customer=None, phone="13800000000")
    assert err.value.field == "unit"


@pytest.mark.req("K-2")
def test_complaints_to_the_government_are_entered_by_leadership_and_forwarded(world):
    with pytest.raises(NotAllowed):
        record(world, persona="handler_a", channel="government")
    with pytest.raises(NotAllowed) as err:  # §5.1: the GM handles complaints to the government
        record(world, persona="deputy_gm", channel="government")
    assert err.value.field == "channel"
    c = record(world, persona="gm", channel="government", department=world.engineering)
    assert c.department == world.engineering
    c = services.assign(
        actor=_user(world, "gm"),
        complaint=c,
        department=world.office_a,
        handler=_user(world, "handler_a").staff,
    )
    assert c.handler == _user(world, "handler_a").staff
    assert Message.objects.filter(user=_user(world, "handler_a"), subject__contains="forwarded").exists() or (
        Message.objects.filter(user=_user(world, "handler_a"), subject__contains=c.number).exists()
    )


@pytest.mark.req("K-2")
def test_the_deputy_gm_receives_complaints_to_the_company_and_the_gm_only_in_his_place(world):
    """§5.2: complaints made to the company are the deputy GM's; §5.1: those to the group company
    or the government the GM's. The GM receives a company complaint only when the settings let him
    stand in for the deputy GM, and the timeline says so."""
    from estatedesk.core.models import CompanySettings

    with pytest.raises(NotAllowed):
        record(world, persona="deputy_gm", channel="group_company")
    with pytest.raises(NotAllowed):
        record(world, persona="gm", channel="company")
    c = record(world, persona="deputy_gm", channel="company")
    assert c.events.get(action="record").data.get("acting_for") is None
    record(world, persona="gm", channel="group_company")
    CompanySettings.objects.filter(pk=1).update(gm_acts_for_deputy_gm=True)
    c = record(world, persona="gm", channel="company")
    assert c.events.get(action="record").data["acting_for"] == "deputy_gm"
    client = world.client("gm")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert (
        "gm (for the Deputy general manager)"
        in client.get(reverse("complaints:detail", args=[c.pk])).content.decode()
    )


# --- K-3 categories ---------------------------------------------------------------------------------


@pytest.mark.req("K-3")
def test_the_procedures_categories_are_there_and_the_list_is_configurable(world):
    codes = list(Category.objects.values_list("code", flat=True))
    for code in [
        "housing",
        "security",
        "vehicles",
        "cleaning",
        "landscaping",
        "repairs",
        "community",
        "convenience",
        "charges",
        "funds",
        "other",
    ]:
        assert code in codes
    Category.objects.create(code="lifts", name_zh_hans="电梯", name_zh_hant="電梯", name_en="Lifts")
    c = record(world, category=Category.objects.get(code="lifts"))
    assert str(c.category) in ("电梯", "電梯", "Lifts")
    Category.objects.filter(code="lifts").update(active=False)
    with pytest.raises(InvalidInput):
        record(world, category=Category.objects.get(code="lifts"))


# --- K-4 validity -----------------------------------------------------------------------------------


@pytest.mark.req("K-4")
@pytest.mark.parametrize(
    ("cause", "valid"),
    [
        ("management", True),
        ("charges", True),
        ("funds", True),
        ("maintenance", True),
        ("developer", False),
        ("external", False),
        ("public_facilities", False),
        ("unfounded", False),
    ],
)
def test_only_company_responsibility_makes_a_complaint_valid(world, cause, valid):
    c = services.assess(
        actor=_user(world, "handler_a"), complaint=record(world), cause=cause, serious=False, urgent=False
    )
    assert c.valid is valid and c.status == "in_progress"


# --- K-5 deadlines ----------------------------------------------------------------------------------


@pytest.mark.req("K-5")
@pytest.mark.parametrize(
    ("received", "urgent", "cause", "due"),
    [
        # ordinary week, Monday 10:00, not urgent: Wednesday at close of office hours
        (at(2026, 11, 23, 10, 0), False, "maintenance", at(2026, 11, 25, 17, 30)),
        # Saturday → Tuesday
        (at(2026, 11, 21, 10, 0), False, "maintenance", at(2026, 11, 24, 17, 30)),
        # Friday 17:00 → Tuesday
        (at(2026, 11, 20, 17, 0), False, "maintenance", at(2026, 11, 24, 17, 30)),
        # urgent: 2 clock hours, at night too
        (at(2026, 11, 21, 23, 30), True, "maintenance", at(2026, 11, 22, 1, 30)),
        # invalid: explained within 1 working day
        (at(2026, 11, 23, 10, 0), False, "developer", at(2026, 11, 24, 17, 30)),
        # National Day: received 30 September → 9 October (8 October is a holiday in 2026? the
        # calendar decides: 1–7 Oct off, 8 Oct … see workcal tests) — counted on working days only
        (at(2026, 9, 30, 10, 0), False, "maintenance", at(2026, 10, 9, 17, 30)),
        # Spring Festival 2026: the make-up Saturday 14 February counts
        (at(2026, 2, 13, 10, 0), False, "maintenance", at(2026, 2, 24, 17, 30)),
    ],
)
def test_reply_deadline_follows_the_procedure_and_the_holiday_calendar(world, received, urgent, cause, due):
    c = record(world, received_at=received)
    c = services.assess(
        actor=_user(world, "handler_a"), complaint=c, cause=cause, serious=True, urgent=urgent
    )
    assert c.reply_due == due


@pytest.mark.req("K-5")
def test_the_customers_requested_time_is_the_deadline(world):
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        c = record(world, requested_reply_at=at(2026, 11, 23, 15, 0))
        assert c.reply_due == at(2026, 11, 23, 15, 0) and c.due_basis == "requested"
        c = services.assess(
            actor=_user(world, "handler_a"), complaint=c, cause="management", serious=False, urgent=True
        )
        assert c.reply_due == at(2026, 11, 23, 15, 0)


@pytest.mark.req("K-5")
def test_an_invalid_complaint_is_explained_within_a_working_day_whatever_time_was_asked(world):
    """§7.2.3: the customer's time is for valid complaints; an unfounded one is explained within
    1 working day. 30 September 15:00, asked for 20 October: the National Day holidays (1–7 October)
    are not counted, so 8 October at the end of office hours."""
    with time_machine.travel(at(2026, 9, 30, 15, 5), tick=False):
        c = record(world, received_at=at(2026, 9, 30, 15, 0), requested_reply_at=at(2026, 10, 20, 17, 0))
        assert c.reply_due == at(2026, 10, 20, 17, 0) and c.due_basis == "requested"
        c = services.assess(
            actor=_user(world, "handler_a"), complaint=c, cause="unfounded", serious=False, urgent=False
        )
        assert (c.reply_due, c.due_basis) == (at(2026, 10, 8, 17, 30), "invalid")
        c = services.assess(
            actor=_user(world, "handler_a"), complaint=c, cause="management", serious=False, urgent=False
        )
        assert (c.reply_due, c.due_basis) == (at(2026, 10, 20, 17, 0), "requested")


@pytest.mark.req("K-5")
def test_changing_urgency_recomputes_the_deadline_and_records_the_change(world):
    c = record(world, received_at=at(2026, 11, 23, 10, 0))
    handler = _user(world, "handler_a")
    c = services.assess(actor=handler, complaint=c, cause="maintenance", serious=False, urgent=False)
    assert c.reply_due == at(2026, 11, 25, 17, 30)
    c = services.assess(actor=handler, complaint=c, cause="maintenance", serious=True, urgent=True)
    assert c.reply_due == at(2026, 11, 23, 12, 0)
    changes = c.events.filter(action="deadline_changed")
    assert changes.count() >= 1
    assert changes.last().data["new_due"].startswith("2026-11-23T12:00")
    c = services.change_request(actor=handler, complaint=c, requested_reply_at=at(2026, 11, 26, 10, 0))
    assert c.reply_due == at(2026, 11, 26, 10, 0)


@pytest.mark.req("K-5")
@pytest.mark.req("P-4")
def test_a_calendar_correction_moves_open_deadlines_and_says_so_on_the_record(
    world, django_capture_on_commit_callbacks
):
    from estatedesk.workcal import services as cal

    c = record(world, received_at=at(2026, 11, 23, 10, 0))
    c = services.assess(
        actor=_user(world, "handler_a"), complaint=c, cause="maintenance", serious=False, urgent=False
    )
    replied = record(world, received_at=at(2026, 11, 23, 11, 0))
    replied = services.assess(
        actor=_user(world, "handler_a"), complaint=replied, cause="maintenance", serious=False, urgent=False
    )
    replied = services.reply(
        actor=_user(world, "handler_a"), complaint=replied, content="已修復", manner="oral"
    )
    before_replied = replied.reply_due
    # The company declares Tuesday 24 November a day off (say, a typhoon).
    with django_capture_on_commit_callbacks(execute=True):
        cal.correct_day(
            actor=_user(world, "admin"),
            region="CN",
            day=at(2026, 11, 24, 0, 0).date(),
            kind="holiday",
            names=("台风停工", "颱風停工", "Typhoon"),
            note="台风",
        )
    c.refresh_from_db()
    assert c.reply_due == at(2026, 11, 26, 17, 30)
    event = c.events.filter(action="deadline_changed").last()
    assert event is not None and "2026" in event.note
    replied.refresh_from_db()
    assert replied.reply_due == before_replied  # answered complaints keep the deadline they were measured by


@pytest.mark.req("K-5")
def test_office_hours_change_recomputes_after_commit(world, django_capture_on_commit_callbacks):
    from estatedesk.org import services as org

    c = record(world, received_at=at(2026, 11, 23, 10, 0))
    c = services.assess(
        actor=_user(world, "handler_a"), complaint=c, cause="maintenance", serious=False, urgent=False
    )
    estate = world.estate_a
    estate.office_hours = "09:00-18:00"
    with django_capture_on_commit_callbacks(execute=True):
        org.save_record(actor=_user(world, "admin"), instance=estate)
    c.refresh_from_db()
    assert c.reply_due == at(2026, 11, 25, 18, 0)
    assert c.events.filter(action="deadline_changed").exists()


# --- K-6 routing ---------------------------------------------------------------------------------------


@pytest.mark.req("K-6")
def test_developer_caused_complaint_is_forwarded_and_followed_to_the_reply(world):
    handler = _user(world, "handler_a")
    developer = Developer.objects.create(name="翠湖置業")
    c = services.assess(
        actor=handler, complaint=record(world), cause="developer", serious=False, urgent=False
    )
    with pytest.raises(InvalidInput) as err:
        services.refer(actor=handler, complaint=c, party="置業客服部 李經理")
    assert err.value.field == "developer"
    c = services.refer(actor=handler, complaint=c, party="置業客服部 李經理", developer=developer)
    assert c.status == "referred" and c.referred_developer == developer and c.referred_at
    with pytest.raises(InvalidInput):
        services.reply(actor=handler, complaint=c, content="x", manner="oral")
    c = services.record_referral_result(actor=handler, complaint=c, result="發展商同意下周更換外牆磚")
    assert c.status == "in_progress"
    c = services.reply(actor=handler, complaint=c, content="發展商將於下周更換", manner="written")
    assert c.status == "replied"


@pytest.mark.req("K-6")
@pytest.mark.parametrize("cause", ["external", "public_facilities"])
def test_external_causes_record_the_party_and_the_coordination_result(world, cause):
    handler = _user(world, "handler_a")
    c = services.assess(actor=handler, complaint=record(world), cause=cause, serious=False, urgent=False)
    c = services.refer(actor=handler, complaint=c, party="市政供水公司 客服熱線")
    c = services.record_referral_result(actor=handler, complaint=c, result="市政已搶修")
    assert c.referred_to == "市政供水公司 客服熱線" and c.referral_result == "市政已搶修"


@pytest.mark.req("K-6")
@pytest.mark.parametrize("cause", ["management", "unfounded"])
def test_company_and_unfounded_complaints_are_not_referred(world, cause):
    handler = _user(world, "handler_a")
    c = services.assess(actor=handler, complaint=record(world), cause=cause, serious=False, urgent=False)
    with pytest.raises(InvalidInput):
        services.refer(actor=handler, complaint=c, party="someone")


# --- K-7 handling and on-time -----------------------------------------------------------------------


@pytest.mark.req("K-7")
def test_reply_time_against_the_deadline_decides_on_time(world):
    handler = _user(world, "handler_a")
    with time_machine.travel(at(2026, 11, 23, 10, 0), tick=False):
        early = services.assess(
            actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=True
        )
        late = services.assess(
            actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=True
        )
    with time_machine.travel(at(2026, 11, 23, 11, 0), tick=False):
        services.handle(
            actor=handler,
            complaint=early,
            cause_analysis="電梯門機故障",
            measures="更換門機板",
            result="已恢復",
        )
        early = services.reply(actor=handler, complaint=early, content="已修復", manner="oral")
    with time_machine.travel(at(2026, 11, 23, 13, 0), tick=False):
        late = services.reply(actor=handler, complaint=late, content="已修復", manner="oral")
    assert early.on_time is True and late.on_time is False
    assert early.measures == "更換門機板"


@pytest.mark.req("K-7")
def test_a_complaint_is_assessed_before_it_is_replied_to(world):
    with pytest.raises(InvalidInput) as err:
        services.reply(actor=_user(world, "handler_a"), complaint=record(world), content="x", manner="oral")
    assert err.value.field == "cause"


# --- K-8 transfer slips -------------------------------------------------------------------------------


@pytest.mark.req("K-8")
def test_a_transfer_slip_passes_up_to_the_gm_with_each_signers_opinion(world):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=True, urgent=False
    )
    slip = papers.raise_slip(
        actor=handler, complaint=c, matter="外牆滲水需大修，費用超出權限", handler_opinion="建議動用維修基金"
    )
    assert slip.status == "at_head" and slip.number.startswith("CQ-")
    with pytest.raises(NotAllowed):
        papers.sign_slip(
            actor=_user(world, "department_head"), slip=slip, opinion="x", decision="decide"
        )  # not the office's head
    with pytest.raises(NotAllowed):
        papers.sign_slip(
            actor=_user(world, "deputy_gm"), slip=slip, opinion="x", decision="decide"
        )  # not yet their turn
    papers.sign_slip(
        actor=_user(world, "office_head_a"), slip=slip, opinion="超出管理處權限，呈副總", decision="escalate"
    )
    papers.sign_slip(
        actor=_user(world, "deputy_gm"), slip=slip, opinion="需動用基金，呈總經理", decision="escalate"
    )
    with pytest.raises(InvalidInput):
        papers.sign_slip(actor=_user(world, "gm"), slip=slip, opinion="x", decision="escalate")
    slip = papers.sign_slip(
        actor=_user(world, "gm"), slip=slip, opinion="同意動用基金，工程部負責", decision="decide"
    )
    assert slip.status == "decided"
    levels = list(slip.signatures.values_list("level", "signer__display_name", "opinion"))
    assert [lvl for lvl, _n, _o in levels] == ["department_head", "deputy_gm", "gm"]
    assert levels[2][1] == "gm" and levels[2][2].startswith("同意")
    slip = papers.record_slip_result(actor=handler, slip=slip, result="外牆已修復，業主滿意")
    assert slip.status == "done" and slip.result_by == handler.staff
    actions = list(c.events.values_list("action", flat=True))
    assert "raise_slip" in actions and "slip_decide_gm" in actions and "slip_result" in actions
    with pytest.raises(AlreadyHandled):
        papers.sign_slip(actor=_user(world, "gm"), slip=slip, opinion="x", decision="decide")


@pytest.mark.req("K-8")
def test_a_department_head_may_decide_at_the_first_step(world):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
    )
    slip = papers.raise_slip(actor=handler, complaint=c, matter="需要協調保潔部")
    slip = papers.sign_slip(
        actor=_user(world, "office_head_a"), slip=slip, opinion="保潔部處理", decision="decide"
    )
    assert slip.status == "decided" and slip.signatures.count() == 1
    with pytest.raises(AlreadyHandled):
        papers.raise_slip(actor=handler, complaint=c, matter="second")


# --- K-9 work arrangement notices ---------------------------------------------------------------------


@pytest.mark.req("K-9")
def test_work_notice_from_a_slip_is_reported_and_verified(world):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
    )
    slip = papers.raise_slip(actor=handler, complaint=c, matter="水泵房噪音")
    due = timezone.now() + timedelta(days=2)
    with pytest.raises(InvalidInput):
        papers.issue_notice(
            actor=_user(world, "office_head_a"), department=world.office_a, task="x", due_at=due, slip=slip
        )
    papers.sign_slip(
        actor=_user(world, "office_head_a"), slip=slip, opinion="由管理處維修組處理", decision="decide"
    )
    with pytest.raises(NotAllowed) as err:  # the deciding head addresses only the departments he heads
        papers.issue_notice(
            actor=_user(world, "office_head_a"), department=world.engineering, task="x", due_at=due, slip=slip
        )
    assert err.value.field == "department"
    with pytest.raises(NotAllowed) as err:  # only the leader who decided the slip issues its notice
        papers.issue_notice(
            actor=_user(world, "gm"), department=world.office_a, task="x", due_at=due, slip=slip
        )
    assert err.value.field == "slip"
    notice = papers.issue_notice(
        actor=_user(world, "office_head_a"),
        department=world.office_a,
        task="更換水泵減震墊",
        due_at=due,
        slip=slip,
    )
    assert notice.origin == "slip" and notice.complaint == c and notice.number.startswith("AP-")
    with pytest.raises(NotAllowed):  # engineering is not the responsible department
        papers.report_notice(actor=_user(world, "department_head"), notice=notice, report="done")
    notice = papers.report_notice(actor=handler, notice=notice, report="已更換，噪音消除")
    notice = papers.verify_notice(
        actor=_user(world, "office_head_a"), notice=notice, accepted=False, verification="仍有噪音"
    )
    assert notice.status == "issued"
    papers.report_notice(actor=handler, notice=notice, report="加裝隔音棉")
    notice = papers.verify_notice(
        actor=_user(world, "office_head_a"), notice=notice, accepted=True, verification="已無噪音"
    )
    assert notice.status == "verified" and notice.verified_by == _user(world, "office_head_a").staff


@pytest.mark.req("K-9")
def test_a_superior_issues_a_notice_on_their_own_initiative(world):
    notice = papers.issue_notice(
        actor=_user(world, "deputy_gm"),
        department=world.engineering,
        task="巡查發現消防通道堵塞，限期清理",
        due_at=timezone.now() + timedelta(days=1),
        estate=world.estate_a,
    )
    assert notice.origin == "initiative" and notice.slip is None
    with pytest.raises(NotAllowed):
        papers.issue_notice(
            actor=_user(world, "handler_a"),
            department=world.engineering,
            task="x",
            due_at=timezone.now() + timedelta(days=1),
        )
    with pytest.raises(InvalidInput) as err:
        papers.issue_notice(
            actor=_user(world, "deputy_gm"),
            department=world.engineering,
            task="x",
            due_at=timezone.now() - timedelta(hours=1),
        )
    assert err.value.field == "due_at"


# --- K-10 visits and closing --------------------------------------------------------------------------


def _replied(world, **assessment):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler,
        complaint=record(world),
        **({"cause": "maintenance", "serious": False, "urgent": False} | assessment),
    )
    return services.reply(actor=handler, complaint=c, content="已安排維修", manner="oral")


@pytest.mark.req("K-10")
def test_a_dissatisfied_visit_reopens_the_complaint_until_the_customer_is_satisfied(world):
    handler = _user(world, "handler_a")
    c = _replied(world)
    visit = services.visit(
        actor=handler, complaint=c, method="phone", opinion="還是漏水", satisfaction="dissatisfied"
    )
    c.refresh_from_db()
    assert c.status == "in_progress" and c.reopen_count == 1 and c.replied_at is None
    assert c.complainant_opinion == "還是漏水" and visit.satisfied is False
    assert (
        c.on_time is not None and c.first_replied_at is not None
    )  # the first reply still counts for on-time
    services.reply(actor=handler, complaint=c, content="已更換水管", manner="oral")
    services.visit(
        actor=handler, complaint=c, method="in_person", opinion="已不漏水，滿意", satisfaction="satisfied"
    )
    c.refresh_from_db()
    assert c.status == "closed" and c.satisfaction == "satisfied" and c.visits.count() == 2


@pytest.mark.req("K-10")
def test_a_valid_complaint_cannot_be_closed_without_its_visit(world):
    handler = _user(world, "handler_a")
    c = _replied(world)
    with pytest.raises(InvalidInput):
        services.close(actor=handler, complaint=c)
    with pytest.raises(InvalidInput):
        services.close_by_superior(actor=_user(world, "office_head_a"), complaint=c, reason="客戶聯繫不上")
    assert Complaint.objects.get(pk=c.pk).status == "replied"


@pytest.mark.req("K-10")
def test_an_invalid_complaint_closes_only_after_its_explanation(world):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="unfounded", serious=False, urgent=False
    )
    with pytest.raises(InvalidInput) as err:
        services.close(actor=handler, complaint=c)
    assert c.number in str(err.value.message) and err.value.status == 422
    c = services.reply(
        actor=handler, complaint=c, content="經查，噪音來自市政施工，非物業原因", manner="oral"
    )
    c = services.close(actor=handler, complaint=c)
    assert c.status == "closed"


@pytest.mark.req("K-10")
def test_a_superior_closes_a_still_dissatisfied_complaint_with_a_reason(world):
    handler = _user(world, "handler_a")
    c = _replied(world)
    services.visit(
        actor=handler, complaint=c, method="phone", opinion="要求賠償", satisfaction="very_dissatisfied"
    )
    with pytest.raises(NotAllowed):
        services.close_by_superior(actor=handler, complaint=c, reason="x")
    with pytest.raises(InvalidInput):
        services.close_by_superior(actor=_user(world, "office_head_a"), complaint=c, reason="  ")
    c = services.close_by_superior(
        actor=_user(world, "office_head_a"), complaint=c, reason="已按合同處理，賠償要求超出範圍"
    )
    assert c.status == "closed" and c.closing_reason.startswith("已按合同")


# --- Two people at once ---------------------------------------------------------------------------------


@pytest.mark.req("K-10")
def test_the_second_of_two_identical_steps_is_told_it_was_already_handled(world):
    handler = _user(world, "handler_a")
    c = _replied(world)
    services.visit(actor=handler, complaint=c.pk, method="phone", opinion="滿意", satisfaction="satisfied")
    with pytest.raises(AlreadyHandled) as err:
        services.visit(
            actor=handler, complaint=c.pk, method="phone", opinion="滿意", satisfaction="satisfied"
        )
    assert c.number in str(err.value.message)
    assert Visit.objects.filter(complaint=c).count() == 1


# --- K-18 duplicates ----------------------------------------------------------------------------------------


@pytest.mark.req("K-18")
def test_duplicates_are_handled_together_and_each_complainant_gets_a_reply_and_a_visit(world):
    handler = _user(world, "handler_a")
    lead = record(world, description="3栋地下室水管爆裂")
    others = [
        record(
            world,
            customer=None,
            complainant_name=f"住戶{i}",
            phone=f"1390000000{i}",
            description="地下室漏水",
        )
        for i in range(3)
    ]
    for other in others:
        services.link(actor=handler, complaint=other, lead=lead)
    services.link(
        actor=handler,
        complaint=record(world, phone="13911112222", customer=None, complainant_name="x"),
        lead=others[0],
    )
    assert lead.duplicates.count() == 4  # linking to a duplicate links to its lead
    services.assess(actor=handler, complaint=lead, cause="maintenance", serious=True, urgent=True)
    services.handle(
        actor=handler, complaint=lead, cause_analysis="主管老化", measures="關閘換管", result="已恢復供水"
    )
    for dup in lead.duplicates.all():
        assert dup.valid is True and dup.urgent and dup.measures == "關閘換管" and dup.status == "in_progress"
        assert dup.replied_at is None  # each complainant still gets their own reply
        services.reply(actor=handler, complaint=dup, content="水管已更換", manner="oral")
        services.visit(actor=handler, complaint=dup, method="phone", opinion="ok", satisfaction="satisfied")
    assert lead.duplicates.filter(status="closed").count() == 4
    assert Complaint.objects.get(pk=lead.pk).status == "in_progress"


@pytest.mark.req("K-18")
def test_a_complaint_is_not_linked_across_estates_or_to_itself(world):
    handler = _user(world, "deputy_gm")
    a = record(world)
    b = services.record_complaint(
        actor=handler,
        data=services.Intake(
            estate=world.estate_b,
            kind="complaint",
            channel="phone",
            category=category(),
            description="x",
            unit=world.unit_b,
            customer=world.customer_b,
        ),
    )
    with pytest.raises(InvalidInput):
        services.link(actor=handler, complaint=a, lead=b)
    with pytest.raises(InvalidInput):
        services.link(actor=handler, complaint=a, lead=a)
    with pytest.raises(InvalidInput):
        services.link(actor=_user(world, "handler_a"), complaint=a, lead=b)  # out of scope looks missing


# --- C-7 enquiries and grievances ---------------------------------------------------------------------------


@pytest.mark.req("C-7")
def test_an_enquiry_has_no_validity_and_is_closed_after_the_answer(world):
    handler = _user(world, "handler_a")
    c = record(world, kind="enquiry", description="請問下月停車費是否調整？")
    with pytest.raises(NotAllowed):
        services.assess(actor=handler, complaint=c, cause="management", serious=False, urgent=False)
    assert c.reply_due is not None and c.due_basis == "normal"
    c = services.reply(actor=handler, complaint=c, content="不調整", manner="oral")
    c = services.close(actor=handler, complaint=c)
    assert c.status == "closed" and c.valid is None


@pytest.mark.req("C-7")
def test_a_grievance_is_analysed_by_the_department_head(world):
    c = record(world, kind="grievance", description="保安態度冷淡")
    with pytest.raises(NotAllowed):
        services.analyse(actor=_user(world, "handler_a"), complaint=c, analysis="x")
    c = services.analyse(actor=_user(world, "office_head_a"), complaint=c, analysis="加強保安禮儀培訓")
    assert c.grievance_analysis == "加強保安禮儀培訓"
    assert c.events.filter(action="analyse").exists()


# --- K-11 weekly review ------------------------------------------------------------------------------------


@pytest.mark.req("K-11")
def test_the_head_reviews_each_week_once(world):
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        record(world)
        handler = _user(world, "handler_a")
        c = services.assess(
            actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
        )
        papers.raise_slip(actor=handler, complaint=c, matter="x")
        with pytest.raises(NotAllowed):
            papers.review_week(
                actor=handler, department=world.office_a, week_start=at(2026, 11, 23, 0, 0).date()
            )
        review = papers.review_week(
            actor=_user(world, "office_head_a"),
            department=world.office_a,
            week_start=at(2026, 11, 25, 0, 0).date(),
            remarks="均已按時處理",
        )
        assert review.week_start == at(2026, 11, 23, 0, 0).date()
        assert (review.complaint_count, review.slip_count) == (2, 1)
        with pytest.raises(AlreadyHandled):
            papers.review_week(
                actor=_user(world, "office_head_a"),
                department=world.office_a,
                week_start=at(2026, 11, 23, 0, 0).date(),
            )


# --- A-4 residents are told, P-1 scope, P-2 history ----------------------------------------------------------


@pytest.mark.req("A-4")
def test_a_resident_who_gave_a_phone_gets_an_sms_when_replied(world, django_capture_on_commit_callbacks):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reply(actor=handler, complaint=c, content="已修復", manner="oral")
    sms = Message.objects.get(channel="sms")
    assert sms.address == "13812341234" and c.number in sms.body and c.portal_token in sms.link
    from estatedesk.notifications.providers import text_of

    assert c.portal_token in text_of(sms)


@pytest.mark.req("P-1")
def test_a_handler_cannot_act_on_another_estates_complaint(world):
    c = record(world)
    with pytest.raises(NotFound):
        services.assess(
            actor=_user(world, "handler_b"), complaint=c.pk, cause="management", serious=False, urgent=False
        )
    with pytest.raises(NotAllowed):
        services.assess(
            actor=_user(world, "auditor"), complaint=c.pk, cause="management", serious=False, urgent=False
        )


@pytest.mark.req("P-2")
def test_every_change_is_kept_in_the_history_with_who(world):
    handler = _user(world, "handler_a")
    c = services.assess(
        actor=handler, complaint=record(world), cause="maintenance", serious=False, urgent=False
    )
    rows = list(c.history.order_by("history_date").values_list("status", "history_user__username"))
    assert rows[0] == ("new", "handler_a") and rows[-1] == ("in_progress", "handler_a")
    assert all(e.actor_name for e in Event.objects.filter(complaint=c))


@pytest.mark.req("K-17")
def test_every_transition_starts_and_ends_in_a_declared_state():
    for wf in workflow.WORKFLOWS.values():
        states = {value for value, _label in wf.states}
        for t in wf.transitions:
            assert set(t.sources) <= states, (wf.name, t.name)
            assert t.target is None or t.target in states, (wf.name, t.name)
    assert TransferSlip._meta.get_field("status").choices is not None


# --- Declared once ---------------------------------------------------------------------------------


@pytest.mark.req("K-17")
@pytest.mark.parametrize(
    ("model", "wf"),
    [(Complaint, workflow.COMPLAINT), (TransferSlip, workflow.SLIP), (WorkNotice, workflow.NOTICE)],
)
def test_a_records_status_choices_are_its_workflows_states(model, wf):
    field = model._meta.get_field("status")
    assert [(value, str(label)) for value, label in field.choices] == [
        (value, str(label)) for value, label in wf.states
    ]
    assert field.default in dict(wf.states)
    for t in wf.transitions:
        assert set(t.sources) <= set(dict(wf.states)), t.name
        assert t.target is None or t.target in dict(wf.states), t.name


def test_assign_and_the_requested_time_are_steps_of_their_own_with_the_handling_steps_rules():
    handle = workflow.COMPLAINT.get("handle")
    for name in ("assign", "change_request"):
        step = workflow.COMPLAINT.get(name)
        assert (step.sources, step.target, step.roles, step.kinds) == (
            handle.sources,
            handle.target,
            handle.roles,
            handle.kinds,
        )
    assert workflow.COMPLAINT.get("link").target is None
