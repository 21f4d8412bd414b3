"""``{% load improvement_tags %}{% actions_for_complaint complaint %}``: the complaint page's card
of the corrective / preventive actions opened from it (SPEC I-1), so the complaint view itself
needs no change. Only actions in the user's scope are listed.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser

from estatedesk.core import policy
from estatedesk.improvement import selectors, workflow

register = template.Library()


@register.inclusion_tag("improvement/_complaint_actions.html", takes_context=True)
def actions_for_complaint(context: template.Context, complaint: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or AnonymousUser()  # no request: nobody's scope
    return {
        "complaint": complaint,
        "actions": selectors.listed_for_complaint(user, complaint.pk),
        "can_open": policy.role_of(user) in workflow.OPENER_ROLES,
    }
