"""SPEC P-1: staff see and act only within their scope, checked on the server object by object."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from estatedesk.core import policy
from estatedesk.org.models import CommitteeMember
from estatedesk.surveys.models import HalfYearStatistics
from tests.complaints.conftest import estate_b_complaint_papers


def _walk(resolver: URLResolver, namespace: str = "", prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            # an unnamed pattern is resolved as "namespace:dotted.view.path"
            if entry.name:
                name = f"{namespace}{entry.name}"
            else:
                name = f"{namespace}{entry.lookup_str}" if namespace else None
            yield name, prefix + str(entry.pattern), entry


def all_patterns():
    return list(_walk(get_resolver()))


@pytest.mark.req("P-1")
def test_every_url_pattern_has_a_permission_rule():
    missing = [route for name, route, _ in all_patterns() if name is None or policy.rule_for(name) is None]
    assert missing == [], f"URL patterns without a rule in policy.URL_RULES: {missing}"


@pytest.mark.req("P-1")
def test_permission_table_names_only_existing_urls():
    names = {name for name, _route, _p in all_patterns() if name}
    stale = sorted(set(policy.URL_RULES) - names)
    assert stale == [], f"rules for URLs that no longer exist: {stale}"


@pytest.mark.req("P-1")
def test_a_url_without_a_rule_is_refused(world, monkeypatch):
    monkeypatch.delitem(policy.URL_RULES, "org:unit_list")
    assert world.client("deputy_gm").get(reverse("org:unit_list")).status_code == 403


def _estate_b_report_and_action(world, complaint_id):
    """Office B's monthly report and a corrective action opened from estate B's complaint."""
    from estatedesk.improvement import services as improvement
    from estatedesk.reports import services as reports

    (report,) = reports.draft_month(year=2026, month=1, department=world.office_b)
    action = improvement.open_action(
        actor=world.users["deputy_gm"],
        kind="corrective",
        source="complaint",
        source_complaint=complaint_id,
        title="大堂防滑",
        problem="A座大堂地面濕滑",
    )
    return {"reports:monthly_": report.pk, "reports:review": report.pk, "improvement:": action.pk}


def _estate_b_survey(world):
    """A special-purpose survey of estate B only, drawn (so it has households and QR slips)."""
    from estatedesk.surveys import services as surveys

    survey = surveys.create_survey(
        actor=world.users["deputy_gm"],
        kind="special",
        title="金山大廈專項調查",
        estate_ids=[world.estate_b.pk],
    )
    return surveys.draw_sample(actor=world.users["deputy_gm"], survey=survey, seed="b").pk


def _estate_b_questionnaire_consultation(world):
    """A running questionnaire consultation of estate B (its page, entry page and QR slips)."""
    from datetime import date

    from estatedesk.surveys.services import consultations

    planned = consultations.plan_consultation(
        actor=world.users["handler_b"],
        estate=world.estate_b,
        month=date(2026, 11, 1),
        topics=["cleaning"],
        method="questionnaire",
        share=100,
    )
    return consultations.start_consultation(actor=world.users["handler_b"], consultation=planned).pk


def _estate_b_forum(world):
    """An owners' forum of estate B only."""
    from estatedesk.surveys.services import forums

    return forums.create_forum(
        actor=world.users["deputy_gm"],
        title="金山大廈座談會",
        estates=[world.estate_b],
        held_on=date(2026, 12, 1),
        place="會所",
    ).pk


def _estate_b_suggestion(world):
    """An improvement suggestion about estate B on a survey of estate B only (S-9)."""
    from estatedesk.surveys.services import analysis

    survey = _estate_b_survey(world)
    return analysis.write_suggestion(
        actor=world.users["deputy_gm"],
        survey=survey,
        title="加強大堂保潔",
        text="每日兩次",
        estate=world.estate_b,
    ).pk


