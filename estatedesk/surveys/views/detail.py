"""The page of one survey (SPEC S-7, S-8): what it is, the draw's record, its steps, the edit
form, the live progress per estate and building, and the timeline.

Each step posts to its own URL (``core.web.form_step_view``): the survey is looked up in the
user's scope first (404 outside it), the step's one service is called, and a refusal shows the
page again with the message next to its field and everything typed kept. Staff outside the
survey's team see only their estates: their rows of the draw, their progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.timeline import timeline_rows
from estatedesk.core.versioning import version_initial
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.org.models import Building
from estatedesk.surveys import responses, selectors, services
from estatedesk.surveys.events import SurveyEventKind
from estatedesk.surveys.forms import CancelForm, ConfirmForm, DrawForm, SurveyEditForm
from estatedesk.surveys.models import Survey, SurveyEstate, SurveyStatus
from estatedesk.surveys.views.common import optional_url, survey_or_404
from estatedesk.surveys.workflow import ORGANISER_ROLES, SURVEY

ORGANISER_STEPS = frozenset({"open", "close", "cancel"})
STEPS = ("draw", "open", "remind", "close", "cancel")
# The page asks for fresh figures this often while the survey is open (seconds).
REFRESH_SECONDS = 30


def rate(part: int, whole: int) -> Decimal | None:
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


@dataclass
class ProgressRow:
    name: str
    distributed: int
    returned: int
    online: int
    paper: int
    threshold: Decimal
    buildings: list[ProgressRow] = field(default_factory=list)

    @property
    def rate(self) -> Decimal | None:
        return rate(self.returned, self.distributed)

    @property
    def below(self) -> bool:
        return self.rate is not None and self.rate < self.threshold

    @property
    def bar(self) -> str:
        """The bar's width in CSS, never over 100 %."""
        return f"{min(self.rate or Decimal(0), Decimal(100)):.1f}"

    @property
    def threshold_x(self) -> str:
        return f"{min(self.threshold, Decimal(100)):.1f}"


def progress_rows(survey: Survey, estates: list[SurveyEstate]) -> tuple[list[ProgressRow], ProgressRow]:
    """Per estate (with its buildings) and in all, in the estates' order."""
    threshold = survey.return_threshold
    found = selectors.progress(survey, [row.estate_id for row in estates])
    names = dict(Building.objects.filter(pk__in={p.building_id for p in found}).values_list("pk", "name"))
    by_estate: dict[int, ProgressRow] = {
        row.estate_id: ProgressRow(row.estate.name, 0, 0, 0, 0, threshold) for row in estates
    }
    total = ProgressRow(_("All estates"), 0, 0, 0, 0, threshold)
    for p in found:
        estate = by_estate[p.estate_id]
        estate.buildings.append(
            ProgressRow(names.get(p.building_id, ""), p.distributed, p.returned, p.online, p.paper, threshold)
        )
        for row in (estate, total):
            row.distributed += p.distributed
            row.returned += p.returned
            row.online += p.online
            row.paper += p.paper
    for estate in by_estate.values():
        estate.buildings.sort(key=lambda b: b.name)
    return list(by_estate.values()), total


def step_labels() -> dict[str, Any]:
    """The steps' names as the workflow declares them (the buttons say the same as the timeline)."""
    return {t.name: t.label for t in SURVEY.transitions}


def _may(user: Actor, name: str, survey: Survey, organiser: bool) -> bool:
    transition = SURVEY.get(name)
    if not transition.allows(survey.status) or policy.role_of(user) not in transition.roles:
        return False
    return organiser or name not in ORGANISER_STEPS


def _edit_initial(survey: Survey) -> dict[str, Any]:
    return {
        "title": survey.title,
        "improvements": survey.improvements,
        "closes_on": survey.closes_on,
        "reminder_gap_days": survey.reminder_gap_days,
        "max_reminders": survey.max_reminders,
        **version_initial(survey),
    }


def _forms(user: Actor, survey: Survey, failed: dict[str, Any]) -> dict[str, Any]:
    return {
        "draw": failed.get("draw") or DrawForm(user=user, auto_id="id_draw_%s"),
        "open": failed.get("open") or ConfirmForm(user=user),
        "remind": failed.get("remind") or ConfirmForm(user=user),
        "close": failed.get("close") or ConfirmForm(user=user),
        "cancel": failed.get("cancel") or CancelForm(user=user, auto_id="id_cancel_%s"),
        "edit": failed.get("edit")
        or SurveyEditForm(initial=_edit_initial(survey), user=user, auto_id="id_edit_%s"),
    }


def progress_context(user: Actor, survey: Survey) -> dict[str, Any]:
    estates = selectors.survey_estates(survey, selectors.estate_ids_in(user, survey))
    rows, total = progress_rows(survey, estates)
    return {
        "survey": survey,
        "estates": estates,
        "progress": rows,
        "total": total,
        "refresh": survey.status == SurveyStatus.OPEN,
        "refresh_seconds": REFRESH_SECONDS,
    }


