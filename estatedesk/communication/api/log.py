"""The log API of customer communication (SPEC A-2, C-2 … C-4)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["log"])
