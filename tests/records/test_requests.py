"""Personal-data requests (SPEC D-3): find a customer, hand them a copy of their data, erase it.

The first tests register a finder and two sources of their own (an ``org`` one holding the
customer record, and a complaints-like one), so the request service and its pages are proved
on their own. The end-to-end tests at the bottom use the sources the apps register when they
start (complaints, org, surveys, communication, rectification, notifications).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from estatedesk.complaints import services as complaints
from estatedesk.complaints.models import Category
from estatedesk.core import crypto
from estatedesk.core import pdf as printing
from estatedesk.core.errors import InvalidInput, NotAllowed
from estatedesk.org.models import Customer, Staff
from estatedesk.records import requests as service
from estatedesk.records import subjects
from estatedesk.records.models import DataRequest, PersonalDataAccess, RequestKind
from estatedesk.records.subjects import Candidate, Erasure, Finder, Kept, Section, Source, Subject
from tests.records.traces import traces
from tests.test_i18n_pages import leftovers

pdf_tools = pytest.mark.skipif(
    not printing.pdf_available() or shutil.which("pdftotext") is None,
    reason="WeasyPrint or poppler's pdftotext is not installed",
)

NAME_A, PHONE_A = "王小明", "13812341234"
NAME_B, PHONE_B = "金山科技有限公司", "13987654321"


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    result = subprocess.run(  # noqa: S603 - fixed program
        ["pdftotext", "-layout", "-", "-"],  # noqa: S607
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8")


# --- A finder and sources of the test's own -------------------------------------------------------


def _candidate(c: Customer) -> Candidate:
    return Candidate(
        customer_id=c.pk,
        name=c.name,
        masked_phone=crypto.mask_phone(c.phone),
        estate=c.estate.name,
        units=tuple(u.number for u in c.units.all()),
        kind=c.kind,
    )


def _search(user: Any, *, name: str = "", unit: str = "", phone: str = "") -> list[Candidate]:
    found = Customer.objects.select_related("estate").order_by("pk")
    if name:
        found = found.filter(name__contains=name)
    if unit:
        found = found.filter(units__number__contains=unit)
    if phone:
        found = found.filter(phone_index=crypto.blind_index(phone))
    return [_candidate(c) for c in found]


def _subject(ids: Sequence[int]) -> Subject:
    customers = list(Customer.objects.filter(pk__in=ids).prefetch_related("units"))
    if len(customers) != len(set(ids)):
        raise Customer.DoesNotExist
    return Subject(
        customer_ids=frozenset(c.pk for c in customers),
        names=frozenset(c.name for c in customers),
        phones=frozenset(c.phone for c in customers),
        phone_indexes=frozenset(c.phone_index for c in customers),
        unit_ids=frozenset(u.pk for c in customers for u in c.units.all()),
        label=" / ".join(
            f"{crypto.mask_name(c.name)} · {'、'.join(u.number for u in c.units.all())}" for c in customers
        ),
    )


class Recorder:
    """What the sources were asked, in order, and whether the database was inside a transaction."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []


def _org_source(recorder: Recorder) -> Source:
    def collect(subject: Subject) -> list[Section]:
        recorder.calls.append(("collect", "org"))
        section = Section(title="Customer record")
        for c in Customer.objects.filter(pk__in=subject.customer_ids).order_by("pk"):
            section.entries.append([("Name", c.name), ("Phone", c.phone), ("Kind", c.kind)])
        return [section]

    def erase(subject: Subject, now: datetime) -> Erasure:
        recorder.calls.append(("erase", "org"))
        assert connection.in_atomic_block
        changed = 0
        for c in Customer.objects.filter(pk__in=subject.customer_ids):
            c.name = "已删除"
            c.set_phone("")
            c.save()
            changed += 1
        return Erasure(erased=changed)

    return Source(key="org", label="Customers", collect=collect, erase=erase, order=1)