def render_detail(
    request: HttpRequest, survey: Survey, *, failed: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    failed = failed or {}
    organiser = policy.role_of(user) in ORGANISER_ROLES and services.may_organise(user)
    steps = {name: _may(user, name, survey, organiser) for name in STEPS}
    context = progress_context(user, survey)
    estates = context["estates"]
    drawn = {
        "frame": sum(e.frame_size for e in estates),
        "vacant": sum(e.vacant_count for e in estates),
        "target": sum(e.target_size for e in estates),
        "key": sum(e.second_stage_count for e in estates),
        "random": sum(e.random_count for e in estates),
        "sample": sum(e.sample_size for e in estates),
    }
    versions = sorted({(e.version.pk, e.version) for e in estates}, key=lambda pair: pair[0])
    context.update(
        {
            "steps": steps,
            "labels": step_labels(),
            "any_step": any(steps.values()),
            "forms": _forms(user, survey, failed),
            "open_step": next(iter(failed), ""),
            "can_edit": SURVEY.get("edit").allows(survey.status)
            and policy.role_of(user) in SURVEY.get("edit").roles,
            "can_enter_paper": responses.can_enter_paper(user) and survey.status == SurveyStatus.OPEN,
            "drawn": drawn,
            "whole": selectors.sees_whole_survey(user),
            "versions": [v for _pk, v in versions],
            # The text residents read first, drafted from the last survey's decisions (S-9).
            "draft_improvements_url": optional_url("surveys:analysis_draft_improvements", survey.pk)
            if survey.status in (SurveyStatus.DRAFT, SurveyStatus.DRAWN)
            and policy.role_of(user) in SURVEY.get("edit").roles
            else "",
            "results_url": optional_url("surveys:results", survey.pk),
            "analysis_url": optional_url("surveys:analysis", survey.pk),
            "sheets_url": optional_url("surveys:sheets", survey.pk),
            "timeline": timeline_rows(
                survey.events.order_by("at", "pk"), SURVEY, dict(SurveyEventKind.choices)
            ),
        }
    )
    return render(request, "surveys/pages/detail.html", context, status=status)


@company_time
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render_detail(request, survey_or_404(request.user, pk))


@require_GET
@company_time
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, for the page's refresh every 30 seconds while the survey is open."""
    survey = survey_or_404(request.user, pk)
    return render(request, "surveys/pages/_progress.html", progress_context(request.user, survey))


def _load(request: HttpRequest, pk: int) -> Survey:
    return survey_or_404(request.user, pk)


def _back(survey: Survey) -> str:
    return reverse("surveys:detail", args=[survey.pk])


def _step(name: str, form_class: type, run: Any) -> Any:
    def build(request: HttpRequest, survey: Survey, data: Any) -> Any:
        return form_class(data, user=request.user, auto_id=f"id_{name}_%s")

    def show(request: HttpRequest, survey: Survey, form: Any, status: int) -> HttpResponse:
        return render_detail(request, survey, failed={name: form}, status=status)

    return form_step_view(FormStep(load=_load, form=build, run=run, render=show, back=_back, name=name))


def _run_draw(request: HttpRequest, survey: Survey, form: DrawForm) -> str:
    drawn = services.draw_sample(actor=request.user, survey=survey.pk, seed=form.cleaned_data["seed"])
    return _("Sample drawn: %(sample)d households (%(key)d key, %(random)d at random), seed %(seed)s.") % {
        "sample": drawn.sample_size,
        "key": drawn.second_stage_count,
        "random": drawn.random_count,
        "seed": drawn.seed,
    }


def _run_open(request: HttpRequest, survey: Survey, form: ConfirmForm) -> str:
    services.open_survey(actor=request.user, survey=survey.pk)
    return _("The survey is open: the personal links are valid and the SMS are queued.")


def _run_remind(request: HttpRequest, survey: Survey, form: ConfirmForm) -> str:
    count = services.remind(actor=request.user, survey=survey.pk)
    if not count:
        return _("No household is due a reminder yet.")
    return ngettext("%(count)d household reminded.", "%(count)d households reminded.", count) % {
        "count": count
    }


def _run_close(request: HttpRequest, survey: Survey, form: ConfirmForm) -> str:
    services.close_survey(actor=request.user, survey=survey.pk)
    return _("The survey is closed; answers are no longer accepted.")


def _run_cancel(request: HttpRequest, survey: Survey, form: CancelForm) -> str:
    services.cancel_survey(actor=request.user, survey=survey.pk, reason=form.cleaned_data["reason"])
    return _("The survey is cancelled.")


def _run_edit(request: HttpRequest, survey: Survey, form: SurveyEditForm) -> str:
    data = form.cleaned_data
    services.update_survey(
        actor=request.user,
        survey=survey.pk,
        based_on=data["based_on_version"],
        title=data["title"],
        improvements=data["improvements"] or "",
        closes_on=data["closes_on"],
        reminder_gap_days=data["reminder_gap_days"],
        max_reminders=data["max_reminders"],
    )
    return _("Survey saved.")


draw = _step("draw", DrawForm, _run_draw)
open_survey = _step("open", ConfirmForm, _run_open)
remind = _step("remind", ConfirmForm, _run_remind)
close = _step("close", ConfirmForm, _run_close)
cancel = _step("cancel", CancelForm, _run_cancel)
edit = _step("edit", SurveyEditForm, _run_edit)
