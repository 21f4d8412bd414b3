"""What the complaints app declares to the records floor: closed complaints with everything
attached, work notices and weekly reviews; their retention, archive and disposal (SPEC D-1, D-2)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from estatedesk.complaints import papers, resident, services, uploads
from estatedesk.complaints.models import (
    Attachment,
    Complaint,
    Event,
    ResidentRating,
    Signature,
    TransferSlip,
    Visit,
    WorkNotice,
)
from estatedesk.core.actors import RESIDENT
from estatedesk.records.registry import record_type
from estatedesk.reports import services as report_services
from estatedesk.reports.models import MonthlyReport
from tests.complaints.conftest import _tiny_png, at, record
from tests.helpers import frozen_at

pytestmark = [pytest.mark.django_db]


def closed_complaint(world: Any, when: Any, **overrides: Any) -> Complaint:
    """A valid complaint handled with every paper: a file, a decided slip with its notice
    verified, a reply the resident rated, and the satisfied visit that closes it at ``when``."""
    handler, head = world.users["handler_a"], world.users["office_head_a"]
    with frozen_at(when - timedelta(hours=6)):
        c = record(world, **overrides)
        uploads.store(
            complaint=c, upload=SimpleUploadedFile("lift.png", _tiny_png(), "image/png"), actor=handler
        )
        services.assess(actor=handler, complaint=c, cause="maintenance", serious=False, urgent=False)
        slip = papers.raise_slip(actor=handler, complaint=c, matter="需更換主機")
        papers.sign_slip(actor=head, slip=slip, opinion="同意更換", decision="decide")
        notice = papers.issue_notice(
            actor=head, department=world.office_a, task="更換主機", due_at=when + timedelta(days=2), slip=slip
        )
        papers.report_notice(actor=handler, notice=notice, report="已更換")
        papers.verify_notice(actor=head, notice=notice, accepted=True, verification="已驗收")
        services.handle(actor=handler, complaint=c, cause_analysis="主機老化", measures="更換主機")
        services.reply(actor=handler, complaint=c, content="已修復", manner="oral")
        resident.rate(actor=RESIDENT, complaint=c, score="satisfied", comment="謝謝")
    with frozen_at(when):
        services.visit(actor=handler, complaint=c, method="phone", opinion="滿意", satisfaction="satisfied")
    return Complaint.objects.get(pk=c.pk)


def _history_count(model: Any, **filters: Any) -> int:
    return int(model.history.model.objects.filter(**filters).count())


@pytest.mark.req("D-1")
def test_a_complaint_closed_before_the_cutoff_is_past_retention_and_open_or_later_ones_are_not(
    world: Any,
) -> None:
    complaints = record_type("complaints")
    assert complaints is not None and str(complaints.owner)
    cutoff = at(2024, 3, 11, 0, 0)
    before = closed_complaint(world, at(2024, 3, 10, 23, 59))
    after = closed_complaint(world, at(2024, 3, 11, 0, 1))
    with frozen_at(at(2024, 3, 1, 10, 0)):
        still_open = record(world)  # received long before, never closed

    found = set(complaints.past_retention(cutoff).values_list("pk", flat=True))

    assert before.pk in found
    assert after.pk not in found and still_open.pk not in found


@pytest.mark.req("D-1")
def test_a_closed_lead_is_kept_while_its_duplicate_is_open(world: Any) -> None:
    lead = closed_complaint(world, at(2024, 3, 1, 10, 0))
    with frozen_at(at(2024, 3, 1, 12, 0)):
        duplicate = record(world, description="同一部電梯")
        services.link(actor=world.users["handler_a"], complaint=duplicate, lead=lead)
    complaints = record_type("complaints")
    assert complaints is not None

    assert lead.pk not in set(complaints.past_retention(at(2026, 3, 1, 0, 0)).values_list("pk", flat=True))


@pytest.mark.req("D-2")
def test_the_archive_holds_each_complaint_with_its_parts_and_files(world: Any) -> None:
    c = closed_complaint(world, at(2024, 3, 10, 10, 0))
    complaints = record_type("complaints")
    assert complaints is not None

    batch = complaints.archive([c.pk])

    (data,) = batch.records
    assert data["id"] == c.pk and data["number"] == c.number
    # Labels in the company's language (Simplified Chinese here), whatever the reader's.
    assert data["kind"] == {"code": "complaint", "label": "投诉"}
    assert data["closed_at"].startswith("2024-03-10T10:00:00")
    assert {e["action"]["code"] for e in data["events"]} >= {"record", "assess", "raise_slip", "reply"}
    assert len(data["slips"]) == 1 and data["slips"][0]["signatures"][0]["opinion"] == "同意更換"
    assert data["notices"][0]["task"] == "更換主機"
    assert data["visits"][0]["opinion"] == "滿意"
    assert data["resident_ratings"][0]["comment"] == "謝謝"
    assert data["attachments"][0]["original_name"] == "lift.png"
    # The archive outlives the record's retention: contact details only masked.
    assert data["contact_phone"] == "138****1234" and "13812341234" not in str(data)
    assert "portal_token" not in data and "phone_index" not in data
    row = dict(zip(batch.csv_header, batch.csv_rows[0], strict=True))
    assert row["number"] == c.number and row["contact_phone"] == "138****1234" and row["slips"] == 1
    (photo,) = batch.files
    assert photo.name.startswith(f"complaints/files/{c.number}/") and photo.name.endswith("lift.png")
    assert photo.path is not None and photo.path.read_bytes()[:4] == b"\x89PNG"
    assert complaints.labels([c.pk]) == {c.pk: c.number}
    assert complaints.find(c.number.lower()) == c.pk and complaints.find("TS-1999-000001") is None


@pytest.mark.req("D-2")
def test_disposal_deletes_exactly_those_complaints_with_their_parts_history_and_files(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gone = closed_complaint(world, at(2024, 3, 10, 10, 0))
    kept = closed_complaint(world, at(2024, 3, 12, 10, 0))
    file = uploads.path_of(gone.attachments.get())
    slip_ids = list(gone.slips.values_list("pk", flat=True))
    assert file.is_file() and _history_count(Complaint, id=gone.pk) > 0
    complaints = record_type("complaints")
    assert complaints is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert complaints.dispose([gone.pk]) == 1

    assert not Complaint.objects.filter(pk=gone.pk).exists()
    for model in (Event, Visit, ResidentRating, Attachment, TransferSlip, WorkNotice):
        assert not model.objects.filter(complaint_id=gone.pk).exists(), model
    assert not Signature.objects.filter(slip_id__in=slip_ids).exists()
    assert _history_count(Complaint, id=gone.pk) == 0
    for model in (Visit, ResidentRating, TransferSlip, WorkNotice):
        assert _history_count(model, complaint_id=gone.pk) == 0, model
    assert not file.exists()
    # The other one is whole.
    assert Complaint.objects.filter(pk=kept.pk).exists()
    assert kept.events.exists() and kept.slips.exists() and kept.notices.exists()
    assert uploads.path_of(kept.attachments.get()).is_file()
    # Again: nothing more to do.
    with django_capture_on_commit_callbacks(execute=True):
        assert complaints.dispose([gone.pk]) == 0
    assert Complaint.objects.filter(pk=kept.pk).exists()


@pytest.mark.req("D-2")
def test_a_duplicate_kept_longer_loses_only_its_link_to_a_disposed_lead(world: Any) -> None:
    lead = closed_complaint(world, at(2024, 3, 1, 10, 0))
    duplicate = closed_complaint(world, at(2024, 3, 5, 10, 0))
    Complaint.objects.filter(pk=duplicate.pk).update(lead=lead)
    complaints = record_type("complaints")
    assert complaints is not None

    assert complaints.dispose([lead.pk]) == 1

    duplicate.refresh_from_db()
    assert duplicate.lead_id is None


@pytest.mark.req("D-2")
def test_work_notices_of_their_own_and_weekly_reviews_are_declared(world: Any) -> None:
    head = world.users["office_head_a"]
    with frozen_at(at(2024, 3, 4, 9, 0)):
        notice = papers.issue_notice(
            actor=head, department=world.office_a, task="巡查電梯", due_at=at(2024, 3, 6, 9, 0)
        )
        papers.report_notice(actor=world.users["handler_a"], notice=notice, report="已巡查")
        papers.verify_notice(actor=head, notice=notice, accepted=True, verification="合格")
        review = papers.review_week(
            actor=head, department=world.office_a, week_start=at(2024, 3, 4, 0, 0).date()
        )
    with frozen_at(at(2024, 3, 4, 9, 0)):
        open_notice = papers.issue_notice(
            actor=head, department=world.office_a, task="巡查水泵", due_at=at(2024, 3, 6, 9, 0)
        )
    notices, reviews = record_type("work_notices"), record_type("weekly_reviews")
    assert notices is not None and reviews is not None
    cutoff = at(2026, 3, 5, 0, 0)

    assert list(notices.past_retention(cutoff).values_list("pk", flat=True)) == [notice.pk]
    assert open_notice.pk not in set(notices.past_retention(cutoff).values_list("pk", flat=True))
    assert notices.archive([notice.pk]).records[0]["verification"] == "合格"
    assert notices.find(notice.number) == notice.pk
    assert list(reviews.past_retention(cutoff).values_list("pk", flat=True)) == [review.pk]
    assert reviews.archive([review.pk]).csv_rows[0][1] == world.office_a.name

    assert notices.dispose([notice.pk]) == 1 and reviews.dispose([review.pk]) == 1
    assert not WorkNotice.objects.filter(pk=notice.pk).exists()
    assert _history_count(WorkNotice, id=notice.pk) == 0
    assert notices.dispose([notice.pk]) == 0 and reviews.dispose([review.pk]) == 0


# --- A frozen monthly report stays right when its complaints are gone --------------------------


def _page_figures(html: str) -> list[str]:
    """The figures in the report's tables, as the page shows them."""
    body = html.split("<main", 1)[-1]
    return re.findall(r"<td[^>]*>\s*([0-9][0-9.,%]*)\s*</td>", body)


