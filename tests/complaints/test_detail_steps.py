"""The complaint page's steps are offered closed and their fields come when one is opened
(decision 0061): by htmx from ``?step=<name>``, or, without a script, the page again with that
step open."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from estatedesk.complaints import services
from tests.complaints.test_detail_pages import action_forms, english, page

HTMX = {"HTTP_HX_REQUEST": "true"}


def step_url(complaint, name: str) -> str:
    return reverse("complaints:detail", args=[complaint.pk]) + f"?step={name}"


@pytest.mark.req("A-1")
@pytest.mark.req("K-7")
def test_the_page_offers_each_step_closed_without_its_fields(world, complaint):
    html = page(english(world.client("handler_a")), complaint)
    assert {"assess", "handle", "assign", "link"} <= set(action_forms(html))
    actions = html[html.index('id="actions"') : html.index('class="detail-history')]
    assert 'name="cause"' not in actions and 'name="department"' not in actions
    assert "<option" not in actions and "<textarea" not in actions
    # closed, with the address that fetches its fields, and a link that works without a script
    assert re.search(r'<details class="action-step[^"]*" id="step-assess" hx-get="[^"]*\?step=assess"', html)
    assert f'href="{step_url(complaint, "assess")}#step-assess"' in html
    # the version a text is based on is the page's, as before
    assert 'name="based_on_version"' in html


@pytest.mark.req("A-1")
@pytest.mark.req("K-7")
def test_opening_a_step_fetches_its_fields_and_button(world, complaint):
    client = english(world.client("handler_a"))
    response = client.get(step_url(complaint, "assign"), **HTMX)
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and 'name="department"' in fragment and 'name="handler"' in fragment
    assert "<option" in fragment and 'type="submit"' in fragment and "Forward" in fragment
    assert 'name="based_on_version"' not in fragment  # already in the page's form
    assert "HX-Request" in response["Vary"]


@pytest.mark.req("A-1")
@pytest.mark.req("K-7")
def test_without_a_script_the_link_shows_the_page_with_that_step_open(world, complaint):
    client = english(world.client("handler_a"))
    response = client.get(step_url(complaint, "assess"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<details class="action-step[^"]*" id="step-assess" open>', html)
    assert '<select name="cause"' in html and "<html" in html
    assert 'name="department"' not in html  # the other steps stay closed


@pytest.mark.req("A-1")
@pytest.mark.req("K-7")
def test_a_step_no_longer_offered_says_so_instead_of_a_form(world, complaint):
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="management", serious=False, urgent=False
    )
    client = english(world.client("handler_a"))
    fragment = client.get(step_url(complaint, "close_superior"), **HTMX).content.decode()
    assert "This step is no longer open on this record." in fragment and "<form" not in fragment
    assert 'name="reason"' not in fragment
    auditor = english(world.client("auditor"))
    fragment = auditor.get(step_url(complaint, "reply"), **HTMX).content.decode()
    assert 'name="content"' not in fragment and "no longer open" in fragment


@pytest.mark.req("P-1")
def test_another_estates_handler_gets_404_for_a_steps_fields(world, complaint):
    client = world.client("handler_b")
    assert client.get(step_url(complaint, "assess"), **HTMX).status_code == 404
    assert client.get(step_url(complaint, "assess")).status_code == 404
