"""The due states of a complaint's reply deadline (SPEC K-5): the floor's, in ``workcal.due``."""

from __future__ import annotations

from estatedesk.workcal.due import DueState, SoonWindows, due_state

__all__ = ["DueState", "SoonWindows", "due_state"]