def _complaints_source(recorder: Recorder) -> Source:
    def collect(subject: Subject) -> list[Section]:
        recorder.calls.append(("collect", "complaints"))
        return [
            Section(
                title="Complaints",
                entries=[
                    [("Number", "TS-2026-000007"), ("What happened", "3栋电梯停运两天")],
                    [("Number", "TS-2026-000009"), ("What happened", "楼道灯不亮")],
                ],
            ),
            Section(title="Visits"),
        ]

    def erase(subject: Subject, now: datetime) -> Erasure:
        recorder.calls.append(("erase", "complaints"))
        # Still in the same transaction as the source that erased before it, whichever that was.
        assert connection.in_atomic_block
        return Erasure(
            erased=2,
            kept=[Kept(what="投诉 TS-2026-000009", why="Still being handled", until=date(2028, 6, 30))],
        )

    return Source(key="complaints", label="Complaints", collect=collect, erase=erase, order=50)


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch, world: Any) -> Recorder:
    recorder = Recorder()
    monkeypatch.setattr(subjects, "_FINDER", [Finder(search=_search, subject=_subject)])
    monkeypatch.setattr(
        subjects, "_SOURCES", {"org": _org_source(recorder), "complaints": _complaints_source(recorder)}
    )
    return recorder


def _stored(row: DataRequest) -> str:
    """Everything the request's record holds, as text."""
    return json.dumps(
        {f.attname: str(getattr(row, f.attname)) for f in DataRequest._meta.concrete_fields},
        ensure_ascii=False,
    )


def _choice(world: Any, **extra: Any) -> dict[str, Any]:
    return {
        "name": "",
        "unit": "",
        "phone": PHONE_A,
        "customers": [world.customer_a.pk],
        "received_via": "in_person",
        **extra,
    }


# --- Finding the customer -----------------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_a_customer_is_found_by_whole_phone_number_name_or_unit(recorder, world):
    admin = world.users["admin"]
    assert [c.customer_id for c in service.find(admin, phone="138-1234-1234")] == [world.customer_a.pk]
    assert [c.customer_id for c in service.find(admin, name="王小")] == [world.customer_a.pk]
    assert [c.customer_id for c in service.find(admin, unit="2001")] == [world.customer_b.pk]
    (found,) = service.find(admin, phone=PHONE_A)
    assert found.masked_phone == "138****1234"


@pytest.mark.req("D-3")
@pytest.mark.parametrize(
    ("phone", "says"),
    [("1381234", "11"), ("138****1234", "masked"), ("13812341234x", "digits"), ("23456", "7 to 12")],
)
def test_only_a_whole_phone_number_is_searched(recorder, world, phone, says):
    with pytest.raises(InvalidInput) as error, translation.override("en"):
        service.find(world.users["admin"], phone=phone)
    assert says in str(error.value.message) and error.value.field == "phone"


@pytest.mark.req("D-3")
def test_a_search_needs_at_least_one_detail(recorder, world):
    with pytest.raises(InvalidInput):
        service.find(world.users["admin"], name="  ", unit="", phone="")


# --- The copy ----------------------------------------------------------------------------------------


@pdf_tools
@pytest.mark.req("D-3")
def test_the_copy_is_one_pdf_with_a_cover_and_a_chapter_per_source(recorder, world):
    request, data, filename = service.export(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="in_person"
    )
    text = pdf_text(data)
    assert filename == f"{request.number}.pdf" and request.number.startswith("PD-")
    # The cover: the company, what the file is, the request and who made it.
    assert "測試物業" in text and request.number in text and "admin" in text
    # One chapter per source, the customer's own record first, every entry as label: value.
    assert text.index("Customers") < text.index("Complaints")
    assert NAME_A in text and PHONE_A in text
    assert "TS-2026-000007" in text and "3栋电梯停运两天" in text and "楼道灯不亮" in text
    assert NAME_B not in text and PHONE_B not in text


@pytest.mark.req("D-3")
def test_the_export_is_recorded_with_its_sections_and_logged_but_the_file_is_not_kept(recorder, world):
    request, _data, _filename = service.export(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="phone"
    )
    request.refresh_from_db()
    assert request.kind == RequestKind.EXPORT and request.handled_by == world.users["admin"]
    assert request.customer_ids == [world.customer_a.pk] and request.received_via == "phone"
    assert request.outcome == {"sections": {"Customer record": 1, "Complaints": 2, "Visits": 0}}
    assert request.subject_label == "王*明 · 1201"
    assert NAME_A not in _stored(request) and PHONE_A not in _stored(request)
    (access,) = PersonalDataAccess.objects.filter(reason=request.number)
    assert access.user == world.users["admin"] and access.field == "all personal data"
    assert access.subject_type == "records.datarequest" and access.subject_id == request.pk
    # Nothing was written but the request and the access: the customer is untouched.
    assert Customer.objects.get(pk=world.customer_a.pk).name == NAME_A


