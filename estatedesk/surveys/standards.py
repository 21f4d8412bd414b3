"""The evaluation standards (業戶滿意度測評標準, SPEC S-1): the defaults, and the quality targets.

A version a survey has asked is never changed: editing it makes the next version (``edit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction

from estatedesk.core.clock import now
from estatedesk.surveys.models import (
    Question,
    Questionnaire,
    QuestionnaireVersion,
    SurveyEstate,
    default_scale,
)
from estatedesk.surveys.standard_texts import DEFAULTS
from estatedesk.surveys.standard_texts import Question as QuestionText

__all__ = ["add_version", "install_defaults", "is_used"]


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
