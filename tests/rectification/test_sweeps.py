"""The rectification deadline sweeps (SPEC R-4): due soon reminds the team and the developer's
customer service once, overdue tells them and the estate's customer service once; claims are
conditional updates, so a second sweep, a second worker or a rolled-back claim sends nothing
twice; a date moved later is reminded again."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from estatedesk.core.clock import company_zone
from estatedesk.notifications.models import Message
from estatedesk.rectification import sweeps
from estatedesk.rectification.display import due_of
from estatedesk.rectification.services import routing
from estatedesk.workcal.due import DueState
from tests.helpers import frozen_at
from tests.test_i18n_pages import leftovers

pytestmark = [pytest.mark.django_db, pytest.mark.req("R-4")]

START = date(2026, 6, 15)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=company_zone())


def _planned(rect, due: date):
    """An escalated item the team fixes by ``due`` (planned on START)."""
    with frozen_at(_at(START)):
        item = rect.walk(rect.item(), "dev_review")
        return routing.plan(
            actor=rect.users["dev_x"], item=item.pk, measure="铲除重新批荡", due_date=due, team=rect.team_x
        )


def _told(step: str) -> dict[str, int]:
    """How many in-app messages each user got for ``step`` (soon / overdue)."""
    rows = Message.objects.filter(key__contains=f":{step}:", channel="in_app")
    counts: dict[str, int] = {}
    for username in rows.values_list("user__username", flat=True):
        counts[username] = counts.get(username, 0) + 1
    return counts


def test_due_soon_reminds_the_team_and_the_developer_once_and_not_before(rect):
    due = START + timedelta(days=7)
    item = _planned(rect, due)
    assert sweeps.sweep_deadlines(_at(due - timedelta(days=2), 23)) == {"reminded": 0, "overdue": 0}
    assert sweeps.sweep_deadlines(_at(due - timedelta(days=1), 0)) == {"reminded": 1, "overdue": 0}
    assert sweeps.sweep_deadlines(_at(due - timedelta(days=1), 10)) == {"reminded": 0, "overdue": 0}
    assert sweeps.sweep_deadlines(_at(due, 17)) == {"reminded": 0, "overdue": 0}
    assert _told("soon") == {"team_x": 1, "dev_x": 1}
    item.refresh_from_db()
    assert item.reminder_sent_at == _at(due - timedelta(days=1), 0)


def test_the_sweep_agrees_with_the_due_state_shown_on_the_pages(rect):
    due = START + timedelta(days=7)
    item = _planned(rect, due)
    for offset in (-3, -2, -1, 0, 1):
        moment = _at(due + timedelta(days=offset), 12)
        reminded = bool(sweeps.remind_candidates(moment.date()))
        overdue = bool(sweeps.overdue_candidates(moment.date()))
        state = due_of(item, moment)
        assert reminded == (state == DueState.DUE_SOON), offset
        assert overdue == (state == DueState.OVERDUE), offset


def test_overdue_tells_the_team_the_developer_and_the_estates_customer_service_once(rect):
    due = START + timedelta(days=3)
    _planned(rect, due)
    assert sweeps.notify_overdue(_at(due, 23)) == 0
    assert sweeps.notify_overdue(_at(due + timedelta(days=1), 0)) == 1
    assert sweeps.notify_overdue(_at(due + timedelta(days=2), 9)) == 0
    assert _told("overdue") == {"team_x": 1, "dev_x": 1, "handler_a": 1, "office_head_a": 1}
    # Overdue when first seen: the reminder is not sent late as well.
    assert sweeps.remind_due(_at(due + timedelta(days=2), 9)) == 0


def test_our_own_fix_reminds_our_department(rect):
    with frozen_at(_at(START)):
        item = routing.fix_ourselves(
            actor=rect.world.users["handler_a"],
            item=rect.item().pk,
            department=rect.world.engineering,
            due_date=START + timedelta(days=2),
        )
    assert sweeps.remind_due(_at(START + timedelta(days=1))) == 1
    assert _told("soon") == {"department_head": 1}
    assert sweeps.notify_overdue(_at(START + timedelta(days=3))) == 1
    assert _told("overdue") == {"department_head": 1, "handler_a": 1, "office_head_a": 1}
    item.refresh_from_db()
    assert item.overdue_notified_at is not None


def test_a_second_worker_with_the_same_rows_sends_nothing(rect):
    due = START + timedelta(days=7)
    _planned(rect, due)
    moment = _at(due - timedelta(days=1))
    read_by_the_other_worker = sweeps.remind_candidates(moment.date())
    assert sweeps.remind_due(moment) == 1
    assert [sweeps._remind(item, moment) for item in read_by_the_other_worker] == [False]
    assert _told("soon") == {"team_x": 1, "dev_x": 1}


def test_a_date_moved_later_is_reminded_again(rect):
    due = START + timedelta(days=7)
    item = _planned(rect, due)
    assert sweeps.remind_due(_at(due - timedelta(days=1))) == 1
    later = due + timedelta(days=5)
    with frozen_at(_at(due - timedelta(days=1), 11)):
        routing.plan(
            actor=rect.users["dev_x"],
            item=item.pk,
            measure="铲除重新批荡",
            due_date=later,
            team=rect.team_x,
            replan=True,
        )
    assert sweeps.remind_due(_at(due)) == 0
    assert sweeps.remind_due(_at(later - timedelta(days=1))) == 1
    assert _told("soon") == {"team_x": 2, "dev_x": 2}
    keys = set(Message.objects.filter(key__contains=":soon:").values_list("key", flat=True))
    assert any(f"{later:%Y%m%d}" in key for key in keys) and any(f"{due:%Y%m%d}" in key for key in keys)


def test_a_rolled_back_claim_sends_nothing_and_is_claimed_again(rect, monkeypatch):
    due = START + timedelta(days=7)
    item = _planned(rect, due)
    moment = _at(due - timedelta(days=1))

    def broken(item):
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(sweeps.alerts, "developer_people", broken)
    with pytest.raises(RuntimeError):
        sweeps.remind_due(moment)
    item.refresh_from_db()
    assert item.reminder_sent_at is None
    assert _told("soon") == {}
    monkeypatch.undo()
    assert sweeps.remind_due(moment) == 1
    assert _told("soon") == {"team_x": 1, "dev_x": 1}


@pytest.mark.req("W-1")
def test_the_messages_are_in_the_companys_language(rect, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    due = START + timedelta(days=2)
    item = _planned(rect, due)
    sweeps.remind_due(_at(due - timedelta(days=1)))
    sweeps.notify_overdue(_at(due + timedelta(days=1)))
    rows = list(Message.objects.filter(key__regex=r":(soon|overdue):"))
    assert len(rows) == 6
    for message in rows:
        # The item's number (ZX-…) is the record's own, not a word to translate.
        text = f"{message.subject}\n{message.body}".replace(item.number, "")
        assert "2026年6月17日" in text
        assert leftovers(f"<p>{text}</p>") == []
