"""What rectification declares to the records floor (SPEC D-1 … D-3, decision 0048): the
``rectification`` record type — a report with its items, photos, signatures and timelines,
past retention from its last item accepted or cancelled — and the ``rectification`` source of
a person's copy and erasure."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from estatedesk.core import uploads
from estatedesk.core.clock import now
from estatedesk.records.registry import record_type
from estatedesk.records.subjects import Subject, sources
from estatedesk.rectification.models import Item, ItemEvent, ItemPhoto, Report, UnitLink
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import resident, rounds
from estatedesk.rectification.services.items import ItemInput
from estatedesk.rectification.services.resident_messages import link_of_unit
from tests.records.traces import traces
from tests.rectification import conftest as rectification_setup
from tests.rectification.conftest import photo

pytestmark = pytest.mark.django_db
rect = rectification_setup.rect  # the rectification tests' cast, as a fixture here too


@pytest.fixture(autouse=True)
def upload_root(settings: Any, tmp_path: Any) -> Any:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


TYPE = record_type("rectification")
SOURCE = next(each for each in sources() if each.key == "rectification")


def subject_of(customer: Any, unit: Any) -> Subject:
    return Subject(
        customer_ids=frozenset({customer.pk}),
        names=frozenset({customer.name}),
        phones=frozenset({customer.phone}),
        phone_indexes=frozenset({customer.phone_index}),
        unit_ids=frozenset({unit.pk}),
        label="",
    )


def report(rect: Any, title: str) -> Report:
    return item_services.create_report(
        actor=rect.world.users["handler_a"], estate=rect.world.estate_a, title=title
    )


def item_in(rect: Any, of: Report, **changes: Any) -> Item:
    values: dict[str, Any] = {
        "location": "客厅",
        "description": "地砖空鼓",
        "category": "walls",
        "unit": rect.world.unit_a,
    }
    values.update(changes)
    return item_services.add_items(
        actor=rect.world.users["handler_a"], report=of, rows=[ItemInput(**values)]
    )[0]


def accepted(rect: Any, item: Item, *, signature: bool = False) -> Item:
    item = rect.walk(item, "res_check")
    token = link_of_unit(item.unit_id).token
    resident.accept(
        token=token,
        item_id=item.pk,
        signature=photo("sign.png") if signature else None,
        signed_name=rect.world.customer_a.name,
    )
    item.refresh_from_db()
    return item


def cancelled(rect: Any, item: Item) -> Item:
    rounds.cancel(actor=rect.world.users["handler_a"], item=item.pk, reason="重复录入")
    item.refresh_from_db()
    return item


def finished_at(item: Item, when: Any) -> None:
    """Place the item's acceptance or cancellation at ``when``."""
    Item.objects.filter(pk=item.pk, accepted_at__isnull=False).update(accepted_at=when)
    ItemEvent.objects.filter(item=item, kind="cancelled").update(at=when)


@pytest.mark.req("D-1")
def test_a_report_is_past_retention_from_its_last_item_accepted_or_cancelled_and_never_while_one_is_open(
    rect,
):
    cutoff = now() - timedelta(days=30)
    done = report(rect, "已完成")
    first, last = accepted(rect, item_in(rect, done)), cancelled(rect, item_in(rect, done))
    finished_at(first, cutoff - timedelta(days=200))
    finished_at(last, cutoff - timedelta(seconds=1))
    recent = report(rect, "刚完成")
    old, newest = accepted(rect, item_in(rect, recent)), cancelled(rect, item_in(rect, recent))
    finished_at(old, cutoff - timedelta(days=200))
    finished_at(newest, cutoff + timedelta(seconds=1))  # its last item, inside retention
    still_open = report(rect, "仍有未完成")
    finished_at(accepted(rect, item_in(rect, still_open)), cutoff - timedelta(days=200))
    item_in(rect, still_open)  # collected, not yet decided
    rect.walk(rect.item(), "team_fixing")  # the fixture's report: being fixed

    taken = set(TYPE.past_retention(cutoff).values_list("pk", flat=True))

    assert taken == {done.pk}
    assert TYPE.labels([done.pk]) == {done.pk: done.number}
    assert TYPE.find(done.number) == done.pk
    assert TYPE.find(first.number) == done.pk  # an item's number finds its report
    assert TYPE.find("ZG-0000-000000") is None


