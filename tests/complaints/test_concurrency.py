"""Two staff acting on the same complaint at the same moment, on real connections (K-10, ENGINEERING)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from estatedesk.complaints import events, services
from estatedesk.core.errors import AlreadyHandled, StaleEdit
from tests.complaints.conftest import record


@pytest.mark.req("K-7")
@pytest.mark.req("K-10")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handlers_replying_at_once_get_one_success_and_one_already_handled(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real only on PostgreSQL; SQLite serialises writers anyway")
    complaint = record(world)
    services.assess(
        actor=world.users["handler_a"], complaint=complaint, cause="maintenance", serious=False, urgent=False
    )
    # The first one in holds its lock a moment, so the second really waits on the row.
    original = events.replied
    first = threading.Event()

    def slow_record_event(*args, **kwargs):
        if not first.is_set():
            first.set()
            time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr("estatedesk.complaints.events.replied", slow_record_event)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def act(persona: str) -> None:
        try:
            barrier.wait()
            services.reply(
                actor=world.users[persona], complaint=complaint.pk, content=f"{persona} 已回覆", manner="oral"
            )
            result = "ok"
        except AlreadyHandled as exc:
            result = f"already:{exc.message}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=act, args=(p,)) for p in ("handler_a", "office_head_a")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.split(":")[0] for o in outcomes) == ["already", "ok"]
    assert complaint.number in next(o for o in outcomes if o.startswith("already"))
    complaint.refresh_from_db()
    assert complaint.status == "replied"
    assert complaint.events.filter(action="reply").count() == 1


@pytest.mark.req("K-7")
@pytest.mark.req("P-2")
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handlers_saving_the_handling_texts_at_once_get_one_save_and_one_stale_edit(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are real only on PostgreSQL; SQLite serialises writers anyway")
    complaint = record(world)
    based_on = complaint.edit_version
    # The first one in holds its lock a moment, so the second really waits on the row and then
    # reads the version the first one wrote.
    original = events.handled
    first = threading.Event()

    def slow_record_event(*args, **kwargs):
        if not first.is_set():
            first.set()
            time.sleep(0.5)
        return original(*args, **kwargs)

    monkeypatch.setattr("estatedesk.complaints.events.handled", slow_record_event)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    lock = threading.Lock()

    def act(persona: str) -> None:
        try:
            barrier.wait()
            services.handle(
                actor=world.users[persona],
                complaint=complaint.pk,
                cause_analysis="",
                measures=f"{persona} 的措施",
                based_on=based_on,
            )
            result = "ok"
        except StaleEdit as exc:
            result = f"stale:{exc.current['measures']}"
        finally:
            connections.close_all()
        with lock:
            outcomes[persona] = result

    threads = [threading.Thread(target=act, args=(p,)) for p in ("handler_a", "office_head_a")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(o.split(":")[0] for o in outcomes.values()) == ["ok", "stale"]
    winner = next(p for p, o in outcomes.items() if o == "ok")
    loser = next(p for p, o in outcomes.items() if o != "ok")
    assert outcomes[loser] == f"stale:{winner} 的措施"  # shown the winner's text, not overwritten
    complaint.refresh_from_db()
    assert (complaint.measures, complaint.edit_version) == (f"{winner} 的措施", based_on + 1)
