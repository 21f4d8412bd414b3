"""A survey's analysis and the GM's decisions (SPEC S-9, §7.3.7): results by category and estate
against targets, the Pareto chart of coded dissatisfaction reasons with the reasons' own words,
the fishbone of the problem chosen, and the improvement suggestions with a form for each step.

Thin: every write is one service of ``services.analysis`` (``core.web.form_step_view``: a
rejected form comes back with everything typed, 422; a stale edit 409). A survey the user may
not see is 404, and so is a suggestion about an estate that is not theirs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from estatedesk.core import policy
from estatedesk.core.causes import Bone
from estatedesk.core.pareto import pareto_options
from estatedesk.core.web import FormStep, company_time, form_step_view
from estatedesk.org.models import Estate
from estatedesk.surveys import analysis, echarts, selectors
from estatedesk.surveys.forms_analysis import (
    AcceptForm,
    AnalysisForm,
    ConfirmForm,
    DeclineForm,
    SuggestionEditForm,
    SuggestionForm,
)
from estatedesk.surveys.models import Suggestion, SuggestionStatus, Survey, SurveyAnalysis
from estatedesk.surveys.report import Line, Report, build
from estatedesk.surveys.review_selectors import suggestions_for
from estatedesk.surveys.services import analysis as services
from estatedesk.surveys.views.common import survey_or_404
from estatedesk.surveys.workflow import SUGGESTION

log = logging.getLogger(__name__)


def reason_scope(user: Any, survey: Survey) -> list[int] | None:
    return None if selectors.sees_whole_survey(user) else selectors.estate_ids_in(user, survey)


def _rates_chart(rows: list[Line], report: Report) -> dict[str, Any] | None:
    rows = [r for r in rows if r.raw is not None]
    if not rows:
        return None
    options = echarts.rates_chart(
        rows,
        target=report.overall.target,
        raw_name=_("Satisfaction rate (raw)"),
        adjusted_name=_("Adjusted for the return rate"),
        interval_name=_("95% interval"),
        target_name=_("Target"),
    )
    return {"options": options, "size": echarts.chart_size(len(rows))}


def _pareto_chart(bars: list[analysis.ParetoBar]) -> dict[str, Any] | None:
    if not bars:
        return None
    return pareto_options(
        [b.label for b in bars],
        [b.count for b in bars],
        [b.vital for b in bars],
        count_name=_("Reasons given"),
        cumulative_name=_("Cumulative share"),
    )


def bones_of(record: SurveyAnalysis) -> list[tuple[Any, list[str]]]:
    return [(bone.label, record.fishbone.get(bone.value) or []) for bone in Bone]


def _role(user: Any) -> str:
    return policy.role_of(user) or ""


@dataclass
class SuggestionRow:
    suggestion: Suggestion
    edit_form: SuggestionEditForm | None
    submit_form: ConfirmForm | None
    accept_form: AcceptForm | None
    decline_form: DeclineForm | None
    action_url: str


def _suggestion_rows(user: Any, survey: Survey, failed: dict[str, Any]) -> list[SuggestionRow]:
    role = _role(user)
    rows = []
    found = suggestions_for(user).filter(survey=survey).select_related("estate", "owner", "department")
    for s in found.order_by("pk"):
        mine = failed.get("suggestion") == s.pk
        draft = s.status == SuggestionStatus.DRAFT
        submitted = s.status == SuggestionStatus.SUBMITTED

        def form(
            step: str,
            cls: type,
            initial: dict[str, Any] | None = None,
            *,
            s: Suggestion = s,
            mine: bool = mine,
        ) -> Any:
            if mine and failed.get("step") == step:
                return failed["form"]
            return cls(initial=initial, user=user, auto_id=f"id_{step}_{s.pk}_%s")

        action = getattr(s, "improvement_action", None)
        rows.append(
            SuggestionRow(
                s,
                form(
                    "edit",
                    SuggestionEditForm,
                    {
                        "title": s.title,
                        "text": s.text,
                        "category": s.category,
                        "based_on_version": s.edit_version,
                    },
                )
                if draft and role in SUGGESTION.get("edit").roles
                else None,
                form("submit", ConfirmForm) if draft and role in SUGGESTION.get("submit").roles else None,
                form("accept", AcceptForm) if submitted and role in SUGGESTION.get("accept").roles else None,
                form("decline", DeclineForm)
                if submitted and role in SUGGESTION.get("decline").roles
                else None,
                _action_url(action),
            )
        )
    return rows


def _action_url(action: Any) -> str:
    if action is None:
        return ""
    try:
        return reverse("improvement:detail", args=[action.pk])
    except Exception:  # noqa: BLE001 - the improvement pages may not be installed
        return ""


def _estates(user: Any, survey: Survey) -> Any:
    return Estate.objects.filter(pk__in=selectors.estate_ids_in(user, survey)).order_by("code")


def render_page(
    request: HttpRequest,
    survey: Survey,
    *,
    analysis_form: AnalysisForm | None = None,
    suggestion_form: SuggestionForm | None = None,
    failed: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    report = build(survey, user)
    bars = analysis.reason_pareto(survey, reason_scope(user, survey))
    record = services.analysis_of(survey)
    may_analyse = services.may_analyse(user)
    context = {
        "survey": survey,
        "report": report,
        "category_chart": _rates_chart(report.categories, report),
        "estate_chart": _rates_chart(report.estates, report),
        "bars": bars,
        "pareto_chart": _pareto_chart(bars),
        "record": record,
        "bones": bones_of(record),
        "has_fishbone": any(causes for _label, causes in bones_of(record)),
        "may_analyse": may_analyse,
        "analysis_form": analysis_form
        or AnalysisForm(
            initial=AnalysisForm.initial_for(
                record.summary, record.problem, record.fishbone, record.edit_version
            ),
            user=user,
            auto_id="id_analysis_%s",
        ),
        "analysis_open": analysis_form is not None,
        "suggestions": _suggestion_rows(user, survey, failed or {}),
        "may_write": _role(user) in SUGGESTION.get("write").roles,
        "suggestion_form": suggestion_form
        or SuggestionForm(user=user, estates=_estates(user, survey), auto_id="id_suggest_%s"),
        "suggestion_open": suggestion_form is not None,
    }
    response = render(request, "surveys/analysis/page.html", context, status=status)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def analysis_page(request: HttpRequest, pk: int) -> HttpResponse:
    return render_page(request, survey_or_404(request.user, pk))


def load_survey(request: HttpRequest, pk: int) -> Survey:
    return survey_or_404(request.user, pk)


def _back_survey(survey: Survey) -> str:
    return reverse("surveys:analysis", args=[survey.pk])


def _run_save(request: HttpRequest, survey: Survey, form: AnalysisForm) -> str:
    data = form.cleaned_data
    services.save_analysis(
        actor=request.user,
        survey=survey.pk,
        summary=data["summary"] or "",
        problem=data["problem"] or "",
        fishbone=form.fishbone(),
        based_on=data["based_on_version"],
    )
    return _("Analysis saved.")


analysis_save = form_step_view(
    FormStep(
        load=load_survey,
        form=lambda request, survey, data: AnalysisForm(data, user=request.user, auto_id="id_analysis_%s"),
        run=_run_save,
        render=lambda request, survey, form, status: render_page(
            request, survey, analysis_form=form, status=status
        ),
        back=_back_survey,
        name="analysis_save",
    )
)


def _run_write(request: HttpRequest, survey: Survey, form: SuggestionForm) -> str:
    data = form.cleaned_data
    made = services.write_suggestion(
        actor=request.user,
        survey=survey.pk,
        title=data["title"],
        text=data["text"],
        category=data["category"] or "",
        estate=data["estate"],
    )
    return _("Suggestion %(number)s written.") % {"number": made.number}


analysis_suggest = form_step_view(
    FormStep(
        load=load_survey,
        form=lambda request, survey, data: SuggestionForm(
            data, user=request.user, estates=_estates(request.user, survey), auto_id="id_suggest_%s"
        ),
        run=_run_write,
        render=lambda request, survey, form, status: render_page(
            request, survey, suggestion_form=form, status=status
        ),
        back=_back_survey,
        name="analysis_suggest",
    )
)


# --- one suggestion's steps -------------------------------------------------------------------


def _load_suggestion(request: HttpRequest, pk: int) -> Suggestion:
    found = suggestions_for(request.user).select_related("survey").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def _back_suggestion(suggestion: Suggestion) -> str:
    return reverse("surveys:analysis", args=[suggestion.survey_id]) + f"#suggestion-{suggestion.pk}"


def _suggestion_step(name: str, form_class: type, run: Any) -> Any:
    def show(request: HttpRequest, suggestion: Suggestion, form: Any, status: int) -> HttpResponse:
        failed = {"suggestion": suggestion.pk, "step": name, "form": form}
        return render_page(request, suggestion.survey, failed=failed, status=status)

    return form_step_view(
        FormStep(
            load=_load_suggestion,
            form=lambda request, suggestion, data: form_class(
                data, user=request.user, auto_id=f"id_{name}_{suggestion.pk}_%s"
            ),
            run=run,
            render=show,
            back=_back_suggestion,
            name=f"suggestion_{name}",
        )
    )


def _run_edit(request: HttpRequest, suggestion: Suggestion, form: SuggestionEditForm) -> str:
    data = form.cleaned_data
    services.edit_suggestion(
        actor=request.user,
        suggestion=suggestion.pk,
        title=data["title"],
        text=data["text"],
        category=data["category"] or "",
        based_on=data["based_on_version"],
    )
    return _("Suggestion saved.")


def _run_submit(request: HttpRequest, suggestion: Suggestion, form: ConfirmForm) -> str:
    services.submit_suggestion(actor=request.user, suggestion=suggestion.pk)
    return _("Submitted to the general manager.")


def _run_accept(request: HttpRequest, suggestion: Suggestion, form: AcceptForm) -> str:
    data = form.cleaned_data
    services.accept_suggestion(
        actor=request.user,
        suggestion=suggestion.pk,
        owner=data["owner"],
        due_date=data["due_date"],
        department=data["department"],
    )
    return _("Accepted: a corrective action is opened.")


def _run_decline(request: HttpRequest, suggestion: Suggestion, form: DeclineForm) -> str:
    services.decline_suggestion(
        actor=request.user, suggestion=suggestion.pk, reason=form.cleaned_data["reason"]
    )
    return _("Declined.")


suggestion_edit = _suggestion_step("edit", SuggestionEditForm, _run_edit)
suggestion_submit = _suggestion_step("submit", ConfirmForm, _run_submit)
suggestion_accept = _suggestion_step("accept", AcceptForm, _run_accept)
suggestion_decline = _suggestion_step("decline", DeclineForm, _run_decline)
