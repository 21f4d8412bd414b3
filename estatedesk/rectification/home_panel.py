"""The rectification panels of the home page (SPEC A-1, R-4): filled in by the progress family."""

from __future__ import annotations


def register_panels() -> None:
    """Register the rectification panels with ``core.panels`` (none yet)."""
