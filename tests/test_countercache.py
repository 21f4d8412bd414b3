"""The rate-limit counters of a host without Redis: one SQLite file (SPEC W-1; decision 0062).

The portal's limits count through it (tests/test_portal.py); here the store itself: a count
is exact under threads, shared by every instance on the folder (as the worker processes of a
host share it), restarts when its window ends, and the file is readable by its owner only.
"""

from __future__ import annotations

import stat
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from estatedesk.core import countercache, ratelimit
from estatedesk.core.countercache import CounterCache

START = datetime(2026, 12, 3, 4, 5, 30, tzinfo=UTC)


def store(folder: Path, **options: int) -> CounterCache:
    return CounterCache(str(folder), {"OPTIONS": options})


@pytest.mark.req("W-1")
def test_a_counter_counts_in_one_statement_and_starts_again_when_its_window_ends(tmp_path):
    cache = store(tmp_path)
    with time_machine.travel(START, tick=False) as clock:
        assert [cache.count("a", timeout=60) for _ in range(3)] == [1, 2, 3]
        assert cache.count("b", timeout=60) == 1
        clock.shift(timedelta(seconds=59))
        assert cache.count("a", timeout=60) == 4  # the window's end is kept, not pushed on
        clock.shift(timedelta(seconds=2))
        assert cache.count("a", timeout=60) == 1
        assert cache.get("a") == 1


@pytest.mark.req("W-1")
def test_every_instance_on_the_folder_and_every_thread_shares_the_counts(tmp_path):
    caches = [store(tmp_path), store(tmp_path)]  # as two worker processes of one host

    def hammer(cache: CounterCache) -> None:
        for _ in range(50):
            cache.count("shared", timeout=600)

    threads = [threading.Thread(target=hammer, args=(caches[n % 2],)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert caches[0].get("shared") == caches[1].get("shared") == 200


@pytest.mark.req("W-1")
def test_the_file_is_the_owners_alone(tmp_path):
    folder = tmp_path / "cache" / "ratelimit"
    store(folder).count("a", timeout=60)

    assert stat.S_IMODE((folder / countercache.FILE_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


@pytest.mark.req("W-1")
def test_it_answers_as_a_django_cache(tmp_path):
    cache = store(tmp_path)
    with time_machine.travel(START, tick=False) as clock:
        assert cache.add("n", 5, timeout=10) is True
        assert cache.add("n", 6, timeout=10) is False
        assert cache.incr("n") == 6
        cache.set("text", {"any": "value"}, timeout=10)
        assert cache.get("text") == {"any": "value"}
        assert cache.has_key("text") and not cache.has_key("missing")
        with pytest.raises(ValueError):
            cache.incr("missing")
        assert cache.touch("n", timeout=100) is True
        clock.shift(timedelta(seconds=11))
        assert cache.get("text", "gone") == "gone"
        assert cache.add("text", 1, timeout=10) is True  # an expired entry may be added again
        assert cache.get("n") == 6
        assert cache.delete("n") is True and cache.get("n") is None
        cache.clear()
        assert cache.get("text") is None


@pytest.mark.req("W-1")
def test_expired_counters_are_removed_and_a_full_store_drops_those_nearest_their_end(tmp_path, monkeypatch):
    monkeypatch.setattr(countercache, "CULL_EVERY", 10)
    cache = store(tmp_path, MAX_ENTRIES=15, CULL_FREQUENCY=3)
    with time_machine.travel(START, tick=False) as clock:
        for n in range(9):
            cache.count(f"old{n}", timeout=5)
        clock.shift(timedelta(seconds=6))
        cache.count("new0", timeout=60)  # the tenth write: the nine expired rows go
        assert cache._db().execute("SELECT count(*) FROM entry").fetchone() == (1,)  # noqa: SLF001
        for n in range(1, 21):
            cache.count(f"new{n}", timeout=60 + n)
        # at the 20th write 11 rows are kept; at the 30th, 21 rows are over 15: a third goes
        rows = [key for (key,) in cache._db().execute("SELECT key FROM entry ORDER BY expires")]  # noqa: SLF001
        assert len(rows) == 14 and not any(key.endswith(":new0") for key in rows)


@pytest.mark.req("W-1")
def test_the_portal_limit_counts_through_it(tmp_path, settings):
    settings.CACHES = {
        **settings.CACHES,
        ratelimit.CACHE_ALIAS: {
            "BACKEND": "estatedesk.core.countercache.CounterCache",
            "LOCATION": str(tmp_path),
        },
    }
    rate = ratelimit.Rate(2, 600)
    with time_machine.travel(START, tick=False):
        assert ratelimit.hit("t", "198.51.100.1", rate) is None
        assert ratelimit.hit("t", "198.51.100.1", rate) is None
        wait = ratelimit.hit("t", "198.51.100.1", rate)
        assert ratelimit.hit("t", "198.51.100.2", rate) is None
    assert wait is not None and 0 < wait <= 600
