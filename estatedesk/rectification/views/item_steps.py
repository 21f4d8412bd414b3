"""The steps on a rectification item's page (SPEC R-3, R-4), each a form posted to
``rectification:item_step`` with its name.

A step is offered on the page only when the item's workflow offers one of its transitions to
the user's role now (``ITEM.available``) and the user is on the side that owns it: the property
company's customer service decides, notifies and records paper; the developer's customer
service plans and inspects; the rectification team (or the developer's customer service for
it) reports the work done. A step posted by someone whose side or role may never take it is
refused (403) before its form is read; one the item's status does not allow now is the
service's answer (422, or 409 when someone else took it meanwhile). Nothing changes either way.

Each ``run`` calls the step's one service (files inside ``uploads.discard_on_failure()``, so a
refused step leaves no stored file behind) and answers the success message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy, pgettext_lazy

from estatedesk.core import policy, uploads
from estatedesk.core.actors import Actor
from estatedesk.rectification import forms_items as f
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Item
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services import rounds, routing
from estatedesk.rectification.workflow import ENTRY_ROLES, ITEM, TEAM_ROLES

PROPERTY, DEVELOPER, TEAM = "property", "developer", "team"
# Who may add photos to an open item: whoever may work on it (never an auditor, who only reads).
PHOTO_ROLES = ENTRY_ROLES | TEAM_ROLES


@dataclass(frozen=True)
class Step:
    form: type[f.StepForm]
    transitions: tuple[str, ...]  # any of them offered now; () = the photos, while open
    sides: frozenset[str]
    title: Any
    button: Any
    run: Callable[[HttpRequest, Item, Any], str]
    note: Any = ""
    # Whether the step makes sense for this item at all (a resident to tell, or none).
    fits: Callable[[Item], bool] = lambda item: True

    @property
    def multipart(self) -> bool:
        return bool(self.form.files_field)


def _done(item: Item, message: Any) -> str:
    return str(message) % {"number": item.number}


def _edit(request: HttpRequest, item: Item, form: f.EditForm) -> str:
    data = form.cleaned_data
    item_services.edit_item(
        actor=request.user,
        item=item.pk,
        location=data["location"],
        description=data["description"],
        category=data["category"],
        based_on=data["based_on_version"],
    )
    return _done(item, gettext_lazy("%(number)s saved."))


def _fix_ourselves(request: HttpRequest, item: Item, form: f.FixOurselvesForm) -> str:
    data = form.cleaned_data
    routing.fix_ourselves(
        actor=request.user,
        item=item.pk,
        department=data["department"],
        due_date=data["due_date"],
        note=data["note"],
    )
    return _done(item, gettext_lazy("%(number)s is passed to the department to fix."))


def _escalate(request: HttpRequest, item: Item, form: f.NoteForm) -> str:
    routing.escalate(actor=request.user, item=item.pk, note=form.cleaned_data["note"])
    return _done(item, gettext_lazy("%(number)s is escalated to the developer's customer service."))


def _plan(replan: bool) -> Callable[[HttpRequest, Item, f.PlanForm], str]:
    def run(request: HttpRequest, item: Item, form: f.PlanForm) -> str:
        data = form.cleaned_data
        routing.plan(
            actor=request.user,
            item=item.pk,
            measure=data["measure"],
            due_date=data["due_date"],
            team=data["team"],
            replan=replan,
        )
        return _done(item, gettext_lazy("%(number)s: the team is told the measure and the date."))

    return run


def _complete(ourselves: bool) -> Callable[[HttpRequest, Item, f.CompleteForm], str]:
    service = rounds.complete_ourselves if ourselves else rounds.complete

    def run(request: HttpRequest, item: Item, form: f.CompleteForm) -> str:
        with uploads.discard_on_failure():
            service(
                actor=request.user,
                item=item.pk,
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        return _done(item, gettext_lazy("%(number)s is reported done."))

    return run


def _inspect(request: HttpRequest, item: Item, form: f.InspectForm) -> str:
    passed = form.cleaned_data["passed"]
    rounds.inspect(actor=request.user, item=item.pk, passed=passed, reason=form.cleaned_data["reason"])
    if passed:
        return _done(item, gettext_lazy("%(number)s is accepted: the resident can now be asked to inspect."))
    return _done(item, gettext_lazy("%(number)s is sent back to the team."))


def _notify(request: HttpRequest, item: Item, form: f.NotifyForm) -> str:
    rounds.notify(actor=request.user, item=item.pk)
    return _done(item, gettext_lazy("The resident is asked to inspect %(number)s."))


def _paper_accept(request: HttpRequest, item: Item, form: f.PaperAcceptForm) -> str:
    with uploads.discard_on_failure():
        rounds.record_paper_acceptance(
            actor=request.user,
            item=item.pk,
            scan=form.cleaned_data["scan"],
            signed_name=form.cleaned_data["signed_name"],
        )
    return _done(item, gettext_lazy("%(number)s is recorded as accepted on paper."))


def _paper_object(request: HttpRequest, item: Item, form: f.PaperObjectForm) -> str:
    with uploads.discard_on_failure():
        rounds.record_paper_objection(
            actor=request.user,
            item=item.pk,
            objection=form.cleaned_data["objection"],
            photos=form.cleaned_data["photos"],
        )
    return _done(item, gettext_lazy("%(number)s: the objection is recorded and the next round begins."))


def _accept_on_behalf(request: HttpRequest, item: Item, form: f.NoteForm) -> str:
    rounds.accept_on_behalf(actor=request.user, item=item.pk, note=form.cleaned_data["note"])
    return _done(item, gettext_lazy("%(number)s is accepted for the department."))


def _cancel(request: HttpRequest, item: Item, form: f.CancelForm) -> str:
    rounds.cancel(actor=request.user, item=item.pk, reason=form.cleaned_data["reason"])
    return _done(item, gettext_lazy("%(number)s is cancelled."))


def _photos(request: HttpRequest, item: Item, form: f.PhotosForm) -> str:
    with uploads.discard_on_failure():
        item_services.add_photos(
            actor=request.user,
            item=item.pk,
            photos=form.cleaned_data["photos"],
            stage=form.cleaned_data["stage"],
        )
    return _done(item, gettext_lazy("The photos are added to %(number)s."))


def _title(name: str) -> Any:
    return ITEM.get(name).label


ALL = frozenset({PROPERTY, DEVELOPER, TEAM})
OURS = frozenset({PROPERTY})
STEPS: dict[str, Step] = {
    "edit": Step(f.EditForm, ("edit",), OURS, _title("edit"), pgettext_lazy("rectification", "Save"), _edit),
    "fix_ourselves": Step(
        f.FixOurselvesForm,
        ("fix_ourselves",),
        OURS,
        _title("fix_ourselves"),
        gettext_lazy("Pass to the department"),
        _fix_ourselves,
    ),
    "escalate": Step(
        f.NoteForm, ("escalate",), OURS, _title("escalate"), gettext_lazy("Escalate"), _escalate
    ),
    "plan": Step(
        f.PlanForm,
        ("plan",),
        frozenset({DEVELOPER}),
        _title("plan"),
        gettext_lazy("Assign to the team"),
        _plan(False),
    ),
    "replan": Step(
        f.PlanForm,
        ("replan",),
        frozenset({DEVELOPER}),
        _title("replan"),
        pgettext_lazy("rectification", "Save"),
        _plan(True),
    ),
    "complete": Step(
        f.CompleteForm,
        ("complete",),
        frozenset({TEAM, DEVELOPER}),
        _title("complete"),
        gettext_lazy("Report done"),
        _complete(False),
    ),
    "complete_ourselves": Step(
        f.CompleteForm,
        ("complete_ourselves",),
        OURS,
        _title("complete_ourselves"),
        gettext_lazy("Report done"),
        _complete(True),
    ),
    "inspect": Step(
        f.InspectForm,
        ("inspect_pass", "inspect_fail"),
        frozenset({DEVELOPER}),
        gettext_lazy("Inspect the rectification"),
        gettext_lazy("Record the inspection"),
        _inspect,
    ),
    "notify": Step(
        f.NotifyForm,
        ("notify",),
        OURS,
        _title("notify"),
        gettext_lazy("Send the resident the link"),
        _notify,
        gettext_lazy("Each person of the unit gets an SMS with the unit's private link."),
        fits=lambda item: item.unit_id is not None,
    ),
    "paper_accept": Step(
        f.PaperAcceptForm,
        ("accept",),
        OURS,
        gettext_lazy("Record a paper acceptance"),
        gettext_lazy("Record the acceptance"),
        _paper_accept,
    ),
    "paper_object": Step(
        f.PaperObjectForm,
        ("object_developer", "object_property"),
        OURS,
        gettext_lazy("Record the resident's objection"),
        gettext_lazy("Start the next round"),
        _paper_object,
    ),
    "accept_on_behalf": Step(
        f.NoteForm,
        ("accept_on_behalf",),
        OURS,
        _title("accept_on_behalf"),
        pgettext_lazy("rectification", "Accept"),
        _accept_on_behalf,
        fits=lambda item: item.unit_id is None,
    ),
    "cancel": Step(
        f.CancelForm, ("cancel",), OURS, _title("cancel"), gettext_lazy("Cancel the item"), _cancel
    ),
    "photos": Step(f.PhotosForm, (), ALL, gettext_lazy("Add photos"), gettext_lazy("Add"), _photos),
}


def offered(user: Actor, item: Item) -> list[str]:
    """The steps the page shows this user for this item now, in the order of ``STEPS``."""
    available = {t.name for t in ITEM.available(item.status, None, policy.role_of(user))}
    names = []
    for name, step in STEPS.items():
        if not may_take(user, name) or not step.fits(item):
            continue
        if available.intersection(step.transitions) or (
            not step.transitions and item.status not in ITEM.final
        ):
            names.append(name)
    return names


def may_take(user: Actor, name: str) -> bool:
    """Whether the user's side and role may take the step at all (its status aside)."""
    step = STEPS[name]
    role = policy.role_of(user)
    if selectors.side_of(user) not in step.sides:
        return False
    if not step.transitions:
        return role in PHOTO_ROLES
    return any(role in ITEM.get(t).roles for t in step.transitions)
