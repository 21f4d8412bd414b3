"""Deployment checks of our own settings (``manage check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning


@register(Tags.security, deploy=True)
def trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Behind a TLS proxy with no trusted proxy, every client has the proxy's address."""
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and not settings.TRUSTED_PROXIES:
        return [
            CheckWarning(
                "TRUSTED_PROXIES is empty although requests come through a TLS proxy: every client "
                "has the proxy's address, so five wrong passwords from anyone lock a user out "
                "everywhere, access logs record the proxy and residents share one rate limit.",
                hint="Set TRUSTED_PROXIES to the proxy's addresses (docs/deployment.md), or "
                "BEHIND_TLS_PROXY=false when no proxy stands in front.",
                id="estatedesk.W001",
            )
        ]
    return []
