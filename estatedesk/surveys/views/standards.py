"""The evaluation standards' pages (業戶滿意度測評標準, SPEC S-1) and the quality targets.

Everyone on staff reads the standards: the list with each version and the surveys that asked
it, a version as residents see it (in any of the three languages), and its paper form (HTML
print view and PDF). The customer-service supervisor, the deputy GM and the GM edit them
(``standards.may_edit``; the services check again): an edit of a version a survey has used
makes the next version, which the page says. Each form posts to a thin view calling the one
``standards`` function of its step; a refused step shows the edit page again with what was
typed and the error's status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from estatedesk.core.errors import ServiceError
from estatedesk.core.i18n import is_traditional, join_list
from estatedesk.core.web import FormStep, company_time, form_step_view, put_error
from estatedesk.org.models import EstateKind
from estatedesk.surveys import selectors, standards
from estatedesk.surveys.forms_standards import (
    MoveForm,
    QuestionForm,
    QuestionnaireForm,
    ScaleForm,
    TextsForm,
)
from estatedesk.surveys.models import (
    Category,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Survey,
    level_label,
)

# The stored texts' languages, as a resident picks them, and the catalogue each one reads.
TEXT_LANGUAGES = (("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English"))


def text_language(request: HttpRequest) -> str:
    chosen = request.GET.get("lang", "")
    if chosen in dict(TEXT_LANGUAGES):
        return chosen
    current = (translation.get_language() or "zh-hans").lower()
    if current.startswith("en"):
        return "en"
    return "zh-hant" if is_traditional(current) else "zh-hans"


def version_in_reach(request: HttpRequest, pk: int) -> QuestionnaireVersion:
    version = QuestionnaireVersion.objects.select_related("questionnaire").filter(pk=pk).first()
    if version is None:
        raise Http404
    return version


def _question(request: HttpRequest, pk: int) -> Question:
    question = Question.objects.select_related("version__questionnaire").filter(pk=pk).first()
    if question is None:
        raise Http404
    return question


def _questionnaire(request: HttpRequest, pk: int) -> Questionnaire:
    questionnaire = Questionnaire.objects.filter(pk=pk).first()
    if questionnaire is None:
        raise Http404
    return questionnaire


def _asked_by(surveys: list[Survey]) -> str:
    return join_list(f"{s.number} {s.title}" for s in surveys)


def _surveys_of(request: HttpRequest, version: QuestionnaireVersion) -> list[Survey]:
    """The surveys (the user may see) that asked this version or are set to ask it."""
    return list(
        selectors.surveys_for(request.user)
        .filter(Q(version=version) | Q(office_version=version) | Q(estates__version=version))
        .distinct()
        .order_by("-year", "number")
    )


# --- What residents see ------------------------------------------------------------------------


@dataclass
class Group:
    label: str
    questions: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Sheet:
    """A version in one language: title, introduction, the questions by category, the scale."""

    language: str
    title: str
    intro: str
    groups: list[Group]
    free_text: list[dict[str, Any]]
    levels: list[dict[str, Any]]


def sheet(version: QuestionnaireVersion, language: str) -> Sheet:
    with translation.override(language):
        categories = dict(Category.choices)
        groups: dict[str, Group] = {}
        free_text = []
        number = 0
        for question in version.questions.order_by("position", "id"):
            number += 1
            row = {
                "number": number,
                "pk": question.pk,
                "text": question.text(language),
                "required": question.required,
                "ask_reason": question.ask_reason,
                "kind": question.kind,
                "category": question.category,
            }
            if question.kind == QuestionKind.TEXT:
                free_text.append(row)
                continue
            key = question.category
            if key not in groups:
                groups[key] = Group(str(categories.get(key, key)))
            groups[key].questions.append(row)
        levels = [
            {
                "code": level.get("code"),
                "label": str(level_label(level, language)),
                "score": level.get("score"),
                "satisfied": bool(level.get("satisfied")),
                "dissatisfied": bool(level.get("dissatisfied")),
            }
            for level in version.scale
        ]
    return Sheet(
        language, version.title(language), version.intro(language), list(groups.values()), free_text, levels
    )


# --- The list and a version -----------------------------------------------------------------------


def _render_list(request: HttpRequest, form: forms.BaseForm | None = None, status: int = 200) -> HttpResponse:
    questionnaires = []
    for questionnaire in Questionnaire.objects.prefetch_related("versions").order_by("estate_kind", "name"):
        versions = sorted(questionnaire.versions.all(), key=lambda v: -v.number)
        questionnaires.append(
            {
                "q": questionnaire,
                "versions": [
                    {"v": v, "surveys": _surveys_of(request, v), "questions": v.questions.count()}
                    for v in versions
                ],
            }
        )
    return render(
        request,
        "surveys/standards/list.html",
        {
            "questionnaires": questionnaires,
            "may_edit": standards.may_edit(request.user),
            "form": form or QuestionnaireForm(),
            "kinds": dict(EstateKind.choices),
        },
        status=status,
    )


@company_time
def standard_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@company_time
def standard_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("surveys:standard_list")
    form = QuestionnaireForm(request.POST)
    if not form.is_valid():
        return _render_list(request, form, 422)
    try:
        version = standards.create_questionnaire(
            actor=request.user, name=form.cleaned_data["name"], estate_kind=form.cleaned_data["estate_kind"]
        )
    except ServiceError as error:
        put_error(form, error)
        return _render_list(request, form, error.status)
    messages.success(
        request, _("Standard “%(name)s” added: now add its questions.") % {"name": version.questionnaire}
    )
    return redirect("surveys:standard_edit", version.pk)


@company_time
def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = version_in_reach(request, pk)
    language = text_language(request)
    latest = version.questionnaire.current()
    return render(
        request,
        "surveys/standards/detail.html",
        {
            "version": version,
            "questionnaire": version.questionnaire,
            "sheet": sheet(version, language),
            "text_language": language,
            "text_languages": TEXT_LANGUAGES,
            "latest": latest,
            "asked_by": _asked_by(_surveys_of(request, version)),
            "used": standards.is_used(version),
            "may_edit": standards.may_edit(request.user),
            "versions": list(version.questionnaire.versions.order_by("-number")),
        },
    )


# --- Editing ---------------------------------------------------------------------------------------


def _edit_url(record: Any) -> str:
    """The edit page of the newest version (the one an edit made, if it made one)."""
    questionnaire = (
        record.questionnaire if isinstance(record, QuestionnaireVersion) else record.version.questionnaire
    )
    return reverse("surveys:standard_edit", args=[questionnaire.current().pk])


def _render_edit(
    request: HttpRequest,
    version: QuestionnaireVersion,
    *,
    texts: forms.BaseForm | None = None,
    scale: forms.BaseForm | None = None,
    adding: forms.BaseForm | None = None,
    editing: tuple[int, forms.BaseForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    if not standards.may_edit(request.user):
        raise PermissionDenied
    questions = []
    for question in version.questions.order_by("position", "id"):
        if editing is not None and editing[0] == question.pk:
            form = editing[1]
        else:
            form = QuestionForm(
                editing=True,
                prefix=f"q{question.pk}",
                initial={
                    "based_on_version": version.edit_version,
                    "category": question.category,
                    "kind": question.kind,
                    "text_zh_hans": question.text_zh_hans,
                    "text_zh_hant": question.text_zh_hant,
                    "text_en": question.text_en,
                    "required": question.required,
                    "ask_reason": question.ask_reason,
                },
            )
        questions.append(
            {"q": question, "form": form, "open": editing is not None and editing[0] == question.pk}
        )
    latest = version.questionnaire.current()
    return render(
        request,
        "surveys/standards/edit.html",
        {
            "version": version,
            "questionnaire": version.questionnaire,
            "latest": latest,
            "is_latest": latest.pk == version.pk,
            "used": standards.is_used(version),
            "asked_by": _asked_by(_surveys_of(request, version)),
            "texts": texts or TextsForm(initial=TextsForm.initial_of(version)),
            "scale": scale or ScaleForm(initial=ScaleForm.initial_of(version)),
            "adding": adding or QuestionForm(prefix="new"),
            "questions": questions,
        },
        status=status,
    )


@company_time
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_edit(request, version_in_reach(request, pk))


def _texts(request: HttpRequest, version: QuestionnaireVersion, form: TextsForm) -> str:
    data = form.cleaned_data
    edited = standards.edit_texts(
        actor=request.user,
        version=version.pk,
        based_on=data["based_on_version"],
        title=(data["title_zh_hans"], data["title_zh_hant"], data["title_en"]),
        intro=(data["intro_zh_hans"], data["intro_zh_hant"], data["intro_en"]),
    )
    return edited.message()


standard_texts = form_step_view(
    FormStep(
        load=version_in_reach,
        form=lambda request, version, data: TextsForm(data),
        run=_texts,
        render=lambda request, version, form, status: _render_edit(
            request, version, texts=form, status=status
        ),
        back=_edit_url,
        name="standard_texts",
    )
)


def _scale(request: HttpRequest, version: QuestionnaireVersion, form: ScaleForm) -> str:
    return standards.set_scale(
        actor=request.user,
        version=version.pk,
        based_on=form.cleaned_data["based_on_version"],
        levels=form.levels(),
    ).message()


standard_scale = form_step_view(
    FormStep(
        load=version_in_reach,
        form=lambda request, version, data: ScaleForm(data),
        run=_scale,
        render=lambda request, version, form, status: _render_edit(
            request, version, scale=form, status=status
        ),
        back=_edit_url,
        name="standard_scale",
    )
)


def _add(request: HttpRequest, version: QuestionnaireVersion, form: QuestionForm) -> str:
    data = form.cleaned_data
    return standards.add_question(
        actor=request.user,
        version=version.pk,
        category=data["category"],
        kind=data["kind"],
        required=data["required"],
        ask_reason=data["ask_reason"],
        text=form.texts(),
    ).message()


standard_question_add = form_step_view(
    FormStep(
        load=version_in_reach,
        form=lambda request, version, data: QuestionForm(data, prefix="new"),
        run=_add,
        render=lambda request, version, form, status: _render_edit(
            request, version, adding=form, status=status
        ),
        back=_edit_url,
        name="standard_question_add",
    )
)


def _edit_question(request: HttpRequest, question: Question, form: QuestionForm) -> str:
    data = form.cleaned_data
    return standards.edit_question(
        actor=request.user,
        question=question.pk,
        based_on=data["based_on_version"],
        category=data["category"],
        kind=data["kind"],
        required=data["required"],
        ask_reason=data["ask_reason"],
        text=form.texts(),
    ).message()


def _render_question(
    request: HttpRequest, question: Question, form: forms.BaseForm, status: int
) -> HttpResponse:
    version = version_in_reach(request, question.version_id)
    still_there = version.questions.filter(pk=question.pk).exists()
    if not still_there:
        messages.error(request, "; ".join(str(e) for e in form.non_field_errors()))
        return _render_edit(request, version, status=status)
    return _render_edit(request, version, editing=(question.pk, form), status=status)


standard_question_edit = form_step_view(
    FormStep(
        load=_question,
        form=lambda request, question, data: QuestionForm(data, editing=True, prefix=f"q{question.pk}"),
        run=_edit_question,
        render=_render_question,
        back=_edit_url,
        name="standard_question_edit",
    )
)


def _move(request: HttpRequest, question: Question, form: MoveForm) -> str:
    step = -1 if form.cleaned_data["direction"] == "up" else 1
    edited = standards.move_question(actor=request.user, question=question.pk, step=step)
    return edited.message() if edited.made_new else ""


def _render_refused(
    request: HttpRequest, question: Question, form: forms.BaseForm, status: int
) -> HttpResponse:
    for error in form.non_field_errors():
        messages.error(request, str(error))
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))
    return _render_edit(request, version_in_reach(request, question.version_id), status=status)


standard_question_move = form_step_view(
    FormStep(
        load=_question,
        form=lambda request, question, data: MoveForm(data),
        run=_move,
        render=_render_refused,
        back=_edit_url,
        name="standard_question_move",
    )
)


class RemoveForm(forms.Form):
    pass


def _remove(request: HttpRequest, question: Question, form: RemoveForm) -> str:
    return standards.remove_question(actor=request.user, question=question.pk).message()


standard_question_remove = form_step_view(
    FormStep(
        load=_question,
        form=lambda request, question, data: RemoveForm(data),
        run=_remove,
        render=_render_refused,
        back=_edit_url,
        name="standard_question_remove",
    )
)


def _default(request: HttpRequest, questionnaire: Questionnaire, form: RemoveForm) -> str:
    chosen = standards.set_default(actor=request.user, questionnaire=questionnaire.pk)
    return _("“%(name)s” is now the default standard for: %(kind)s.") % {
        "name": chosen,
        "kind": chosen.get_estate_kind_display(),
    }


def _render_default_refused(
    request: HttpRequest, questionnaire: Questionnaire, form: forms.BaseForm, status: int
) -> HttpResponse:
    return _render_list(request, form, status)


standard_default = form_step_view(
    FormStep(
        load=_questionnaire,
        form=lambda request, questionnaire, data: RemoveForm(data),
        run=_default,
        render=_render_default_refused,
        back=lambda questionnaire: reverse("surveys:standard_list"),
        name="standard_default",
    )
)
