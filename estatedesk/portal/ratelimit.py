"""The portal's abuse limits: ``estatedesk.core.ratelimit``, which the public survey answer of
the API shares (the API cannot import the portal: they are sibling layers)."""

from __future__ import annotations

from estatedesk.core.ratelimit import CACHE_ALIAS, Rate, hit, parse, setting

__all__ = ["CACHE_ALIAS", "Rate", "hit", "parse", "setting"]
