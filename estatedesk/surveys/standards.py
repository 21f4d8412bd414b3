"""The evaluation standards (業戶滿意度測評標準, SPEC S-1): the defaults, and the quality targets.

A version a survey has asked is never changed: editing it makes the next version (``edit``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed, NotFound
from estatedesk.core.versioning import EDIT_VERSION, take_edit
from estatedesk.core.workflow import lock
from estatedesk.org.models import EstateKind
from estatedesk.surveys.models import (
    Category,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    StandardLevel,
    SurveyEstate,
    default_scale,
)
from estatedesk.surveys.standard_texts import DEFAULTS
from estatedesk.surveys.standard_texts import Question as QuestionText

__all__ = [
    "EDITOR_ROLES",
    "Edited",
    "add_question",
    "add_version",
    "create_questionnaire",
    "edit_question",
    "edit_texts",
    "install_defaults",
    "is_used",
    "may_edit",
    "move_question",
    "remove_question",
    "set_default",
    "set_scale",
]


def add_version(
    questionnaire: Questionnaire,
    *,
    title: Sequence[str],
    intro: Sequence[str],
    questions: Sequence[QuestionText],
    scale: list[dict[str, Any]] | None = None,
    at: datetime | None = None,
    by: Any = None,
) -> QuestionnaireVersion:
    """The questionnaire's next version, with its questions in the order given."""
    last = questionnaire.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        number=last + 1,
        title_zh_hans=title[0],
        title_zh_hant=title[1],
        title_en=title[2],
        intro_zh_hans=intro[0],
        intro_zh_hant=intro[1],
        intro_en=intro[2],
        scale=scale if scale is not None else default_scale(),
        created_at=at or now(),
        created_by=by,
    )
    Question.objects.bulk_create(
        Question(
            version=version,
            position=position,
            category=category,
            kind=kind,
            required=required,
            ask_reason=kind == "rating",
            text_zh_hans=hans,
            text_zh_hant=hant,
            text_en=en,
        )
        for position, (category, kind, required, hans, hant, en) in enumerate(questions, start=1)
    )
    return version


@transaction.atomic
def install_defaults() -> list[Questionnaire]:
    """The two default standards (residential, office), once; kept as they are if present."""
    made = []
    for name, kind, title, intro, questions in DEFAULTS:
        questionnaire, created = Questionnaire.objects.get_or_create(
            name=name, defaults={"estate_kind": kind, "is_default": True}
        )
        if created or not questionnaire.versions.exists():
            add_version(questionnaire, title=title, intro=intro, questions=questions)
        made.append(questionnaire)
    return made


def is_used(version: QuestionnaireVersion) -> bool:
    """A survey has asked (or is set to ask) this version: it may no longer change."""
    return (
        version.surveys.exists()
        or version.office_surveys.exists()
        or SurveyEstate.objects.filter(version=version).exists()
    )


# --- Editing (SPEC S-1) ---------------------------------------------------------------------------

# Who words the evaluation standards and the quality targets; everyone on staff reads them.
EDITOR_ROLES = frozenset({"cs_supervisor", "deputy_gm", "gm"})
LANGUAGES = ("zh_hans", "zh_hant", "en")
MAX_LEVELS = 10
LEVEL_CODE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")


def may_edit(actor: Actor) -> bool:
    return policy.role_of(actor) in EDITOR_ROLES


def require_editor(actor: Actor) -> None:
    if not may_edit(actor):
        raise NotAllowed(
            _(
                "Only the customer-service supervisor, the deputy general manager and the general "
                "manager may change the evaluation standards and the quality targets."
            )
        )


@dataclass(frozen=True)
class Edited:
    """Where an edit landed: the version edited in place, or the new version it made because
    a survey had used the one edited (``made_new``)."""

    version: QuestionnaireVersion
    made_new: bool

    def message(self) -> str:
        if self.made_new:
            return _(
                "A survey has used version %(old)s, so it stays as it was: your change is saved as "
                "version %(new)s."
            ) % {"old": self.version.number - 1, "new": self.version.number}
        return _("Version %(number)s saved.") % {"number": self.version.number}


def _text(value: object, field: str, *, limit: int, required: bool, label: str) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise InvalidInput(_("Enter %(what)s.") % {"what": label}, field=field)
    if len(text) > limit:
        raise InvalidInput(
            _("%(what)s: at most %(limit)s characters.") % {"what": label, "limit": limit}, field=field
        )
    return text


