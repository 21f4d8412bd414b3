"""The page of one corrective / preventive action (SPEC I-1) and its forms.

Each form posts to its own step (``core.web.form_step_view``): parse, call the one service of
that step, and either go back to the page with a message or show the page again with the
service's error next to the field and everything typed still there. Every step looks the
action up in the user's scope first, so an action out of scope is 404 whatever is posted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from estatedesk.complaints.selectors import complaints_for
from estatedesk.core import fishbone, policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_today
from estatedesk.core.errors import AlreadyHandled, ServiceError
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.improvement import selectors, services, sources, workflow
from estatedesk.improvement.events import ActionEventKind
from estatedesk.improvement.forms import AnalyseForm, FinishStepForm, StepForm, VerifyForm
from estatedesk.improvement.models import Action, ActionStatus, Bone, Step, Verification
from estatedesk.improvement.views import days_overdue
from estatedesk.surveys.review_selectors import half_year_lines_for


def _action(user: Actor, pk: int) -> Action:
    action = (
        selectors.action_list(user)
        .select_related("source_report__department", "verified_by")
        .prefetch_related(
            Prefetch("steps", queryset=Step.objects.select_related("owner", "done_by")),
            "events",
            Prefetch("verifications", queryset=Verification.objects.select_related("verified_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if action is None:
        raise Http404
    return action


@dataclass
class StepRow:
    step: Step
    overdue_days: int
    finish_form: FinishStepForm | None  # None: this user cannot finish it (or it is done)


def may_finish(user: Actor, action: Action, step: Step, manager: bool) -> bool:
    staff = policy.staff_of(user)
    return step.done_at is None and staff is not None and (manager or step.owner_id == staff.pk)


def _step_rows(user: Actor, action: Action, today: date, failed: FinishStepForm | None) -> list[StepRow]:
    manager = services.can_manage(user, action)
    failed_pk = failed.data.get("step") if failed is not None else None
    rows = []
    for step in action.steps.all():
        late = max(0, (today - step.due_date).days) if step.done_at is None else 0
        form = None
        if failed is not None and str(failed_pk) == str(step.pk) and step.done_at is None:
            form = failed  # shown even to someone who may not finish it, with the reason why
        elif may_finish(user, action, step, manager):
            form = FinishStepForm(initial={"step": step.pk}, user=user, auto_id=f"id_finish_{step.pk}_%s")
        rows.append(StepRow(step, late, form))
    return rows


def _source_links(user: Actor, action: Action) -> dict[str, Any]:
    """Links to the source record only when the user may open it (else its number alone)."""
    complaint_visible = bool(
        action.source_complaint_id and complaints_for(user).filter(pk=action.source_complaint_id).exists()
    )
    report = sources.find_report(user, action.source_report_id) if action.source_report_id else None
    # From half-year statistics (S-5): the line, linked to its statistics when in the user's scope.
    line = (
        half_year_lines_for(user)
        .filter(pk=action.source_half_year_line_id)
        .select_related("statistics")
        .first()
        if action.source_half_year_line_id
        else None
    )
    return {
        "half_year_line": line,
        "complaint_visible": complaint_visible,
        "report_visible": report is not None,
        "report_name": sources.report_name(action.source_report) if action.source_report else "",
        "report_url": sources.report_url(report) if report else "",
    }


def render_detail(
    request: HttpRequest,
    action: Action,
    *,
    analyse_form: AnalyseForm | None = None,
    step_form: StepForm | None = None,
    finish_form: FinishStepForm | None = None,
    verify_form: VerifyForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    today = company_today()
    manager = services.can_manage(user, action) and action.status != ActionStatus.CLOSED
    verifier = services.can_verify(user) and action.status == ActionStatus.VERIFYING
    bones = [(bone.label, action.fishbone.get(bone.value) or []) for bone in Bone]
    context = {
        "action": action,
        "today": today,
        "days_overdue": days_overdue(action, today),
        "steps": _step_rows(user, action, today, finish_form),
        "verifications": list(action.verifications.all()),
        "has_fishbone": any(causes for _label, causes in bones),
        "bones": bones,
        "can_manage": manager or analyse_form is not None or step_form is not None,
        "analyse_form": analyse_form
        or AnalyseForm(
            initial=AnalyseForm.initial_for(action.cause_analysis, action.fishbone, action.edit_version),
            user=user,
            auto_id="id_analyse_%s",
        ),
        "analyse_open": analyse_form is not None,
        "step_form": step_form or StepForm(user=user, auto_id="id_step_%s"),
        "step_open": step_form is not None or (manager and not action.steps.all()),
        "can_verify": verifier or verify_form is not None,
        "verify_form": verify_form or VerifyForm(user=user, auto_id="id_verify_%s"),
        "timeline": timeline_rows(action.events.all(), workflow.ACTION, dict(ActionEventKind.choices)),
        **_source_links(user, action),
    }
    return render(request, "improvement/detail.html", context, status=status)


@company_time
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, _action(request.user, pk))


def _load(request: HttpRequest, pk: int) -> Action:
    return _action(request.user, pk)


def _back(action: Action) -> str:
    return reverse("improvement:detail", args=[action.pk])


def _run_analyse(request: HttpRequest, action: Action, form: AnalyseForm) -> str:
    services.analyse(
        actor=request.user,
        action=action.pk,
        cause_analysis=form.cleaned_data["cause_analysis"],
        fishbone=form.fishbone(),
        based_on=form.cleaned_data["based_on_version"],
    )
    return _("Cause analysis saved.")


analyse = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, action, data: AnalyseForm(data, user=request.user, auto_id="id_analyse_%s"),
        run=_run_analyse,
        render=lambda request, action, form, status: render_detail(
            request, action, analyse_form=form, status=status
        ),
        back=_back,
        name="analyse",
    )
)


def _run_step_add(request: HttpRequest, action: Action, form: StepForm) -> str:
    data = form.cleaned_data
    step = services.add_step(
        actor=request.user,
        action=action.pk,
        description=data["description"],
        owner=data["owner"],
        due_date=data["due_date"],
    )
    return _("Step added; %(name)s has been told.") % {"name": step.owner.display_name}


step_add = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, action, data: StepForm(data, user=request.user, auto_id="id_step_%s"),
        run=_run_step_add,
        render=lambda request, action, form, status: render_detail(
            request, action, step_form=form, status=status
        ),
        back=_back,
        name="step_add",
    )
)


# Written out rather than a FormStep: when someone finished the step meanwhile, the page comes
# back without the form and with a warning (409), which a step's ``run`` cannot answer.
@company_time
def step_finish(request: HttpRequest, pk: int) -> HttpResponse:
    action = _action(request.user, pk)
    if request.method != "POST":
        return redirect("improvement:detail", pk)
    step_pk = request.POST.get("step", "")
    # Only a step of this action: another action's step id answers 404, like any other id.
    if not step_pk.isdigit() or not action.steps.filter(pk=step_pk).exists():
        raise Http404
    form = FinishStepForm(request.POST, user=request.user, auto_id=f"id_finish_{step_pk}_%s")
    if not form.is_valid():
        return render_detail(request, action, finish_form=form, status=422)
    try:
        services.finish_step(
            actor=request.user, step=form.cleaned_data["step"], result=form.cleaned_data["result"]
        )
    except ServiceError as error:
        if isinstance(error, AlreadyHandled):
            # Someone finished it meanwhile: the page as it is now, with why nothing was saved.
            messages.warning(request, str(error.message))
            return render_detail(request, _action(request.user, pk), status=error.status)
        put_error(form, error)
        return render_detail(request, _action(request.user, pk), finish_form=form, status=error.status)
    action = _action(request.user, pk)
    if action.status == ActionStatus.VERIFYING:
        messages.success(request, _("Step finished. Every step is done: the action waits for verification."))
    else:
        messages.success(request, _("Step finished."))
    return redirect("improvement:detail", pk)


def _run_verify(request: HttpRequest, action: Action, form: VerifyForm) -> str:
    effective = form.cleaned_data["effective"] == "yes"
    services.verify(actor=request.user, action=action.pk, effective=effective, note=form.cleaned_data["note"])
    if effective:
        return _("Verified effective: the action is closed.")
    return _("Not effective: the action is back in progress; plan a new step.")


verify = form_step_view(
    FormStep(
        load=_load,
        form=lambda request, action, data: VerifyForm(data, user=request.user, auto_id="id_verify_%s"),
        run=_run_verify,
        render=lambda request, action, form, status: render_detail(
            request, action, verify_form=form, status=status
        ),
        back=_back,
        name="verify",
    )
)


def fishbone_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The action's fishbone as an image; out of scope is 404 like the page."""
    action = _action(request.user, pk)
    labels = {bone.value: str(bone.label) for bone in Bone}
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + fishbone.draw(action.title, action.fishbone, labels)
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    # Nothing in the picture needs to load or run anything.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-cache"
    return response
