"""Rich text that people type and others read (SPEC C-2): sanitised by nh3, never by hand.

``clean(html)`` keeps the few tags a notice needs (paragraphs, line breaks, emphasis, lists,
headings, tables, links) and drops everything else with its attributes: a ``<script>``, an
``onclick``, a ``javascript:`` link or a style that hides text cannot survive it. Links keep
only http, https, mailto and tel, and open with ``rel="noopener noreferrer nofollow"``.
``plain(html)`` is the same text without tags, for an SMS or a search.
"""

from __future__ import annotations

import html as html_lib
import re

TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "h3", "h4", "blockquote",
        "table", "thead", "tbody", "tr", "th", "td", "a", "hr",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_LENGTH = 50_000

_BLOCK_END = re.compile(r"</(p|li|h3|h4|tr|blockquote)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean(text: str) -> str:
    """Safe HTML: only the allowed tags and attributes. Plain text with line breaks (typed
    without the editor, or through the API) becomes paragraphs first."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _HTML_TAG.search(text):
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join("<p>" + html_lib.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    import nh3  # when a text is saved, not when the app starts (decision 0057)

    return nh3.clean(
        text,
        tags=set(TAGS),
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def plain(html: str) -> str:
    """The text without tags: block ends become line breaks, entities are decoded."""
    text = _BLOCK_END.sub("\n", html or "")
    text = html_lib.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def is_empty(html: str) -> bool:
    return not plain(html)
