"""The complaint page's timeline rows written in Python (``views.timeline.write``, decision
0067) are what ``detail_timeline.html``'s loop wrote for them, byte for byte, in every language."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from estatedesk.complaints import papers, services
from estatedesk.complaints.views import timeline
from estatedesk.org import services as org_services
from tests.complaints.conftest import record

# The loop as the template wrote it before decision 0067: the reference the rows must match.
LOOP = """{% load i18n %}{% for row in timeline %}
    <li class="list-group-item timeline-item" id="event-{{ row.pk }}">
      <div class="d-flex flex-wrap justify-content-between gap-2">
        <strong class="timeline-action">{{ row.label }}</strong>
        <span class="text-muted small"><time class="timeline-when" datetime="{{ row.at_iso }}">{{ row.at_text }}</time> · <span class="timeline-who">{{ row.who }}</span></span>
      </div>
      {% if row.from_status or row.to_status %}<div class="small timeline-status">{% if row.from_status %}{{ row.from_status }} → {% endif %}{{ row.to_status }}</div>{% endif %}
      {% if row.paper %}<div class="small text-muted">{{ row.paper }}</div>{% endif %}
      {% if row.new_due %}<div class="small text-muted">{% translate "Reply due" %}{% translate ": " context "label: value" %}{{ row.new_due|date:"Y-m-d H:i" }}</div>{% endif %}
      {% if row.note %}<div class="timeline-note text-prewrap">{{ row.note }}</div>{% endif %}
    </li>
  {% endfor %}"""  # noqa: E501


def _rows(world):
    handler = world.users["handler_a"]
    c = record(world)
    services.assess(
        actor=handler, complaint=c, cause="management", serious=True, urgent=True, note="<b>門禁</b> & 電梯"
    )
    papers.raise_slip(actor=handler, complaint=c, matter="需要更換地墊")
    services.handle(
        actor=handler, complaint=c, cause_analysis="a", measures="m", result="r", based_on=c.edit_version
    )
    resident = record(  # through the portal: nobody signed in
        world,
        persona="",
        channel="portal",
        customer=None,
        phone="13812345678",
        privacy_notice=org_services.current_privacy_notice(),
    )
    rows = timeline.timeline_rows(c) + timeline.timeline_rows(resident)
    odd = timeline.TimelineRow(
        pk=10_001,
        label="<unknown kind>",
        who='"Ann" <ann>',
        at=timezone.now(),
        from_status="",
        to_status="",
        note="",
        new_due=datetime(2026, 12, 4, 9, 30),  # noqa: DTZ001 - a naive time stored by an older version
        paper="TS-2026-000001",
        at_text="2026-12-04 09:30",
        at_iso="2026-12-04T09:30:00+08:00",
    )
    return [*rows, odd]


@pytest.mark.req("P-2")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant", "en"])
def test_each_timeline_row_is_written_as_the_template_wrote_it(world, language):
    loop = engines["django"].from_string(LOOP)
    with translation.override(language), timezone.override("Asia/Shanghai"):
        rows = _rows(world)
        assert any(r.new_due for r in rows) and any(r.paper for r in rows) and any(r.note for r in rows)
        assert any(r.from_status for r in rows) and any(not r.from_status and r.to_status for r in rows)
        due = timeline.conditional_escape(translation.gettext("Reply due")) + timeline.conditional_escape(
            translation.pgettext("label: value", ": ")
        )
        for row in rows:
            assert str(timeline.write(row, due)) == loop.render({"timeline": [row]}), row.label
            assert row.markup in ("", timeline.write(row, due))
