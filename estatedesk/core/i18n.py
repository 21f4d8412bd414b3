"""Language helpers shared by every app."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation


def in_company_language() -> translation.override:
    """Messages and timeline notes written for everyone (not for the user who acts) use the
    company's language, whatever language the acting user's page is in."""
    return translation.override(settings.LANGUAGE_CODE)
