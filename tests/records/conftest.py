"""Fixtures of the records tests: a record type registered as an app registers its own, and an archive folder."""

from __future__ import annotations

from typing import Any

import pytest

from estatedesk.records import registry
from estatedesk.records.registry import RecordType
from tests.records.test_pages import KEY, THINGS


@pytest.fixture
def things(monkeypatch: pytest.MonkeyPatch) -> RecordType:
    monkeypatch.setitem(registry._TYPES, KEY, THINGS)
    return THINGS


@pytest.fixture
def archive_dir(settings: Any, tmp_path: Any) -> Any:
    settings.RECORDS_ARCHIVE_DIR = tmp_path
    return tmp_path
