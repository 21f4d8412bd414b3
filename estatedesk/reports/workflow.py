"""The life cycles of the three reports, declared once (SPEC K-12 … K-15).

* The monthly department report: drafted by the nightly job (or on demand), its analysis
  written by the department head, submitted (its figures frozen), reviewed by the deputy GM.
* The quarterly analysis: drafted, written and published to every department by customer
  service (frozen when published).
* The annual summary: drafted, written and issued by the deputy GM or the GM (frozen when
  issued). Its stored status value is "published", as it always was; it is called "Issued".

``services`` and ``services_periods`` refuse any step that is not listed here, the models'
status choices are these states, and the help page draws the flowcharts from the same tables
(``core.flowchart``). Pure: no ORM.

Roles say who may take a step at all; the record's own rule narrows it in the services (the
head of *this* department submits its report; a department head writes the quarterly
analysis only when heading a customer-service department). Drafting needs no role: the
nightly job does it for every period, and the pages let the people listed draft on demand.
Refreshing a draft's figures is not a step: the draft stays a draft, with its time of drafting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from estatedesk.core import workflow
from estatedesk.core.actors import Actor
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.workflow import Transition, Workflow

if TYPE_CHECKING:
    from estatedesk.org.models import Staff


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")


class PeriodStatus(models.TextChoices):
    """The quarterly analysis."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class AnnualStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "published", _("Issued")


LEADERSHIP = frozenset({"deputy_gm", "gm"})
HEAD = frozenset({"department_head"})
MONTHLY_DRAFTERS = frozenset({"department_head", "cs_supervisor"}) | LEADERSHIP
# The customer-service supervisor, and the head of a customer-service department.
QUARTERLY_WRITERS = frozenset({"cs_supervisor", "department_head"})

MONTHLY = Workflow(
    name="monthly_report",
    states=tuple(ReportStatus.choices),
    final=frozenset({ReportStatus.REVIEWED.value}),
    transitions=(
        Transition("draft", _("Draft the figures"), (), ReportStatus.DRAFT.value, MONTHLY_DRAFTERS),
        Transition(
            "save_analysis", _("Save the analysis as a draft"), (ReportStatus.DRAFT.value,), None, HEAD
        ),
        Transition(
            "submit",
            _("Submit to the deputy general manager"),
            (ReportStatus.DRAFT.value,),
            ReportStatus.SUBMITTED.value,
            HEAD,
        ),
        Transition(
            "review",
            _("Review: no action, or open corrective / preventive actions"),
            (ReportStatus.SUBMITTED.value,),
            ReportStatus.REVIEWED.value,
            LEADERSHIP,
        ),
    ),
)

QUARTERLY = Workflow(
    name="quarterly_analysis",
    states=tuple(PeriodStatus.choices),
    final=frozenset({PeriodStatus.PUBLISHED.value}),
    transitions=(
        Transition("draft", _("Draft the figures"), (), PeriodStatus.DRAFT.value, QUARTERLY_WRITERS),
        Transition(
            "save_analysis",
            _("Save the analysis as a draft"),
            (PeriodStatus.DRAFT.value,),
            None,
            QUARTERLY_WRITERS,
        ),
        Transition(
            "publish",
            _("Publish to all departments"),
            (PeriodStatus.DRAFT.value,),
            PeriodStatus.PUBLISHED.value,
            QUARTERLY_WRITERS,
        ),
    ),
)

ANNUAL = Workflow(
    name="annual_summary",
    states=tuple(AnnualStatus.choices),
    final=frozenset({AnnualStatus.ISSUED.value}),
    transitions=(
        Transition("draft", _("Draft the figures"), (), AnnualStatus.DRAFT.value, LEADERSHIP),
        Transition(
            "save_summary", _("Save the summary as a draft"), (AnnualStatus.DRAFT.value,), None, LEADERSHIP
        ),
        Transition(
            "issue",
            _("Issue the summary"),
            (AnnualStatus.DRAFT.value,),
            AnnualStatus.ISSUED.value,
            LEADERSHIP,
        ),
    ),
)


# --- the checks, in the words people know ---------------------------------------------------


def require(actor: Actor, transition: Transition, refusal: Any) -> Staff:
    """``core.workflow.require`` answering with this step's own refusal."""
    try:
        return workflow.require(actor, transition)
    except NotAllowed as error:
        raise NotAllowed(refusal) from error


def check(
    flow: Workflow, transition: Transition, status: str, number: str, *, done: Any, not_yet: Any = ""
) -> None:
    """``core.workflow.check_source`` in this record's own words: ``done`` when the record has
    moved past the step ("already handled", 409), ``not_yet`` when it has not reached it (422)."""
    try:
        workflow.check_source(flow, transition, status, number)
    except AlreadyHandled as error:
        raise AlreadyHandled(done) from error
    except InvalidInput as error:
        raise (InvalidInput(not_yet) if not_yet else AlreadyHandled(done)) from error
