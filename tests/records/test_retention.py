"""The retention table and its changes, and legal holds (SPEC D-1, D-2): the services' rules."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound, StaleEdit
from estatedesk.records import holds, registry, retention
from estatedesk.records.models import PersonalDataAccess
from estatedesk.records.retention_types import ACCESS_LOG


@pytest.fixture
def only_access_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_TYPES", {"access_log": ACCESS_LOG})


@pytest.mark.req("D-1")
def test_the_table_shows_the_default_until_an_administrator_changes_it(world, only_access_log) -> None:
    now = datetime(2026, 3, 10, 16, 0, tzinfo=UTC)  # 11 March in Shanghai
    [row] = retention.rule_table(now)
    assert (row.record_type.key, row.months, row.rule) == ("access_log", 36, None)
    assert row.cutoff == datetime(2023, 3, 11, tzinfo=ZoneInfo("Asia/Shanghai"))

    admin = world.users["admin"]
    rule = retention.set_months(actor=admin, key="access_log", months=24, note="等保测评要求", based_on=0)
    assert retention.months_for("access_log") == 24 and rule.updated_by == admin
    [row] = retention.rule_table(now)
    assert row.rule == rule and row.cutoff == datetime(2024, 3, 11, tzinfo=ZoneInfo("Asia/Shanghai"))

    # Saved on the version the page showed before: refused, nothing overwritten.
    with pytest.raises(StaleEdit):
        retention.set_months(actor=admin, key="access_log", months=12, note="", based_on=0)
    retention.set_months(actor=admin, key="access_log", months=12, note="", based_on=rule.edit_version)
    assert retention.months_for("access_log") == 12


@pytest.mark.req("D-1")
@pytest.mark.parametrize("months", [0, 1201, -3, "abc", None, True, 2.5])
def test_a_period_out_of_range_is_refused_with_a_message(world, only_access_log, months) -> None:
    with pytest.raises(InvalidInput) as refused:
        retention.set_months(actor=world.users["admin"], key="access_log", months=months, note="", based_on=0)
    assert refused.value.field == "months" and "1200" in str(refused.value.message)


@pytest.mark.req("D-1")
def test_only_administrators_change_periods_of_known_types(world, only_access_log) -> None:
    for persona in ("auditor", "gm", "handler_a"):
        with pytest.raises(NotAllowed):
            retention.set_months(actor=world.users[persona], key="access_log", months=12, note="", based_on=0)
    with pytest.raises(NotFound):
        retention.set_months(actor=world.users["admin"], key="nothing", months=12, note="", based_on=0)


@pytest.mark.req("D-2")
def test_holds_need_a_record_a_reason_and_an_administrator(world, only_access_log) -> None:
    admin = world.users["admin"]
    pk = PersonalDataAccess.objects.create(
        user=admin, subject_type="org.customer", subject_id=1, subject_label="x", field="phone"
    ).pk
    with pytest.raises(NotAllowed):
        holds.place_hold(actor=world.users["auditor"], record_type="access_log", label=str(pk), reason="审计")
    with pytest.raises(InvalidInput) as blank:
        holds.place_hold(actor=admin, record_type="access_log", label=str(pk), reason="  ")
    assert blank.value.field == "reason"
    with pytest.raises(InvalidInput) as unknown:
        holds.place_hold(actor=admin, record_type="access_log", label="#999999999", reason="审计")
    assert unknown.value.field == "label"
    hold = holds.place_hold(actor=admin, record_type="access_log", label=f"#{pk}", reason="审计")
    assert hold.record_label.startswith(f"#{pk} ")
    with pytest.raises(AlreadyHandled):
        holds.place_hold(actor=admin, record_type="access_log", label=str(pk), reason="再次")
    with pytest.raises(InvalidInput):
        holds.release_hold(actor=admin, hold_id=hold.pk, reason="")
    holds.release_hold(actor=admin, hold_id=hold.pk, reason="结案")
    with pytest.raises(AlreadyHandled):
        holds.release_hold(actor=admin, hold_id=hold.pk, reason="结案")
    assert holds.held_ids("access_log") == set()
