"""Checking a returned questionnaire before anything is stored (SPEC S-8, W-1). Pure: no ORM.

A questionnaire is stored whole or not at all, so everything wrong with it is found first and
told per question: a required question without an answer, a question the questionnaire does
not ask, the same question answered twice, a level the scale does not have, a free-text
question given a level. The messages name the question by its number on the sheet, in the
reader's language (the caller runs this under the right language).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

__all__ = ["AnswerInput", "Checked", "Level", "Problem", "QuestionSpec", "as_id", "check", "draft_answers"]

MAX_TEXT = 2000


@dataclass(frozen=True)
class Level:
    code: str
    score: int
    satisfied: bool
    dissatisfied: bool


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    number: int  # as printed: 1, 2, 3 …
    kind: str  # "rating" or "text"
    category: str
    required: bool
    ask_reason: bool


@dataclass(frozen=True)
class AnswerInput:
    question: object  # an id as given: int, or text from a form or JSON
    level: str = ""
    reason: str = ""
    text: str = ""


@dataclass(frozen=True)
class CheckedAnswer:
    question: QuestionSpec
    level: Level | None
    reason: str
    text: str


@dataclass(frozen=True)
class Problem:
    field: str  # "answers" or "answers.<question id>"
    message: str


@dataclass(frozen=True)
class Checked:
    answers: tuple[CheckedAnswer, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def as_id(value: object) -> int | None:
    """An id as a form or JSON gives it (``12``, ``"12"``), or None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip()[:19])
    return None


def _clean_text(value: object) -> str:
    return str(value or "").replace("\x00", "").strip()[:MAX_TEXT]


def check(questions: Sequence[QuestionSpec], scale: Sequence[Level], given: Iterable[AnswerInput]) -> Checked:
    """The answers ready to store, or every problem found."""
    by_id = {q.id: q for q in questions}
    levels = {level.code: level for level in scale}
    problems: list[Problem] = []
    seen: dict[int, AnswerInput] = {}
    for given_item in given:
        question_id = as_id(given_item.question)
        if question_id is None or question_id not in by_id:
            problems.append(
                Problem(
                    # At the id given, when it is one (the API names the key: answers.999).
                    f"answers.{question_id}" if question_id is not None else "answers",
                    _("Question %(id)s is not on this questionnaire.")
                    % {"id": str(given_item.question)[:20]},
                )
            )
            continue
        question = by_id[question_id]
        if question_id in seen:
            problems.append(
                Problem(
                    f"answers.{question_id}",
                    _("Question %(number)d is answered twice; give one answer.")
                    % {"number": question.number},
                )
            )
            continue
        seen[question_id] = given_item
        level_given = (given_item.level or "").strip()
        if question.kind == "text" and level_given:
            problems.append(
                Problem(
                    f"answers.{question_id}",
                    _("Question %(number)d asks for words, not a rating.") % {"number": question.number},
                )
            )
        elif level_given and level_given not in levels:
            problems.append(
                Problem(
                    f"answers.{question_id}",
                    _("Question %(number)d: “%(level)s” is not an answer on the scale.")
                    % {"number": question.number, "level": level_given[:30]},
                )
            )
    answers = []
    for question in questions:
        item = seen.get(question.id)
        level_code = (item.level or "").strip() if item else ""
        text = _clean_text(item.text) if item else ""
        if question.kind == "rating":
            if not level_code and question.required:
                problems.append(
                    Problem(
                        f"answers.{question.id}",
                        _("Question %(number)d has no answer.") % {"number": question.number},
                    )
                )
                continue
            level = levels.get(level_code)
            reason = _clean_text(item.reason) if item and level and level.dissatisfied else ""
            answers.append(CheckedAnswer(question, level, reason, text))
        elif text or item is not None:
            if question.required and not text:
                problems.append(
                    Problem(
                        f"answers.{question.id}",
                        _("Question %(number)d has no answer.") % {"number": question.number},
                    )
                )
                continue
            answers.append(CheckedAnswer(question, None, "", text))
        elif question.required:
            problems.append(
                Problem(
                    f"answers.{question.id}",
                    _("Question %(number)d has no answer.") % {"number": question.number},
                )
            )
    unique = []
    keys = set()
    for p in problems:
        if (p.field, p.message) not in keys:
            keys.add((p.field, p.message))
            unique.append(p)
    return Checked(tuple(answers), tuple(unique))


def draft_answers(
    questions: Sequence[QuestionSpec], scale: Sequence[Level], given: Iterable[AnswerInput]
) -> dict[str, dict[str, str]]:
    """What a half-finished online answer keeps: only what fits the questionnaire (unknown
    questions and levels are dropped, not refused: the resident is still answering)."""
    by_id = {q.id: q for q in questions}
    levels = {level.code for level in scale}
    kept: dict[str, dict[str, str]] = {}
    for item in given:
        question_id = as_id(item.question)
        if question_id is None or question_id not in by_id:
            continue
        level = (item.level or "").strip()
        entry = {
            "level": level if level in levels and by_id[question_id].kind == "rating" else "",
            "reason": _clean_text(item.reason),
            "text": _clean_text(item.text),
        }
        if any(entry.values()):
            kept[str(question_id)] = entry
    return kept