@pytest.mark.req("D-3")
def test_the_request_record_refuses_the_customer_s_name_or_number_as_how_it_came(recorder, world):
    with pytest.raises(InvalidInput) as error:
        service.export(
            actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via=f"{NAME_A}来电"
        )
    assert error.value.field == "received_via" and not DataRequest.objects.exists()


@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["auditor", "gm", "handler_a"])
def test_only_an_administrator_acts_on_a_request(recorder, world, persona):
    for act in (service.export, service.erase):
        with pytest.raises(NotAllowed):
            act(actor=world.users[persona], customer_ids=[world.customer_a.pk], received_via="phone")
    assert not DataRequest.objects.exists() and recorder.calls == []


# --- The erasure -------------------------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_erasure_asks_every_source_once_the_customer_record_last_and_records_what_was_kept(recorder, world):
    request = service.erase(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="letter"
    )
    assert recorder.calls == [("erase", "complaints"), ("erase", "org")]
    request.refresh_from_db()
    assert request.kind == RequestKind.ERASE and request.subject_label == "王*明 · 1201"
    assert request.outcome == {
        "erased": {"complaints": 2, "org": 1},
        "kept": [
            {
                "what": "投诉 TS-2026-000009",
                "why": "Still being handled",
                "until": "2028-06-30",
                "source": "complaints",
            }
        ],
    }
    assert traces(names=[NAME_A], phones=[PHONE_A], skip=("org.historicalcustomer",)) == []
    assert Customer.objects.get(pk=world.customer_b.pk).name == NAME_B


@pytest.mark.req("D-3")
def test_a_source_that_fails_undoes_the_whole_erasure(recorder, world, monkeypatch):
    def broken(subject: Subject, now: datetime) -> Erasure:
        raise RuntimeError("disk full")

    # Runs after the complaints source and before the customer record: both must be undone.
    subjects._SOURCES["notices"] = Source(key="notices", label="Notices", collect=lambda s: [], erase=broken)
    # The complaints source writes something this time, to see it undone.
    written = subjects._SOURCES["complaints"]

    def writes(subject: Subject, now: datetime) -> Erasure:
        Customer.objects.filter(pk__in=subject.customer_ids).update(notes="erased by complaints")
        return written.erase(subject, now)

    monkeypatch.setitem(
        subjects._SOURCES,
        "complaints",
        Source(key="complaints", label="Complaints", collect=written.collect, erase=writes, order=50),
    )
    with pytest.raises(service.SourceFailed) as error:
        service.erase(actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="letter")
    assert "Notices" in str(error.value.message) and "disk full" not in str(error.value.message)
    customer = Customer.objects.get(pk=world.customer_a.pk)
    assert customer.name == NAME_A and customer.phone == PHONE_A and customer.notes == ""
    assert not DataRequest.objects.exists()
    assert ("erase", "org") not in recorder.calls


# --- The pages ---------------------------------------------------------------------------------------


@pytest.mark.req("D-3")
def test_the_administrator_finds_the_customer_by_a_search_sent_by_post(recorder, world):
    client = world.client("admin")
    page = client.get(reverse("records:request_new"))
    assert page.status_code == 200
    form = re.search(r'<form method="(\w+)" action="[^"]*" [^>]*id="request-search"', page.content.decode())
    assert form and form.group(1) == "post"
    found = client.post(reverse("records:request_new"), {"phone": PHONE_A})
    html = found.content.decode()
    assert found.status_code == 200 and found["Cache-Control"].count("no-store")
    assert "138****1234" in html and 'id="export-button"' in html and 'id="erase-button"' in html
    assert NAME_B not in html


@pytest.mark.req("D-3")
def test_export_from_the_page_downloads_the_copy_at_once(recorder, world):
    response = world.client("admin").post(reverse("records:request_export"), _choice(world))
    assert response.status_code == 200
    request = DataRequest.objects.get()
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{request.number}.{"pdf" if printing.pdf_available() else "html"}"'
    )
    assert "no-store" in response["Cache-Control"]
    assert PHONE_A not in response["Content-Disposition"]


