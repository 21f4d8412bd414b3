"""System checks of the notification set-up: production never sends by writing to the log,
and a chosen gateway adapter has what it needs.

The console provider (and Django's console or file e-mail backend) hands a message to no one:
the resident never gets the SMS, and the text goes to the log instead. That is right on a
laptop and wrong in production, so ``estatedesk serve`` (which runs the checks) refuses to
start unless ``ESTATEDESK_ALLOW_CONSOLE_PROVIDERS`` says it is meant (docs/deployment.md).
WeChat is not required: a company without WeCom robots leaves it on the console, and the
notices then do not offer it (``providers.delivers``), so no record claims a group was told.

An adapter chosen without its settings (``wecom`` without any robot, ``aliyun_sms`` without
its AccessKey, signature or template) would fail every message; that is an error in any
mode (``notifications.E002``, ``E003``), with the setting to fix named and no secret shown.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

from estatedesk.notifications import aliyun_sms, gateway, wecom
from estatedesk.notifications.models import Channel
from estatedesk.notifications.providers import provider_path

UNSENT_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
# In-app messages need no provider.
NOT_CHECKED = {Channel.IN_APP}
# WeChat is optional: while it would only be logged, the notices do not offer it.
OPTIONAL = {Channel.WECHAT}


def unsent_channels() -> list[str]:
    """The channels whose messages would be logged (or dropped) instead of sent."""
    found = []
    for channel in Channel:
        if channel in NOT_CHECKED or channel in OPTIONAL:
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
                "Configure a real provider (ESTATEDESK_SMS_PROVIDER, ESTATEDESK_WECHAT_PROVIDER, "
                "ESTATEDESK_EMAIL_PROVIDER, EMAIL_BACKEND; see docs/notifications.md), or set "
                "ESTATEDESK_ALLOW_CONSOLE_PROVIDERS=1 if that is really meant."
            ),
            id="notifications.E001",
        )
    ]


def _channels_using(name: str) -> list[str]:
    return [
        channel.value for channel in Channel if channel not in NOT_CHECKED and provider_path(channel) == name
    ]


@register()
def gateway_adapters_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    using = _channels_using("wecom")
    if using:
        robots = wecom.configured_robots()
        problems = []
        if robots.unreadable:
            problems.append(
                f"entries {', '.join(map(str, robots.unreadable))} of {wecom.ROBOTS_SETTING} are not name=key"
            )
        if not robots.keys:
            problems.append(f"{wecom.ROBOTS_SETTING} names no robot")
        msgtype = gateway.setting("ESTATEDESK_WECOM_MSGTYPE", "markdown").lower()
        if msgtype not in wecom.MSGTYPES:
            problems.append("ESTATEDESK_WECOM_MSGTYPE must be markdown or text")
        if problems:
            found.append(
                Error(
                    f"The WeCom robot provider ({', '.join(using)}) cannot send: "
                    + "; ".join(problems)
                    + ".",
                    hint=(
                        f'Set {wecom.ROBOTS_SETTING}="staff=<key>,estate:<code>=<key>,default=<key>" with '
                        "the keys of the groups' robots (docs/notifications.md)."
                    ),
                    id="notifications.E002",
                )
            )
    using = _channels_using("aliyun_sms")
    if using:
        problems = [f"{name} is not set" for name in aliyun_sms.missing_settings()]
        mapping, unreadable = aliyun_sms.template_params_setting()
        if unreadable or not mapping:
            problems.append(
                f"{aliyun_sms.PREFIX}TEMPLATE_PARAMS must be variable=field pairs, the fields one of "
                + ", ".join(aliyun_sms.FIELDS)
            )
        if problems:
            found.append(
                Error(
                    f"The Aliyun SMS provider ({', '.join(using)}) cannot send: " + "; ".join(problems) + ".",
                    hint='See docs/notifications.md, "Aliyun SMS".',
                    id="notifications.E003",
                )
            )
    return found
