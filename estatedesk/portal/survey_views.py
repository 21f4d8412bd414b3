"""Answering a satisfaction survey on a phone (SPEC S-8, W-1), from the household's personal link.

No account: the token in ``/r/s/<token>/`` is the household (``surveys.selectors.household_by_token``).
The resident first reads what the survey is and what was improved since the last one (S-9),
then answers one question per screen, reviews and submits. Every step is kept as a draft
(``responses.save_draft``), so the same link opened again later resumes at the same step with
the answers given so far. Plain forms, posted to the page's own address (PRG to ``?step=n``);
the portal's script only adds conveniences.

Refusals say what happened: an unknown link is the portal's not-found page (nothing about
whether a survey exists), a survey that is closed or not yet open a page saying so, an answered
household "already answered" (409), also when two submissions cross. The token never reaches a
log (``core.redact`` masks every ``<token>`` route).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estatedesk.core.clientaddr import client_ip
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotFound
from estatedesk.core.web import posting_address, secret_address
from estatedesk.portal import ratelimit
from estatedesk.portal.views import language_link, not_found, render_page, too_many
from estatedesk.surveys import responses, selectors
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.models import Category, Household, Question, QuestionKind, level_label

TEXT_LIMIT = 2000
GOES = ("start", "next", "back", "submit")


@dataclass(frozen=True)
class LevelChoice:
    code: str
    label: str
    dissatisfied: bool


@dataclass
class Sheet:
    """The household's questionnaire as the page shows it: questions in order, the scale, the
    answers kept so far."""

    household: Household
    questions: list[Question]
    levels: list[LevelChoice]
    answers: dict[str, dict[str, str]]
    step: int  # the step the draft was left at

    @property
    def review(self) -> int:
        return len(self.questions) + 1

    def clamp(self, step: int) -> int:
        return max(0, min(step, self.review))

    def entry(self, question: Question) -> dict[str, str]:
        return self.answers.get(str(question.pk), {})

    def inputs(self) -> list[AnswerInput]:
        return [
            AnswerInput(
                question=int(qid),
                level=e.get("level", ""),
                reason=e.get("reason", ""),
                text=e.get("text", ""),
            )
            for qid, e in self.answers.items()
        ]


def _sheet(household: Household) -> Sheet:
    version = responses.version_for(household)
    questions = list(version.questions.order_by("position", "pk"))
    language = get_language()
    levels = [
        LevelChoice(str(level["code"]), level_label(level, language), bool(level.get("dissatisfied")))
        for level in version.scale
    ]
    draft = household.draft if isinstance(household.draft, dict) else {}
    answers = draft.get("answers") if isinstance(draft.get("answers"), dict) else {}
    step = draft.get("step", 0)
    sheet = Sheet(household, questions, levels, dict(answers or {}), 0)
    sheet.step = sheet.clamp(step if isinstance(step, int) else 0)
    return sheet


def _step_of(value: object) -> int | None:
    text = str(value or "").strip()
    if text == "review":
        return 10_000
    return int(text[:4]) if text.isascii() and text.isdigit() else None


def _lookup(request: HttpRequest, token: str) -> Household | HttpResponse:
    wait = ratelimit.hit("survey-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_LOOKUP_IP"))
    if wait is not None:
        return too_many(request, wait, {}, "portal/limited.html")
    household = selectors.household_by_token(token) if 20 <= len(token) <= 64 else None
    if household is None:
        return not_found(request)
    return household


def _address(household: Household, step: int | None = None) -> str:
    url = reverse("portal:survey", args=[household.token])
    return f"{url}?step={step}" if step is not None else url


def _refusal(
    request: HttpRequest, household: Household, message: str, status: int, kind: str
) -> HttpResponse:
    context = {"household": household, "survey": household.survey, "message": message, "kind": kind}
    return render_page(request, "portal/survey/refused.html", context, status=status)


def _already(request: HttpRequest, household: Household, error: AlreadyHandled | None = None) -> HttpResponse:
    message = (
        str(error.message)
        if error is not None
        else _("This household has already answered this survey; one answer per household is counted.")
    )
    return _refusal(request, household, message, 409, "answered")


def _closed(request: HttpRequest, household: Household, error: InvalidInput) -> HttpResponse:
    return _refusal(request, household, str(error.message), error.status, "closed")


def _question_context(sheet: Sheet, step: int) -> dict[str, Any]:
    question = sheet.questions[step - 1]
    entry = sheet.entry(question)
    language = get_language()
    return {
        "question": question,
        "question_text": question.text(language),
        "category": Category(question.category).label if question.category in Category.values else "",
        "is_rating": question.kind == QuestionKind.RATING,
        "asks_reason": question.kind == QuestionKind.RATING and question.ask_reason,
        "chosen": entry.get("level", ""),
        "reason": entry.get("reason", ""),
        "text": entry.get("text", ""),
        "number": step,
        "count": len(sheet.questions),
    }


def _review_rows(sheet: Sheet) -> list[dict[str, Any]]:
    labels = {level.code: level.label for level in sheet.levels}
    language = get_language()
    rows = []
    for number, question in enumerate(sheet.questions, start=1):
        entry = sheet.entry(question)
        level = entry.get("level", "")
        answered = bool(level) if question.kind == QuestionKind.RATING else bool(entry.get("text"))
        rows.append(
            {
                "number": number,
                "text": question.text(language),
                "answer": labels.get(level, "")
                if question.kind == QuestionKind.RATING
                else entry.get("text", ""),
                "reason": entry.get("reason", "") if question.kind == QuestionKind.RATING else "",
                "answered": answered,
                "missing": question.required and not answered,
            }
        )
    return rows


def _page(
    request: HttpRequest, sheet: Sheet, step: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    survey = sheet.household.survey
    language = get_language()
    context: dict[str, Any] = {
        "household": sheet.household,
        "survey": survey,
        "sheet": sheet,
        "step": step,
        "error": error,
        "count": len(sheet.questions),
        "action": reverse("portal:survey", args=[sheet.household.token]),
    }
    if step == 0:
        version = responses.version_for(sheet.household)
        context.update(
            intro=version.intro(language),
            version_title=version.title(language),
            resuming=bool(sheet.answers),
            resume_step=sheet.step,
            office_phone=sheet.household.estate.service_phone,
        )
        template = "portal/survey/start.html"
    elif step == sheet.review:
        rows = _review_rows(sheet)
        context.update(rows=rows, missing=[r for r in rows if r["missing"]])
        template = "portal/survey/review.html"
    else:
        context.update(_question_context(sheet, step))
        context["levels"] = sheet.levels
        template = "portal/survey/question.html"
    return render_page(request, template, context, status=status)


def _posted_entry(request: HttpRequest, question: Question) -> dict[str, str]:
    post = request.POST
    if question.kind == QuestionKind.RATING:
        return {
            "level": post.get("level", "").strip()[:30],
            "reason": post.get("reason", "").replace("\x00", "").strip()[:TEXT_LIMIT],
            "text": "",
        }
    return {"level": "", "reason": "", "text": post.get("text", "").replace("\x00", "").strip()[:TEXT_LIMIT]}


def _missing(question: Question, entry: dict[str, str], levels: list[LevelChoice]) -> str:
    if not question.required:
        return ""
    if question.kind == QuestionKind.RATING and entry.get("level") not in {level.code for level in levels}:
        return _("Please choose one of the answers to go on.")
    if question.kind == QuestionKind.TEXT and not entry.get("text"):
        return _("Please write your answer to go on.")
    return ""


def _problem_step(sheet: Sheet, error: responses.AnswerProblems) -> tuple[int, str]:
    """The first question the submission found wrong, and its message."""
    for problem in error.problems:
        _prefix, _dot, qid = problem.field.partition(".")
        for number, question in enumerate(sheet.questions, start=1):
            if str(question.pk) == qid:
                return number, problem.message
    return sheet.review, str(error.message)


@posting_address
@require_http_methods(["GET", "POST"])
@language_link
def survey(request: HttpRequest, token: str) -> HttpResponse:
    """The survey, one screen at a time: the start, each question, the review."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    household = found
    if household.answered_at is not None:
        return _already(request, household)
    try:
        responses.check_accepting(household.survey)
    except InvalidInput as error:
        return _closed(request, household, error)
    sheet = _sheet(household)
    if request.method != "POST":
        asked = _step_of(request.GET.get("step"))
        step = sheet.clamp(asked) if asked is not None else sheet.step
        return _page(request, sheet, step)
    return _post(request, sheet)


