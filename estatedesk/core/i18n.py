"""Language helpers shared by every app."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import pgettext

TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def is_traditional(language: str | None = None) -> bool:
    """Whether a language (the active one by default) is written in Traditional Chinese."""
    return (language or translation.get_language() or "").lower() in TRADITIONAL


def text_in(language: str | None, zh_hans: str, zh_hant: str, en: str) -> str:
    """A text kept in the three languages (a questionnaire, a category, the privacy notice), in
    ``language``; Simplified Chinese where no text was written in it, and for no language."""
    code = (language or "").lower()
    if code.startswith("en"):
        return en or zh_hans
    if code in TRADITIONAL:
        return zh_hant or zh_hans
    return zh_hans


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
