"""Chinese pages show no English (SPEC P-3): key pages, filled with a complaint's whole
journey, a transfer slip, a corrective action with its fishbone and a monthly report, are
rendered in Simplified Chinese as each kind of staff member, and every visible text (and
title, placeholder, label for screen readers) is read for English words and for ASCII
punctuation next to Chinese characters."""

from __future__ import annotations

import pprint
import re
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from estatedesk.complaints import papers
from estatedesk.complaints import services as complaints
from estatedesk.improvement import services as improvement
from estatedesk.org.models import Staff
from estatedesk.reports import services as reports
from estatedesk.reports.models import MonthlyReport
from estatedesk.surveys import responses
from estatedesk.surveys import services as surveys
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.services import consultation_answers, consultations
from tests.complaints.conftest import at, record
from tests.helpers import frozen_at

# Words that stay as they are in Chinese text: the product's name, file formats, codes.
ALLOWED = {
    w.lower()
    for w in [
        "EstateDesk",
        "Excel",
        "PDF",
        "API",
        "QR",
        "SMS",
        "CSV",
        "XLSX",
        "JSON",
        "URL",
        "ID",
        "MB",
        "KB",
        "PNG",
        "JPEG",
        "WebP",
        "GIF",
        "HEIC",
        "HEIF",
        "iPhone",
        "UTC",
        "ISO",
        "Bearer",
        "Authorization",
        "Token",
        "WeChat",
        "Pareto",
    ]
}
WORD = re.compile(r"(?<![\w@./-])[A-Za-z]{2,}(?:['’][a-z]+)?(?![\w@/-])")
CJK = r"[\u3400-\u9fff]"
# "回复期限: 2026" or "翠湖花园, 金山苑" or "王小明 (业主)": Chinese uses ：，（）
ASCII_PUNCTUATION = re.compile(rf"{CJK}[:,;?!)]|[(]{CJK}")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Texts(HTMLParser):
    """The texts a person sees or hears: text nodes outside scripts and code, and the
    attributes browsers show or read out."""

    HIDDEN = {"script", "style", "template", "code", "pre", "textarea"}
    SHOWN = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag not in VOID:
            self.open.append("lang-en" if (found.get("lang") or "").startswith("en") else tag)
        if "lang-en" in self.open:
            return  # marked as English on purpose (the language switch's "English")
        self.texts += [v for k, v in found.items() if k in self.SHOWN and v]
        if tag == "input" and found.get("type") in ("submit", "button") and found.get("value"):
            self.texts.append(found["value"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open or "lang-en" in self.open:
            while self.open and self.open.pop() not in (tag, "lang-en"):
                pass

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.HIDDEN.intersection(self.open) and "lang-en" not in self.open:
            self.texts.append(" ".join(data.split()))


def leftovers(html: str) -> list[str]:
    parser = _Texts()
    parser.feed(html)
    found = []
    for text in parser.texts:
        english = [w for w in WORD.findall(text) if w.lower() not in ALLOWED]
        if english or ASCII_PUNCTUATION.search(text):
            found.append(text[:120])
    return sorted(set(found))


def test_the_reader_finds_english_and_ascii_punctuation():
    html = (
        "<h2>Follow-up visit</h2><p>回复期限: 2026-06-01</p><span>翠湖花园, 金山苑</span>"
        '<button aria-label="breadcrumb">x</button><p>TS-2026-000001 · EstateDesk · PDF · 3栋-1201 · 08:30</p>'
        "<script>var English = 1;</script>"
    )
    html += '<select><option lang="en" value="en">English</option><option>Open</option></select>'
    assert leftovers(html) == [
        "Follow-up visit",
        "Open",
        "breadcrumb",
        "回复期限: 2026-06-01",
        "翠湖花园, 金山苑",
    ]


def _journey(world: Any) -> dict[str, Any]:
    """March 2026 at estate A: a complaint from intake to a satisfied visit, a slip, a
    corrective action with its fishbone and a step, and the office's submitted monthly report."""
    handler, deputy, head = world.users["handler_a"], world.users["deputy_gm"], world.users["office_head_a"]
    with frozen_at(at(2026, 3, 10, 10, 0)):
        complaint = record(world)
        complaints.assess(actor=handler, complaint=complaint, cause="maintenance", serious=False, urgent=True)
        slip = papers.raise_slip(actor=handler, complaint=complaint, matter="需要更换电梯控制柜")
        complaints.handle(
            actor=handler,
            complaint=complaint,
            cause_analysis="控制柜老化",
            measures="更换控制柜",
            result="已恢复",
        )
        complaints.reply(actor=handler, complaint=complaint, content="电梯已修复", manner="oral")
    with frozen_at(at(2026, 3, 12, 10, 0)):
        complaints.visit(
            actor=handler, complaint=complaint, method="phone", opinion="满意", satisfaction="satisfied"
        )
        action = improvement.open_action(
            actor=deputy,
            kind="corrective",
            source="complaint",
            title="3栋电梯反复停运",
            problem="一个月内停运三次",
            source_complaint=complaint,
        )
        improvement.analyse(
            actor=deputy,
            action=action,
            cause_analysis="控制柜老化",
            fishbone={"machine": ["控制柜老化"], "man": ["巡查不到位"], "method": ["保养计划不全"]},
        )
        improvement.add_step(
            actor=deputy,
            action=action,
            description="更换控制柜",
            owner=handler.staff,
            due_date=date(2026, 3, 20),
        )
    with frozen_at(at(2026, 4, 1, 0, 30)):
        reports.draft_month(year=2026, month=3)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        report = MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)
        reports.submit(actor=head, report=report, analysis="以维修类投诉为主")
    with frozen_at(at(2026, 4, 2, 10, 0)):
        survey = surveys.create_survey(
            actor=deputy, kind="annual", title="2026年度业户满意度调查", estate_ids=[world.estate_a.pk]
        )
        surveys.draw_sample(actor=deputy, survey=survey, seed="i18n")
        surveys.open_survey(actor=deputy, survey=survey)
        household = survey.households.get()
        questions = responses.version_for(household).questions.all()
        responses.enter_paper(
            actor=deputy,
            survey=survey,
            unit_id=household.unit_id,
            answers=[
                AnswerInput(q.pk, "dissatisfied" if q.kind == "rating" else "", "电梯老坏") for q in questions
            ],
        )
    with frozen_at(at(2026, 4, 2, 11, 0)):
        consultation = consultations.plan_consultation(
            actor=handler,
            estate=world.estate_a,
            month=date(2026, 4, 1),
            topics=["cleaning", "security"],
            method="questionnaire",
            share=100,
        )
        consultations.start_consultation(actor=handler, consultation=consultation)
        # Under way, one household answered: the entry page, the slips and the figures all show.
        consultation_answers.record_answers(
            actor=handler,
            consultation=consultation,
            unit_id=consultation.households.first().unit_id,
            answers=[consultation_answers.TopicAnswer("cleaning", "dissatisfied", "垃圾清运不及时")],
            remarks="停车位不足",
        )
        forum = _forum(world, deputy, handler)
        half_year = _half_year(world, deputy)
        contact = _contact(world, handler)
        records = _contracts_and_property(world, handler)
        notice, notice_draft = _notices(world, handler)
        notice_urgent = _notice(world, handler)
        token, portal_notice = _portal_notice(world, handler)
    return {
        "notice_link": [token],
        "notice_page": [token, portal_notice],
        "estate_code": [world.estate_a.code],
        "contact": contact,
        **records,
        "notice": notice,
        "notice_draft": notice_draft,
        "notice_urgent": notice_urgent,
        "consultation": consultation.pk,
        "forum": forum,
        "half_year": half_year,
        "complaint": complaint.pk,
        "slip": slip.pk,
        "action": action.pk,
        "report": report.pk,
        "year": 2026,
        "survey": survey.pk,
        "standard": survey.version_id,
    }


def _forum(world: Any, deputy: Any, handler: Any) -> int:
    """Estate A's owners' forum: an owner, an answered opinion and a follow-up due today."""
    from estatedesk.surveys.services import forums

    forum = forums.create_forum(
        actor=deputy,
        title="2026年度业主座谈会",
        estates=[world.estate_a],
        held_on=date(2026, 4, 2),
        place="会所",
    )
    owner = forums.add_participant(actor=deputy, forum=forum, kind="owner", unit=world.unit_a)
    opinion = forums.record_opinion(
        actor=deputy,
        forum=forum,
        text="电梯经常停运",
        category="repairs",
        raised_by=owner,
        answer="已更换控制柜",
    )
    forums.add_follow_up(
        actor=deputy,
        forum=forum,
        opinion=opinion,
        description="回访业主",
        owner=handler.staff,
        due_date=date(2026, 4, 2),
    )
    return forum.pk


def _contact(world: Any, handler: Any) -> int:
    """Estate A's communication log: a talk with the owner of unit A yesterday morning, one
    follow-up done and one due yesterday (overdue on the page)."""
    from estatedesk.communication.services import log

    contact = log.record_contact_entry(
        actor=handler,
        estate=world.estate_a.pk,
        office=world.office_a.pk,
        occurred_at=at(2026, 4, 1, 9, 0),
        subject="车位租赁咨询",
        channel="phone",
        counterpart="owner",
        unit=world.unit_a.pk,
        staff=[handler.staff.pk],
        other_people="张三",
        summary="业主询问车位租赁价格。",
    )
    for due, done in ((date(2026, 4, 1), True), (date(2026, 4, 1), False)):
        row = log.add_follow_up(
            actor=handler, contact=contact, description="回复车位价格", owner=handler.staff, due_date=due
        )
        if done:
            log.finish_follow_up(actor=handler, contact=contact, follow_up=row, result="已电话回复")
    return contact.pk


def _contracts_and_property(world: Any, handler: Any) -> dict[str, int]:
    """Estate A's contract being negotiated (a question unanswered), a signed one with a change
    told but not yet resolved, and a key with an open incident the customer was not told of."""
    from estatedesk.communication.services import contracts
    from tests.communication.records import contract_of, incident_of

    today = date(2026, 4, 2)
    negotiating = contract_of(world)
    contracts.add_clarification(
        actor=handler,
        contract=negotiating,
        asked_on=today,
        asked_by="王小明",
        channel="phone",
        question="装修垃圾是否统一清运？",
    )
    signed = contract_of(world, signed=True)
    change = contracts.add_change(
        actor=handler, contract=signed, cause="law", description="管理费调整", proposed_on=today
    )
    contracts.record_change_told(
        actor=handler, contract=signed, change=change, told_at=at(2026, 4, 2, 10, 0), channel="letter"
    )
    incident = incident_of(world)
    return {
        "contract": negotiating.pk,
        "contract_signed": signed.pk,
        "item": incident.item_id,
        "incident": incident.pk,
    }


def _notices(world: Any, handler: Any) -> tuple[int, int]:
    """Estate A's notices: an urgent pest control published with its warning sign confirmed,
    and a water cut still a draft."""
    from datetime import timedelta

    from estatedesk.communication.services import notices
    from estatedesk.core.clock import now
    from tests.communication.conftest import draft

    pest = notices.create_notice(
        actor=handler, draft=draft(world, kind="pest_control", title="3栋灭鼠消杀", urgent=True)
    )
    notices.publish_notice(actor=handler, notice=pest)
    notices.confirm_sign(
        actor=handler, notice=pest, place="3栋大堂入口", placed_at=now() - timedelta(hours=1)
    )
    water = notices.create_notice(actor=handler, draft=draft(world, publish_at=now() + timedelta(hours=2)))
    return pest.pk, water.pk


def _notice(world: Any, handler: Any) -> int:
    """An urgent water cut at estate A, published: one household read it, one was phoned."""
    from estatedesk.communication.models import NoticeRecipient
    from estatedesk.communication.services import notices
    from tests.communication.conftest import add_households, draft

    add_households(world.building_a, 3, phone_from=1)
    notice = notices.create_notice(actor=handler, draft=draft(world, urgent=True))
    notices.publish_notice(actor=handler, notice=notice)
    first, second, *_rest = NoticeRecipient.objects.filter(notice=notice)
    NoticeRecipient.objects.filter(pk=first.pk).update(read_at=first.notice.published_at)
    notices.record_contact(
        actor=handler,
        notice=notice,
        unit=second.unit_id,
        channel="phone",
        outcome="已电话告知，业主会提前储水",
    )
    return notice.pk


def _portal_notice(world: Any, handler: Any) -> tuple[str, int]:
    """An urgent water cut published to estate A, then a power cut withdrawn: the household's link."""
    from estatedesk.communication.models import HouseholdLink
    from estatedesk.communication.services import notices
    from tests.communication.conftest import draft

    notice = notices.create_notice(actor=handler, draft=draft(world, urgent=True))
    notices.publish_notice(actor=handler, notice=notice)
    cut = notices.create_notice(actor=handler, draft=draft(world, kind="power_cut", title="3栋停电通知"))
    notices.publish_notice(actor=handler, notice=cut)
    notices.withdraw_notice(actor=handler, notice=cut, reason="检修取消")
    return HouseholdLink.objects.get(unit=world.unit_a).token, notice.pk


def _half_year(world, deputy):
    """The second half of 2025 of estate A's office: cleaning below target, an issue raised by
    many owners, and an action opened from the line."""
    from estatedesk.org.models import Unit
    from estatedesk.surveys.services import half_year
    from tests.surveys.half_year.data import consultation, reason_code

    reason_code("rubbish", "垃圾清运", "垃圾", "cleaning")
    units = [
        Unit.objects.create(estate=world.estate_a, building=world.building_a, number=f"I{i}", occupied=True)
        for i in range(10)
    ]
    rows = [(True, "")] * 6 + [(False, "垃圾没人清")] * 4
    consultation(
        world.building_a, date(2025, 11, 1), units, {"cleaning": rows, "security": [(True, "")] * 10}
    )
    stats = half_year.compute_half_year(actor=deputy, office=world.office_a, year=2025, half=2)
    improvement.open_action(
        actor=deputy,
        kind="corrective",
        source="half_year_statistics",
        title="清洁整改",
        problem="清洁低于目标",
        source_half_year_line=stats.lines.first(),
    )
    return stats.pk


PAGES = [
    ("home", None),
    ("complaints:mine", None),
    ("complaints:list", None),
    ("complaints:detail", "complaint"),
    ("complaints:slip_list", None),
    ("complaints:slip_detail", "slip"),
    ("complaints:notice_list", None),
    ("complaints:weekly", None),
    ("improvement:list", None),
    ("improvement:detail", "action"),
    ("reports:monthly_list", None),
    ("reports:monthly_detail", "report"),
    ("reports:dashboard", None),
    ("workcal:year", "year"),
    ("org:unit_list", None),
    ("org:customer_list", None),
    ("org:staff_list", None),
    ("surveys:list", None),
    ("surveys:detail", "survey"),
    ("surveys:sample", "survey"),
    ("surveys:paper", "survey"),
    ("surveys:results", "survey"),
    ("surveys:segments", "survey"),
    ("surveys:analysis", "survey"),
    ("surveys:sheets", "survey"),
    ("surveys:standard_list", None),
    ("surveys:standard_detail", "standard"),
    ("surveys:targets", None),
    ("surveys:consultation_entry", "consultation"),
    ("surveys:consultation_slips", "consultation"),
    ("surveys:forum_list", None),
    ("surveys:forum_detail", "forum"),
    ("surveys:forum_minutes", "forum"),
    ("surveys:consultation_list", None),
    ("surveys:consultation_detail", "consultation"),
    ("surveys:half_year_list", None),
    ("surveys:half_year_detail", "half_year"),
    ("surveys:half_year_print", "half_year"),
    ("communication:contact_list", None),
    ("communication:contact_create", None),
    ("communication:contact_detail", "contact"),
    ("communication:contract_list", None),
    ("communication:contract_create", None),
    ("communication:contract_detail", "contract"),
    ("communication:contract_detail", "contract_signed"),
    ("communication:property_list", None),
    ("communication:property_create", None),
    ("communication:property_detail", "item"),
    ("communication:incident_list", None),
    ("communication:incident_detail", "incident"),
    ("communication:notice_list", None),
    ("communication:notice_create", None),
    ("communication:notice_detail", "notice"),
    ("communication:notice_detail", "notice_draft"),
    ("communication:notice_edit", "notice_draft"),
    ("communication:notice_recipients", "notice_urgent"),
    ("communication:notice_sheet", "notice_urgent"),
    ("communication:notice_evidence_add", "notice_urgent"),
    # Resident pages (public; a household's private link): the notices of C-3.
    ("portal:notices", "notice_link"),
    ("portal:notice", "notice_page"),
    ("portal:estate_notices", "estate_code"),
]


@pytest.mark.req("P-3")
@pytest.mark.parametrize("persona", ["handler_a", "office_head_a", "deputy_gm"])
def test_chinese_pages_show_no_english(world, persona):
    # The test company's staff are named after their personas (handler_a, gm): Chinese names
    # here, as in the demo, so that only the product's own words are read.
    for n, staff in enumerate(Staff.objects.order_by("pk")):
        Staff.objects.filter(pk=staff.pk).update(display_name=f"员工{n + 1}号")
    keys = _journey(world)
    client = world.client(persona)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    found = {}
    with frozen_at(at(2026, 4, 3, 11, 0)):
        for name, key in PAGES:
            args = keys[key] if key else []
            response = client.get(reverse(name, args=args if isinstance(args, list) else [args]))
            if response.status_code == 404 and key:
                continue  # out of this persona's scope
            assert response.status_code == 200, name
            usernames = {u.username for u in world.users.values()}  # the sign-in column lists them
            if bits := [b for b in leftovers(response.content.decode()) if b not in usernames]:
                found[name] = bits
    assert found == {}, pprint.pformat(found, width=140)


@pytest.mark.req("P-3")
@pytest.mark.req("C-1")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_administrators_channel_pages_show_no_english(world, language):
    from estatedesk.org.models import Channel

    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    phone = Channel.objects.get(code="phone")
    found = {}
    for name, args in [
        ("org:channel_list", []),
        ("org:channel_create", []),
        ("org:channel_edit", [phone.pk]),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        if bits := [b for b in leftovers(response.content.decode()) if b != "admin"]:
            found[name] = bits
    assert found == {}, pprint.pformat(found, width=140)
