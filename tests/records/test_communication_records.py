"""What customer communication declares to the records floor (SPEC D-1 … D-3, decision 0048):
``customer_notices``, ``communication_log``, ``contracts`` and ``customer_property``, and the
``communication`` source of a person's copy and erasure."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from estatedesk.communication.models import (
    Contact,
    ContactFollowUp,
    Contract,
    HouseholdLink,
    Notice,
    NoticeAttachment,
    NoticeEvent,
    NoticeEvidence,
    NoticeRecipient,
    PropertyIncident,
    PropertyItem,
)
from estatedesk.communication.services import contracts, log, notice_files, notices, property
from estatedesk.core import uploads
from estatedesk.core.clock import company_today, company_zone, now
from estatedesk.records.registry import record_type
from estatedesk.records.subjects import Subject, sources
from tests.communication.conftest import draft
from tests.communication.log_helpers import follow_up, record
from tests.communication.records import contract_of, incident_of, item_of
from tests.records.traces import traces
from tests.rectification.conftest import photo

pytestmark = pytest.mark.django_db

NOTICES = record_type("customer_notices")
LOG = record_type("communication_log")
CONTRACTS = record_type("contracts")
PROPERTY = record_type("customer_property")
SOURCE = next(each for each in sources() if each.key == "communication")


@pytest.fixture(autouse=True)
def upload_root(settings: Any, tmp_path: Any) -> Any:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def subject_of(customer: Any, unit: Any) -> Subject:
    return Subject(
        customer_ids=frozenset({customer.pk}),
        names=frozenset({customer.name}),
        phones=frozenset({customer.phone}),
        phone_indexes=frozenset({customer.phone_index}),
        unit_ids=frozenset({unit.pk}),
        label="",
    )


def published(world: Any, **changes: Any) -> Notice:
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world, **changes))
    return notices.publish_notice(actor=handler, notice=notice)


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "停水范围.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )


@pytest.mark.req("D-1")
def test_a_notice_is_past_retention_once_called_off_or_its_work_is_over_and_never_as_a_draft(world):
    cutoff = now() - timedelta(days=30)
    over = published(world)
    Notice.objects.filter(pk=over.pk).update(
        published_at=cutoff - timedelta(days=3), ends_at=cutoff - timedelta(seconds=1)
    )
    running = published(world)
    Notice.objects.filter(pk=running.pk).update(
        published_at=cutoff - timedelta(days=3), ends_at=cutoff + timedelta(seconds=1)
    )
    withdrawn = notices.withdraw_notice(
        actor=world.users["handler_a"], notice=published(world), reason="停水取消"
    )
    NoticeEvent.objects.filter(notice=withdrawn, kind="withdrawn").update(at=cutoff - timedelta(seconds=1))
    late_withdrawal = notices.withdraw_notice(
        actor=world.users["handler_a"], notice=published(world), reason="改期"
    )
    draft_notice = notices.create_notice(actor=world.users["handler_a"], draft=draft(world))
    Notice.objects.filter(pk=draft_notice.pk).update(created_at=cutoff - timedelta(days=400))

    taken = set(NOTICES.past_retention(cutoff).values_list("pk", flat=True))

    assert taken == {over.pk, withdrawn.pk}
    assert late_withdrawal.pk not in taken
    assert NOTICES.find(over.number.lower()) == over.pk and NOTICES.labels([over.pk]) == {
        over.pk: over.number
    }


@pytest.mark.req("D-1")
def test_the_log_contracts_and_property_are_past_retention_only_once_finished_before_the_cutoff(world):
    cutoff = now() - timedelta(days=5)
    handler = world.users["handler_a"]
    quiet = record(world, occurred_at=now() - timedelta(days=9))  # nothing agreed
    done = record(world, occurred_at=now() - timedelta(days=9))
    log.finish_follow_up(
        actor=handler, contact=done, follow_up=follow_up(world, done, days_after=1), result="已发送"
    )
    ContactFollowUp.objects.filter(contact=done).update(done_at=cutoff - timedelta(seconds=1))
    late = record(world, occurred_at=now() - timedelta(days=9))
    log.finish_follow_up(
        actor=handler, contact=late, follow_up=follow_up(world, late, days_after=1), result="已发送"
    )
    pending = record(world, occurred_at=now() - timedelta(days=9))
    follow_up(world, pending, days_after=1)
    assert set(LOG.past_retention(cutoff).values_list("pk", flat=True)) == {quiet.pk, done.pk}

    ended = contract_of(world, signed=True)
    contracts.end_contract(actor=handler, contract=ended, ended_on=company_today())
    Contract.objects.filter(pk=ended.pk).update(
        ended_on=cutoff.astimezone(company_zone()).date() - timedelta(days=1)
    )
    ended_on_cutoff_day = contract_of(world, signed=True)
    contracts.end_contract(actor=handler, contract=ended_on_cutoff_day, ended_on=company_today())
    Contract.objects.filter(pk=ended_on_cutoff_day.pk).update(
        ended_on=cutoff.astimezone(company_zone()).date()
    )
    contract_of(world, signed=True)  # running
    assert set(CONTRACTS.past_retention(cutoff).values_list("pk", flat=True)) == {ended.pk}

    returned = item_of(world)
    property.return_item(actor=handler, item=returned, returned_at=now() - timedelta(days=1))
    PropertyItem.objects.filter(pk=returned.pk).update(returned_at=cutoff - timedelta(seconds=1))
    lost = incident_of(world)
    property.record_incident_told(actor=handler, incident=lost, told_at=now(), channel="phone")
    property.close_incident(actor=handler, incident=lost, help_given="更换门锁并配新钥匙")
    PropertyIncident.objects.filter(pk=lost.pk).update(closed_at=cutoff - timedelta(days=1))
    incident_of(world)  # lost, still open
    item_of(world)  # still held
    assert set(PROPERTY.past_retention(cutoff).values_list("pk", flat=True)) == {returned.pk, lost.item_id}


def _notice_with_files(world: Any) -> Notice:
    notice = published(world)
    handler = world.users["handler_a"]
    notice_files.add_attachment(actor=handler, notice=notice, upload=pdf())
    notice_files.add_evidence(
        actor=handler, notice=notice, upload=photo("posted.jpg"), taken_at=now(), place="3栋大堂"
    )
    NoticeRecipient.objects.filter(notice=notice, unit=world.unit_a).update(read_at=now())
    return notice


@pytest.mark.req("D-2")
def test_the_archive_nests_each_record_and_carries_the_notices_files(world):
    notice = _notice_with_files(world)
    batch = NOTICES.archive([notice.pk])
    (entry,) = batch.records
    assert entry["number"] == notice.number and entry["estate"] == world.estate_a.name
    assert {r["unit_id"] for r in entry["recipients"]} >= {world.unit_a.pk}
    assert any(r["read_at"] for r in entry["recipients"])
    assert [e["kind"] for e in entry["events"]][:2] == ["created", "published"]
    attachment, evidence = entry["attachments"][0], entry["evidence"][0]
    members = {member.name: member for member in batch.files}
    assert members[attachment["archived_as"]].path == uploads.path_of(attachment["file"])
    assert members[evidence["archived_as"]].path.is_file() and evidence["place"] == "3栋大堂"
    assert batch.csv_rows[0][0] == notice.number and len(batch.csv_rows[0]) == len(batch.csv_header)

    contact = record(world)
    follow_up(world, contact)
    (logged,) = LOG.archive([contact.pk]).records
    assert logged["follow_ups"][0]["description"] == "把车位价格表发给业主"
    contract = contract_of(world)
    contracts.add_clarification(
        actor=world.users["handler_a"],
        contract=contract,
        asked_on=company_today(),
        asked_by="王小明",
        channel="phone",
        question="垃圾清运是否另收费？",
    )
    (agreed,) = CONTRACTS.archive([contract.pk]).records
    assert agreed["clarifications"][0]["question"] == "垃圾清运是否另收费？" and agreed["events"]
    incident = incident_of(world)
    (held,) = PROPERTY.archive([incident.item_id]).records
    assert held["incidents"][0]["number"] == incident.number and held["incidents"][0]["events"]


@pytest.mark.req("D-2")
def test_disposal_removes_exactly_those_records_their_history_and_files_and_twice_does_nothing(
    world, django_capture_on_commit_callbacks
):
    notice = _notice_with_files(world)
    other = published(world)
    files = [
        uploads.path_of(name)
        for name in NoticeAttachment.objects.filter(notice=notice).values_list("file", flat=True)
    ]
    files += [
        uploads.path_of(name)
        for name in NoticeEvidence.objects.filter(notice=notice).values_list("file", flat=True)
    ]
    assert all(path.is_file() for path in files)
    contact, keep = record(world), record(world)
    follow_up(world, contact)
    contract = contract_of(world)
    item = item_of(world)

    with django_capture_on_commit_callbacks(execute=True):
        assert NOTICES.dispose([notice.pk]) == 1
        assert LOG.dispose([contact.pk]) == 1
        assert CONTRACTS.dispose([contract.pk]) == 1
        assert PROPERTY.dispose([item.pk]) == 1

    assert (
        not Notice.objects.filter(pk=notice.pk).exists() and not Notice.history.filter(id=notice.pk).exists()
    )
    assert not NoticeRecipient.objects.filter(notice_id=notice.pk).exists()
    assert not any(path.exists() for path in files)
    assert Notice.objects.filter(pk=other.pk).exists()
    assert HouseholdLink.objects.filter(unit=world.unit_a).exists()  # the other notice still uses it
    assert (
        not Contact.history.filter(id=contact.pk).exists()
        and not ContactFollowUp.history.filter(contact_id=contact.pk).exists()
    )
    assert Contact.objects.filter(pk=keep.pk).exists()
    assert (
        not Contract.history.filter(id=contract.pk).exists()
        and not PropertyItem.history.filter(id=item.pk).exists()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert NOTICES.dispose([notice.pk]) == 0
        assert (
            LOG.dispose([contact.pk]) == CONTRACTS.dispose([contract.pk]) == PROPERTY.dispose([item.pk]) == 0
        )
        assert NOTICES.dispose([other.pk]) == 1
    assert not HouseholdLink.objects.filter(unit=world.unit_a).exists()


@pytest.mark.req("D-3")
def test_the_copy_holds_the_persons_notices_log_contracts_and_property_and_nobody_elses(world):
    notice = _notice_with_files(world)
    contact = record(world)
    contract = contract_of(world)
    item = item_of(world)
    theirs = contract_of(world, "b")

    sections = SOURCE.collect(subject_of(world.customer_a, world.unit_a))

    values = " ".join(value for section in sections for entry in section.entries for _label, value in entry)
    for number in (notice.number, contact.number, contract.number, item.number):
        assert number in values
    assert theirs.number not in values
    other = SOURCE.collect(subject_of(world.customer_b, world.unit_b))
    other_values = " ".join(
        value for section in other for entry in section.entries for _label, value in entry
    )
    assert theirs.number in other_values and contact.number not in other_values


@pytest.mark.req("D-3")
def test_erasure_leaves_nothing_of_theirs_but_what_it_says_it_kept(world):
    customer, handler = world.customer_a, world.users["handler_a"]
    published(world)
    done = record(world, other_people="王小明、李四", summary="王小明（13812341234）询问车位，已答复。")
    log.finish_follow_up(
        actor=handler, contact=done, follow_up=follow_up(world, done), result="已电话告知王小明"
    )
    still_open = record(world, summary="王小明要求下周回电")
    follow_up(world, still_open)
    ended = contract_of(world, signed=True)
    contracts.end_contract(actor=handler, contract=ended, ended_on=company_today())
    running = contract_of(world, signed=True)
    returned = item_of(world)
    PropertyItem.objects.filter(pk=returned.pk).update(notes="王小明本人领取")
    property.return_item(actor=handler, item=returned, returned_at=now(), returned_by="王小明")
    theirs = record(world, counterpart="other", unit=None, other_people="李四", summary="李四来电")

    erasure = SOURCE.erase(subject_of(customer, world.unit_a), now())

    kept = {each.what for each in erasure.kept}
    assert any(still_open.number in each for each in kept) and any(running.number in each for each in kept)
    assert not any(done.number in each or ended.number in each or returned.number in each for each in kept)
    found = [
        each
        for each in traces(names=[customer.name], phones=[customer.phone])
        if each.startswith("communication.")
    ]
    kept_rows = {("contact", still_open.pk), ("contract", running.pk)}
    for trace in found:
        model, pk = trace.split(".")[1], int(trace.split("#")[1].split(" ")[0])
        if model.startswith("historical"):
            history = {"historicalcontact": Contact, "historicalcontract": Contract}[model].history
            model, pk = (
                model.removeprefix("historical"),
                history.filter(history_id=pk).values_list("id", flat=True).get(),
            )
        assert (model, pk) in kept_rows, trace
    done.refresh_from_db()
    assert done.customer_id is None and "询问车位" in done.summary and "13812341234" not in done.summary
    assert Contact.objects.get(pk=theirs.pk).summary == "李四来电"
    assert erasure.erased >= 3
