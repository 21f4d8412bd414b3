"""The rectification reports' pages (SPEC R-2, P-1): the list with counts by stage, a new
report, a report's page with its items by unit, and its title edited without overwriting a
colleague — each seen only by those in scope, and in Chinese with no English left."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from estatedesk.org.models import Building, Department, Developer, Unit
from estatedesk.rectification.models import Report
from estatedesk.rectification.services import items as item_services
from tests.test_i18n_pages import leftovers

pytestmark = pytest.mark.django_db


def _client(rect: Any, persona: str, language: str = "en") -> Client:
    client = Client()
    client.force_login(rect.user(persona))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm the session and settings caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.req("R-2")
def test_the_list_counts_items_by_stage_in_one_grouped_query(rect):
    client = _client(rect, "handler_a")
    url = reverse("rectification:report_list")
    rect.item()
    few = _queries(client, url)
    first = rect.item()
    rect.walk(first, "team_fixing")
    rect.walk(rect.item(location="客厅"), "res_check")
    for n in range(3):
        report = item_services.create_report(
            actor=rect.world.users["handler_a"], estate=rect.world.estate_a, title=f"第{n}批"
        )
        item_services.add_items(
            actor=rect.world.users["handler_a"],
            report=report,
            rows=[item_services.ItemInput(location="厨房", description="渗水", category="plumbing")],
        )
    assert _queries(client, url) == few
    response = client.get(url)
    counts = {
        key: count
        for report, stages in response.context["rows"]
        if report == rect.report
        for key, _label, count in stages
    }
    assert counts == {"open": 3, "with_developer": 1, "with_resident": 1, "accepted": 0, "overdue": 0}
    assert 'id="new-report"' in response.content.decode()


@pytest.mark.req("P-1")
def test_reports_are_scoped_developer_and_team_see_only_reports_with_their_items(rect):
    report_b = item_services.create_report(
        actor=rect.world.users["handler_b"], estate=rect.world.estate_b, title="金山大厦交付"
    )
    client_b = _client(rect, "handler_b")
    page = client_b.get(reverse("rectification:report_list")).content.decode()
    assert report_b.number in page and rect.report.number not in page
    assert client_b.get(reverse("rectification:report_detail", args=[rect.report.pk])).status_code == 404
    # Developer X sees the report once an item is escalated to it; developer Y never does.
    assert (
        rect.report.number
        not in _client(rect, "dev_x").get(reverse("rectification:report_list")).content.decode()
    )
    rect.walk(rect.item(), "dev_review")
    dev_x = _client(rect, "dev_x").get(reverse("rectification:report_list"))
    assert rect.report.number in dev_x.content.decode() and 'id="new-report"' not in dev_x.content.decode()
    dev_y = _client(rect, "dev_y")
    assert rect.report.number not in dev_y.get(reverse("rectification:report_list")).content.decode()
    assert dev_y.get(reverse("rectification:report_detail", args=[rect.report.pk])).status_code == 404
    assert (
        _client(rect, "team_y").get(reverse("rectification:report_detail", args=[rect.report.pk])).status_code
        == 404
    )


@pytest.mark.req("R-2")
def test_the_report_page_groups_items_by_unit_in_reading_order_and_links_each(rect):
    world = rect.world
    b10 = Building.objects.create(estate=world.estate_a, name="10栋", floors=30)
    b2 = Building.objects.create(estate=world.estate_a, name="2栋", floors=30)
    u10 = Unit.objects.create(estate=world.estate_a, building=b10, number="101")
    u2 = Unit.objects.create(estate=world.estate_a, building=b2, number="1001")
    u2b = Unit.objects.create(estate=world.estate_a, building=b2, number="201")
    items = [rect.item(unit=u) for u in (u10, u2, u2b)] + [rect.item(unit=None, category="public_areas")]
    page = _client(rect, "handler_a").get(reverse("rectification:report_detail", args=[rect.report.pk]))
    html = page.content.decode()
    labels = [g.unit.label if g.unit else None for g in page.context["groups"]]
    assert labels == ["2栋-201", "2栋-1001", "10栋-101", None]
    for item in items:
        assert reverse("rectification:item_detail", args=[item.pk]) in html
    for name in ("unit_entry", "report_import", "report_print", "report_pdf", "report_xlsx"):
        assert reverse(f"rectification:{name}", args=[rect.report.pk]) in html
    assert reverse("rectification:unit_sheet", args=[rect.report.pk, u2.pk]) in html


@pytest.mark.req("P-1")
def test_the_developer_and_the_team_see_only_their_items_of_the_report(rect):
    theirs = rect.walk(rect.item(location="主卧"), "team_fixing")
    ours = rect.item(location="阳台")
    for persona in ("dev_x", "team_x"):
        page = _client(rect, persona).get(reverse("rectification:report_detail", args=[rect.report.pk]))
        html = page.content.decode()
        assert theirs.number in html and ours.number not in html
        assert reverse("rectification:unit_entry", args=[rect.report.pk]) not in html
        assert [c for key, _l, c in page.context["stages"] if key == "open"] == [1]


@pytest.mark.req("R-2")
def test_a_new_report_is_saved_and_a_bad_form_is_422_with_everything_kept(rect):
    world = rect.world
    client = _client(rect, "handler_a", "zh-hans")
    assert client.get(reverse("rectification:report_create")).status_code == 200
    engineering = Department.objects.filter(kind="engineering").first() or Department.objects.create(
        name="工程部", kind="engineering"
    )
    data = {
        "estate": world.estate_a.pk,
        "title": "工程部日常巡查",
        "source": "engineering",
        "notes": "六月巡查发现",
    }
    response = client.post(reverse("rectification:report_create"), data)
    assert response.status_code == 422  # a department's findings name the department
    html = response.content.decode()
    assert "工程部日常巡查" in html and "六月巡查发现" in html
    assert not Report.objects.filter(title="工程部日常巡查").exists()
    other = Developer.objects.create(name="Z建设")
    response = client.post(
        reverse("rectification:report_create"),
        {**data, "finding_department": engineering.pk, "developer": other.pk},
    )
    assert response.status_code == 422  # Z built nothing of the user's estates: not even offered
    response = client.post(
        reverse("rectification:report_create"), {**data, "finding_department": engineering.pk}
    )
    assert response.status_code == 302
    report = Report.objects.get(title="工程部日常巡查")
    assert report.developer == rect.developer_x  # the estate's only developer
    assert report.finding_department == engineering


@pytest.mark.req("P-1")
def test_the_developer_may_not_open_a_report(rect):
    response = _client(rect, "dev_x").post(
        reverse("rectification:report_create"),
        {"estate": rect.world.estate_a.pk, "title": "x", "source": "handover"},
    )
    assert response.status_code == 403
    assert Report.objects.count() == 1


@pytest.mark.req("R-2")
def test_a_stale_title_edit_is_409_with_both_texts_and_overwrites_nothing(rect):
    report = rect.report
    version = report.edit_version
    item_services.edit_report(
        actor=rect.world.users["office_head_a"],
        report=report,
        title="主任改的标题",
        notes="",
        based_on=version,
    )
    client = _client(rect, "handler_a")
    assert client.get(reverse("rectification:report_edit", args=[report.pk])).status_code == 200
    response = client.post(
        reverse("rectification:report_edit", args=[report.pk]),
        {"title": "我改的标题", "notes": "我的备注", "based_on_version": version},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "主任改的标题" in html and "我改的标题" in html and "我的备注" in html
    report.refresh_from_db()
    assert report.title == "主任改的标题"
    again = client.post(
        reverse("rectification:report_edit", args=[report.pk]),
        {"title": "我改的标题", "notes": "", "based_on_version": report.edit_version},
    )
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.title == "我改的标题"


@pytest.mark.req("R-2")
def test_the_report_pages_in_chinese_show_no_english(rect):
    rect.walk(rect.item(), "team_fixing")
    rect.item(unit=None, category="public_areas", location="大堂")
    for persona in ("handler_a", "dev_x", "team_x"):
        client = _client(rect, persona, "zh-hans")
        urls = [
            reverse("rectification:report_list"),
            reverse("rectification:report_detail", args=[rect.report.pk]),
        ]
        if persona == "handler_a":
            urls += [
                reverse("rectification:report_create"),
                reverse("rectification:report_edit", args=[rect.report.pk]),
            ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert leftovers(response.content.decode()) == [], (persona, url)
