"""What the survey pages share: the survey in the user's scope, and links to pages other
page families provide (results, QR sheets) only where those exist."""

from __future__ import annotations

from django.http import Http404
from django.urls import NoReverseMatch, reverse

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.crypto import mask_name
from estatedesk.surveys import selectors
from estatedesk.surveys.models import Survey


def survey_or_404(user: Actor, pk: int) -> Survey:
    """The survey, if it covers one of the user's estates (or the user runs surveys)."""
    survey = selectors.get_survey(user, pk)
    if survey is None or not selectors.estate_ids_in(user, survey):
        raise Http404
    return survey


def optional_url(name: str, *args: object) -> str:
    """The address of a page another family provides, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def shown_name(user: Actor, name: str) -> str:
    return name if policy.can_see_contact_names(user) else mask_name(name)