def _post(request: HttpRequest, sheet: Sheet) -> HttpResponse:
    try:
        return _step(request, sheet)
    except AlreadyHandled as error:
        return _already(request, sheet.household, error)
    except InvalidInput as error:
        return _closed(request, sheet.household, error)


def _step(request: HttpRequest, sheet: Sheet) -> HttpResponse:
    household = sheet.household
    go = request.POST.get("go", "next")
    go = go if go in GOES else "next"
    posted = _step_of(request.POST.get("step"))
    step = sheet.clamp(posted if posted is not None else sheet.step)
    if 1 <= step <= len(sheet.questions):
        question = sheet.questions[step - 1]
        sheet.answers[str(question.pk)] = _posted_entry(request, question)
        problem = _missing(question, sheet.answers[str(question.pk)], sheet.levels) if go == "next" else ""
        if problem:
            _save(sheet, step)
            return _page(request, sheet, step, error=problem, status=422)
    if go == "submit" and step == sheet.review:
        return _submit(request, sheet)
    if go == "start":
        target = 1
    elif go == "back":
        target = step - 1
    else:
        target = step + 1
    target = sheet.clamp(target)
    _save(sheet, target)
    return HttpResponseRedirect(_address(household, target))


def _save(sheet: Sheet, step: int) -> None:
    responses.save_draft(token=sheet.household.token, answers=sheet.inputs(), step=step)


def _submit(request: HttpRequest, sheet: Sheet) -> HttpResponse:
    household = sheet.household
    try:
        responses.answer_online(token=household.token, answers=sheet.inputs(), language=get_language() or "")
    except responses.AnswerProblems as error:
        number, message = _problem_step(sheet, error)
        return _page(request, sheet, number, error=message, status=422)
    except NotFound:
        return not_found(request)
    return HttpResponseRedirect(reverse("portal:survey_done", args=[household.token]))


def _done_page(request: HttpRequest, household: Household) -> HttpResponse:
    context = {
        "household": household,
        "survey": household.survey,
        "office_phone": household.estate.service_phone,
    }
    return render_page(request, "portal/survey/thanks.html", context)


@secret_address
@require_http_methods(["GET"])
@language_link
def survey_done(request: HttpRequest, token: str) -> HttpResponse:
    """Thank you: the answer is in. Before answering, the link leads back to the survey."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    if found.answered_at is None:
        return HttpResponseRedirect(_address(found))
    return _done_page(request, found)
