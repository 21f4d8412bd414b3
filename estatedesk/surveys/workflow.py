"""The life of a satisfaction survey, declared once (SPEC S-7, S-8; procedure §7.3.5–7.3.6).

A survey is prepared as a draft (title, estates, share, questionnaire), its sample is drawn
once (seeded, recorded), it is opened (personal links become valid, SMS go out) and closed
(answers after that are refused). ``services`` refuses any step not listed here, the model's
status choices are these states, and the help page draws the flowchart from the same table.
Pure: no ORM.

Who: the customer-service supervisor prepares the survey and draws its sample (§5.4); the
deputy GM organises it (§7.3.5), so opening and closing are the deputy GM's steps, which the
company settings may also give to the supervisor (``CompanySettings.cs_supervisor_runs_surveys``)
and the general manager may take in the deputy GM's place (decision 0017). Paper questionnaires
are typed in by the staff of the estates they come from.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.core.workflow import Transition, Workflow


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DRAWN = "drawn", _("Sample drawn")
    OPEN = "open", _("Open for answers")
    # "Closed" alone is a complaint's 已结案; a survey that has closed is 已结束.
    CLOSED = "closed", pgettext_lazy("survey status", "Closed")
    CANCELLED = "cancelled", _("Cancelled")


DRAFT, DRAWN, OPEN, CLOSED, CANCELLED = (
    SurveyStatus.DRAFT.value,
    SurveyStatus.DRAWN.value,
    SurveyStatus.OPEN.value,
    SurveyStatus.CLOSED.value,
    SurveyStatus.CANCELLED.value,
)

PREPARER_ROLES = frozenset({"cs_supervisor", "deputy_gm", "gm"})
# The deputy GM's own steps; the supervisor and the GM get them through the company settings.
ORGANISER_ROLES = frozenset({"deputy_gm", "cs_supervisor", "gm"})
# Who types in a paper questionnaire: the staff of the estate it came from, and the survey's team.
PAPER_ROLES = frozenset({"duty_staff", "handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})

SURVEY = Workflow(
    name="survey",
    states=tuple(SurveyStatus.choices),
    final=frozenset({CLOSED, CANCELLED}),
    transitions=(
        Transition("create", _("Prepare the survey"), (), DRAFT, PREPARER_ROLES),
        Transition("edit", _("Edit the survey"), (DRAFT, DRAWN, OPEN), None, PREPARER_ROLES),
        Transition("draw", _("Draw the sample"), (DRAFT,), DRAWN, PREPARER_ROLES),
        Transition("open", _("Open the survey and send the links"), (DRAWN,), OPEN, ORGANISER_ROLES),
        Transition(
            "remind", _("Remind the households that have not answered"), (OPEN,), None, PREPARER_ROLES
        ),
        Transition("enter_paper", _("Enter a paper questionnaire"), (OPEN,), None, PAPER_ROLES),
        Transition("close", _("Close the survey"), (OPEN,), CLOSED, ORGANISER_ROLES),
        Transition("cancel", _("Cancel the survey"), (DRAFT, DRAWN), CANCELLED, ORGANISER_ROLES),
    ),
)
