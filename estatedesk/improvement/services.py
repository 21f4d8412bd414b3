"""Every write of a corrective / preventive action (SPEC I-1): open, analyse, plan a step,
finish a step, verify. One function per transition of ``workflow.ACTION``, each in one
transaction on the locked action, each writing its timeline event (``events``).

Who may do what
---------------
* Open: department heads, the customer-service supervisor, the deputy GM and the GM, from
  a source they can see (a complaint or monthly report in their scope).
* Analyse and plan steps: the opener, the head of the responsible department, the
  customer-service supervisor, the deputy GM and the GM ("managers" of the action).
* Finish a step: its owner, or a manager.
* Verify effectiveness: the customer-service supervisor, the deputy GM or the GM, who are
  independent of the department that did the work. Effective closes the action; not
  effective sends it back to work, where a new step is planned.

The action is looked up in the actor's scope before anything else, so an action out of scope
is "not found" whatever the actor's role.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Min
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints.models import Complaint, Kind
from estatedesk.complaints.selectors import complaints_for
from estatedesk.core.actors import Actor
from estatedesk.core.causes import clean_fishbone, fishbone_texts
from estatedesk.core.clock import company_zone, now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.i18n import in_company_language
from estatedesk.core.numbering import next_number
from estatedesk.core.policy import scope_departments, scope_staff, staff_of
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import Transition, check_source, lock, require
from estatedesk.improvement import events, workflow
from estatedesk.improvement.models import Action, ActionKind, ActionStatus, Source, Step, Verification
from estatedesk.improvement.selectors import action_scope
from estatedesk.improvement.sources import find_report
from estatedesk.improvement.workflow import VERIFIER_ROLES
from estatedesk.notifications.services import tell
from estatedesk.org.models import Department, Role, Staff
from estatedesk.surveys.review_selectors import half_year_lines_for

if TYPE_CHECKING:
    from estatedesk.reports.models import MonthlyReport
    from estatedesk.surveys.models import HalfYearLine, Suggestion

__all__ = [
    "add_step",
    "open_from_suggestion",
    "analyse",
    "can_manage",
    "can_verify",
    "finish_step",
    "open_action",
    "verify",
]


def _staff(actor: Actor) -> Staff:
    staff = staff_of(actor)
    if staff is None:
        raise NotAllowed(_("Only staff can work on corrective and preventive actions."))
    return staff


def _require(actor: Actor, transition: Transition, refusal: Any) -> Staff:
    """``core.workflow.require`` with this step's own refusal (the message people know)."""
    _staff(actor)
    try:
        return require(actor, transition)
    except NotAllowed as error:
        raise NotAllowed(refusal) from error


def _check(transition: Transition, action: Action, *, done: Any, not_yet: Any = "") -> None:
    """``core.workflow.check_source`` in this step's own words: ``done`` when the action has
    moved past the step (closed: "already handled", 409), ``not_yet`` when it has not reached
    it (422)."""
    try:
        check_source(workflow.ACTION, transition, action.status, action.number)
    except AlreadyHandled as error:
        raise AlreadyHandled(done) from error
    except InvalidInput as error:
        raise (InvalidInput(not_yet) if not_yet else AlreadyHandled(done)) from error


def can_manage(actor: Actor, action: Action) -> bool:
    staff = staff_of(actor)
    if staff is None:
        return False
    if staff.role in (Role.CS_SUPERVISOR, Role.DEPUTY_GM, Role.GM) or staff.pk == action.opened_by_id:
        return True
    return staff.role == Role.DEPARTMENT_HEAD and staff.departments.filter(pk=action.department_id).exists()


def can_verify(actor: Actor) -> bool:
    staff = staff_of(actor)
    return staff is not None and staff.role in VERIFIER_ROLES


def _manager(actor: Actor, action: Action, transition: Transition, refusal: Any) -> Staff:
    """A manager of this action (``can_manage``) taking ``transition``. The opener keeps
    running their action whatever their role is now; everyone else needs a managing role."""
    staff = _staff(actor)
    if staff.pk != action.opened_by_id:
        _require(actor, transition, refusal)
    if not can_manage(actor, action):
        raise NotAllowed(refusal)
    return staff


