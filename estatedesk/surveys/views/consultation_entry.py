"""Recording a monthly consultation's answers on a phone (SPEC S-4, W-1; decision 0024).

One page kept open while staff go from door to door (or call, or talk outdoors): it offers the
next household of the sample not answered yet (by building and unit), one row of big buttons per
topic on the consultation's scale, the reason when dissatisfied, the owner's other opinions, and
"Save and next". Without a script it is a plain form posted to its own address (422 with
everything kept; 409 when the household has answered already). With
``static/estatedesk/consultation-entry.js`` each answer is kept on the phone first (a queue in
``localStorage``, each with its own ``submission_key``) and sent to ``entry_submit`` as JSON, so
an answer typed without a connection is sent when it returns, and never recorded twice: the
service recognises the key of an answer already recorded (200, not 201).
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.errors import AlreadyHandled, ServiceError
from estatedesk.core.web import company_time
from estatedesk.surveys.models import (
    Category,
    Consultation,
    ConsultationStatus,
    ConsultedHousehold,
    level_label,
)
from estatedesk.surveys.review_selectors import consultations_for
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services.consultation_answers import TopicAnswer
from estatedesk.surveys.views.common import optional_url
from estatedesk.surveys.workflow import CONSULTATION

MAX_TEXT = 2000
KEY = re.compile(r"[A-Za-z0-9_.:-]{8,64}")


@dataclass
class LevelCell:
    code: str
    label: str
    dissatisfied: bool
    checked: bool


@dataclass
class TopicRow:
    code: str
    label: str
    levels: list[LevelCell]
    reason: str
    errors: list[str] = field(default_factory=list)

    @property
    def unanswered(self) -> bool:
        return not any(level.checked for level in self.levels)


def consultation_or_404(user: Actor, pk: int) -> Consultation:
    found = consultations_for(user).select_related("estate").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_record(user: Actor) -> bool:
    return policy.role_of(user) in CONSULTATION.get("record").roles


def topic_label(code: str) -> str:
    return str(Category(code).label) if code in Category.values else code


def scale_levels(consultation: Consultation) -> list[dict[str, Any]]:
    language = get_language()
    return [
        {
            "code": str(level["code"]),
            "label": level_label(level, language),
            "dissatisfied": bool(level.get("dissatisfied")),
        }
        for level in consultation.scale
    ]


def pending(consultation: Consultation) -> list[tuple[int, str]]:
    """The households of the sample not answered yet, as (unit id, "building-unit"), in walking order."""
    rows = (
        ConsultedHousehold.objects.filter(consultation=consultation, asked=True, answered_at__isnull=True)
        .order_by("building__name", "unit__floor", "unit__number", "pk")
        .values_list("unit_id", "building__name", "unit__number")
    )
    return [(unit, f"{building}-{number}") for unit, building, number in rows]


def topic_answers(
    consultation: Consultation, levels: dict[str, str], reasons: dict[str, str]
) -> list[TopicAnswer]:
    return [
        TopicAnswer(topic, levels.get(topic, "")[:30], reasons.get(topic, "")[:MAX_TEXT])
        for topic in consultation.topics
        if levels.get(topic, "").strip() or reasons.get(topic, "").strip()
    ]


def check_levels(consultation: Consultation, answers: list[TopicAnswer]) -> tuple[str, str] | None:
    """The first answer whose level is not on the scale, as (field, message naming the topic)."""
    codes = {str(level["code"]) for level in consultation.scale}
    for answer in answers:
        if answer.topic in consultation.topics and answer.level and answer.level not in codes:
            return f"answers.{answer.topic}", _("%(topic)s: choose one of the answers on the scale.") % {
                "topic": topic_label(answer.topic)
            }
    return None


def problem_message(error: ServiceError) -> str:
    """The service's message, led by the topic's name when it is about one topic."""
    topic = (error.field or "").partition(".")[2]
    if topic in Category.values:
        return _("%(topic)s: %(problem)s") % {"topic": topic_label(topic), "problem": error.message}
    return str(error.message)


def _rows(consultation: Consultation, data: QueryDict | None, problems: dict[str, str]) -> list[TopicRow]:
    rows = []
    for topic in consultation.topics:
        chosen = data.get(f"level_{topic}", "") if data is not None else ""
        rows.append(
            TopicRow(
                code=topic,
                label=topic_label(topic),
                levels=[
                    LevelCell(x["code"], x["label"], x["dissatisfied"], x["code"] == chosen)
                    for x in scale_levels(consultation)
                ],
                reason=(data.get(f"reason_{topic}", "") if data is not None else "")[:MAX_TEXT],
                errors=[problems[f"answers.{topic}"]] if f"answers.{topic}" in problems else [],
            )
        )
    return rows


def _texts() -> dict[str, str]:
    """What the page's script says, in the user's language (``%(unit)s``-style placeholders)."""
    return {
        "waiting": _("Saved on this phone: %(n)s waiting to send."),
        "offline": _("No connection: the answers stay on this phone and are sent when it returns."),
        "sending": _("Sending…"),
        "kept": _("Kept on this phone: %(unit)s. Next household."),
        "sent": _("Sent: %(unit)s."),
        "conflict": _("%(unit)s was not recorded: %(detail)s"),
        "invalid": _("%(unit)s was not sent: %(detail)s"),
        "signin": _("Could not send: sign in again in this browser. The answers stay on this phone."),
        "choose": _("Choose the household."),
        "nothing": _("Record at least one topic's answer or the owner's opinions."),
        "none_left": _("Every household of the sample has an answer or is waiting to send."),
        "correct": _("Correct it"),
        "dismiss": _("Dismiss"),
    }


def _closed_message(consultation: Consultation) -> str:
    if consultation.status == ConsultationStatus.PLANNED:
        return _("Start the consultation before recording answers.")
    if consultation.status != ConsultationStatus.RUNNING:
        return _("This consultation is finished; no more answers are recorded.")
    return ""


def _render(
    request: HttpRequest,
    consultation: Consultation,
    *,
    data: QueryDict | None = None,
    problems: dict[str, str] | None = None,
    top_error: str = "",
    status: int = 200,
) -> HttpResponse:
    problems = problems or {}
    households = pending(consultation)
    chosen = data.get("unit", "") if data is not None else request.GET.get("unit", "")
    asked = ConsultedHousehold.objects.filter(consultation=consultation, asked=True).count()
    context = {
        "consultation": consultation,
        "topics": _rows(consultation, data, problems),
        "households": households,
        "chosen": chosen if chosen else (str(households[0][0]) if households else ""),
        "unit_error": problems.get("unit", ""),
        "remarks": (data.get("remarks", "") if data is not None else "")[:MAX_TEXT],
        "remarks_error": problems.get("answers", ""),
        "top_error": top_error,
        "key": (data.get("key", "") if data is not None else "") or secrets.token_hex(16),
        "asked": asked,
        "answered": asked - len(households),
        "closed": _closed_message(consultation),
        "may_record": may_record(request.user),
        "detail_url": optional_url("surveys:consultation_detail", consultation.pk),
        "list_url": optional_url("surveys:consultation_list"),
        "submit_url": reverse("surveys:consultation_entry_submit", args=[consultation.pk]),
        "storage_key": f"estatedesk.consultation.{consultation.pk}.{request.user.pk}",
        "texts": _texts(),
        "slips_url": reverse("surveys:consultation_slips", args=[consultation.pk])
        if consultation.is_questionnaire
        and consultation.status in (ConsultationStatus.PLANNED, ConsultationStatus.RUNNING)
        else "",
    }
    response = render(request, "surveys/consultations/entry.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@company_time
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page: GET offers the next household; POST records one (the page without a script)."""
    consultation = consultation_or_404(request.user, pk)
    if request.method != "POST":
        return _render(request, consultation)
    data = request.POST
    if not may_record(request.user):
        return _render(
            request,
            consultation,
            data=data,
            top_error=_("Your role cannot record consultation answers."),
            status=403,
        )
    levels = {t: data.get(f"level_{t}", "").strip() for t in consultation.topics}
    reasons = {t: data.get(f"reason_{t}", "") for t in consultation.topics}
    answers = topic_answers(consultation, levels, reasons)
    unit = data.get("unit", "").strip()
    if not unit:
        return _render(
            request, consultation, data=data, problems={"unit": _("Choose the household.")}, status=422
        )
    wrong = check_levels(consultation, answers)
    if wrong:
        return _render(request, consultation, data=data, problems={wrong[0]: wrong[1]}, status=422)
    key = data.get("key", "")
    try:
        household, recorded = consultation_answers.record_answers(
            actor=request.user,
            consultation=consultation,
            unit_id=unit,
            answers=answers,
            remarks=data.get("remarks", ""),
            submission_key=key if KEY.fullmatch(key) else "",
        )
    except ServiceError as error:
        field_name = error.field or ""
        if isinstance(error, AlreadyHandled):
            field_name = "unit" if error.status == 409 and not _closed_message(consultation) else ""
        if field_name.startswith("answers") or field_name == "unit":
            problems = {field_name: problem_message(error)}
            return _render(request, consultation, data=data, problems=problems, status=error.status)
        return _render(
            request, consultation, data=data, top_error=problem_message(error), status=error.status
        )
    label = f"{household.building.name}-{household.unit.number}"
    if recorded:
        messages.success(request, _("Saved: %(unit)s. Next household.") % {"unit": label})
    else:
        messages.info(request, _("%(unit)s was saved already; it is counted once.") % {"unit": label})
    return redirect("surveys:consultation_entry", pk=consultation.pk)


