"""The surveys app's panels of the home page (SPEC A-1, S-6, S-8).

* "surveys": the surveys under way in the user's estates — those prepared and waiting for
  their draw or opening, and those open, with how many households have returned their
  questionnaire so far. Each row links to the survey.
* "forum_follow_ups": the owners' forums' follow-ups past their due date, the longest overdue
  first, each linking to its forum."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from estatedesk.core import panels
from estatedesk.core.actors import RequestUser
from estatedesk.surveys import forum_selectors, selectors
from estatedesk.surveys.figures import one_decimal
from estatedesk.surveys.models import Household, Survey
from estatedesk.surveys.workflow import DRAFT, DRAWN, OPEN, SURVEY

SHOWN = 5


def _progress(survey: Survey, user: RequestUser) -> str:
    if survey.status != OPEN:
        return SURVEY.label_of(survey.status)
    counts = Household.objects.filter(
        survey=survey, estate__in=selectors.estate_ids_in(user, survey)
    ).aggregate(distributed=Count("pk"), returned=Count("pk", filter=Q(answered_at__isnull=False)))
    distributed, returned = counts["distributed"], counts["returned"]
    rate = one_decimal(returned * 100 / distributed) if distributed else None
    return _("%(status)s · returned %(returned)d of %(distributed)d (%(rate)s%%)") % {
        "status": SURVEY.label_of(survey.status),
        "returned": returned,
        "distributed": distributed,
        "rate": "—" if rate is None else f"{rate:.1f}",
    }


def _row(survey: Survey, user: RequestUser) -> SafeString:
    return format_html(
        '<a class="fw-semibold" href="{}">{} {}</a> <span class="text-muted">{}</span>',
        reverse("surveys:detail", args=[survey.pk]),
        survey.number,
        survey.title,
        _progress(survey, user),
    )


def surveys_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    under_way = (
        selectors.surveys_for(user).filter(status__in=(DRAFT, DRAWN, OPEN)).order_by("-created_at", "-pk")
    )
    count = under_way.count()
    return panels.Rows([_row(s, user) for s in under_way[:SHOWN]], count, reverse("surveys:list"))


def forum_panel(user: RequestUser, shared: dict[str, Any]) -> panels.Rows:
    overdue, count = forum_selectors.overdue_follow_ups(user, limit=SHOWN)
    rows = [
        format_html(
            '<a class="fw-semibold" href="{}#follow-up-{}">{}</a> <span class="text-danger">{}</span>',
            reverse("surveys:forum_detail", args=[o.follow_up.opinion.forum_id]),
            o.follow_up.pk,
            o.follow_up.description[:60],
            _("%(forum)s · %(owner)s · %(days)d days overdue")
            % {
                "forum": o.follow_up.opinion.forum.number,
                "owner": o.follow_up.owner.display_name,
                "days": o.days,
            },
        )
        for o in overdue
    ]
    return panels.Rows(rows, count, reverse("surveys:forum_list"))


def register_panels() -> None:
    panels.register(
        "surveys",
        title=gettext_lazy("Satisfaction surveys under way"),
        empty=gettext_lazy("No survey is under way."),
        fill=surveys_panel,
    )
    panels.register(
        "forum_follow_ups",
        title=gettext_lazy("Overdue forum follow-ups"),
        empty=gettext_lazy("No forum follow-up is overdue."),
        fill=forum_panel,
    )
