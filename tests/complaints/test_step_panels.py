"""The complaint page's closed steps written in Python (``views.step_panels``, decision 0067)
are the markup ``_action_panel.html`` writes for them, byte for byte, in every language."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from estatedesk.complaints import services
from estatedesk.complaints.views import detail, step_panels
from tests.complaints.conftest import record


def _complaints(world):
    fresh = record(world)  # new, nobody handles it: take, assess, assign, link, …
    handled = record(world)
    services.assess(
        actor=world.users["handler_a"], complaint=handled, cause="management", serious=True, urgent=False
    )
    duplicate = record(world)
    services.link(actor=world.users["handler_a"], complaint=duplicate.pk, lead=handled.pk)
    grievance = record(world, kind="grievance")
    return [fresh, handled, duplicate, grievance]


def _as_template_writes(panel, complaint, detail_url) -> str:
    return render_to_string(
        "complaints/_action_panel.html",
        {"panel": panel, "complaint": complaint, "detail_url": detail_url, "csrf_token": "TOKEN"},
    )


@pytest.mark.req("A-1")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_a_closed_step_is_written_as_the_template_writes_it(world, language):
    seen = set()
    with translation.override(language):
        for complaint in _complaints(world):
            for persona in ("handler_a", "office_head_a", "department_head", "deputy_gm"):
                user = world.users[persona]
                page_complaint = detail.selectors.get_complaint_page(user, complaint.pk)
                url = detail._back(page_complaint)  # noqa: SLF001
                for panel in detail._panels(user, page_complaint, None, detail.Papers()):  # noqa: SLF001
                    if not panel.lazy:
                        continue
                    written = step_panels.closed_panel(
                        panel.step.name,
                        panel.label,
                        panel.form,
                        page_complaint,
                        url,
                        step_panels.show_form_words(),
                    )
                    if written is None:
                        assert panel.step.name == "link" and page_complaint.lead_id
                        continue
                    head, tail = written
                    # The page prints the halves around its one CSRF token (detail.html).
                    ours = f'{head}<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">{tail}'
                    assert ours == _as_template_writes(panel, page_complaint, url), panel.step.name
                    seen.add(panel.step.name)
    # The steps most pages offer closed, and one carrying the version of the texts it edits.
    assert {"assess", "assign", "handle", "link", "reply"} <= seen


@pytest.mark.req("A-1")
def test_hidden_inputs_are_djangos(world):
    complaint = record(world)
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="management", serious=True, urgent=False
    )
    user = world.users["handler_a"]
    checked = 0
    for step in detail.STEPS:
        for data in (None, {"based_on_version": "7", "unlink": "on"}, {"based_on_version": '<"x">'}):
            form = detail.step_form(step, complaint, user, data)
            if not form.hidden_fields():
                continue
            expected = "".join(str(field) for field in form.hidden_fields())
            assert step_panels.hidden_inputs(form) == expected, step.name
            checked += 1
    assert checked >= 6
