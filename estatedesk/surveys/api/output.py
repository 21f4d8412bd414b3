"""How surveys, samples, answers and figures look in API answers, and how the services'
refusals become the API's error format (``estatedesk.surveys.api.surveys``)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.api import ApiError, invalid, stale_edit
from estatedesk.core.clock import company_zone
from estatedesk.core.errors import AlreadyHandled, NotAllowed, NotFound, ServiceError, StaleEdit
from estatedesk.surveys import report, responses, selectors, wording
from estatedesk.surveys.answering import AnswerInput
from estatedesk.surveys.api.schemas import parse_answers
from estatedesk.surveys.figures import Figure, one_decimal
from estatedesk.surveys.models import Household, KeyReason, Survey

# --- Errors ------------------------------------------------------------------------------------


def _loc(field: str) -> list[str]:
    """A service's field ("answers.12") where the client sent it: ["body", "answers", "12"]."""
    return ["body", *field.split(".")]


@contextmanager
def service_errors(fields: Sequence[str] = (), *, conflict_at: str | None = None) -> Iterator[None]:
    """A service's refusal in the API's error format.

    A field the service names is reported at ``["body", …]`` when the body has such a field,
    otherwise (the record's state, not what was sent) at ``["body"]``. Every problem of a
    questionnaire is reported, each at its question. ``conflict_at`` names the body field a
    409 is about (the household: ``unit`` or ``token``).
    """
    try:
        yield
    except StaleEdit as exc:
        raise stale_edit(exc) from exc
    except AlreadyHandled as exc:
        message = str(exc.message)
        errors = [{"loc": ["body", conflict_at], "msg": message}] if conflict_at else []
        raise ApiError(409, "conflict", message, errors) from exc
    except NotAllowed as exc:
        raise ApiError(403, "permission_denied", str(exc.message)) from exc
    except responses.AnswerProblems as exc:
        raise ApiError(
            422,
            "invalid",
            _("Some of the data sent is not valid."),
            [{"loc": _loc(p.field), "msg": p.message} for p in exc.problems],
        ) from exc
    except NotFound as exc:
        if exc.field is not None and exc.field.split(".")[0] in fields:
            raise invalid(exc.field, str(exc.message)) from exc
        raise ApiError(404, "not_found", _("Not found.")) from exc
    except ServiceError as exc:
        message = str(exc.message)
        if exc.field is not None and exc.field.split(".")[0] in fields:
            raise ApiError(
                422,
                "invalid",
                _("Some of the data sent is not valid."),
                [{"loc": _loc(exc.field), "msg": message}],
            ) from exc
        raise ApiError(422, "invalid", message, [{"loc": ["body"], "msg": message}]) from exc


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("Not found."))


# --- Surveys -----------------------------------------------------------------------------------


def _time(value: datetime | None) -> datetime | None:
    """Times leave in the company's zone (+08:00), as everywhere in the API."""
    return value.astimezone(company_zone()) if value is not None else None


def _number(value: object) -> float:
    return float(Fraction(str(value)))


def survey_item(survey: Survey, user: Actor) -> dict[str, Any]:
    """A list row; ``survey.estates`` prefetched with their estates."""
    mine = None if selectors.sees_whole_survey(user) else (policy.estate_ids(user) or frozenset())
    rows = sorted(survey.estates.all(), key=lambda row: row.estate.code)
    return {
        "id": survey.pk,
        "number": survey.number,
        "kind": survey.kind,
        "title": survey.title,
        "year": survey.year,
        "status": survey.status,
        "status_label": str(survey.get_status_display()),
        "share": _number(survey.share),
        "closes_on": survey.closes_on,
        "estates": [
            {"id": row.estate_id, "name": row.estate.name, "template": row.version_id}
            for row in rows
            if mine is None or row.estate_id in mine
        ],
    }


def sample_figures(survey: Survey, user: Actor) -> dict[str, Any] | None:
    """What the draw found, with the estates the user may see."""
    if survey.drawn_at is None:
        return None
    rows = selectors.survey_estates(survey, selectors.estate_ids_in(user, survey))
    return {
        "frame": survey.frame_size,
        "sample_size": survey.sample_size,
        "second_stage": survey.second_stage_count,
        "random": survey.random_count,
        "vacant": survey.vacant_count,
        "seed": survey.seed,
        "drawn_at": _time(survey.drawn_at),
        "drawn_by": survey.drawn_by_name,
        "estates": [
            {
                "estate": row.estate_id,
                "name": row.estate.name,
                "frame": row.frame_size,
                "share_size": row.target_size,
                "sample_size": row.sample_size,
                "second_stage": row.second_stage_count,
                "random": row.random_count,
                "vacant": row.vacant_count,
            }
            for row in rows
        ],
    }


