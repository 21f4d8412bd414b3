"""Every write of a survey's life (SPEC S-7, S-8), one function per transition of
``workflow.SURVEY``: the draw in ``drawing``, the other steps in ``lifecycle``. The answers are
``surveys.responses``; the evaluation standards ``surveys.standards``."""

from estatedesk.surveys.services.drawing import draw_sample, key_since
from estatedesk.surveys.services.lifecycle import (
    cancel_survey,
    close_survey,
    create_survey,
    may_organise,
    open_survey,
    remind,
    reminders_due,
    update_survey,
)

__all__ = [
    "cancel_survey",
    "close_survey",
    "create_survey",
    "draw_sample",
    "key_since",
    "may_organise",
    "open_survey",
    "remind",
    "reminders_due",
    "update_survey",
]