def _json_error(status: int, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"status": "refused", "detail": detail, **extra}, status=status)


def _read(request: HttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _posted_answers(body: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]] | None:
    levels: dict[str, str] = {}
    reasons: dict[str, str] = {}
    items = body.get("answers", [])
    if not isinstance(items, list):
        return None
    for item in items[:50]:
        if not isinstance(item, dict):
            return None
        topic, level, reason = item.get("topic"), item.get("level", ""), item.get("reason", "")
        if not isinstance(topic, str) or not isinstance(level, str) or not isinstance(reason, str):
            return None
        levels[topic[:30]] = level.strip()
        reasons[topic[:30]] = reason
    return levels, reasons


def _unknown_topic(consultation: Consultation, levels: dict[str, str]) -> JsonResponse | None:
    for topic in levels:
        if topic not in consultation.topics:
            return _json_error(
                422,
                _("“%(topic)s” is not a topic of this consultation.") % {"topic": topic_label(topic)},
                field=f"answers.{topic}",
            )
    return None


@company_time
def entry_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """One household's answers as JSON from the phone's queue.

    ``{"unit": 12, "key": "…", "answers": [{"topic", "level", "reason"}], "remarks": "…"}``:
    201 recorded now; 200 recorded before with the same key (a resend); 409 the household has
    another answer already; 422 what is wrong (``field``, and the topic's name in ``detail``);
    404 not the user's consultation; 403 a role that does not record answers.
    """
    consultations = consultations_for(request.user).select_related("estate")
    consultation = consultations.filter(pk=pk).first()
    if consultation is None:
        return _json_error(404, _("Not found, or not yours to see."))
    if request.method != "POST":  # after the look-up: out of scope is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    if not may_record(request.user):
        return _json_error(403, _("Your role cannot record consultation answers."))
    body = _read(request)
    parsed = _posted_answers(body) if body is not None else None
    if body is None or parsed is None:
        return _json_error(422, _("The answer could not be read; enter it again."), field="answers")
    key = body.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key):
        return _json_error(422, _("The answer has no valid sending key; enter it again."), field="key")
    levels, reasons = parsed
    refused = _unknown_topic(consultation, levels)
    if refused is not None:
        return refused
    answers = topic_answers(consultation, levels, reasons)
    wrong = check_levels(consultation, answers)
    if wrong:
        return _json_error(422, wrong[1], field=wrong[0])
    remarks = body.get("remarks", "")
    try:
        household, recorded = consultation_answers.record_answers(
            actor=request.user,
            consultation=consultation,
            unit_id=body.get("unit"),
            answers=answers,
            remarks=remarks if isinstance(remarks, str) else "",
            submission_key=key,
        )
    except ServiceError as error:
        return _json_error(error.status, problem_message(error), field=error.field or "")
    label = f"{household.building.name}-{household.unit.number}"
    return JsonResponse(
        {"status": "recorded" if recorded else "already_recorded", "unit": household.unit_id, "label": label},
        status=201 if recorded else 200,
    )