def _full_report(rect: Any) -> tuple[Report, Item, Item]:
    """A report with a signed acceptance drawn on the phone and a paper acceptance with its scan."""
    of = report(rect, "2025年交付批次")
    signed = accepted(rect, item_in(rect, of), signature=True)
    paper = rect.walk(item_in(rect, of, location="厨房"), "res_check")
    rounds.record_paper_acceptance(
        actor=rect.world.users["handler_a"], item=paper.pk, scan=photo("sheet.jpg"), signed_name="王小明"
    )
    paper.refresh_from_db()
    return of, signed, paper


@pytest.mark.req("D-2")
def test_the_archive_holds_the_report_with_its_items_photos_events_and_the_signature_images(rect):
    of, signed, paper = _full_report(rect)

    batch = TYPE.archive([of.pk])

    (record,) = batch.records
    assert record["number"] == of.number and record["estate"] == rect.world.estate_a.name
    by_number = {item["number"]: item for item in record["items"]}
    assert set(by_number) == {signed.number, paper.number}
    signed_record = by_number[signed.number]
    assert signed_record["signed_name"] == "王小明" and signed_record["acceptance_method"] == "signature"
    assert [event["kind"] for event in signed_record["events"]][-1] == "accepted"
    assert {p["stage"] for p in signed_record["photos"]} == {"completed"}
    assert {p["stage"] for p in by_number[paper.number]["photos"]} == {"completed", "acceptance"}
    members = {member.name: member for member in batch.files}
    signature_member = signed_record["signature_archived_as"]
    assert signature_member.startswith(f"rectification/files/{of.number}/{signed.number}/signature.")
    assert members[signature_member].path == uploads.path_of(signed.signature)
    scan = next(p for p in by_number[paper.number]["photos"] if p["stage"] == "acceptance")
    assert members[scan["archived_as"]].path.is_file()
    assert len(batch.files) == 4  # two photos of the work, the signature, the scan
    (row,) = batch.csv_rows
    assert row[0] == of.number and row[batch.csv_header.index("accepted")] == 2
    assert batch.csv_header == TYPE.archive([]).csv_header


@pytest.mark.req("D-2")
def test_disposal_removes_exactly_the_report_its_history_files_and_left_over_link_and_twice_does_nothing(
    rect, django_capture_on_commit_callbacks
):
    of, signed, paper = _full_report(rect)
    files = [uploads.path_of(signed.signature)] + [
        uploads.path_of(name)
        for name in ItemPhoto.objects.filter(item__report=of).values_list("file", flat=True)
    ]
    assert all(path.is_file() for path in files)
    other = rect.item()  # the fixture's report, same unit
    item_ids = [signed.pk, paper.pk]

    with django_capture_on_commit_callbacks(execute=True):
        assert TYPE.dispose([of.pk]) == 1

    assert not Report.objects.filter(pk=of.pk).exists()
    assert not Item.objects.filter(pk__in=item_ids).exists()
    assert not ItemPhoto.objects.filter(item_id__in=item_ids).exists()
    assert not ItemEvent.objects.filter(item_id__in=item_ids).exists()
    assert not Item.history.filter(id__in=item_ids).exists()
    assert not Report.history.filter(id=of.pk).exists()
    assert not any(path.exists() for path in files)
    assert Item.objects.filter(pk=other.pk).exists() and Report.objects.filter(pk=rect.report.pk).exists()
    assert UnitLink.objects.filter(unit=rect.world.unit_a).exists()  # the unit still has an item

    cancelled(rect, other)  # the fixture's report's only item: that report is over too
    with django_capture_on_commit_callbacks(execute=True):
        assert TYPE.dispose([of.pk]) == 0  # already gone: nothing to do
        assert TYPE.dispose([rect.report.pk]) == 1
    assert not UnitLink.objects.filter(unit=rect.world.unit_a).exists()  # no item left for the link


def _item_b(rect: Any) -> Item:
    handler_b = rect.world.users["handler_b"]
    of = item_services.create_report(actor=handler_b, estate=rect.world.estate_b, title="金山大厦自查")
    return item_services.add_items(
        actor=handler_b,
        report=of,
        rows=[ItemInput(location="前台", description="吊顶渗水", category="walls", unit=rect.world.unit_b)],
    )[0]


