"""Every write of a survey's analysis and its improvement suggestions (SPEC S-9, §7.3.7).

* ``save_analysis``: the summary, the problem chosen and its fishbone, which the deputy GM and
  the customer-service supervisor may both edit (``edit_version``, decision 0011).
* A suggestion follows ``workflow.SUGGESTION``: written and edited as a draft by the deputy GM,
  the supervisor or the GM, submitted to the GM by the deputy GM (or the GM), then accepted by
  the GM with an owner, a due date and a responsible department — which opens a corrective
  action in the same transaction (``action_link``), so a suggestion is never accepted without
  its action — or declined with a reason, which opens nothing.

Each step locks its row; a step someone else took first answers "already handled" (409).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, user_of
from estatedesk.core.causes import clean_fishbone, fishbone_texts
from estatedesk.core.clock import company_today, now
from estatedesk.core.errors import InvalidInput, NotAllowed, NotFound
from estatedesk.core.i18n import in_company_language
from estatedesk.core.numbering import next_number
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import check_source, lock, require
from estatedesk.notifications.services import tell
from estatedesk.org.models import Department, Estate, Role, Staff
from estatedesk.surveys import action_link
from estatedesk.surveys.analysis import draft_improvements, previous_survey
from estatedesk.surveys.models import Category, Suggestion, Survey, SurveyAnalysis
from estatedesk.surveys.review_selectors import suggestions_for
from estatedesk.surveys.selectors import estate_ids_in, surveys_for
from estatedesk.surveys.services.lifecycle import update_survey
from estatedesk.surveys.workflow import ANALYST_ROLES, SUGGESTION

__all__ = [
    "accept_suggestion",
    "analysis_of",
    "decline_suggestion",
    "edit_suggestion",
    "draft_improvements_from_last",
    "may_analyse",
    "save_analysis",
    "submit_suggestion",
    "write_suggestion",
]

MAX_TEXT = 4000


def may_analyse(actor: Actor) -> bool:
    staff = policy.staff_of(actor)
    return staff is not None and staff.role in ANALYST_ROLES


def analysis_of(survey: Survey) -> SurveyAnalysis:
    """The survey's analysis, or an unsaved empty one (version 0) to show."""
    found = SurveyAnalysis.objects.filter(survey=survey).first()
    return found or SurveyAnalysis(survey=survey)


def _analysis_texts(analysis: SurveyAnalysis) -> dict[str, str]:
    return {"summary": analysis.summary, "problem": analysis.problem, **fishbone_texts(analysis.fishbone)}


@transaction.atomic
def save_analysis(
    *,
    actor: Actor,
    survey: Survey | int,
    summary: str,
    problem: str,
    fishbone: dict[str, Any] | None,
    based_on: int | None,
) -> SurveyAnalysis:
    """The summary, the problem analysed and its fishbone; ``based_on`` the ``edit_version``
    they were written on (0 for a first analysis): a newer one saved meanwhile is a 409."""
    if not may_analyse(actor):
        raise NotAllowed(_("The deputy general manager and the customer-service supervisor analyse surveys."))
    pk = survey.pk if isinstance(survey, Survey) else survey
    locked_survey = lock(surveys_for(actor), pk)
    analysis, _created = SurveyAnalysis.objects.select_for_update().get_or_create(survey=locked_survey)
    take_edit(analysis, based_on, current=_analysis_texts(analysis))
    bones = clean_fishbone(fishbone)
    problem = problem.strip()
    if bones and not problem:
        raise InvalidInput(_("Name the problem the fishbone analyses."), field="problem")
    analysis.summary = summary.strip()[: MAX_TEXT * 2]
    analysis.problem = problem[:200]
    analysis.fishbone = bones
    analysis.save(update_fields=["summary", "problem", "fishbone", EDIT_VERSION])
    return analysis


def _texts(title: str, text: str) -> tuple[str, str]:
    if not title.strip():
        raise InvalidInput(_("Give the suggestion a short title."), field="title")
    if not text.strip():
        raise InvalidInput(_("Describe the improvement suggested."), field="text")
    return title.strip()[:200], text.strip()[:MAX_TEXT]


def _category(category: str) -> str:
    if category and category not in Category.values:
        raise InvalidInput(_("Choose a category from the list."), field="category")
    return category


def _estate(actor: Actor, survey: Survey, estate: Estate | int | None) -> Estate | None:
    if estate in (None, ""):
        return None
    pk = estate.pk if isinstance(estate, Estate) else estate
    if pk not in estate_ids_in(actor, survey):
        raise InvalidInput(_("Choose one of the survey's estates."), field="estate")
    return Estate.objects.get(pk=pk)


@transaction.atomic
def write_suggestion(
    *,
    actor: Actor,
    survey: Survey | int,
    title: str,
    text: str,
    category: str = "",
    estate: Estate | int | None = None,
) -> Suggestion:
    require(actor, SUGGESTION.get("write"))
    pk = survey.pk if isinstance(survey, Survey) else survey
    locked_survey = lock(surveys_for(actor), pk)
    title, text = _texts(title, text)
    when = now()
    return Suggestion.objects.create(
        survey=locked_survey,
        number=next_number("SG", when),
        category=_category(category),
        estate=_estate(actor, locked_survey, estate),
        title=title,
        text=text,
        status=SUGGESTION.get("write").result(""),
        written_by=user_of(actor),
        written_by_name=name_of(actor),
        written_at=when,
    )


