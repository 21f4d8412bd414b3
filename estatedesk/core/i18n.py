"""Language helpers shared by every app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext


def in_company_language() -> translation.override:
    """Messages and timeline notes written for everyone (not for the user who acts) use the
    company's language, whatever language the acting user's page is in."""
    return translation.override(settings.LANGUAGE_CODE)


def month_label(year: int, month: int) -> str:
    """A month as its reader writes it: 2026年6月 in Chinese, 2026-06 in English (the
    YEAR_MONTH_FORMAT of estatedesk/formats), the same in lists, queues, reports and exports."""
    return date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


def join_list(items: Iterable[object]) -> str:
    """Items of a list in running text: 翠湖花园、金山苑 in Chinese, "a, b" in English."""
    return pgettext("list separator", ", ").join(str(item) for item in items)