@pytest.mark.req("D-3")
def test_the_copy_holds_the_items_of_the_persons_units_with_their_acceptance_and_nobody_elses(rect):
    mine = accepted(rect, rect.item())
    theirs = _item_b(rect)

    sections = SOURCE.collect(subject_of(rect.world.customer_a, rect.world.unit_a))

    values = [value for section in sections for entry in section.entries for _label, value in entry]
    assert mine.number in values and "王小明" in values  # the name signed
    assert theirs.number not in values
    other = SOURCE.collect(subject_of(rect.world.customer_b, rect.world.unit_b))
    other_values = [value for section in other for entry in section.entries for _label, value in entry]
    assert theirs.number in other_values and mine.number not in other_values


def _rectification_traces(customer: Any) -> list[str]:
    found = traces(names=[customer.name], phones=[customer.phone])
    return [each for each in found if each.startswith("rectification.")]


def _item_of_trace(trace: str) -> int:
    """The item a trace is in: "rectification.historicalitem.signed_name #12" → its item's id."""
    label, pk = trace.split(" ")[0], int(trace.split("#")[1].split(" ")[0])
    model = label.split(".")[1]
    if model == "item":
        return pk
    if model == "historicalitem":
        return Item.history.filter(history_id=pk).values_list("id", flat=True).get()
    if model == "itemevent":
        return ItemEvent.objects.filter(pk=pk).values_list("item_id", flat=True).get()
    raise AssertionError(trace)


@pytest.mark.req("D-3")
def test_erasure_leaves_only_open_items_and_signed_acceptances_of_records_within_retention(
    rect, django_capture_on_commit_callbacks
):
    customer = rect.world.customer_a
    # Round one refused with their phone in the objection, round two accepted with a signature.
    signed = rect.walk(rect.item(description="王小明家客厅墙面裂缝"), "res_check")
    token = link_of_unit(rect.world.unit_a.pk).token
    resident.object_to(token=token, item_id=signed.pk, objection="还是裂，请打13812341234找王小明")
    signed = accepted(rect, signed, signature=True)
    dropped = cancelled(rect, rect.item(description="王小明说门铃坏了，电话138-1234-1234"))
    still_open = rect.item(description="王小明反映窗户漏风")
    theirs = _item_b(rect)

    with django_capture_on_commit_callbacks(execute=True):
        erasure = SOURCE.erase(subject_of(customer, rect.world.unit_a), now())

    kept = {number for each in erasure.kept for number in re.findall(r"ZX-\d{4}-\d{6}", each.what)}
    assert kept == {signed.number, still_open.number}
    found = _rectification_traces(customer)
    assert found  # the open item and the signed name are still there, as the erasure says
    assert {_item_of_trace(each) for each in found} <= {signed.pk, still_open.pk}
    assert all(".signed_name" in each for each in found if _item_of_trace(each) == signed.pk)
    dropped.refresh_from_db()
    assert "王小明" not in dropped.description and "门铃坏了" in dropped.description
    signed.refresh_from_db()
    assert signed.objection == "***" and signed.signature  # the signature image is evidence
    assert uploads.path_of(signed.signature).is_file()
    evidence = next(each for each in erasure.kept if signed.number in each.what)
    assert evidence.until is None  # the report still has an open item: kept while it is
    assert Item.objects.get(pk=theirs.pk).description == "吊顶渗水"


@pytest.mark.req("D-3")
def test_a_signed_acceptance_goes_too_once_its_record_is_past_retention(
    rect, django_capture_on_commit_callbacks
):
    customer = rect.world.customer_a
    of = report(rect, "两年前的批次")
    signed = accepted(rect, item_in(rect, of), signature=True)
    signature = uploads.path_of(signed.signature)
    finished_at(signed, now() - timedelta(days=800))

    with django_capture_on_commit_callbacks(execute=True):
        erasure = SOURCE.erase(subject_of(customer, rect.world.unit_a), now())

    assert erasure.kept == [] and erasure.erased == 1
    assert _rectification_traces(customer) == []
    signed.refresh_from_db()
    assert (signed.signed_name, signed.signature) == ("", "")
    assert not signature.exists()
