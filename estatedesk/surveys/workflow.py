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


# ---------------------------------------------------------------------------------------------
# The monthly consultation (業主意見征詢, SPEC S-4, §7.3.1–7.3.2)
#
# The management office plans it (topics, method, staff) and the system proposes its sample;
# the office may swap households while it is planned. Starting it freezes the sample (and, for
# the questionnaire method, makes the residents' links valid); answers are recorded while it
# runs; finishing it closes it. A planned one may be cancelled.
# ---------------------------------------------------------------------------------------------


class ConsultationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Under way")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


# The office's own staff plan and run it; the customer-service team and the leadership may too.
CONSULTATION_ROLES = frozenset({"handler", "department_head", "cs_supervisor", "deputy_gm", "gm"})
# Any staff of the estate may record what a household said (the duty staff walk the doors too).
CONSULTATION_ENTRY_ROLES = CONSULTATION_ROLES | {"duty_staff"}

CONSULTATION = Workflow(
    name="consultation",
    states=tuple(ConsultationStatus.choices),
    final=frozenset({ConsultationStatus.FINISHED.value, ConsultationStatus.CANCELLED.value}),
    transitions=(
        Transition("plan", _("Plan the consultation"), (), "planned", CONSULTATION_ROLES),
        Transition("swap", _("Swap a household"), ("planned",), None, CONSULTATION_ROLES),
        Transition("start", _("Start the consultation"), ("planned",), "running", CONSULTATION_ROLES),
        Transition("record", _("Record a household's answers"), ("running",), None, CONSULTATION_ENTRY_ROLES),
        Transition("finish", _("Finish the consultation"), ("running",), "finished", CONSULTATION_ROLES),
        Transition("cancel", _("Cancel the consultation"), ("planned",), "cancelled", CONSULTATION_ROLES),
    ),
)


# ---------------------------------------------------------------------------------------------
# An improvement suggestion from a survey's analysis (SPEC S-9, §7.3.7)
#
# The deputy GM writes it and submits it to the GM, who accepts it (with an owner and a date:
# it becomes a corrective / preventive action) or declines it with a reason.
# ---------------------------------------------------------------------------------------------


class SuggestionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the general manager")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


ANALYST_ROLES = frozenset({"cs_supervisor", "deputy_gm", "gm"})
DECIDER_ROLES = frozenset({"gm"})

SUGGESTION = Workflow(
    name="suggestion",
    states=tuple(SuggestionStatus.choices),
    final=frozenset({SuggestionStatus.ACCEPTED.value, SuggestionStatus.DECLINED.value}),
    transitions=(
        Transition("write", _("Write a suggestion"), (), "draft", ANALYST_ROLES),
        Transition("edit", _("Edit the suggestion"), ("draft",), None, ANALYST_ROLES),
        Transition(
            "submit",
            _("Submit to the general manager"),
            ("draft",),
            "submitted",
            frozenset({"deputy_gm", "gm"}),
        ),
        Transition("accept", _("Accept and give it an owner"), ("submitted",), "accepted", DECIDER_ROLES),
        Transition("decline", _("Decline with a reason"), ("submitted",), "declined", DECIDER_ROLES),
    ),
)
