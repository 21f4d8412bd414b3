"""Office hours as text ("08:30-12:00,13:30-17:30") and as periods. Pure: no database."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

Period = tuple[time, time]


def parse(text: str) -> list[Period]:
    periods: list[Period] = []
    for chunk in (text or "").replace("，", ",").split(","):
        chunk = chunk.strip()
        if not chunk:
            continue
        start_text, sep, end_text = chunk.replace("–", "-").partition("-")
        if not sep:
            raise ValueError(chunk)
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
        if end <= start:
            raise ValueError(chunk)
        if periods and start < periods[-1][1]:
            raise ValueError(chunk)
        periods.append((start, end))
    if not periods:
        raise ValueError(text)
    return periods


def validate(text: str) -> None:
    if not text:
        return
    try:
        parse(text)
    except ValueError as exc:
        raise ValidationError(
            _("Write office hours as periods in time order, for example 08:30-12:00,13:30-17:30.")
        ) from exc
