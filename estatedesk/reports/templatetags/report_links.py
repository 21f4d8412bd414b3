"""Template filters of the report pages."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from estatedesk.reports.presenters import ComplaintLink

register = template.Library()


@register.filter
def complaint_links(links: Iterable[ComplaintLink]) -> SafeString:
    """``<a href="…">number</a>, …`` in one call: a month can list thousands of repeat
    complainants' complaints, and a template loop renders each link node by node."""
    return format_html_join(", ", '<a href="{}">{}</a>', ((link.url, link.number) for link in links))
