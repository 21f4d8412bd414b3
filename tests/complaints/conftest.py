from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from estatedesk.complaints import services
from estatedesk.complaints.models import Category, Complaint
from estatedesk.core.actors import RESIDENT

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def category(code: str = "repairs") -> Category:
    return Category.objects.get(code=code)


def record(world: Any, persona: str = "handler_a", **overrides: Any) -> Complaint:
    """A complaint from 王小明 of 3栋-1201, by phone, recorded through the intake service."""
    fields: dict[str, Any] = {
        "estate": world.estate_a,
        "kind": "complaint",
        "channel": "phone",
        "category": category(),
        "description": "3栋电梯停运两天",
        "unit": world.unit_a,
        "customer": world.customer_a,
    }
    fields.update(overrides)
    actor = world.users[persona] if persona else RESIDENT
    return services.record_complaint(actor=actor, data=services.Intake(**fields))


@pytest.fixture
def complaint(world: Any) -> Complaint:
    return record(world)


def estate_b_complaint_papers(world: Any) -> dict[str, int]:
    """A complaint of estate B with every paper around it, keyed by the URL-name prefixes that show them.

    URL naming convention (the permission walker relies on it): complaint pages are
    ``complaints:detail`` / ``complaints:act_*`` / ``complaints:record_*``; slips
    ``complaints:slip_*``; notices ``complaints:notice_*``; attachments
    ``complaints:attachment*``; weekly reviews ``complaints:weekly_*`` (by department);
    the portal's QR poster of an estate ``complaints:poster`` (by estate).
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from estatedesk.complaints import papers, uploads

    handler_b = world.users["handler_b"]
    c = services.record_complaint(
        actor=handler_b,
        data=services.Intake(
            estate=world.estate_b,
            kind="complaint",
            channel="phone",
            category=category("cleaning"),
            description="A座大堂地面濕滑",
            unit=world.unit_b,
            customer=world.customer_b,
        ),
    )
    services.assess(actor=handler_b, complaint=c, cause="management", serious=False, urgent=False)
    slip = papers.raise_slip(actor=handler_b, complaint=c, matter="需要更換地墊")
    from datetime import timedelta

    from django.utils import timezone

    notice = papers.issue_notice(
        actor=world.users["deputy_gm"],
        department=world.office_b,
        task="巡查大堂",
        due_at=timezone.now() + timedelta(days=3),
        estate=world.estate_b,
    )
    attachment = uploads.store(
        complaint=c, upload=SimpleUploadedFile("floor.png", _tiny_png(), "image/png"), actor=handler_b
    )
    return {
        "complaints:detail": c.pk,
        "complaints:act_": c.pk,
        "complaints:record_": c.pk,
        "complaints:slip_": slip.pk,
        "complaints:notice_": notice.pk,
        "complaints:attachment": attachment.pk,
        "complaints:weekly_": world.office_b.pk,
        "complaints:poster": world.estate_b.pk,
    }


def _tiny_png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()
