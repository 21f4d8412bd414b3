"""Rectification over the API (SPEC A-2, R-1 … R-5), with the permissions of the pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["rectification"])