def _locked(actor: Actor, action: Action | int) -> Action:
    """The action, locked, if it is in the actor's scope (else NotFound, like a missing one)."""
    return lock(action_scope(actor), action.pk if isinstance(action, Action) else action)


def _refresh_next_due(action: Action) -> None:
    action.next_due = action.steps.filter(done_at__isnull=True).aggregate(d=Min("due_date"))["d"]


def _link(pk: int) -> str:
    return reverse("improvement:detail", args=[pk])


def _source_record(
    actor: Actor,
    source: str,
    complaint: Complaint | int | None,
    report: MonthlyReport | int | None,
    reference: str,
) -> tuple[Complaint | None, MonthlyReport | None]:
    if source in (Source.COMPLAINT, Source.GRIEVANCE):
        if complaint is None:
            raise InvalidInput(_("Choose the complaint this action comes from."), field="source_complaint")
        pk = complaint.pk if isinstance(complaint, Complaint) else complaint
        found = complaints_for(actor).filter(pk=pk).first()
        if found is None:
            raise InvalidInput(_("No such complaint in your scope."), field="source_complaint")
        wanted = Kind.GRIEVANCE if source == Source.GRIEVANCE else Kind.COMPLAINT
        if found.kind != wanted:
            raise InvalidInput(
                _("%(number)s is not a %(kind)s.") % {"number": found.number, "kind": Source(source).label},
                field="source_complaint",
            )
        return found, None
    if source == Source.MONTHLY_REPORT:
        if report is None:
            raise InvalidInput(_("Choose the monthly report this action comes from."), field="source_report")
        pk = report if isinstance(report, int) else report.pk
        found_report = find_report(actor, pk)
        if found_report is None:
            raise InvalidInput(_("No such monthly report in your scope."), field="source_report")
        return None, found_report
    if not reference.strip():
        raise InvalidInput(
            _("Say where the problem was found (which survey, forum, inspection or statistics)."),
            field="source_reference",
        )
    return None, None


@transaction.atomic
def open_action(
    *,
    actor: Actor,
    kind: str,
    source: str,
    title: str,
    problem: str,
    department: Department | int | None = None,
    source_complaint: Complaint | int | None = None,
    source_report: MonthlyReport | int | None = None,
    source_half_year_line: HalfYearLine | int | None = None,
    source_reference: str = "",
    source_suggestion: Suggestion | None = None,
) -> Action:
    """Open an action. From half-year statistics, ``source_half_year_line`` is the line it
    comes from (in the actor's scope); ``source_suggestion`` is set only by
    ``open_from_suggestion`` (the GM accepting a survey's suggestion, S-9)."""
    staff = _require(
        actor,
        workflow.ACTION.get("open"),
        _("Department heads, the customer-service supervisor and the leadership open actions."),
    )
    if kind not in ActionKind.values:
        raise InvalidInput(_("Choose corrective or preventive."), field="kind")
    if source not in Source.values:
        raise InvalidInput(_("Choose where the problem was found."), field="source")
    if not title.strip():
        raise InvalidInput(_("Give the action a short title."), field="title")
    if not problem.strip():
        raise InvalidInput(_("Describe the problem."), field="problem")
    line = None
    if source == Source.HALF_YEAR_STATISTICS and source_half_year_line is not None:
        line_pk = (
            source_half_year_line if isinstance(source_half_year_line, int) else source_half_year_line.pk
        )
        line = half_year_lines_for(actor).select_related("statistics").filter(pk=line_pk).first()
        if line is None:
            raise InvalidInput(
                _("No such half-year statistics in your scope."), field="source_half_year_line"
            )
        source_reference = source_reference or line.summary
    if source == Source.SURVEY and source_suggestion is not None:
        source_reference = source_reference or f"{source_suggestion.number} {source_suggestion.title}"
    complaint, report = _source_record(actor, source, source_complaint, source_report, source_reference)
    if department is None and line is not None:
        department = line.statistics.office_id
    if department is None:
        department = complaint.department if complaint else (report.department if report else None)
    if department is None:
        raise InvalidInput(_("Choose the responsible department."), field="department")
    dept_pk = department.pk if isinstance(department, Department) else department
    dept = scope_departments(actor, Department.objects.filter(active=True)).filter(pk=dept_pk).first()
    if dept is None:
        raise InvalidInput(_("Choose the responsible department."), field="department")
    when = now()
    action = Action.objects.create(
        number=next_number("CA", when),
        kind=kind,
        source=source,
        source_complaint=complaint,
        source_report=report,
        source_half_year_line=line,
        source_suggestion=source_suggestion,
        source_reference=source_reference.strip()[:200],
        department=dept,
        estate=complaint.estate if complaint else (line.statistics.estate if line else dept.estate),
        title=title.strip()[:200],
        problem=problem.strip(),
        status=workflow.ACTION.get("open").result(""),
        opened_by=staff,
        opened_at=when,
    )
    events.action_opened(action, actor)
    heads = [
        s.user for s in dept.staff.filter(role=Role.DEPARTMENT_HEAD, user__is_active=True) if s.pk != staff.pk
    ]
    with in_company_language():
        tell(
            heads,
            key=f"capa-open:{action.pk}",
            subject=str(_("New corrective / preventive action %(number)s") % {"number": action.number}),
            body=action.title,
            link=_link(action.pk),
        )
    return action


