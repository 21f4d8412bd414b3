"""How a message leaves the building (SPEC A-4): one small adapter per channel.

A provider has one method, ``send(message)``, which returns when the message was handed
over and raises any exception when it was not; ``delivery`` turns the exception into a
retry with backoff. ``settings.NOTIFICATION_PROVIDERS`` names the adapter of each channel:
``"console"`` (writes to the log: a laptop needs no service), ``"email"`` (Django's
``send_mail`` through ``EMAIL_BACKEND``), ``"wecom"`` (企业微信 group robots, ``wecom.py``),
``"aliyun_sms"`` (Aliyun's SMS service, ``aliyun_sms.py``) or the dotted path of a class a
company writes for another gateway (see docs/notifications.md).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.utils.module_loading import import_string

from estatedesk.core import crypto
from estatedesk.core.redact import redact
from estatedesk.notifications.models import Channel, Message

logger = logging.getLogger("estatedesk.notifications")

DEFAULT_PROVIDERS = {Channel.EMAIL: "email", Channel.SMS: "console", Channel.WECHAT: "console"}


class Provider:
    """Send one message; raise on failure. Instances are reused, so keep no per-message state."""

    def send(self, message: Message) -> None:  # pragma: no cover - the interface
        raise NotImplementedError


def absolute_link(link: str) -> str:
    """Links are stored as site paths; mail and SMS need the site's address in front."""
    if not link:
        return ""
    base = getattr(settings, "ESTATEDESK_SITE_URL", "")
    return f"{base}{link}" if base and link.startswith("/") else link


def text_of(message: Message) -> str:
    """The body with the link on its own line, as mail and SMS show it."""
    link = absolute_link(message.link)
    if link and link not in message.body:
        return f"{message.body}\n{link}"
    return message.body


def _masked(message: Message) -> str:
    # Logs outlive the messages: phone numbers are masked (SPEC D-3), e-mail kept to its domain.
    address = message.address or ""
    if message.channel == Channel.SMS:
        return crypto.mask_phone(address)
    if message.channel == Channel.EMAIL and "@" in address:
        return "***@" + address.split("@", 1)[1]
    return address[:4] + "***" if address else ""


class ConsoleProvider(Provider):
    """Writes the message to the log instead of sending it: the default for SMS and WeChat.

    The text is redacted (SPEC D-3, W-1): a resident's SMS carries the private link to their
    complaint, and whoever reads the log must not be able to open it. Production refuses to
    start with this provider unless told to (``notifications/checks.py``).
    """

    def send(self, message: Message) -> None:
        logger.info(
            "[%s to %s] %s\n%s", message.channel, _masked(message), message.subject, redact(text_of(message))
        )


class EmailProvider(Provider):
    """Django's ``send_mail`` with the configured backend (console in demo mode, SMTP in production)."""

    def send(self, message: Message) -> None:
        send_mail(
            subject=message.subject,
            message=text_of(message),
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[message.address],
            fail_silently=False,
        )


BUILT_IN: dict[str, type[Provider]] = {"console": ConsoleProvider, "email": EmailProvider}
# The HTTP adapters import this module, so they are named by path and loaded when chosen.
BUILT_IN_PATHS = {
    "wecom": "estatedesk.notifications.wecom.WeComRobot",
    "aliyun_sms": "estatedesk.notifications.aliyun_sms.AliyunSms",
}

_lock = threading.Lock()
_instances: dict[str, Provider] = {}


def provider_path(channel: str) -> str:
    configured: dict[str, str] = getattr(settings, "NOTIFICATION_PROVIDERS", {}) or {}
    return (configured.get(channel) or DEFAULT_PROVIDERS.get(Channel(channel), "console")).strip()


def load(path: str) -> Provider:
    """The provider named ``path``: a built-in name or a dotted path to a ``Provider`` class."""
    with _lock:
        cached = _instances.get(path)
        if cached is not None:
            return cached
    try:
        factory: Any = BUILT_IN.get(path) or import_string(BUILT_IN_PATHS.get(path, path))
    except ImportError as exc:
        raise ImproperlyConfigured(f"notification provider {path!r} cannot be loaded: {exc}") from exc
    instance = factory()
    if not callable(getattr(instance, "send", None)):
        raise TypeError(f"{path} has no send(message) method")
    with _lock:
        _instances.setdefault(path, instance)
        return _instances[path]


def delivers(channel: str) -> bool:
    """Whether a message on ``channel`` reaches someone: False in production while it would only
    be written to the log (the console provider), unless that is allowed on purpose. A form that
    offers channels asks this, so no record says "told by WeChat" when nobody was."""
    if provider_path(channel) != "console":
        return True
    return not getattr(settings, "PRODUCTION", False) or bool(
        getattr(settings, "ALLOW_CONSOLE_PROVIDERS", False)
    )


def for_channel(channel: str) -> Provider:
    return load(provider_path(channel))


def clear_cache() -> None:
    with _lock:
        _instances.clear()
