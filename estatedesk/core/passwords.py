"""Password rules (settings ``AUTH_PASSWORD_VALIDATORS``): at least 12 characters (ASVS level 2)."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's rule with a message our catalogues translate.

    Django 5.2's Simplified Chinese catalogue lacks its "too short" message, which then
    reached Chinese pages in English.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it needs at least %(min_length)d character.",
            "This password is too short: it needs at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
