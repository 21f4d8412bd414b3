"""Thin tasks of the rectification app (the deadline sweeps are added by their family)."""

from __future__ import annotations
