"""The forms on the private status page (SPEC W-1): add information, rate the reply.

Chasing has no fields: the button posts ``action=chase``. Every form posts to the status page's
own address with its ``action`` in the body; the services in ``complaints.resident`` check
every rule again.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints.models import RatingScore
from estatedesk.complaints.resident import COMMENT_LIMIT, TEXT_LIMIT
from estatedesk.core.errors import ServiceError
from estatedesk.portal.forms import PhotosField, check_photos, photos_help

ACTIONS = ("info", "chase", "rate")


class InformationForm(forms.Form):
    text = forms.CharField(
        label=_("What would you like to add?"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("Write what you want to add.")},
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    photos = PhotosField(label=_("Photos"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "info")
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = photos_help()

    def clean_photos(self) -> list[Any]:
        return check_photos(self.cleaned_data.get("photos") or [])


class RatingForm(forms.Form):
    score = forms.ChoiceField(
        label=_("How satisfied are you with our reply?"),
        choices=RatingScore.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose satisfied, basically satisfied or dissatisfied.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        required=False,
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "rate")
        super().__init__(*args, **kwargs)


def mark_errors(form: forms.Form) -> None:
    """Fields with an error are marked for screen readers and styled, their message linked."""
    for name in form.errors:
        if name in form.fields and not isinstance(form.fields[name].widget, forms.RadioSelect):
            attrs = form.fields[name].widget.attrs
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}_error"


def add_service_error(form: forms.Form, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