def _texts(values: Sequence[object], prefix: str, *, limit: int, label: str) -> tuple[str, str, str]:
    """Three texts (simplified, traditional, English); the simplified one is required."""
    if len(values) != len(LANGUAGES):
        raise InvalidInput(_("Enter %(what)s.") % {"what": label}, field=f"{prefix}_zh_hans")
    hans, hant, en = (
        _text(value, f"{prefix}_{code}", limit=limit, required=code == "zh_hans", label=label)
        for value, code in zip(values, LANGUAGES, strict=True)
    )
    return hans, hant, en


def _locked_version(actor: Actor, version: QuestionnaireVersion | int) -> QuestionnaireVersion:
    """The version to edit, its questionnaire locked (one edit of a family at a time)."""
    require_editor(actor)
    pk = version.pk if isinstance(version, QuestionnaireVersion) else version
    found = QuestionnaireVersion.objects.filter(pk=pk).values_list("questionnaire_id", flat=True).first()
    if found is None:
        raise NotFound(_("Not found, or not yours to see."))
    lock(Questionnaire.objects.all(), found)
    locked = lock(QuestionnaireVersion.objects.select_related("questionnaire"), pk)
    latest = locked.questionnaire.versions.order_by("-number").values_list("number", flat=True).first()
    if latest is not None and latest > locked.number:
        raise AlreadyHandled(
            _(
                "Version %(new)s of this standard has been made since you opened version %(old)s: "
                "open the newest version and make your change there."
            )
            % {"new": latest, "old": locked.number}
        )
    return locked


def _copy(version: QuestionnaireVersion, by: Actor) -> QuestionnaireVersion:
    """The next version, a copy of this one (texts, scale, questions in order)."""
    copy = QuestionnaireVersion.objects.create(
        questionnaire=version.questionnaire,
        number=version.number + 1,
        title_zh_hans=version.title_zh_hans,
        title_zh_hant=version.title_zh_hant,
        title_en=version.title_en,
        intro_zh_hans=version.intro_zh_hans,
        intro_zh_hant=version.intro_zh_hant,
        intro_en=version.intro_en,
        scale=[dict(level) for level in version.scale],
        created_at=now(),
        created_by=user_of(by),
    )
    Question.objects.bulk_create(
        Question(
            version=copy,
            position=position,
            kind=q.kind,
            category=q.category,
            text_zh_hans=q.text_zh_hans,
            text_zh_hant=q.text_zh_hant,
            text_en=q.text_en,
            required=q.required,
            ask_reason=q.ask_reason,
        )
        for position, q in enumerate(version.questions.order_by("position", "id"), start=1)
    )
    return copy


def _target(actor: Actor, version: QuestionnaireVersion) -> Edited:
    """The version the edit applies to: itself while unused, else a new copy."""
    if is_used(version):
        return Edited(_copy(version, actor), made_new=True)
    return Edited(version, made_new=False)


def _question_in(target: Edited, original: Question) -> Question:
    """The question in the edited version that stands where ``original`` stood."""
    if not target.made_new:
        return original
    position = list(original.version.questions.order_by("position", "id").values_list("pk", flat=True)).index(
        original.pk
    )
    return list(target.version.questions.order_by("position", "id"))[position]


def _renumber(version: QuestionnaireVersion, order: list[Question]) -> None:
    for position, question in enumerate(order, start=1):
        if question.position != position:
            question.position = position
            question.save(update_fields=["position"])


@transaction.atomic
def create_questionnaire(*, actor: Actor, name: object, estate_kind: object) -> QuestionnaireVersion:
    """A new evaluation standard with its first, empty version (titled by its name)."""
    require_editor(actor)
    clean = _text(name, "name", limit=100, required=True, label=_("the name of the standard"))
    if estate_kind not in EstateKind.values:
        raise InvalidInput(_("Choose the kind of estate the standard is for."), field="estate_kind")
    if Questionnaire.objects.filter(name=clean).exists():
        raise InvalidInput(_("A standard with this name exists already."), field="name")
    questionnaire = Questionnaire.objects.create(name=clean, estate_kind=str(estate_kind))
    return add_version(
        questionnaire, title=(clean, clean, clean), intro=("", "", ""), questions=(), by=user_of(actor)
    )


