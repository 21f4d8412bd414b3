"""Typing in paper questionnaires (SPEC S-8, W-1): one page kept open for a pile of them.

The typist chooses the estate (its questionnaire: residential or office), types the unit as
printed on the sheet (``3栋-1201``, or just ``1201`` when that is unique in the estate), picks
a level per question (keys 1–5 pick the level and move to the next question,
``static/estatedesk/survey-paper.js``), and saves; the page comes back empty for the next
sheet, naming the unit just saved. A sheet with problems comes back with each problem next
to its question and everything typed kept (422); a household that has already answered is
refused (409), with nothing lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from estatedesk.core.errors import AlreadyHandled, ServiceError
from estatedesk.core.params import Params, clean_text
from estatedesk.core.web import company_time
from estatedesk.org.models import Unit
from estatedesk.surveys import answering, responses, selectors
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Household, QuestionKind, Survey, SurveyEstate, SurveyStatus, level_label
from estatedesk.surveys.views.common import survey_or_404

MAX_TEXT = 2000
DATALIST_MAX = 3000
DASHES = re.compile(r"\s*[-－—–‐·/]\s*")


@dataclass
class LevelCell:
    code: str
    label: str
    key: str  # the digit that picks it
    checked: bool


@dataclass
class QuestionRow:
    id: int
    number: int
    text: str
    category: str
    rating: bool
    required: bool
    ask_reason: bool
    levels: list[LevelCell]
    reason: str
    answer_text: str
    errors: list[str] = field(default_factory=list)


def _rows(survey_estate: SurveyEstate, data: QueryDict | None) -> list[QuestionRow]:
    version = survey_estate.version
    scale = version.scale
    rows = []
    for number, q in enumerate(version.questions.order_by("position", "pk"), start=1):
        chosen = data.get(f"q{q.pk}", "") if data is not None else ""
        rows.append(
            QuestionRow(
                id=q.pk,
                number=number,
                text=q.text(get_language()),
                category=q.get_category_display() if q.category else "",
                rating=q.kind == QuestionKind.RATING,
                required=q.required,
                ask_reason=q.ask_reason,
                levels=[
                    LevelCell(str(level["code"]), level_label(level), str(i), str(level["code"]) == chosen)
                    for i, level in enumerate(scale, start=1)
                ],
                reason=(data.get(f"r{q.pk}", "") if data is not None else "")[:MAX_TEXT],
                answer_text=(data.get(f"t{q.pk}", "") if data is not None else "")[:MAX_TEXT],
            )
        )
    return rows


def _dissatisfied_codes(survey_estate: SurveyEstate) -> list[str]:
    return [str(level["code"]) for level in survey_estate.version.scale if level.get("dissatisfied")]


def _answers(rows: list[QuestionRow], data: QueryDict) -> list[AnswerInput]:
    answers = []
    for row in rows:
        if row.rating:
            level = data.get(f"q{row.id}", "").strip()
            reason = data.get(f"r{row.id}", "")
            if level or reason.strip():
                answers.append(AnswerInput(question=row.id, level=level[:30], reason=reason))
        else:
            text = data.get(f"t{row.id}", "")
            if text.strip():
                answers.append(AnswerInput(question=row.id, text=text))
    return answers


def resolve_unit(households: QuerySet[Household], typed: str) -> Household | None:
    """The household of a unit as typed: ``3栋-1201`` (building, a dash, the unit number; any
    dash), or the unit number alone when only one household of the list has it."""
    typed = DASHES.sub("-", typed.strip())
    if not typed:
        return None
    options = Q()
    for at in [m.start() for m in re.finditer("-", typed)]:
        building, number = typed[:at].strip(), typed[at + 1 :].strip()
        if building and number:
            options |= Q(building__name=building, unit__number=number)
    if options:
        found = list(households.filter(options)[:2])
        if len(found) == 1:
            return found[0]
    alone = list(households.filter(unit__number=typed)[:2])
    return alone[0] if len(alone) == 1 else None


def _unit_exists(estate_id: int, typed: str) -> bool:
    typed = DASHES.sub("-", typed.strip())
    options = Q(number=typed)
    for at in [m.start() for m in re.finditer("-", typed)]:
        options |= Q(building__name=typed[:at].strip(), number=typed[at + 1 :].strip())
    return Unit.objects.filter(options, estate_id=estate_id).exists()


def _render(
    request: HttpRequest,
    survey: Survey,
    *,
    estates: list[SurveyEstate],
    chosen: SurveyEstate | None,
    data: QueryDict | None = None,
    unit_error: str = "",
    top_errors: list[str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = _rows(chosen, data) if chosen is not None else []
    for row in rows:
        row.errors = (problems or {}).get(f"answers.{row.id}", [])
    pending: list[str] = []
    if chosen is not None:
        pending = [
            f"{b}-{n}"
            for b, n in selectors.households_for(request.user, survey)
            .filter(estate_id=chosen.estate_id, answered_at__isnull=True)
            .order_by("building__name", "unit__floor", "unit__number")
            .values_list("building__name", "unit__number")[:DATALIST_MAX]
        ]
    return render(
        request,
        "surveys/pages/paper.html",
        {
            "survey": survey,
            "estates": estates,
            "chosen": chosen,
            "rows": rows,
            "scale_labels": [level_label(level) for level in chosen.version.scale] if chosen else [],
            "dissatisfied": _dissatisfied_codes(chosen) if chosen else [],
            "unit": clean_text(data.get("unit", ""), 60) if data is not None else "",
            "unit_error": unit_error,
            "top_errors": top_errors or [],
            "pending": pending,
            "open": survey.status == SurveyStatus.OPEN,
            "may_enter": responses.can_enter_paper(request.user),
        },
        status=status,
    )


@company_time
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_or_404(request.user, pk)
    estates = selectors.survey_estates(survey, selectors.estate_ids_in(request.user, survey))
    source = request.POST if request.method == "POST" else request.GET
    estate_id = Params(source).id("estate")
    chosen = next((e for e in estates if e.estate_id == estate_id), estates[0] if estates else None)
    if request.method != "POST" or chosen is None:
        return _render(request, survey, estates=estates, chosen=chosen)
    data = request.POST
    if not responses.can_enter_paper(request.user):
        return _render(
            request,
            survey,
            estates=estates,
            chosen=chosen,
            data=data,
            top_errors=[_("Your role cannot enter paper questionnaires.")],
            status=403,
        )
    rows = _rows(chosen, data)
    typed = clean_text(data.get("unit", ""), 60)
    households = selectors.households_for(request.user, survey).filter(estate_id=chosen.estate_id)
    household = resolve_unit(households, typed)
    if household is None:
        elsewhere = resolve_unit(selectors.households_for(request.user, survey), typed) if typed else None
        if not typed:
            message = _("Type the unit printed on the questionnaire, for example 3栋-1201.")
        elif elsewhere is not None:
            message = _("Unit %(unit)s is in %(estate)s: choose that estate above, then save again.") % {
                "unit": typed,
                "estate": elsewhere.estate.name,
            }
        elif _unit_exists(chosen.estate_id, typed):
            message = _("Unit %(unit)s is not in this survey's sample: its questionnaire is not counted.") % {
                "unit": typed
            }
        else:
            message = _("There is no unit %(unit)s in %(estate)s.") % {
                "unit": typed,
                "estate": chosen.estate.name,
            }
        # The sheet's own problems too, so that one correction round is enough.
        version = chosen.version
        checked = answering.check(
            responses.questions_of(version), responses.scale_of(version), _answers(rows, data)
        )
        problems: dict[str, list[str]] = {}
        for problem in checked.problems:
            problems.setdefault(problem.field, []).append(problem.message)
        return _render(
            request,
            survey,
            estates=estates,
            chosen=chosen,
            data=data,
            unit_error=message,
            problems=problems,
            status=422,
        )
    label = household.unit.label
    if household.answered_at is not None:
        return _render(
            request,
            survey,
            estates=estates,
            chosen=chosen,
            data=data,
            unit_error=_(
                "Unit %(unit)s has already answered this survey; one answer per household is counted."
            )
            % {"unit": label},
            status=409,
        )
    try:
        responses.enter_paper(
            actor=request.user,
            survey=survey.pk,
            unit_id=household.unit_id,
            answers=_answers(rows, data),
            language=get_language() or "",
        )
    except responses.AnswerProblems as error:
        problems = {}
        top = []
        for problem in error.problems:
            if problem.field.startswith("answers."):
                problems.setdefault(problem.field, []).append(problem.message)
            else:
                top.append(problem.message)
        top.insert(0, _("Nothing was saved: correct the questions marked below."))
        return _render(
            request,
            survey,
            estates=estates,
            chosen=chosen,
            data=data,
            top_errors=top,
            problems=problems,
            status=error.status,
        )
    except ServiceError as error:
        unit_error = str(error.message) if error.field == "unit" or isinstance(error, AlreadyHandled) else ""
        return _render(
            request,
            survey,
            estates=estates,
            chosen=chosen,
            data=data,
            unit_error=unit_error,
            top_errors=[] if unit_error else [str(error.message)],
            status=error.status,
        )
    messages.success(
        request,
        _("Saved: the paper questionnaire of %(estate)s %(unit)s. Next one.")
        % {"estate": chosen.estate.name, "unit": label},
    )
    return redirect(f"{reverse('surveys:paper', args=[survey.pk])}?estate={chosen.estate_id}")