def survey_detail(survey: Survey, user: Actor) -> dict[str, Any]:
    out = survey_item(survey, user)
    out.update(
        {
            "template": survey.version_id,
            "office_template": survey.office_version_id,
            "improvements": survey.improvements,
            "return_threshold": _number(survey.return_threshold),
            "return_step": _number(survey.return_step),
            "return_penalty": _number(survey.return_penalty),
            "target": _number(survey.target),
            "created_at": _time(survey.created_at),
            "opened_at": _time(survey.opened_at),
            "closed_at": _time(survey.closed_at),
            "reminder_gap_days": survey.reminder_gap_days,
            "max_reminders": survey.max_reminders,
            "sample": sample_figures(survey, user),
            "version": survey.edit_version,
        }
    )
    return out


def household_row(household: Household) -> dict[str, Any]:
    """A sampled household; ``unit__building`` and ``response`` joined."""
    response = getattr(household, "response", None)
    return {
        "unit": household.unit_id,
        "label": household.unit.label,
        "estate": household.estate_id,
        "building": household.building_id,
        "second_stage": household.second_stage,
        "reasons": list(household.reasons),
        "reason_labels": [str(KeyReason(r).label) for r in household.reasons if r in KeyReason.values],
        "answered": household.answered_at is not None,
        "channel": response.channel if response is not None else None,
    }


# --- Answers -----------------------------------------------------------------------------------


class _Pairs(dict):
    """A JSON object that remembers every key/value pair, duplicates included."""

    pairs: list[tuple[str, Any]]


def _pairs_hook(pairs: list[tuple[str, Any]]) -> _Pairs:
    obj = _Pairs(pairs)
    obj.pairs = pairs
    return obj


def raw_body(request: HttpRequest) -> dict[str, Any]:
    """The body as sent, with the repeated keys a dict would silently drop (ninja keeps the last)."""
    try:
        data = json.loads(request.body, object_pairs_hook=_pairs_hook)
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _keys(raw: Any) -> list[str]:
    return [key for key, _value in raw.pairs] if isinstance(raw, _Pairs) else []


def answer_inputs(payload: Any, raw: dict[str, Any]) -> list[AnswerInput]:
    """The answers as ``answering.check`` takes them, from either form of ``answers``.

    A question id repeated in the object form is passed on as many times as it was sent, so
    the check reports it answered twice; a repeated reason or text is refused here.
    """
    problems = []
    for name in ("reasons", "texts"):
        seen: set[str] = set()
        for key in _keys(raw.get(name)):
            if key in seen:
                problems.append({"loc": ["body", name, key], "msg": _("Given twice; give it once.")})
            seen.add(key)
    if problems:
        raise ApiError(422, "invalid", _("Some of the data sent is not valid."), problems)
    reasons: dict[str, str] = payload.reasons
    texts: dict[str, str] = payload.texts
    parsed = parse_answers(payload.answers)
    if isinstance(parsed, list):
        given = [
            AnswerInput(
                item.question,
                item.level,
                item.reason or reasons.get(str(item.question), ""),
                item.text or texts.get(str(item.question), ""),
            )
            for item in parsed
        ]
        listed = {str(item.question) for item in parsed}
    else:
        levels: dict[str, str] = parsed
        sent = raw.get("answers")
        # Each occurrence with the level it was sent with (pydantic kept only the last one's).
        pairs = (
            [(key, value if isinstance(value, str) else levels.get(key, "")) for key, value in sent.pairs]
            if isinstance(sent, _Pairs)
            else list(levels.items())
        )
        given = [AnswerInput(key, level, reasons.get(key, ""), texts.get(key, "")) for key, level in pairs]
        listed = set(levels)
    # A reason or text for a question not in `answers` still answers it (a free-text question).
    for key in [*reasons, *texts]:
        if key not in listed:
            listed.add(key)
            given.append(AnswerInput(key, "", reasons.get(key, ""), texts.get(key, "")))
    return given


# --- Figures -----------------------------------------------------------------------------------


def figures(fig: Figure) -> dict[str, Any]:
    interval = fig.interval
    return {
        "distributed": fig.returns.distributed,
        "returned": fig.returns.returned,
        "return_rate": one_decimal(fig.return_rate),
        "valid": fig.tally.valid,
        "satisfied": fig.tally.satisfied,
        "satisfaction_raw": one_decimal(fig.raw),
        "shortfall": one_decimal(fig.shortfall),
        "penalty_points": one_decimal(fig.penalty_points),
        "satisfaction_adjusted": one_decimal(fig.adjusted),
        "penalty_reason": wording.penalty_reason(fig),
        "ci_low": one_decimal(interval[0]) if interval else None,
        "ci_high": one_decimal(interval[1]) if interval else None,
        "mean_score": one_decimal(fig.mean_score),
        "target": one_decimal(fig.target),
        "below_target": fig.below_target,
    }


def category_label(code: str) -> str:
    return report.category_label(code) if code else ""