def _locked(actor: Actor, suggestion: Suggestion | int) -> Suggestion:
    pk = suggestion.pk if isinstance(suggestion, Suggestion) else suggestion
    return lock(suggestions_for(actor).select_related("survey"), pk)


@transaction.atomic
def edit_suggestion(
    *,
    actor: Actor,
    suggestion: Suggestion | int,
    title: str,
    text: str,
    category: str = "",
    based_on: int | None,
) -> Suggestion:
    transition = SUGGESTION.get("edit")
    require(actor, transition)
    locked = _locked(actor, suggestion)
    check_source(SUGGESTION, transition, locked.status, locked.number)
    take_edit(locked, based_on, current={"title": locked.title, "text": locked.text})
    locked.title, locked.text = _texts(title, text)
    locked.category = _category(category)
    locked.save(update_fields=["title", "text", "category", EDIT_VERSION])
    return locked


def _link(suggestion: Suggestion) -> str:
    return reverse("surveys:analysis", args=[suggestion.survey_id]) + f"#suggestion-{suggestion.pk}"


@transaction.atomic
def submit_suggestion(*, actor: Actor, suggestion: Suggestion | int) -> Suggestion:
    transition = SUGGESTION.get("submit")
    require(actor, transition)
    locked = _locked(actor, suggestion)
    check_source(SUGGESTION, transition, locked.status, locked.number)
    locked.status = transition.result(locked.status)
    locked.submitted_at = now()
    locked.save(update_fields=["status", "submitted_at"])
    acting = user_of(actor)
    managers = [
        s.user
        for s in Staff.objects.select_related("user").filter(role=Role.GM, user__is_active=True)
        if s.user != acting
    ]
    with in_company_language():
        tell(
            managers,
            key=f"suggestion-submitted:{locked.pk}",
            subject=str(_("Improvement suggestion %(number)s for your decision") % {"number": locked.number}),
            body=locked.title,
            link=_link(locked),
        )
    return locked


@transaction.atomic
def accept_suggestion(
    *,
    actor: Actor,
    suggestion: Suggestion | int,
    owner: Staff | int | None,
    due_date: date | None,
    department: Department | int | None,
) -> Suggestion:
    """The GM accepts: the owner carries it out by the due date, the department answers for
    it; the corrective action opens in this transaction (none is left half-made)."""
    transition = SUGGESTION.get("accept")
    require(actor, transition)
    locked = _locked(actor, suggestion)
    check_source(SUGGESTION, transition, locked.status, locked.number)
    owner_pk = owner.pk if isinstance(owner, Staff) else owner
    owner_staff = (
        Staff.objects.select_related("user").filter(pk=owner_pk, user__is_active=True).first()
        if owner_pk
        else None
    )
    if owner_staff is None:
        raise InvalidInput(_("Choose who will carry it out."), field="owner")
    if due_date is None:
        raise InvalidInput(_("Give the date it is due."), field="due_date")
    if due_date < company_today():
        raise InvalidInput(_("The due date has already passed."), field="due_date")
    dept_pk = department.pk if isinstance(department, Department) else department
    dept = Department.objects.filter(pk=dept_pk, active=True).first() if dept_pk else None
    if dept is None:
        raise InvalidInput(_("Choose the responsible department."), field="department")
    locked.status = transition.result(locked.status)
    locked.decided_at = now()
    locked.decided_by_name = name_of(actor)
    locked.owner = owner_staff
    locked.due_date = due_date
    locked.department = dept
    locked.save(update_fields=["status", "decided_at", "decided_by_name", "owner", "due_date", "department"])
    action_link.open_action(
        actor=actor, suggestion=locked, department=dept, owner=owner_staff, due_date=due_date
    )
    if owner_staff.user != user_of(actor):
        with in_company_language():
            tell(
                [owner_staff.user],
                key=f"suggestion-accepted:{locked.pk}",
                subject=str(
                    _("Improvement %(number)s is yours to carry out by %(date)s")
                    % {"number": locked.number, "date": due_date.isoformat()}
                ),
                body=locked.title,
                link=_link(locked),
            )
    return locked


@transaction.atomic
def decline_suggestion(*, actor: Actor, suggestion: Suggestion | int, reason: str) -> Suggestion:
    transition = SUGGESTION.get("decline")
    require(actor, transition)
    locked = _locked(actor, suggestion)
    check_source(SUGGESTION, transition, locked.status, locked.number)
    if not reason.strip():
        raise InvalidInput(_("Say why the suggestion is declined."), field="reason")
    locked.status = transition.result(locked.status)
    locked.decided_at = now()
    locked.decided_by_name = name_of(actor)
    locked.decision_reason = reason.strip()[:MAX_TEXT]
    locked.save(update_fields=["status", "decided_at", "decided_by_name", "decision_reason"])
    return locked


def draft_improvements_from_last(*, actor: Actor, survey: Survey | int, based_on: int | None) -> Survey:
    """Fill the survey's "improvements since the last survey" with the draft made from the last
    survey's accepted suggestions, through the survey's own edit (its roles, statuses and
    version); the deputy GM then edits the text."""
    pk = survey.pk if isinstance(survey, Survey) else survey
    current = surveys_for(actor).filter(pk=pk).first()
    if current is None:
        raise NotFound(_("Not found, or not yours to see."))
    previous = previous_survey(current, surveys_for(actor))
    text = draft_improvements(previous) if previous is not None else ""
    if not text:
        raise InvalidInput(
            _("The last survey has no accepted improvement suggestions to draft from."), field="improvements"
        )
    return update_survey(actor=actor, survey=pk, based_on=based_on, improvements=text)