@pytest.mark.req("D-2")
def test_a_frozen_monthly_report_keeps_its_figures_after_its_complaints_are_disposed_of(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    month = [
        closed_complaint(world, at(2026, 3, 10, 10, 0)),
        closed_complaint(world, at(2026, 3, 12, 10, 0), kind="complaint"),
    ]
    with frozen_at(at(2026, 3, 20, 10, 0)):
        month.append(record(world, description="垃圾未清運"))  # still open at the month's end
        enquiry = record(world, kind="enquiry", immediate_reply="物業費按月繳納")
        services.close(actor=world.users["handler_a"], complaint=enquiry)
    with frozen_at(at(2026, 4, 1, 0, 30)):
        report_services.draft_month(year=2026, month=3, department=world.office_a)
    report = MonthlyReport.objects.get(department=world.office_a, year=2026, month=3)
    with frozen_at(at(2026, 4, 3, 10, 0)):
        report = report_services.submit(
            actor=world.users["office_head_a"], report=report, analysis="維修類為主"
        )
    url = reverse("reports:monthly_detail", args=[report.pk])
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["deputy_gm"])
    with frozen_at(at(2026, 4, 4, 9, 0)):
        before_page = client.get(url)
    figures = dict(report.figures)
    assert figures["received"] >= 3
    ids = list(Complaint.objects.filter(department=world.office_a).values_list("pk", flat=True))
    complaints = record_type("complaints")
    assert complaints is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert complaints.dispose(ids) == len(ids)

    assert not Complaint.objects.filter(department=world.office_a).exists()
    report.refresh_from_db()
    assert report.figures == figures
    with frozen_at(at(2026, 4, 4, 9, 0)):
        after_page = client.get(url)
    assert before_page.status_code == after_page.status_code == 200
    shown = _page_figures(before_page.content.decode())
    assert shown and str(figures["received"]) in shown
    assert _page_figures(after_page.content.decode()) == shown


@pytest.mark.req("D-2")
def test_a_complaint_with_nothing_attached_is_disposed_of_too(world: Any) -> None:
    """No slip, notice, visit or file: every "delete the parts" step finds nothing (found by the
    benchmark, whose complaints have only their timelines)."""
    with frozen_at(at(2024, 3, 1, 10, 0)):
        bare = record(world)
    complaints = record_type("complaints")
    assert complaints is not None

    assert complaints.dispose([bare.pk]) == 1
    assert not Complaint.objects.filter(pk=bare.pk).exists()
