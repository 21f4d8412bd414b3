"""System checks of the notification set-up: production never sends by writing to the log.

The console provider (and Django's console or file e-mail backend) hands a message to no one:
the resident never gets the SMS, and the text goes to the log instead. That is right on a
laptop and wrong in production, so ``estatedesk serve`` (which runs the checks) refuses to
start unless ``ESTATEDESK_ALLOW_CONSOLE_PROVIDERS`` says it is meant (docs/deployment.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from estatedesk.notifications.models import Channel
from estatedesk.notifications.providers import provider_path

UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
# In-app messages need no provider; nothing sends on WeChat yet (remove it here when something does).
NOT_CHECKED = {Channel.IN_APP, Channel.WECHAT}


def unsent_channels() -> list[str]:
    """The channels whose messages would be logged (or dropped) instead of sent."""
    found = []
    for channel in Channel:
        if channel in NOT_CHECKED:
            continue
        path = provider_path(channel)
        if path == "console" or (path == "email" and settings.EMAIL_BACKEND in UNSENT_EMAIL_BACKENDS):
            found.append(f"{channel.value} ({path if path == 'console' else settings.EMAIL_BACKEND})")
    return found


@register(Tags.security)
def no_console_providers_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False) or getattr(settings, "ALLOW_CONSOLE_PROVIDERS", False):
        return []
    unsent = unsent_channels()
    if not unsent:
        return []
    return [
        Error(
            "Production mode would write messages to the log instead of sending them: "
            + ", ".join(unsent)
            + ".",
            hint=(
                "Configure a real provider (ESTATEDESK_SMS_PROVIDER, ESTATEDESK_EMAIL_PROVIDER, "
                "EMAIL_BACKEND; see docs/notifications.md), or set "
                "ESTATEDESK_ALLOW_CONSOLE_PROVIDERS=1 if that is really meant."
            ),
            id="notifications.E001",
        )
    ]
