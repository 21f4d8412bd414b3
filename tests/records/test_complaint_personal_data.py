"""A person's complaints in their copy, and erased on request where nothing stands in the way (SPEC D-3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from estatedesk.complaints import resident, services, uploads
from estatedesk.complaints.models import Attachment, Complaint
from estatedesk.complaints.personal_data import SOURCE
from estatedesk.core import crypto
from estatedesk.core.actors import RESIDENT, SYSTEM
from estatedesk.org import services as org_services
from estatedesk.org.models import Customer
from estatedesk.records.subjects import Subject, sources
from tests.complaints.conftest import _tiny_png, at, category, record
from tests.helpers import frozen_at
from tests.records.traces import traces

pytestmark = [pytest.mark.django_db, pytest.mark.req("D-3")]

NAME, PHONE = "李春華", "13700001111"


def _subject(customer: Customer) -> Subject:
    return Subject(
        customer_ids=frozenset({customer.pk}),
        names=frozenset({customer.name}),
        phones=frozenset({crypto.normalise_phone(customer.phone)}),
        phone_indexes=frozenset({crypto.blind_index(customer.phone)}),
        unit_ids=frozenset(),
        label=crypto.mask_name(customer.name),
    )


def _customer(world: Any, name: str, phone: str) -> Customer:
    return org_services.save_customer(
        actor=SYSTEM,
        customer=Customer(estate=world.estate_a, name=name, kind="owner"),
        phone=phone,
        units=[world.unit_a],
    )


def _closed_through_the_portal(world: Any, customer: Customer) -> Complaint:
    """Sent by the resident through the portal with a photo, answered, rated and visited."""
    handler = world.users["handler_a"]
    with frozen_at(at(2026, 3, 2, 9, 0)):
        c = services.record_complaint(
            actor=RESIDENT,
            data=services.Intake(
                estate=world.estate_a,
                kind="complaint",
                channel="portal",
                category=category(),
                description=f"我是{customer.name}，電話{customer.phone}，樓道燈壞了",
                unit=world.unit_a,
                customer=customer,
                privacy_notice=org_services.current_privacy_notice(),
            ),
            attachments=[SimpleUploadedFile("corridor.png", _tiny_png(), "image/png")],
        )
        resident.add_information(
            actor=RESIDENT, complaint=c, text=f"晚上找{customer.name}，打{customer.phone}"
        )
        services.assess(actor=handler, complaint=c, cause="maintenance", serious=False, urgent=False)
        services.handle(actor=handler, complaint=c, cause_analysis="燈管老化", measures="更換燈管")
        services.reply(actor=handler, complaint=c, content=f"已致電{customer.name}，燈已換好", manner="oral")
        resident.rate(
            actor=RESIDENT, complaint=c, score="basically_satisfied", comment=f"{customer.name}：還可以"
        )
        services.visit(
            actor=handler,
            complaint=c,
            method="phone",
            opinion=f"{customer.name}表示滿意",
            satisfaction="satisfied",
        )
    return Complaint.objects.get(pk=c.pk)


def test_the_copy_holds_the_persons_complaints_and_nobody_elses(world: Any) -> None:
    a, b = _customer(world, NAME, PHONE), _customer(world, "趙大偉", "13900002222")
    mine = _closed_through_the_portal(world, a)
    with frozen_at(at(2026, 3, 3, 9, 0)):
        by_phone = record(
            world, customer=None, complainant_name="李先生", phone=PHONE, description="噪音擾民"
        )
        theirs = record(world, customer=b, description="車位被佔")
    assert [s.key for s in sources()].count("complaints") == 1

    sections = SOURCE.collect(_subject(a))

    text = "\n".join(
        f"{s.title} " + " ".join(f"{label}={value}" for entry in s.entries for label, value in entry)
        for s in sections
    )
    assert mine.number in text and by_phone.number in text
    assert theirs.number not in text and "車位被佔" not in text
    assert "corridor.png" in text  # the photo sent through the portal, by its name
    assert "晚上找" in text  # what was added through the status page
    assert "燈已換好" in text and "表示滿意" in text and "還可以" in text


def test_erasure_leaves_no_name_or_phone_in_closed_complaints_and_keeps_open_ones(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = _customer(world, NAME, PHONE), _customer(world, "趙大偉", "13900002222")
    closed = _closed_through_the_portal(world, a)
    photo = uploads.path_of(Attachment.objects.get(complaint=closed))
    with frozen_at(at(2026, 3, 5, 9, 0)):
        still_open = record(world, customer=a, description="門禁卡失效")
        record(world, customer=b, description="車位被佔")

    with django_capture_on_commit_callbacks(execute=True):
        erasure = SOURCE.erase(_subject(a), at(2026, 4, 1, 9, 0))

    assert erasure.erased == 1
    (kept,) = erasure.kept
    assert kept.what == still_open.number and str(kept.why)
    left = [t for t in traces(names=[NAME], phones=[PHONE]) if t.startswith("complaints.")]
    assert [t for t in left if not _about_open(t, still_open)] == []
    assert not photo.exists()
    closed.refresh_from_db()
    assert closed.customer_id is None and closed.phone_index == ""
    assert closed.reply and closed.measures == "更換燈管"  # the company's handling stays
    assert Complaint.objects.get(pk=still_open.pk).customer_id == a.pk
    # The other customer's complaint is untouched.
    assert traces(names=["趙大偉"], phones=["13900002222"]) != []


def _about_open(trace: str, open_complaint: Complaint) -> bool:
    """The open complaint's own rows (events, history) are kept whole."""
    label, _sep, pk = trace.partition(" #")
    model = label.split(".")[1]
    pk = pk.split(" ")[0]
    if model in ("complaint", "historicalcomplaint"):
        return Complaint.history.model.objects.filter(history_id=pk).filter(
            id=open_complaint.pk
        ).exists() or (model == "complaint" and int(pk) == open_complaint.pk)
    if model == "event":
        from estatedesk.complaints.models import Event

        return Event.objects.filter(pk=pk, complaint=open_complaint).exists()
    return False