@transaction.atomic
def edit_texts(
    *,
    actor: Actor,
    version: QuestionnaireVersion | int,
    based_on: int | None,
    title: Sequence[object],
    intro: Sequence[object],
) -> Edited:
    """The title and introduction in the three languages."""
    original = _locked_version(actor, version)
    titles = _texts(title, "title", limit=200, label=_("the title"))
    intros = tuple(
        _text(value, f"intro_{code}", limit=4000, required=False, label=_("the introduction"))
        for value, code in zip(intro, LANGUAGES, strict=False)
    )
    intros = (*intros, "", "", "")[:3]
    fields = [f"{part}_{code}" for part in ("title", "intro") for code in LANGUAGES]
    # Decision 0011: an edit based on an older text is refused; a new version starts its own count.
    take_edit(original, based_on, current={f: str(getattr(original, f)) for f in fields}, fields=fields)
    target = _target(actor, original)
    saved = target.version
    for code, value in zip(LANGUAGES, titles, strict=True):
        setattr(saved, f"title_{code}", value)
    for code, value in zip(LANGUAGES, intros, strict=True):
        setattr(saved, f"intro_{code}", value)
    saved.save()
    return target


def _question_fields(
    *, category: object, kind: object, required: object, ask_reason: object, text: Sequence[object]
) -> dict[str, Any]:
    if kind not in QuestionKind.values:
        raise InvalidInput(_("Choose the kind of question."), field="kind")
    category = str(category or "")
    if category and category not in Category.values:
        raise InvalidInput(_("Choose a category from the list."), field="category")
    if kind == QuestionKind.RATING and not category:
        raise InvalidInput(
            _("A rating question needs a category: the figures are counted by it."), field="category"
        )
    hans, hant, en = _texts(text, "text", limit=300, label=_("the question"))
    return {
        "category": category,
        "kind": str(kind),
        "required": bool(required),
        "ask_reason": bool(ask_reason) and kind == QuestionKind.RATING,
        "text_zh_hans": hans,
        "text_zh_hant": hant,
        "text_en": en,
    }


@transaction.atomic
def add_question(
    *,
    actor: Actor,
    version: QuestionnaireVersion | int,
    category: object,
    kind: object = QuestionKind.RATING,
    required: object = True,
    ask_reason: object = True,
    text: Sequence[object],
) -> Edited:
    """A question at the end of the version."""
    original = _locked_version(actor, version)
    values = _question_fields(
        category=category, kind=kind, required=required, ask_reason=ask_reason, text=text
    )
    target = _target(actor, original)
    last = target.version.questions.order_by("-position").values_list("position", flat=True).first() or 0
    Question.objects.create(version=target.version, position=last + 1, **values)
    return target


def _locked_question(actor: Actor, question: Question | int) -> tuple[QuestionnaireVersion, Question]:
    pk = question.pk if isinstance(question, Question) else question
    version_id = Question.objects.filter(pk=pk).values_list("version_id", flat=True).first()
    if version_id is None:
        require_editor(actor)
        raise NotFound(_("Not found, or not yours to see."))
    version = _locked_version(actor, version_id)
    return version, Question.objects.select_related("version").get(pk=pk)


@transaction.atomic
def edit_question(
    *,
    actor: Actor,
    question: Question | int,
    based_on: int | None,
    category: object,
    kind: object,
    required: object,
    ask_reason: object,
    text: Sequence[object],
) -> Edited:
    """A question's texts, category, kind and options."""
    original, found = _locked_question(actor, question)
    values = _question_fields(
        category=category, kind=kind, required=required, ask_reason=ask_reason, text=text
    )
    take_edit(
        original,
        based_on,
        current={f"text_{code}": str(getattr(found, f"text_{code}")) for code in LANGUAGES},
    )
    target = _target(actor, original)
    edited = _question_in(target, found)
    for name, value in values.items():
        setattr(edited, name, value)
    edited.save()
    if not target.made_new:
        target.version.save(update_fields=[EDIT_VERSION])
    return target


@transaction.atomic
def move_question(*, actor: Actor, question: Question | int, step: int) -> Edited:
    """One place up (``step`` -1) or down (+1); at the top or the bottom nothing moves."""
    if step not in (-1, 1):
        raise InvalidInput(_("Move a question one place up or down."), field="direction")
    original, found = _locked_question(actor, question)
    order = list(original.questions.order_by("position", "id"))
    index = [q.pk for q in order].index(found.pk)
    other = index + step
    if not 0 <= other < len(order):
        return Edited(original, made_new=False)
    target = _target(actor, original)
    moved = list(target.version.questions.order_by("position", "id"))
    moved[index], moved[other] = moved[other], moved[index]
    _renumber(target.version, moved)
    return target