@pytest.mark.req("D-3")
def test_erasure_from_the_page_is_confirmed_with_a_typed_word_first(recorder, world):
    client = world.client("admin")
    asked = client.post(reverse("records:request_erase"), _choice(world))
    html = asked.content.decode()
    assert asked.status_code == 200 and 'id="erase-confirm"' in html
    assert "Customers" in html and "Complaints" in html  # what will be searched and erased
    assert recorder.calls == [] and not DataRequest.objects.exists()

    wrong = client.post(reverse("records:request_erase"), _choice(world, confirm="yes"))
    assert wrong.status_code == 422 and recorder.calls == [] and not DataRequest.objects.exists()
    assert 'value="yes"' in wrong.content.decode()

    done = client.post(reverse("records:request_erase"), _choice(world, confirm="erase"))
    request = DataRequest.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse(
        "records:request_detail", args=[request.pk]
    )
    assert PHONE_A not in done["Location"]
    detail = client.get(done["Location"]).content.decode()
    assert "投诉 TS-2026-000009" in detail and "Still being handled" in detail and "2028-06-30" in detail
    assert NAME_A not in detail and PHONE_A not in detail


@pytest.mark.req("D-3")
def test_the_list_shows_every_request_masked(recorder, world):
    service.export(actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="phone")
    service.erase(actor=world.users["admin"], customer_ids=[world.customer_b.pk], received_via="letter")
    html = world.client("admin").get(reverse("records:request_list")).content.decode()
    assert html.count('class="request-row"') == 2
    assert "王*明 · 1201" in html and NAME_A not in html and PHONE_A not in html
    assert 'id="new-request"' in html


