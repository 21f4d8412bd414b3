"""A notice's evidence photos and attachments (SPEC C-3, C-2, D-3): time and place checked,
EXIF/GPS stripped, files served only to staff of the notice's estate; and the home panel of
notices that need action (A-1)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from estatedesk.communication.home_panel import notice_actions_panel
from estatedesk.communication.models import NoticeAttachment, NoticeEvidence, NoticeRecipient
from estatedesk.communication.services import notice_files, notices
from estatedesk.core import uploads
from estatedesk.core.clock import now
from estatedesk.core.errors import InvalidInput
from tests.communication.conftest import add_households, at, draft

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def upload_root(settings: Any, tmp_path: Path) -> Path:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 9.5), 3: "E", 4: (121.0, 28.0, 33.1)}
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _published(world, **changes):
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world, **changes))
    return notices.publish_notice(actor=handler, notice=notice)


def _local_input(value) -> str:
    from django.utils.timezone import localtime

    from estatedesk.core.clock import company_zone

    return localtime(value, company_zone()).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.req("C-3")
@pytest.mark.req("D-3")
@pytest.mark.django_db
def test_a_photo_of_the_posted_sheet_is_kept_with_time_and_place_and_without_gps(world):
    with time_machine.travel(now() - timedelta(hours=2)):
        notice = _published(world)  # written and published two hours ago
    client = world.client("handler_a")
    response = client.post(
        reverse("communication:notice_evidence_add", args=[notice.pk]),
        {
            "photo": SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), "image/jpeg"),
            "taken_at": _local_input(now() - timedelta(minutes=10)),
            "place": "3栋大堂公告栏",
            "building": str(world.building_a.pk),
        },
    )
    assert response.status_code == 302
    evidence = NoticeEvidence.objects.get(notice=notice)
    assert evidence.place == "3栋大堂公告栏" and evidence.building == world.building_a
    stored = uploads.path_of(evidence.file).read_bytes()
    assert stored.startswith(b"\xff\xd8")
    kept = Image.open(io.BytesIO(stored))
    assert not kept.getexif() and GPS_IFD not in kept.getexif()
    assert b"PhoneMaker" not in stored
    assert notice.events.filter(kind="evidence_added").exists()
    served = client.get(reverse("communication:notice_evidence_file", args=[notice.pk, evidence.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == stored


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_a_photo_dated_in_the_future_is_refused_and_what_was_typed_is_kept(world):
    notice = _published(world)
    client = world.client("handler_a")
    with translation.override("zh-hans"):
        response = client.post(
            reverse("communication:notice_evidence_add", args=[notice.pk]),
            {
                "photo": SimpleUploadedFile("a.jpg", jpeg_with_gps(), "image/jpeg"),
                "taken_at": _local_input(now() + timedelta(hours=3)),
                "place": "5栋电梯厅",
            },
            HTTP_ACCEPT_LANGUAGE="zh-hans",
        )
    assert response.status_code == 422
    page = response.content.decode()
    assert "5栋电梯厅" in page and "时间不能晚于现在" in page
    assert not NoticeEvidence.objects.exists()
    assert not any(p.is_file() for p in Path(uploads.upload_root()).rglob("*"))


@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_a_photo_older_than_the_notice_or_not_a_photo_is_refused(world):
    notice = _published(world)
    handler = world.users["handler_a"]
    with pytest.raises(InvalidInput) as older:
        notice_files.add_evidence(
            actor=handler,
            notice=notice,
            upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
            taken_at=notice.created_at - timedelta(days=1),
            place="大堂",
        )
    assert older.value.field == "taken_at"
    with pytest.raises(InvalidInput) as document:
        notice_files.add_evidence(
            actor=handler,
            notice=notice,
            upload=SimpleUploadedFile("a.pdf", pdf()),
            taken_at=now(),
            place="大堂",
        )
    assert document.value.field == "photo"
    with pytest.raises(InvalidInput) as elsewhere:
        notice_files.add_evidence(
            actor=handler,
            notice=notice,
            upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
            taken_at=now(),
            place="大堂",
            building=world.building_b.pk,
        )
    assert elsewhere.value.field == "building"
    assert not NoticeEvidence.objects.exists()


@pytest.mark.req("C-2")
@pytest.mark.django_db
def test_an_attachment_is_added_to_a_draft_and_served_as_a_download(world):
    handler = world.users["handler_a"]
    notice = notices.create_notice(actor=handler, draft=draft(world))
    client = world.client("handler_a")
    response = client.post(
        reverse("communication:notice_attachment_add", args=[notice.pk]),
        {"file": SimpleUploadedFile("自来水公司函.pdf", pdf(), "application/pdf")},
    )
    assert response.status_code == 302
    attachment = NoticeAttachment.objects.get(notice=notice)
    assert attachment.name == "自来水公司函.pdf" and attachment.content_type == "application/pdf"
    served = client.get(reverse("communication:notice_attachment_file", args=[notice.pk, attachment.pk]))
    assert served.status_code == 200 and served["Content-Disposition"].startswith("attachment;")
    assert notice.events.filter(kind="attachment_added").exists()
    # The auditor reads but does not add.
    refused = world.client("auditor").post(
        reverse("communication:notice_attachment_add", args=[notice.pk]),
        {"file": SimpleUploadedFile("b.pdf", pdf(), "application/pdf")},
    )
    assert refused.status_code == 403
    assert NoticeAttachment.objects.filter(notice=notice).count() == 1


@pytest.mark.req("P-1")
@pytest.mark.django_db
def test_another_estates_files_are_not_found(world):
    notice = _published(world)
    evidence = notice_files.add_evidence(
        actor=world.users["handler_a"],
        notice=notice,
        upload=SimpleUploadedFile("a.jpg", jpeg_with_gps()),
        taken_at=now(),
        place="大堂",
    )
    attachment = notice_files.add_attachment(
        actor=world.users["handler_a"], notice=notice, upload=SimpleUploadedFile("a.pdf", pdf())
    )
    client = world.client("handler_b")
    for url in (
        reverse("communication:notice_evidence_add", args=[notice.pk]),
        reverse("communication:notice_attachment_add", args=[notice.pk]),
        reverse("communication:notice_evidence_file", args=[notice.pk, evidence.pk]),
        reverse("communication:notice_attachment_file", args=[notice.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("communication:notice_evidence_add", args=[notice.pk]),
        {
            "photo": SimpleUploadedFile("b.jpg", jpeg_with_gps()),
            "taken_at": _local_input(now()),
            "place": "x",
        },
    )
    assert response.status_code == 404
    assert NoticeEvidence.objects.count() == 1


@pytest.mark.req("A-1")
@pytest.mark.req("C-3")
@pytest.mark.django_db
def test_the_home_panel_lists_urgent_notices_to_phone_and_pest_control_without_a_sign(world):
    add_households(world.building_a, 2)
    urgent = _published(world, urgent=True, title="紧急停水")
    pests = notices.create_notice(
        actor=world.users["handler_a"],
        draft=draft(world, kind="pest_control", title="灭鼠消杀", starts_at=at(30), ends_at=at(33)),
    )
    notices.publish_notice(actor=world.users["handler_a"], notice=pests)
    rows = notice_actions_panel(world.users["handler_a"], {})
    text = " ".join(str(r) for r in rows.items)
    assert "紧急停水" in text and "3" in text
    assert "灭鼠消杀" not in text  # starts in 30 hours: not yet
    assert rows.count == 1

    # Everyone told: read or phoned.
    first, second, third = NoticeRecipient.objects.filter(notice=urgent)
    NoticeRecipient.objects.filter(pk__in=[first.pk, second.pk]).update(read_at=now())
    notices.record_contact(
        actor=world.users["handler_a"], notice=urgent, unit=third.unit_id, channel="phone", outcome="已告知"
    )
    with time_machine.travel(now() + timedelta(hours=8), tick=False):
        rows = notice_actions_panel(world.users["handler_a"], {})
        text = " ".join(str(r) for r in rows.items)
        assert "紧急停水" not in text and "灭鼠消杀" in text and rows.count == 1
        notices.confirm_sign(actor=world.users["handler_a"], notice=pests, place="小区各楼栋入口")
        assert notice_actions_panel(world.users["handler_a"], {}).count == 0
    # Another estate's handler sees none of them.
    assert notice_actions_panel(world.users["handler_b"], {}).count == 0


@pytest.mark.req("D-3")
@pytest.mark.django_db
def test_a_notice_file_no_row_points_to_is_removed_after_an_hour(world):
    import os
    import time

    notice = _published(world)
    kept = notice_files.add_attachment(
        actor=world.users["handler_a"], notice=notice, upload=SimpleUploadedFile("a.pdf", pdf())
    )
    orphan = uploads.path_of(kept.file).with_name("0" * 32 + ".pdf")
    orphan.write_bytes(pdf())
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    os.utime(uploads.path_of(kept.file), (old, old))
    assert notice_files.remove_orphans() == 1
    assert not orphan.exists() and uploads.path_of(kept.file).exists()
