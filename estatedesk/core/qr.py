"""QR codes: portal addresses on estate posters and on a resident's receipt (SPEC W-1), and on printed forms."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe


def _make(url: str) -> Any:
    import segno  # when a code is drawn, not when the app starts (decision 0057)

    return segno.make(url, error="m")


def absolute_url(request: HttpRequest, name: str, *args: Any) -> str:
    """The address a phone must open: the configured public site when set, else this request's host."""
    path = reverse(name, args=args)
    site = getattr(settings, "ESTATEDESK_SITE_URL", "")
    return f"{site}{path}" if site else request.build_absolute_uri(path)


def svg(url: str) -> SafeString:
    """Inline SVG sized by CSS (viewBox only); segno writes only paths and attributes, no styles."""
    code = _make(url)
    return mark_safe(code.svg_inline(omitsize=True, border=2, dark="#000", light="#fff"))  # noqa: S308


def png_data_uri(url: str) -> str:
    """A PNG image residents can long-press to save in WeChat (img-src allows data:)."""
    return str(_make(url).png_data_uri(scale=8, border=2))


def svg_data_uri(url: str) -> str:
    """An SVG QR code as a data: URI; CSP allows data: images and WeasyPrint reads them offline."""
    return str(_make(url).svg_data_uri(scale=4, border=2))
