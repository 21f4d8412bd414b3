"""Small helpers the test modules share (import them from here, never copy them)."""

from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import time_machine


def frozen_at(when: datetime) -> time_machine.travel:
    """The clock stopped at ``when`` (an aware datetime) for the ``with`` block: the services,
    the pages and ``timezone.now()`` all read that moment, and it does not tick."""
    return time_machine.travel(when, tick=False)


def form_version(html: str, field_id: str = "id_based_on_version") -> str:
    """The version of the texts a page's form was opened on (its hidden ``based_on_version``)."""
    found = re.search(
        rf'<input type="hidden" name="based_on_version" value="(\d+)"[^>]*\bid="{field_id}"', html
    )
    assert found is not None, f"no {field_id} on the page"
    return found.group(1)


def stale_comparison(html: str) -> list[tuple[str, str]]:
    """The texts a refused save shows side by side (``core/_stale_edit.html``): (theirs, yours)."""
    pairs = re.findall(
        r'<div class="stale-text stale-theirs[^"]*">(.*?)</div>.*?<div class="stale-text stale-yours[^"]*">(.*?)</div>',
        html,
        re.S,
    )
    return [(unescape(theirs), unescape(yours)) for theirs, yours in pairs]
