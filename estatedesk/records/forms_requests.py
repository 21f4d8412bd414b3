"""The forms of the personal-data request pages (SPEC D-3): the search, the choice of the
customer records and how the request came, and the typed confirmation of an erasure.

Everything travels in POST bodies: a phone number never enters an address.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.core.errors import InvalidInput
from estatedesk.records import requests
from estatedesk.records.subjects import Candidate

# How a request reached the company; stored as the code, shown as its label.
RECEIVED_VIA = [
    ("in_person", _("In person at the management office")),
    ("phone", _("By telephone")),
    ("letter", _("By letter")),
    ("email", _("By e-mail")),
    ("wechat", _("By WeChat")),
    ("portal", _("Through the resident portal")),
    ("other", pgettext_lazy("request received via", "Other")),
]


def received_via_label(code: str) -> str:
    return str(dict(RECEIVED_VIA).get(code, code))


class SearchForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100, required=False)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=50,
        required=False,
        help_text=_("As written on the roster, e.g. 3栋1201 or 1201."),
    )
    phone = forms.CharField(
        label=_("Whole phone number"),
        max_length=30,
        required=False,
        help_text=_("The whole number: a part of one is not searched."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self) -> str:
        try:
            return requests.clean_phone(self.cleaned_data.get("phone", ""))
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not any(data.get(key) for key in ("name", "unit", "phone")):
            raise forms.ValidationError(_("Give a name, a unit or a whole phone number to search for."))
        return data


class ChooseForm(forms.Form):
    """Which of the customers found the request is about, and how it came."""

    customers = forms.TypedMultipleChoiceField(
        label=_("Customer records of this person"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the customer the request is about.")},
    )
    received_via = forms.ChoiceField(label=_("Request received"), choices=[("", "—"), *RECEIVED_VIA])

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = self.fields["customers"]
        assert isinstance(customers, forms.TypedMultipleChoiceField)  # noqa: S101 - declared above
        customers.choices = [(c.customer_id, c.customer_id) for c in candidates]
        self.fields["received_via"].error_messages["required"] = _("Say how the request came.")


def confirm_word() -> str:
    # Translators: the word an administrator types to confirm an erasure; short, lower case
    return str(_("erase"))


class ConfirmForm(forms.Form):
    confirm = forms.CharField(label=_("Type the word to confirm"), max_length=30, required=False)

    def clean_confirm(self) -> str:
        typed = (self.cleaned_data.get("confirm") or "").strip().casefold()
        if typed not in {confirm_word().casefold(), "erase"}:
            raise forms.ValidationError(
                _("Type “%(word)s” to confirm the erasure.") % {"word": confirm_word()}
            )
        return typed
