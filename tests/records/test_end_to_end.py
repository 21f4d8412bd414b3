"""The disposal job over the apps' real record types, as the monthly schedule runs it (SPEC D-1, D-2).

The other modules prove each part (the engine with a test type, each app's type on its own);
this one runs them together: complaints two years and a day after closing go into the archive
and out of the database, with their timelines and files; one closed a day later stays; a held
one stays; the archive verifies and holds each complaint's record.
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

import pytest

from estatedesk.complaints.models import Attachment, Complaint, Event
from estatedesk.core.actors import SYSTEM
from estatedesk.core.uploads import path_of
from estatedesk.records import archive, disposal, holds
from estatedesk.records.models import DisposalEntry, RunStatus, RunTrigger
from tests.complaints.conftest import at
from tests.records.test_complaint_records import closed_complaint

pytestmark = [pytest.mark.django_db]


@pytest.mark.req("D-1")
@pytest.mark.req("D-2")
def test_the_monthly_job_archives_and_disposes_of_complaints_past_retention_and_keeps_the_rest(
    world: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # Closed on 10 March 2024 (Shanghai) → kept through 10 March 2026; on 11 March it goes.
    gone = closed_complaint(world, at(2024, 3, 10, 23, 59))
    held = closed_complaint(world, at(2024, 3, 9, 10, 0))
    kept = closed_complaint(world, at(2024, 3, 11, 0, 1))
    files = [
        path_of(name)
        for name in Attachment.objects.filter(complaint=gone).values_list("stored_name", flat=True)
    ]
    assert files and all(p.exists() for p in files)
    holds.place_hold(
        actor=world.users["admin"], record_type="complaints", label=held.number, reason="诉讼证据保全"
    )

    with django_capture_on_commit_callbacks(execute=True):
        run = disposal.dispose_past_retention(
            actor=SYSTEM, trigger=RunTrigger.SCHEDULE, now=at(2026, 3, 11, 0, 30)
        )

    assert run.status == RunStatus.DONE
    assert not Complaint.objects.filter(pk=gone.pk).exists()
    assert not Event.objects.filter(complaint_id=gone.pk).exists()
    assert Complaint.objects.filter(pk__in=[held.pk, kept.pk]).count() == 2
    assert all(not p.exists() for p in files)
    entries = DisposalEntry.objects.filter(run=run, record_type="complaints")
    assert [(e.record_label, e.disposed_at is not None) for e in entries] == [(gone.number, True)]
    assert run.counts["complaints"]["disposed"] == 1

    path = disposal.archive_path(run)
    assert archive.verify(path) == []
    with zipfile.ZipFile(path) as z:
        member = next(n for n in z.namelist() if n.startswith("complaints/") and n.endswith(".json"))
        records = json.loads(z.read(member))
        assert [r["number"] for r in records] == [gone.number]
        assert records[0]["events"], "the complaint's timeline travels with it"
        assert any(n.startswith("complaints/") and n.endswith(".csv") for n in z.namelist())
        assert any("/files/" in n for n in z.namelist()), "its photo is in the archive"

    # The job again later the same day: nothing new goes, the held complaint still stays.
    again = disposal.dispose_past_retention(
        actor=SYSTEM, trigger=RunTrigger.BUTTON, now=at(2026, 3, 11, 18, 0)
    )
    assert again.counts["complaints"]["disposed"] == 0
    # The next day the one closed on 11 March is past its two years too; the held one stays.
    with django_capture_on_commit_callbacks(execute=True):
        third = disposal.dispose_past_retention(
            actor=SYSTEM, trigger=RunTrigger.SCHEDULE, now=at(2026, 3, 12, 0, 30)
        )
    assert third.counts["complaints"]["disposed"] == 1
    assert list(Complaint.objects.filter(pk__in=[held.pk, kept.pk]).values_list("pk", flat=True)) == [held.pk]