def _estate_b_contact(world):
    """A communication-log contact of estate B with the owners' committee (C-4)."""
    from estatedesk.communication.services import log

    return log.record_contact_entry(
        actor=world.users["handler_b"],
        estate=world.estate_b,
        occurred_at=datetime(2026, 1, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        subject="物业费调整沟通",
        channel="phone",
        counterpart="other",
        other_people="金山科技行政部",
        summary="租户询问物业费调整。",
    ).pk


def _estate_b_notice(world):
    """A published notice of estate B (shared by the notice pages, its recipients, sheet and
    files): estate B's unit among its recipients, a photo of the posted sheet and an attachment."""
    from estatedesk.communication.models import NoticeAttachment, NoticeEvidence
    from estatedesk.communication.services import notices
    from estatedesk.core.clock import now
    from tests.communication.conftest import draft

    handler = world.users["handler_b"]
    notice = notices.create_notice(
        actor=handler, draft=draft(world, estate=world.estate_b.pk, title="金山大廈停水通知")
    )
    notices.publish_notice(actor=handler, notice=notice)
    assert notice.recipients.filter(unit=world.unit_b).exists()
    NoticeEvidence.objects.create(
        notice=notice,
        file="notices/2026/01/" + "b" * 32 + ".jpg",
        content_type="image/jpeg",
        taken_at=now(),
        place="A座大堂",
        building=world.building_b,
        uploaded_at=now(),
    )
    NoticeAttachment.objects.create(
        notice=notice,
        file="notices/2026/01/" + "c" * 32 + ".pdf",
        name="停水安排.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_at=now(),
    )
    return notice.pk


# Arguments besides the pk some object URLs take, all of estate B.
def other_arguments(world):
    from estatedesk.communication.models import NoticeAttachment, NoticeEvidence

    evidence = NoticeEvidence.objects.filter(notice__estate=world.estate_b).first()
    attachment = NoticeAttachment.objects.filter(notice__estate=world.estate_b).first()
    return {
        "building_pk": world.building_b.pk,
        # estate B's notice (``_estate_b_notice``): its recipient unit, photo and attachment
        "unit_id": world.unit_b.pk,
        "evidence_id": evidence.pk if evidence else 0,
        "attachment_id": attachment.pk if attachment else 0,
        # a rectification item's step (``rectification:item_step``)
        "step": "edit",
    }


def estate_b_objects(world):
    """A record of estate B behind every object URL, keyed by URL-name prefix (the hostile-input walk uses them too)."""
    member = CommitteeMember.objects.create(estate=world.estate_b, name="李委員", position="主任")
    papers = estate_b_complaint_papers(world)
    return {
        **papers,
        **_estate_b_report_and_action(world, papers["complaints:detail"]),
        "org:estate": world.estate_b.pk,
        "org:building": world.building_b.pk,
        "org:unit": world.unit_b.pk,
        "org:customer": world.customer_b.pk,
        "org:committee": member.pk,
        "org:department": world.office_b.pk,
        "org:staff": world.users["handler_b"].staff.pk,
        "surveys:": _estate_b_survey(world),
        "surveys:consultation_": _estate_b_questionnaire_consultation(world),
        "surveys:forum_": _estate_b_forum(world),
        "surveys:suggestion_": _estate_b_suggestion(world),
        "communication:contact_": _estate_b_contact(world),
        "surveys:half_year_": HalfYearStatistics.objects.create(
            office=world.office_b, estate=world.estate_b, year=2026, half=1
        ).pk,
        **_estate_b_contract_and_property(world),
        **_estate_b_rectification(world),
    }


def _estate_b_rectification(world):
    """Estate B's rectification report, its item and the item's photo (SPEC R-2); a unit's
    pages take the report as pk and ``unit_id`` (estate B's unit, ``other_arguments``)."""
    from estatedesk.core.clock import now
    from estatedesk.rectification.models import Item, ItemPhoto, Report

    report = Report.objects.create(
        number="ZG-2026-900001", estate=world.estate_b, title="金山大廈交付", created_at=now()
    )
    item = Item.objects.create(
        report=report,
        estate=world.estate_b,
        number="ZX-2026-900001",
        unit=world.unit_b,
        location="前台",
        description="墙面裂缝",
        category="walls",
        source="handover",
        reported_at=now(),
    )
    photo = ItemPhoto.objects.create(
        item=item,
        stage="reported",
        round=1,
        file="rectification/none.jpg",
        content_type="image/jpeg",
        uploaded_at=now(),
    )
    return {
        "rectification:report_": report.pk,
        "rectification:unit_": report.pk,
        "rectification:item_": item.pk,
        "rectification:photo": photo.pk,
    }


def _estate_b_contract_and_property(world):
    """Estate B's contract, item of customer property and its incident (SPEC C-5, C-6); a new
    incident is reported on its item's URL."""
    from tests.communication.records import contract_of, incident_of

    incident = incident_of(world, "b")
    return {
        "communication:contract_": contract_of(world, "b").pk,
        "communication:property_": incident.item_id,
        "communication:incident_": incident.pk,
        "communication:incident_create": incident.item_id,
        "communication:notice_": _estate_b_notice(world),
    }


# Object URLs whose records are not estate-scoped, each with the reason.
NOT_ESTATE_SCOPED = {
    "org:developer": "developers are company-wide partners, visible to all staff",
    "org:import": "roster imports are administrator-only (403 for everyone else)",
    "complaints:category_": "complaint categories are company-wide, kept by administrators (403 for everyone else)",
    "org:channel_": "communication channels are company-wide, kept by administrators (403 for everyone else)",
    "org:privacy_notice": "the portal's privacy notice is company-wide text that residents read; all staff may read it",
    "token": "API tokens: the service only ever touches the signed-in user's own tokens",
    "messages:": "in-app messages: only the signed-in user's own; anyone else's answers 404",
    "reports:quarterly_": "the quarterly analysis is company-wide, published to all staff (drafts: 404 to others)",
    "reports:annual_": "the annual summary is company-wide (leadership and heads; 404 to others)",
    "surveys:standard_": "evaluation standards are company-wide questionnaires: all staff read them, "
    "the survey team edits them (403 for everyone else)",
    "records:": "records (retention, holds, disposal runs, personal-data requests) are company-wide, "
    "for administrators and auditors only (403 for everyone else, tests/records)",
    "surveys:reason_code_": "reason codes are company-wide configuration, kept by administrators "
    "(403 for everyone else)",
}


@pytest.mark.req("P-1")
def test_every_object_url_answers_404_for_another_estates_record(world):
    objects = estate_b_objects(world)
    client = world.client("handler_a")
    checked = 0
    for name, route, _pattern in all_patterns():
        if not name or "<int:pk>" not in route:
            continue
        # The longest prefix decides ("surveys:standard_" before "surveys:").
        key = max((k for k in [*objects, *NOT_ESTATE_SCOPED] if name.startswith(k)), key=len, default=None)
        assert key is not None, f"{name}: object URL not classified as estate-scoped or not"
        if key in NOT_ESTATE_SCOPED:
            continue
        others = {k: v for k, v in other_arguments(world).items() if f":{k}>" in route}
        url = reverse(name, kwargs={"pk": objects[key], **others})
        response = client.post(url) if name.endswith("_reveal") else client.get(url)
        if policy.check_rule(world.users["handler_a"], policy.rule_for(name)):
            assert response.status_code == 404, (
                f"{name} answered {response.status_code} for estate B's record"
            )
        else:
            # refused by role before any look-up: the same answer whatever the id, so nothing leaks
            assert response.status_code == 403, name
        checked += 1
    assert checked >= 15


@pytest.mark.req("P-1")
def test_the_same_urls_answer_200_inside_the_scope(world):
    client = world.client("handler_a")
    for name in ["org:estate_detail", "org:unit_detail", "org:customer_detail", "org:building_detail"]:
        pk = {
            "org:estate_detail": world.estate_a,
            "org:unit_detail": world.unit_a,
            "org:customer_detail": world.customer_a,
            "org:building_detail": world.building_a,
        }[name].pk
        assert client.get(reverse(name, kwargs={"pk": pk})).status_code == 200


def _listed(client, url_name, **params):
    response = client.get(reverse(url_name), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.req("P-1")
def test_lists_show_only_the_users_estates(world):
    page = _listed(world.client("handler_a"), "org:unit_list")
    assert "翠湖花園" in page and "金山大廈" not in page
    page = _listed(world.client("handler_b"), "org:customer_list")
    assert "金山科技有限公司" in page and "王小明" not in page
    # a colleague of estate A reaches the estate through their management office
    page = _listed(world.client("colleague_a"), "org:customer_list")
    assert "王小明" in page and "金山科技" not in page


@pytest.mark.req("P-1")
@pytest.mark.parametrize("persona", ["deputy_gm", "auditor", "admin"])
def test_leadership_and_auditors_see_every_estate(world, persona):
    page = _listed(world.client(persona), "org:unit_list")
    assert "翠湖花園" in page and "金山大廈" in page


@pytest.mark.req("P-1")
def test_search_does_not_cross_the_scope(world):
    page = _listed(world.client("handler_a"), "org:customer_list", q="13987654321")
    assert "金山科技" not in page


@pytest.mark.req("P-1")
def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = world.client("anonymous").get(reverse("org:customer_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.req("P-1")
def test_an_account_without_a_staff_role_sees_nothing(world):
    client = world.client("resident")
    assert client.get(reverse("home")).status_code == 403
    assert client.get(reverse("org:customer_list")).status_code == 403


@pytest.mark.req("P-1")
@pytest.mark.parametrize(
    "url_name", ["org:estate_create", "org:settings_edit", "org:staff_create", "org:import_start"]
)
def test_administrator_pages_are_refused_to_other_staff(world, url_name):
    assert world.client("handler_a").get(reverse(url_name)).status_code == 403
    assert world.client("deputy_gm").get(reverse(url_name)).status_code == 403
    assert world.client("admin").get(reverse(url_name)).status_code == 200


@pytest.mark.req("P-1")
def test_a_handler_edits_units_of_their_estate_only(world):
    client = world.client("handler_a")
    data = {
        "building": world.building_a.pk,
        "number": "1201",
        "floor": 12,
        "area": "88.5",
        "kind": "flat",
        "occupied": "on",
    }
    response = client.post(reverse("org:unit_edit", args=[world.unit_a.pk]), data)
    assert response.status_code == 302
    world.unit_a.refresh_from_db()
    assert str(world.unit_a.area) == "88.50"
    assert client.get(reverse("org:unit_edit", args=[world.unit_b.pk])).status_code == 404
    # moving a unit into another estate's building is refused with a message, not silently done
    data["building"] = world.building_b.pk
    response = client.post(reverse("org:unit_edit", args=[world.unit_a.pk]), data)
    assert response.status_code == 422
    world.unit_a.refresh_from_db()
    assert world.unit_a.building_id == world.building_a.pk


@pytest.mark.req("P-1")
def test_duty_staff_and_auditors_cannot_edit_the_roster(world):
    for persona in ["colleague_a", "auditor"]:
        client = world.client(persona)
        assert client.get(reverse("org:unit_edit", args=[world.unit_a.pk])).status_code == 403
        assert client.get(reverse("org:customer_create")).status_code == 403
