"""The minutes of an owners' forum (座谈会纪要, SPEC S-6, A-3): the print view and its PDF.

The minutes hold what the forum's page holds, in the order a meeting's minutes are read: the
meeting (date, place, chair), who came, then each opinion with who raised it, the company's
answer and its follow-ups with owner and due date. Names as ``forum_display`` decides for the
minutes (decision 0026): owners by unit with the name masked, committee members in full.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from estatedesk.core import pdf as printing
from estatedesk.core import policy
from estatedesk.core.clock import company_now, company_today, company_zone
from estatedesk.core.exportlog import record_export
from estatedesk.core.models import CompanySettings
from estatedesk.core.web import company_time
from estatedesk.surveys import forum_selectors as selectors
from estatedesk.surveys.forum_display import who
from estatedesk.surveys.models import Forum

log = logging.getLogger(__name__)

EXPORT_NAME = "forum-minutes"


def _forum(request: HttpRequest, pk: int) -> Forum:
    forum = selectors.get_forum(request.user, pk)
    if forum is None:
        raise Http404
    return forum


def _printer(request: HttpRequest) -> str:
    staff = policy.staff_of(request.user)
    return staff.display_name if staff else request.user.get_username()


def minutes_context(request: HttpRequest, forum: Forum, *, pdf: bool) -> dict[str, Any]:
    names = policy.can_see_contact_names(request.user)
    estates = list(forum.estates.order_by("code"))
    several = len(estates) > 1
    participants = [
        who(p, names=names, minutes=True, several_estates=several) for p in selectors.participants_of(forum)
    ]
    groups: dict[str, list[Any]] = {}
    for w in participants:
        groups.setdefault(w.kind_label, []).append(w)
    opinions = selectors.opinions_of(forum)
    today = company_today()
    for opinion in opinions:
        opinion.who = (  # type: ignore[attr-defined]
            who(opinion.raised_by, names=names, minutes=True, several_estates=several)
            if opinion.raised_by
            else None
        )
        for f in opinion.follow_ups.all():
            f.overdue_days = selectors.days_overdue(f, today)  # type: ignore[attr-defined]
    return {
        "forum": forum,
        "estates": estates,
        "groups": list(groups.items()),
        "participant_count": len(participants),
        "opinions": opinions,
        "pdf": pdf,
        "general": pgettext("forum", "General"),
        "company": CompanySettings.load().name,
        "printed_at": company_now(),
        "printed_by": _printer(request),
        "back_url": reverse("surveys:forum_detail", args=[forum.pk]),
        "pdf_url": reverse("surveys:forum_minutes_pdf", args=[forum.pk]),
    }


def _html(request: HttpRequest, forum: Forum, *, pdf: bool) -> tuple[str, dict[str, Any]]:
    context = minutes_context(request, forum, pdf=pdf)
    with timezone.override(company_zone()):
        return render_to_string("surveys/forums/minutes.html", context, request=request), context


@require_GET
@company_time
def forum_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    html, _context = _html(request, _forum(request, pk), pdf=False)
    response = HttpResponse(html)
    patch_cache_control(response, private=True, no_cache=True)
    return response


@require_GET
@company_time
def forum_minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    forum = _forum(request, pk)
    try:
        if not printing.pdf_available():
            raise printing.PdfUnavailable
        html, context = _html(request, forum, pdf=True)
        footer = _("%(report)s · printed %(time)s by %(person)s") % {
            "report": f"{forum.number} {forum.title}",
            "time": timezone.localtime(context["printed_at"], company_zone()).strftime("%Y-%m-%d %H:%M"),
            "person": context["printed_by"],
        }
        data = printing.render_for(request, html, footer=footer)
    except (printing.PdfUnavailable, OSError):
        log.warning("PDF of the forum minutes %s not made", forum.number, exc_info=True)
        context = {
            "form_title": _("Minutes of the owners' forum"),
            "number": forum.number,
            "html_url": reverse("surveys:forum_minutes", args=[forum.pk]),
            "back_url": reverse("surveys:forum_detail", args=[forum.pk]),
        }
        return render(request, "complaints/print/unavailable.html", context, status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="forum-minutes-{forum.number}.pdf"'
    record_export(request, list_name=EXPORT_NAME, filters={"id": forum.pk, "format": "pdf"}, row_count=None)
    patch_cache_control(response, private=True, no_cache=True)
    return response