@pytest.mark.req("D-3")
def test_the_list_s_queries_do_not_grow_with_its_rows(recorder, world):
    client = world.client("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("records:request_list")).status_code == 200
        return len(captured)

    service.export(actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="phone")
    queries()  # the first page of the session also saves the session
    few = queries()
    for _ in range(12):
        service.export(actor=world.users["admin"], customer_ids=[world.customer_b.pk], received_via="phone")
    assert queries() == few


@pytest.mark.req("D-3")
def test_auditors_read_the_requests_but_cannot_act(recorder, world):
    request = service.erase(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="letter"
    )
    recorder.calls.clear()
    client = world.client("auditor")
    listing = client.get(reverse("records:request_list"))
    assert listing.status_code == 200 and request.number in listing.content.decode()
    assert 'id="new-request"' not in listing.content.decode()
    detail = client.get(reverse("records:request_detail", args=[request.pk]))
    assert detail.status_code == 200 and "投诉 TS-2026-000009" in detail.content.decode()
    new = client.get(reverse("records:request_new")).content.decode()
    assert 'id="request-search"' not in new and 'id="export-button"' not in new
    for name in ("records:request_new", "records:request_export", "records:request_erase"):
        assert client.post(reverse(name), _choice(world, confirm="erase")).status_code == 403
    assert recorder.calls == [] and DataRequest.objects.count() == 1


@pytest.mark.req("D-3")
@pytest.mark.parametrize("persona", ["gm", "handler_a", "deputy_gm"])
def test_other_staff_are_refused_every_request_page(recorder, world, persona):
    request = service.export(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="phone"
    )[0]
    client = world.client(persona)
    assert client.get(reverse("records:request_list")).status_code == 403
    assert client.get(reverse("records:request_detail", args=[request.pk])).status_code == 403
    assert client.post(reverse("records:request_export"), _choice(world)).status_code == 403
    assert client.post(reverse("records:request_erase"), _choice(world, confirm="erase")).status_code == 403


@pytest.mark.req("D-3")
def test_a_part_of_a_phone_number_is_422_with_the_form_kept(recorder, world):
    response = world.client("admin").post(reverse("records:request_new"), {"name": "王", "phone": "138123"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="138123"' in html and 'value="王"' in html and "11" in html
    assert 'id="candidates"' not in html


@pytest.mark.req("D-3")
def test_an_empty_search_is_422_with_a_message(recorder, world):
    response = world.client("admin").post(
        reverse("records:request_new"), {"name": "", "unit": "", "phone": ""}
    )
    assert response.status_code == 422 and "alert-danger" in response.content.decode()


@pytest.mark.req("D-3")
@pytest.mark.parametrize(
    "change",
    [
        {"customers": []},
        {"customers": ["abc"]},
        {"customers": ["999999999"]},  # not among the customers found
        {"received_via": ""},
        {"received_via": "pigeon"},
    ],
)
def test_a_bad_choice_is_422_with_the_search_and_its_results_kept(recorder, world, change):
    for name in ("records:request_export", "records:request_erase"):
        response = world.client("admin").post(reverse(name), _choice(world, **change))
        html = response.content.decode()
        assert response.status_code == 422, name
        assert f'value="{PHONE_A}"' in html and "138****1234" in html and 'id="candidates"' in html
    assert not DataRequest.objects.exists() and recorder.calls == []


@pytest.mark.req("D-3")
def test_a_customer_from_another_search_cannot_be_slipped_in(recorder, world):
    response = world.client("admin").post(
        reverse("records:request_export"), _choice(world, customers=[world.customer_b.pk])
    )
    assert response.status_code == 422 and not DataRequest.objects.exists()


# --- End to end, with the sources the apps register (complaints, org, surveys, communication,
# rectification, notifications). These need every app's personal_data.py merged.


def _closed_complaint(world: Any, customer: Customer, unit: Any, description: str) -> Any:
    handler = (
        world.users["handler_a"] if customer.estate_id == world.estate_a.pk else world.users["handler_b"]
    )
    complaint = complaints.record_complaint(
        actor=handler,
        data=complaints.Intake(
            estate=customer.estate,
            kind="complaint",
            channel="phone",
            category=Category.objects.get(code="repairs"),
            description=description,
            unit=unit,
            customer=customer,
        ),
    )
    complaint = complaints.assess(
        actor=handler, complaint=complaint, cause="unfounded", serious=False, urgent=False
    )
    complaint = complaints.reply(
        actor=handler, complaint=complaint, content="经查，非物业原因", manner="oral"
    )
    return complaints.close(actor=handler, complaint=complaint)


@pdf_tools
@pytest.mark.req("D-3")
def test_end_to_end_the_copy_of_one_customer_holds_their_complaints_and_nobody_else_s(world):
    own = _closed_complaint(world, world.customer_a, world.unit_a, "3栋电梯停运两天")
    other = _closed_complaint(world, world.customer_b, world.unit_b, "写字楼空调不制冷")
    (found,) = service.find(world.users["admin"], phone=PHONE_A)
    request, data, _filename = service.export(
        actor=world.users["admin"], customer_ids=[found.customer_id], received_via="in_person"
    )
    text = pdf_text(data)
    assert own.number in text and "3栋电梯停运两天" in text and NAME_A in text
    assert other.number not in text and "写字楼空调不制冷" not in text
    assert NAME_B not in text and PHONE_B not in text
    assert request.outcome["sections"] and all(
        isinstance(n, int) for n in request.outcome["sections"].values()
    )


@pytest.mark.req("D-3")
def test_end_to_end_erasure_leaves_no_name_or_phone_of_theirs_anywhere(world):
    _closed_complaint(world, world.customer_a, world.unit_a, "3栋电梯停运两天")
    other = _closed_complaint(world, world.customer_b, world.unit_b, "写字楼空调不制冷")
    assert traces(names=[NAME_A], phones=[PHONE_A])  # they are there before
    request = service.erase(
        actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="letter"
    )
    # The database, the history tables and the blind index: nothing of theirs is left.
    assert traces(names=[NAME_A], phones=[PHONE_A]) == []
    assert request.kind == RequestKind.ERASE
    # The other customer and their complaint are untouched.
    assert Customer.objects.get(pk=world.customer_b.pk).name == NAME_B
    assert traces(names=[NAME_B], phones=[PHONE_B])
    assert type(other).objects.filter(pk=other.pk).exists()


@pytest.mark.req("D-3")
@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
def test_the_request_pages_show_no_english_in_chinese(recorder, world, language):
    Staff.objects.filter(user=world.users["admin"]).update(display_name="管理员")
    # The test's own sources speak English; only the product's words are read.
    test_data = {"Customers", "Complaints", "Still being handled", "Customer record", "Visits", "owner"}
    service.export(actor=world.users["admin"], customer_ids=[world.customer_a.pk], received_via="phone")
    erased = service.erase(
        actor=world.users["admin"], customer_ids=[world.customer_b.pk], received_via="letter"
    )
    client = world.client("admin")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = {
        "list": client.get(reverse("records:request_list")),
        "detail": client.get(reverse("records:request_detail", args=[erased.pk])),
        "found": client.post(reverse("records:request_new"), {"unit": "1201"}),
        "confirm": client.post(reverse("records:request_erase"), _choice(world, phone="", unit="1201")),
        "bad": client.post(reverse("records:request_new"), {"phone": "138"}),
    }
    found = {}
    for name, response in pages.items():
        assert response.status_code in (200, 422), name
        assert f'lang="{language}"' in response.content.decode()
        bits = [b for b in leftovers(response.content.decode()) if not any(t in b for t in test_data)]
        if bits:
            found[name] = bits
    assert found == {}
