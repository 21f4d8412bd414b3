"""Abuse limits of the public portal and of the public survey answer of the API (SPEC W-1):
fixed-window counters in a Django cache.

Counters live in the ``ratelimit`` cache (Redis when configured, else one SQLite file in the
data folder, ``core.countercache``, so the worker processes of one host share them). A fixed
window may let through up to twice the count around a window's edge; for slowing down abuse
that is enough, and it costs one cache increment per request (one statement on the SQLite
file, an ``add`` and an ``incr`` on other caches). Client addresses (``core.clientaddr.client_ip``, the
same as for sign-in lock-out and the access log) are hashed before they become keys: the
cache holds no readable addresses.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

from estatedesk.core.countercache import CounterCache

CACHE_ALIAS = "ratelimit"
_RATE = re.compile(r"^\s*(?P<count>\d+)\s*/\s*(?P<amount>\d*)\s*(?P<unit>[smh])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int


def parse(text: str) -> Rate:
    """ "5/10m" → 5 per 600 seconds; "60/h" → 60 per hour."""
    match = _RATE.match(text or "")
    if match is None:
        raise ValueError(f"a rate looks like 5/10m, 60/1h or 30/s, not {text!r}")
    amount = int(match["amount"] or 1)
    return Rate(int(match["count"]), max(1, amount * _UNIT_SECONDS[match["unit"]]))


def setting(name: str) -> Rate:
    return parse(str(getattr(settings, name)))


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ident}".encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{window}"


def hit(scope: str, ident: str, rate: Rate) -> int | None:
    """Count one request; None when it is within the limit, else the seconds until the window ends."""
    now = time.time()
    window = int(now // rate.seconds)
    key = _key(scope, ident, window)
    cache = caches[CACHE_ALIAS]
    if isinstance(cache, CounterCache):
        count = cache.count(key, timeout=rate.seconds + 5)
    else:
        cache.add(key, 0, timeout=rate.seconds + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=rate.seconds + 5)
            count = 1
    if count <= rate.count:
        return None
    return max(1, int((window + 1) * rate.seconds - now))
