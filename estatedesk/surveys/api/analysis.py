"""The API of analysis (SPEC A-2), with the permissions of the web pages."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analysis"])
