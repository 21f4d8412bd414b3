"""Import Huey without the client libraries of the queues this process does not use.

Decision 0063: ``huey.storage`` tries ``import redis`` and ``import psycopg`` when it is first
imported, for ``RedisHuey`` and ``PostgresHuey``, whichever queue is configured. The two cost a
process about 21 MiB (redis alone also pulls in ``cryptography``'s asyncio parsers and metrics).
With the default ``SqliteHuey`` neither is used, so the settings import Huey once with the unused
ones hidden: Python's import system treats a module set to ``None`` in ``sys.modules`` as not
installed, which is the case Huey's own ``try``/``except ImportError`` handles. The names are put
back at once, so anything else that imports ``redis`` or ``psycopg`` later (Django's PostgreSQL
backend, the Redis cache) gets the real library; only Huey's unused backends stay without it.
"""

from __future__ import annotations

import importlib
import sys

# The library each queue class needs, beside SQLite's, which is in the standard library.
CLIENTS = {"huey.RedisHuey": "redis", "huey.PriorityRedisHuey": "redis", "huey.PostgresHuey": "psycopg"}


def import_huey(huey_class: str) -> None:
    """Import ``huey.storage`` with the client libraries ``huey_class`` does not need hidden."""
    if "huey.storage" in sys.modules:
        return
    needed = CLIENTS.get(huey_class)
    hidden = [name for name in sorted(set(CLIENTS.values())) if name != needed and name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # "not installed", for this import only
    try:
        importlib.import_module("huey.storage")
    finally:
        for name in hidden:
            del sys.modules[name]