@transaction.atomic
def remove_question(*, actor: Actor, question: Question | int) -> Edited:
    original, found = _locked_question(actor, question)
    target = _target(actor, original)
    gone = _question_in(target, found)
    gone.delete()
    _renumber(target.version, list(target.version.questions.order_by("position", "id")))
    return target


def _level(raw: Mapping[str, Any], index: int) -> dict[str, Any]:
    field = f"levels-{index}"
    code = str(raw.get("code") or "").strip()
    if not LEVEL_CODE.match(code):
        raise InvalidInput(
            _("Level %(n)s: a code of small letters, digits and “_”, starting with a letter.")
            % {"n": index + 1},
            field=f"{field}-code",
        )
    try:
        score = int(str(raw.get("score", "")).strip())
    except ValueError as error:
        raise InvalidInput(
            _("Level %(n)s: a score from 0 to 100.") % {"n": index + 1}, field=f"{field}-score"
        ) from error
    if not 0 <= score <= 100:
        raise InvalidInput(
            _("Level %(n)s: a score from 0 to 100.") % {"n": index + 1}, field=f"{field}-score"
        )
    satisfied, dissatisfied = bool(raw.get("satisfied")), bool(raw.get("dissatisfied"))
    if satisfied and dissatisfied:
        raise InvalidInput(
            _("Level %(n)s cannot count as satisfied and as dissatisfied at once.") % {"n": index + 1},
            field=f"{field}-dissatisfied",
        )
    level: dict[str, Any] = {
        "code": code,
        "score": score,
        "satisfied": satisfied,
        "dissatisfied": dissatisfied,
    }
    if code not in StandardLevel.values:
        labels = raw.get("labels") or {}
        if not isinstance(labels, Mapping):
            labels = {}
        names = {
            key: _text(
                labels.get(key, ""),
                f"{field}-label_{key.replace('-', '_')}",
                limit=40,
                required=key == "zh-hans",
                label=_("the level's name (level %(n)s)") % {"n": index + 1},
            )
            for key in ("zh-hans", "zh-hant", "en")
        }
        level["labels"] = names
    return level


@transaction.atomic
def set_scale(
    *,
    actor: Actor,
    version: QuestionnaireVersion | int,
    based_on: int | None,
    levels: Sequence[Mapping[str, Any]],
) -> Edited:
    """The rating scale, best level first: a code and a score per level, which levels count as
    satisfied (the rate) and which as dissatisfied (the next key sample); a level not among the
    five standard ones is named in the three languages."""
    original = _locked_version(actor, version)
    if not 2 <= len(levels) <= MAX_LEVELS:
        raise InvalidInput(_("A scale has from 2 to %(max)s levels.") % {"max": MAX_LEVELS}, field="levels")
    clean: list[dict[str, Any]] = []
    for i, raw in enumerate(levels):
        if str(raw.get("code") or "").strip() in {level["code"] for level in clean}:
            raise InvalidInput(_("Each level needs its own code."), field=f"levels-{i}-code")
        clean.append(_level(raw, i))
    if not any(level["satisfied"] for level in clean):
        raise InvalidInput(_("At least one level counts as satisfied."), field="levels")
    take_edit(original, based_on)
    target = _target(actor, original)
    target.version.scale = clean
    target.version.save()
    return target


@transaction.atomic
def set_default(*, actor: Actor, questionnaire: Questionnaire | int) -> Questionnaire:
    """The standard a new survey asks in estates of its kind: one per kind."""
    require_editor(actor)
    pk = questionnaire.pk if isinstance(questionnaire, Questionnaire) else questionnaire
    chosen = lock(Questionnaire.objects.all(), pk)
    if not chosen.active:
        raise InvalidInput(_("An inactive standard cannot be the default."), field="questionnaire")
    if not chosen.versions.filter(questions__kind=QuestionKind.RATING).exists():
        raise InvalidInput(_("A standard without questions cannot be the default."), field="questionnaire")
    others = Questionnaire.objects.select_for_update().filter(estate_kind=chosen.estate_kind, is_default=True)
    for other in others.exclude(pk=chosen.pk):
        other.is_default = False
        other.save(update_fields=["is_default"])
    if not chosen.is_default:
        chosen.is_default = True
        chosen.save(update_fields=["is_default"])
    return chosen
