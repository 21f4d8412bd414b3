"""Photos and documents of complaints: checked by content, cleaned, stored safely, served in scope.

SPEC K-1 (photos at intake), W-1 (resident photos), D-3 (no location data kept from photos),
P-1 (files only to staff who can see the complaint).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from estatedesk.complaints import services, uploads
from estatedesk.complaints.models import Attachment, Complaint, Event
from estatedesk.core.actors import RESIDENT, SYSTEM
from estatedesk.core.errors import InvalidInput
from tests.complaints.conftest import category

GPS_IFD = 0x8825
ORIENTATION = 0x0112
STORED_NAME = re.compile(r"^complaints/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp|gif|pdf)$")


@pytest.fixture(autouse=True)
def upload_root(settings: Any, tmp_path: Path) -> Path:
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def jpeg_with_gps(width: int = 60, height: int = 30) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[ORIENTATION] = 6  # taken sideways: shown rotated by 90°
    exif[GPS_IFD] = {1: "N", 2: (31.0, 14.0, 9.5), 3: "E", 4: (121.0, 28.0, 33.1)}
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def refused(complaint, name: str, content: bytes, actor) -> str:
    with pytest.raises(InvalidInput) as caught:
        uploads.store(complaint=complaint, upload=upload(name, content), actor=actor)
    assert caught.value.field == "attachments"
    return str(caught.value.message)


# --- Checking and cleaning ------------------------------------------------------------------------


@pytest.mark.req("K-1")
@pytest.mark.req("D-3")
def test_a_photo_is_stored_without_exif_or_gps_and_upright(world, complaint):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the phone's photo has a location

    attachment = uploads.store(
        complaint=complaint,
        upload=upload("IMG_0001.jpg", original, "image/jpeg"),
        actor=world.users["handler_a"],
    )

    stored = uploads.path_of(attachment).read_bytes()
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == "JPEG"
    assert dict(picture.getexif()) == {}
    assert b"PhoneMaker" not in stored and b"Exif" not in stored
    assert picture.size == (30, 60)  # the orientation was applied to the pixels before it was dropped
    assert attachment.content_type == "image/jpeg" and attachment.size == len(stored)
    assert attachment.original_name == "IMG_0001.jpg"
    assert attachment.uploaded_by == world.users["handler_a"]
    assert Event.objects.filter(complaint=complaint, action="attach", note="IMG_0001.jpg").exists()


@pytest.mark.req("K-1")
def test_a_text_file_renamed_to_jpg_is_refused_with_a_message(world, complaint, upload_root):
    message = refused(
        complaint, "holiday.jpg", b"just some text, not a picture\n" * 20, world.users["handler_a"]
    )

    assert "holiday.jpg" in message and "not an image or PDF" in message
    assert not Attachment.objects.exists()
    assert stored_files(upload_root) == []


@pytest.mark.req("K-1")
def test_a_cut_off_photo_is_refused_not_crashed_on(world, complaint):
    whole = jpeg_with_gps(400, 300)

    message = refused(complaint, "half.jpg", whole[: len(whole) // 2], world.users["handler_a"])

    assert "half.jpg" in message


@pytest.mark.req("K-1")
def test_a_file_over_the_size_limit_is_refused_naming_the_file_and_the_limit(world, complaint, upload_root):
    assert settings.UPLOAD_MAX_BYTES == 10 * 1024 * 1024
    too_big = jpeg_with_gps().ljust(settings.UPLOAD_MAX_BYTES + 1, b"\0")

    message = refused(complaint, "big.jpg", too_big, world.users["handler_a"])

    assert "big.jpg" in message and "10\xa0MB" in message and "10.0" not in message  # issue 12
    assert stored_files(upload_root) == []


@pytest.mark.req("K-1")
def test_a_file_exactly_at_the_limit_is_accepted(world, complaint):
    at_limit = jpeg_with_gps().ljust(
        settings.UPLOAD_MAX_BYTES, b"\0"
    )  # bytes after the image's end are ignored

    attachment = uploads.store(complaint=complaint, upload=upload("ok.jpg", at_limit), actor=SYSTEM)

    assert attachment.content_type == "image/jpeg"


@pytest.mark.req("K-1")
def test_a_pdf_is_accepted_and_kept_as_sent(world, complaint):
    attachment = uploads.store(
        complaint=complaint, upload=upload("報告.pdf", pdf()), actor=world.users["handler_a"]
    )

    assert attachment.content_type == "application/pdf"
    assert STORED_NAME.match(attachment.stored_name) and attachment.stored_name.endswith(".pdf")
    assert uploads.path_of(attachment).read_bytes() == pdf()


@pytest.mark.req("K-1")
@pytest.mark.parametrize("content", [b"%PDF-", b"%PDF-1.7\n" + b"x" * 40])
def test_an_empty_or_cut_off_pdf_is_refused(world, complaint, content):
    message = refused(complaint, "scan.pdf", content, world.users["handler_a"])

    assert "scan.pdf" in message and "PDF" in message


@pytest.mark.req("K-1")
def test_the_stored_name_is_made_by_the_server_not_the_client(world, complaint, upload_root):
    attachment = uploads.store(
        complaint=complaint,
        upload=upload("../../evil.php.jpg", jpeg_with_gps()),
        actor=world.users["handler_a"],
    )

    assert STORED_NAME.match(attachment.stored_name), attachment.stored_name
    assert "evil" not in attachment.stored_name
    assert attachment.original_name == "evil.php.jpg"  # a label only, without the folders
    (path,) = stored_files(upload_root)
    assert path.resolve().is_relative_to(upload_root.resolve())


@pytest.mark.req("K-1")
def test_the_type_comes_from_the_content_not_the_name(world, complaint):
    attachment = uploads.store(
        complaint=complaint, upload=upload("photo.jpg", png(), "image/jpeg"), actor=SYSTEM
    )

    assert attachment.content_type == "image/png" and attachment.stored_name.endswith(".png")


@pytest.mark.req("K-1")
def test_a_decompression_bomb_is_refused_before_it_is_decoded(world, complaint, settings):
    settings.UPLOAD_MAX_PIXELS = 10_000
    message = refused(complaint, "huge.png", png((200, 200)), world.users["handler_a"])

    assert "huge.png" in message and "200 × 200" in message and "megapixels" in message


@pytest.mark.req("K-1")
def test_an_iphone_heic_photo_gets_a_message_saying_what_to_do(world, complaint):
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 200

    message = refused(complaint, "IMG_2001.HEIC", heic, world.users["handler_a"])

    assert "IMG_2001.HEIC" in message and "JPEG" in message


@pytest.mark.req("K-1")
def test_a_rolled_back_intake_leaves_no_files_behind(world, upload_root):
    good = upload("first.png", png(), "image/png")
    bad = upload("second.jpg", b"not a picture at all" * 10, "image/jpeg")

    with pytest.raises(InvalidInput), uploads.discard_on_failure():
        services.record_complaint(
            actor=world.users["handler_a"],
            data=services.Intake(
                estate=world.estate_a,
                kind="complaint",
                channel="phone",
                category=category(),
                description="電梯停運",
                customer=world.customer_a,
            ),
            attachments=[good, bad],
        )

    assert not Complaint.objects.exists()
    assert stored_files(upload_root) == []


@pytest.mark.req("K-1")
def test_orphan_files_older_than_an_hour_are_swept(world, complaint, upload_root):
    import os
    import time

    kept = uploads.store(complaint=complaint, upload=upload("kept.png", png()), actor=SYSTEM)
    orphan = uploads.path_of(kept).with_name("0" * 32 + ".png")
    orphan.write_bytes(png())
    old = time.time() - 7200
    os.utime(orphan, (old, old))
    os.utime(uploads.path_of(kept), (old, old))

    assert uploads.remove_orphans() == 1
    assert not orphan.exists() and uploads.path_of(kept).exists()


# --- Serving --------------------------------------------------------------------------------------


@pytest.fixture
def photo(world, complaint) -> Attachment:
    return uploads.store(
        complaint=complaint, upload=upload("门口积水 1.jpg", jpeg_with_gps()), actor=world.users["handler_a"]
    )


@pytest.mark.req("P-1")
@pytest.mark.req("D-3")
def test_an_attachment_is_served_to_staff_who_see_the_complaint(world, photo):
    response = world.client("handler_a").get(reverse("complaints:attachment", args=[photo.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert (
        response["Content-Disposition"]
        == "inline; filename*=UTF-8''%E9%97%A8%E5%8F%A3%E7%A7%AF%E6%B0%B4%201.jpg"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == uploads.path_of(photo).read_bytes()


@pytest.mark.req("P-1")
def test_an_attachment_is_hidden_from_other_estates_and_from_visitors(world, photo):
    url = reverse("complaints:attachment", args=[photo.pk])

    assert world.client("handler_b").get(url).status_code == 404
    anonymous = world.client("anonymous").get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert world.client("resident").get(url).status_code == 403  # an account that is not staff


@pytest.mark.req("P-1")
def test_a_pdf_is_served_in_a_sandbox(world, complaint):
    document = uploads.store(complaint=complaint, upload=upload("plan.pdf", pdf()), actor=SYSTEM)

    response = world.client("handler_a").get(reverse("complaints:attachment", args=[document.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.req("D-3")
@pytest.mark.req("W-1")
@pytest.mark.parametrize("sender", ["resident", "handler_a"])
def test_a_pdf_is_served_to_staff_as_a_download_never_inline(world, complaint, sender):
    actor = RESIDENT if sender == "resident" else world.users[sender]
    document = uploads.store(complaint=complaint, upload=upload("繳費單.pdf", pdf()), actor=actor)

    response = world.client("handler_a").get(reverse("complaints:attachment", args=[document.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''%E7%B9%B3%E8%B2%BB%E5%96%AE.pdf"
    assert b"".join(response.streaming_content) == pdf()


# --- Adding files to a complaint ---------------------------------------------------------------


@pytest.mark.req("K-1")
def test_a_handler_adds_photos_to_an_open_complaint(world, complaint):
    client = world.client("handler_a")

    response = client.post(
        reverse("complaints:act_attach", args=[complaint.pk]),
        {"attachments": [upload("a.png", png()), upload("b.pdf", pdf())]},
    )

    assert response.status_code == 302 and response["Location"] == reverse(
        "complaints:detail", args=[complaint.pk]
    )
    assert sorted(complaint.attachments.values_list("original_name", flat=True)) == ["a.png", "b.pdf"]


@pytest.mark.req("K-1")
def test_a_bad_file_among_several_adds_nothing_and_says_why(world, complaint, upload_root):
    client = world.client("handler_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("complaints:act_attach", args=[complaint.pk]),
        {"attachments": [upload("a.png", png()), upload("notes.jpg", b"hello" * 50)]},
    )

    assert response.status_code == 422
    assert "notes.jpg" in response.content.decode() and "not an image or PDF" in response.content.decode()
    assert not complaint.attachments.exists()
    assert stored_files(upload_root) == []


@pytest.mark.req("P-1")
def test_adding_files_is_refused_outside_the_scope_and_to_other_roles(world, complaint):
    url = reverse("complaints:act_attach", args=[complaint.pk])
    files = {"attachments": [upload("a.png", png())]}

    assert world.client("handler_b").post(url, files).status_code == 404
    assert world.client("auditor").post(url, {"attachments": [upload("a.png", png())]}).status_code == 403
    assert not complaint.attachments.exists()