def _analysis_texts(action: Action) -> dict[str, str]:
    """The cause analysis and the fishbone as the analysis form shows them (one cause a line)."""
    return {"cause_analysis": action.cause_analysis, **fishbone_texts(action.fishbone)}


@transaction.atomic
def analyse(
    *,
    actor: Actor,
    action: Action | int,
    cause_analysis: str,
    fishbone: dict[str, Any] | None = None,
    based_on: int | None = None,
) -> Action:
    """The cause analysis and the fishbone. ``based_on``: the action's ``edit_version`` they
    were written on (decision 0011); the managers of an action may edit them at once."""
    locked = _locked(actor, action)
    transition = workflow.ACTION.get("analyse")
    _manager(actor, locked, transition, _("Only the people running this action can change its analysis."))
    _check(transition, locked, done=_("This action is closed; its analysis is kept as it was."))
    take_edit(locked, based_on, current=_analysis_texts(locked))
    text = cause_analysis.strip()
    bones = clean_fishbone(fishbone)
    if not text and not bones:
        raise InvalidInput(_("Write the cause analysis or fill in the fishbone."), field="cause_analysis")
    locked.cause_analysis = text
    locked.fishbone = bones
    locked.save(update_fields=["cause_analysis", "fishbone", EDIT_VERSION])
    events.analysed(locked, actor)
    return locked


@transaction.atomic
def add_step(
    *, actor: Actor, action: Action | int, description: str, owner: Staff | int, due_date: date
) -> Step:
    locked = _locked(actor, action)
    transition = workflow.ACTION.get("plan_step")
    _manager(actor, locked, transition, _("Only the people running this action can plan its steps."))
    _check(transition, locked, done=_("This action is closed."))
    if not description.strip():
        raise InvalidInput(_("Say what is to be done."), field="description")
    owner_pk = owner.pk if isinstance(owner, Staff) else owner
    owner_staff = (
        scope_staff(actor, Staff.objects.select_related("user").filter(user__is_active=True))
        .filter(pk=owner_pk)
        .first()
    )
    if owner_staff is None:
        raise InvalidInput(_("Choose who will do it."), field="owner")
    # The clock, not the wall: the demo plans steps in its replayed time.
    if due_date < now().astimezone(company_zone()).date():
        raise InvalidInput(_("The due date has already passed."), field="due_date")
    step = Step.objects.create(
        action=locked, description=description.strip(), owner=owner_staff, due_date=due_date
    )
    before = locked.status
    locked.status = transition.result(before)
    _refresh_next_due(locked)
    locked.save(update_fields=["status", "next_due"])
    events.step_planned(locked, actor, step, from_status=before)
    with in_company_language():
        tell(
            [owner_staff.user],
            key=f"capa-step:{step.pk}",
            subject=str(
                _("%(number)s: a step for you, due %(due)s")
                % {"number": locked.number, "due": due_date.isoformat()}
            ),
            body=step.description,
            link=_link(locked.pk),
        )
    return step


