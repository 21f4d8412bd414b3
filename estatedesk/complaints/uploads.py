"""Photos and documents attached to complaints (placeholder; see the uploads issue part)."""

from __future__ import annotations

from typing import Any


def store(*, complaint: Any, upload: Any, actor: Any) -> Any:
    raise NotImplementedError
