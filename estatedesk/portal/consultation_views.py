"""A resident answering this month's consultation from the link on a questionnaire slip (SPEC S-4, W-1).

No account: the token in ``/r/m/<token>/`` is the household (``consultation_answers.household_by_token``;
questionnaire consultations only). One short page: a row of answers per topic, the reason when
dissatisfied, other opinions, send. A plain form posted to its own address; on success the
"thank you" page (PRG). Like the survey's page (``survey_views``): a limit per network address,
an unknown link is the portal's not-found page, an answered household is told so (409), a
consultation not started or finished is told so; the token never reaches a log (``core.redact``
masks every ``<token>`` route).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from estatedesk.core.clientaddr import client_ip
from estatedesk.core.errors import AlreadyHandled, NotFound, ServiceError
from estatedesk.core.web import posting_address, secret_address
from estatedesk.portal import ratelimit
from estatedesk.portal.views import language_link, not_found, render_page, too_many
from estatedesk.surveys.models import Category, ConsultationStatus, ConsultedHousehold, level_label
from estatedesk.surveys.services import consultation_answers
from estatedesk.surveys.services.consultation_answers import TopicAnswer

TEXT_LIMIT = 2000


def _lookup(request: HttpRequest, token: str) -> ConsultedHousehold | HttpResponse:
    wait = ratelimit.hit("consultation-ip", client_ip(request), ratelimit.setting("PORTAL_RATE_LOOKUP_IP"))
    if wait is not None:
        return too_many(request, wait, {}, "portal/limited.html")
    household = consultation_answers.household_by_token(token) if 20 <= len(token) <= 64 else None
    if household is None:
        return not_found(request)
    return household


def _topics(
    household: ConsultedHousehold, data: QueryDict | None, problem: tuple[str, str]
) -> list[dict[str, Any]]:
    language = get_language()
    consultation = household.consultation
    rows = []
    for topic in consultation.topics:
        chosen = data.get(f"level_{topic}", "") if data is not None else ""
        rows.append(
            {
                "code": topic,
                "label": str(Category(topic).label) if topic in Category.values else topic,
                "levels": [
                    {
                        "code": str(level["code"]),
                        "label": level_label(level, language),
                        "dissatisfied": bool(level.get("dissatisfied")),
                        "checked": str(level["code"]) == chosen,
                    }
                    for level in consultation.scale
                ],
                "reason": (data.get(f"reason_{topic}", "") if data is not None else "")[:TEXT_LIMIT],
                "error": problem[1] if problem[0] == f"answers.{topic}" else "",
            }
        )
    return rows


def _page(
    request: HttpRequest,
    household: ConsultedHousehold,
    *,
    data: QueryDict | None = None,
    problem: tuple[str, str] = ("", ""),
    status: int = 200,
) -> HttpResponse:
    context = {
        "household": household,
        "consultation": household.consultation,
        "estate": household.consultation.estate,
        "topics": _topics(household, data, problem),
        "remarks": (data.get("remarks", "") if data is not None else "")[:TEXT_LIMIT],
        "error": problem[1] if problem[0] in ("answers", "") else "",
        "action": reverse("portal:consultation", args=[household.token]),
    }
    return render_page(request, "portal/consultation.html", context, status=status)


def _refusal(
    request: HttpRequest, household: ConsultedHousehold, message: str, status: int, kind: str
) -> HttpResponse:
    context = {
        "household": household,
        "consultation": household.consultation,
        "estate": household.consultation.estate,
        "message": message,
        "kind": kind,
    }
    return render_page(request, "portal/consultation_refused.html", context, status=status)


def _not_open(request: HttpRequest, household: ConsultedHousehold) -> HttpResponse | None:
    status = household.consultation.status
    if status == ConsultationStatus.PLANNED:
        message = _("This consultation has not started yet. Please open the link again in a few days.")
        return _refusal(request, household, message, 422, "closed")
    if status != ConsultationStatus.RUNNING:
        message = _(
            "This consultation is finished; thank you. You can still tell the management office anytime."
        )
        return _refusal(request, household, message, 422, "closed")
    return None


def _answered(request: HttpRequest, household: ConsultedHousehold) -> HttpResponse:
    message = _("Your household has already answered this consultation; one answer per household is counted.")
    return _refusal(request, household, message, 409, "answered")


@posting_address
@require_http_methods(["GET", "POST"])
@language_link
def consultation(request: HttpRequest, token: str) -> HttpResponse:
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    household = found
    if household.answered_at is not None:
        return _answered(request, household)
    refused = _not_open(request, household)
    if refused is not None:
        return refused
    if request.method != "POST":
        return _page(request, household)
    data = request.POST
    topics = household.consultation.topics
    codes = {str(level["code"]) for level in household.consultation.scale}
    answers = []
    for topic in topics:
        level = data.get(f"level_{topic}", "").strip()[:30]
        reason = data.get(f"reason_{topic}", "").replace("\x00", "")[:TEXT_LIMIT]
        if level and level not in codes:
            problem = (f"answers.{topic}", _("Please choose one of the answers."))
            return _page(request, household, data=data, problem=problem, status=422)
        if level or reason.strip():
            answers.append(TopicAnswer(topic, level, reason))
    try:
        consultation_answers.record_online(
            token=household.token, answers=answers, remarks=data.get("remarks", "")
        )
    except NotFound:
        return not_found(request)
    except AlreadyHandled:
        household.refresh_from_db()
        if household.answered_at is not None:
            return _answered(request, household)
        return _not_open(request, household) or _answered(request, household)
    except ServiceError as error:
        if household.consultation.status != ConsultationStatus.RUNNING:
            return _not_open(request, household) or _page(request, household, data=data)
        problem = (
            error.field or "answers",
            _("Please choose an answer for at least one topic, or write your opinion."),
        )
        if (error.field or "").startswith("answers."):
            problem = (error.field or "", str(error.message))
        return _page(request, household, data=data, problem=problem, status=error.status)
    return HttpResponseRedirect(reverse("portal:consultation_done", args=[household.token]))


@secret_address
@require_http_methods(["GET"])
@language_link
def consultation_done(request: HttpRequest, token: str) -> HttpResponse:
    """Thank you: the answer is in. Before answering, the link leads back to the page."""
    found = _lookup(request, token)
    if isinstance(found, HttpResponse):
        return found
    if found.answered_at is None:
        return HttpResponseRedirect(reverse("portal:consultation", args=[found.token]))
    context = {
        "household": found,
        "consultation": found.consultation,
        "estate": found.consultation.estate,
        "office_phone": found.consultation.estate.service_phone,
    }
    return render_page(request, "portal/consultation_done.html", context)