@transaction.atomic
def finish_step(*, actor: Actor, step: Step | int, result: str) -> Step:
    pk = step.pk if isinstance(step, Step) else step
    action_id = Step.objects.filter(pk=pk).values_list("action_id", flat=True).first()
    if action_id is None:
        raise NotFound(_("No such step."))
    locked = _locked(actor, action_id)
    found = Step.objects.select_for_update().get(pk=pk)
    refusal = _("Only the step's owner or the people running the action can finish it.")
    staff = _require(actor, workflow.ACTION.get("finish_step"), refusal)
    if staff.pk != found.owner_id and not can_manage(actor, locked):
        raise NotAllowed(refusal)
    if found.done_at is not None:
        raise AlreadyHandled(_("This step was already finished."))
    if not result.strip():
        raise InvalidInput(_("Say what was done."), field="result")
    # The last unfinished step sends the action to verification.
    last = not locked.steps.filter(done_at__isnull=True).exclude(pk=found.pk).exists()
    transition = workflow.ACTION.get("finish_last_step" if last else "finish_step")
    _check(transition, locked, done=_("This action is closed."))
    found.done_at = now()
    found.done_by = staff
    found.result = result.strip()
    found.save(update_fields=["done_at", "done_by", "result"])
    _refresh_next_due(locked)
    before = locked.status
    locked.status = transition.result(before)
    locked.save(update_fields=["next_due", "status"])
    events.step_finished(locked, actor, found, from_status=before)
    if locked.status == ActionStatus.VERIFYING:
        verifiers = [
            s.user
            for s in Staff.objects.filter(role__in=VERIFIER_ROLES, user__is_active=True).select_related(
                "user"
            )
        ]
        with in_company_language():
            tell(
                verifiers,
                key=f"capa-verify:{locked.pk}:{found.pk}",
                subject=str(_("%(number)s is ready for verification") % {"number": locked.number}),
                body=locked.title,
                link=_link(locked.pk),
            )
    return found


@transaction.atomic
def verify(*, actor: Actor, action: Action | int, effective: bool, note: str) -> Action:
    locked = _locked(actor, action)
    transition = workflow.ACTION.get("verify_effective" if effective else "verify_not_effective")
    staff = _require(
        actor,
        transition,
        _("Effectiveness is verified by the customer-service supervisor or the leadership."),
    )
    _check(
        transition,
        locked,
        done=_("This action was already verified and closed."),
        not_yet=_("Not possible now: every step must be finished before verification."),
    )
    if not note.strip():
        raise InvalidInput(_("Record the evidence of effectiveness (or why it did not work)."), field="note")
    when = now()
    Verification.objects.create(
        action=locked, effective=effective, note=note.strip(), verified_by=staff, verified_at=when
    )
    before = locked.status
    locked.verification = note.strip()
    locked.verified_by = staff
    locked.verified_at = when
    locked.status = transition.result(before)
    if effective:
        locked.closed_at = when
    locked.save(update_fields=["verification", "verified_by", "verified_at", "status", "closed_at"])
    record = events.verified_effective if effective else events.verified_not_effective
    record(locked, actor, from_status=before, note=note.strip())
    return locked


def open_from_suggestion(
    *, actor: Actor, suggestion: Suggestion, department: Department, owner: Staff, due_date: date
) -> Action:
    """The action a survey's improvement suggestion becomes when the GM accepts it (S-9): a
    corrective action from the survey, with the owner's step due on the date the GM set.
    Called by ``surveys`` (through ``surveys.action_link``) inside the acceptance's
    transaction, so the suggestion is never accepted without its action."""
    action = open_action(
        actor=actor,
        kind=ActionKind.CORRECTIVE,
        source=Source.SURVEY,
        title=suggestion.title,
        problem=suggestion.text,
        department=department,
        source_suggestion=suggestion,
    )
    add_step(actor=actor, action=action, description=suggestion.text, owner=owner, due_date=due_date)
    return action
