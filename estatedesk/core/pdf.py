"""PDF rendering: an HTML print view run through WeasyPrint, so both always show the same thing
(printed forms K-16, report exports A-3).

WeasyPrint never touches the network: its URL fetcher serves our own static files and
``data:`` URIs and refuses everything else. Fonts come from the system (Debian's
``fonts-noto-cjk``), never from a web-font URL.

WeasyPrint needs Pango; on a laptop without it the import fails with ``OSError``. Then
``pdf_available()`` is False and the views offer the HTML print view instead of failing.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import DataHandler, Request

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest
from django.utils.translation import gettext as _

from estatedesk.core.i18n import is_traditional

log = logging.getLogger(__name__)

# Font lists for the page footer (the body's fonts are in print.css); Traditional Chinese
# prefers the TC cut so characters take the Taiwan / Hong Kong forms.
FONTS_SC = '"Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Serif CJK SC", sans-serif'
FONTS_TC = '"Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Serif CJK TC", sans-serif'


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library under it) cannot be loaded on this machine."""


class Refused(ValueError):
    """A URL the PDF renderer may not fetch: anything that is not our own static file."""


@cache
def _weasyprint() -> ModuleType | None:
    try:
        # Imported on first use: without Pango everything but the PDFs still runs.
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: the Pango shared library is missing
        log.warning("PDF output is off: WeasyPrint cannot be loaded (%s)", exc)
        return None
    return weasyprint


def pdf_available() -> bool:
    return _weasyprint() is not None


# --- The URL fetcher ---------------------------------------------------------------------------


def static_prefix(base_url: str) -> str:
    """The absolute URL under which our static files appear to WeasyPrint."""
    return urljoin(base_url, settings.STATIC_URL)


def static_file(relative: str) -> Path | None:
    """A static file by its path under STATIC_URL; None for anything outside the static folders."""
    relative = unquote(relative)
    clean = posixpath.normpath(relative)
    if not relative or clean.startswith(("/", "..")) or clean != relative.rstrip("/") or "\\" in relative:
        return None
    found = finders.find(clean)
    if isinstance(found, str) and Path(found).is_file():
        return Path(found)
    try:  # after collectstatic, hashed names ({% static %} with the manifest storage) live here
        path = Path(staticfiles_storage.path(clean))
    except Exception:  # storages without local paths, or a name the storage rejects
        return None
    return path if path.is_file() else None


def resolve(url: str, base_url: str) -> tuple[bytes, str]:
    """The body and media type for a URL WeasyPrint asks for, or Refused."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        response = DataHandler().data_open(Request(url))  # noqa: S310 - data: only; DataHandler opens no connection
        return response.read(), response.headers.get("Content-Type", "application/octet-stream")
    prefix = static_prefix(base_url)
    if scheme in ("http", "https") and url.startswith(prefix):
        path = static_file(urlsplit(url).path[len(urlsplit(prefix).path) :])
        if path is not None:
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if mime.startswith("text/"):
                mime += "; charset=utf-8"
            return path.read_bytes(), mime
    raise Refused(f"not one of our static files: {url[:200]}")


def url_fetcher(base_url: str) -> Any:
    """A fetcher in the shape this WeasyPrint version expects (a URLFetcher object since v66)."""
    wp = _weasyprint()
    if wp is None:
        raise PdfUnavailable
    urls = wp.urls
    if hasattr(urls, "URLFetcher") and hasattr(urls, "URLFetcherResponse"):

        class OwnFilesOnly(urls.URLFetcher):  # type: ignore[name-defined,misc]
            def fetch(self, url: str, headers: Any = None) -> Any:
                body, mime = resolve(url, base_url)
                return urls.URLFetcherResponse(url, body, {"Content-Type": mime})

        return OwnFilesOnly()

    def fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        body, mime = resolve(url, base_url)
        return {"string": body, "mime_type": mime.split(";")[0], "redirected_url": url}

    return fetch


# --- The page footer -----------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def css_string(text: str) -> str:
    """A CSS string literal; line breaks and quotes cannot end it."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = re.sub(r"[\r\n\f]+", " ", escaped)
    return f'"{escaped}"'


def page_counter(template: str) -> str:
    """'Page %(page)s of %(pages)s' (translated) as CSS content with page counters."""
    parts: list[str] = []
    pos = 0
    for match in _PLACEHOLDER.finditer(template):
        if match.start() > pos:
            parts.append(css_string(template[pos : match.start()]))
        parts.append(f"counter({match.group(1)})")
        pos = match.end()
    if pos < len(template):
        parts.append(css_string(template[pos:]))
    return " ".join(parts) or '""'


def footer_css(left: str, page_template: str, *, traditional: bool = False) -> str:
    fonts = FONTS_TC if traditional else FONTS_SC
    box = f"font-family: {fonts}; font-size: 7.5pt; color: #444;"
    return (
        "@page {"
        f" @bottom-left {{ content: {css_string(left)}; {box} }}"
        f" @bottom-right {{ content: {page_counter(page_template)}; {box} }}"
        " }"
    )


# --- Rendering -------------------------------------------------------------------------------------


def render_pdf(
    html: str, *, base_url: str, footer: str, page_template: str, traditional: bool = False
) -> bytes:
    """The PDF of one print view. ``base_url`` is our server's root as the request saw it."""
    wp = _weasyprint()
    if wp is None:
        raise PdfUnavailable
    fetcher = url_fetcher(base_url)
    extra = wp.CSS(string=footer_css(footer, page_template, traditional=traditional), url_fetcher=fetcher)
    document = wp.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[extra])
    return pdf


def render_for(request: HttpRequest, html: str, *, footer: str) -> bytes:
    """``render_pdf`` of a print view as every form and report prints it, in the active language:
    our server's root as the request saw it, the page counter and the fonts of that language."""
    return render_pdf(
        html,
        base_url=request.build_absolute_uri("/"),
        footer=footer,
        # Translators: the footer of every printed page
        page_template=_("Page %(page)s of %(pages)s"),
        traditional=is_traditional(),
    )
