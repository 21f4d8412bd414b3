"""Forms of the contract pages (SPEC C-5).

They only parse what was typed; the rules (which estates, customers and units, dates not in the
future, no signing with an open question, no resolution before the customer was told) live in
``services.contracts``, whose errors the views put next to these fields. Field names match the
``field`` the services name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.communication import selectors
from estatedesk.communication.models import ChangeCause, ContractKind
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.crypto import mask_name
from estatedesk.core.versioning import version_field
from estatedesk.org import channels as org_channels
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Customer, Unit

DATE = {"type": "date"}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
TEXT_ROWS = 3


def date_field(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )


def time_field(label: Any, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def text_field(
    label: Any, *, required: bool = True, rows: int = TEXT_ROWS, max_length: int = 4000
) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


def id_field(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None)


class CommunicationForm(forms.Form):
    """Labels capitalised and Bootstrap classes on every widget; ``setup`` fills the choices."""

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
        style_widgets(self)

    def setup(self) -> None:
        pass

    def choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


def estate_choices(user: Actor | None) -> list[tuple[Any, str]]:
    if user is None:
        return []
    return [(e.pk, f"{e.code} {e.name}") for e in selectors.estates_for(user).only("id", "code", "name")]


def unit_choices(user: Actor | None, estate: int | None = None) -> list[tuple[Any, str]]:
    if user is None:
        return [("", "—")]
    estates = selectors.estates_for(user)
    units = Unit.objects.filter(estate__in=estates).select_related("estate", "building")
    if estate:
        units = units.filter(estate_id=estate)
    rows = units.order_by("estate__code", "building__name", "number")
    return [("", "—"), *((u.pk, f"{u.estate.name} {u.label}") for u in rows)]


def customer_choices(user: Actor | None, estate: int | None = None) -> list[tuple[Any, str]]:
    """The customers of the user's estates; names masked for those who may not see them (D-3)."""
    if user is None:
        return [("", "—")]
    names = policy.can_see_contact_names(user)
    rows = Customer.objects.filter(estate__in=selectors.estates_for(user)).select_related("estate")
    if estate:
        rows = rows.filter(estate_id=estate)
    return [
        ("", "—"),
        *(
            (c.pk, f"{c.estate.name} {c.name if names else mask_name(c.name)}")
            for c in rows.order_by("estate__code", "name", "pk")
        ),
    ]


def channel_choices(keep: str = "") -> list[tuple[str, str]]:
    return [("", "—"), *org_channels.choices(org_channels.Use.LOG, keep=[keep] if keep else [])]


class ContractForm(CommunicationForm):
    kind = forms.ChoiceField(label=_("type"), choices=ContractKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    estate = forms.TypedChoiceField(label=_("estate"), coerce=int)
    customer = id_field(_("customer"))
    unit = id_field(_("unit"))
    counterparty = forms.CharField(
        label=_("other party"),
        required=False,
        max_length=200,
        help_text=_("When it is not one customer: the owners' committee, a company."),
    )
    scope = text_field(_("what it covers"), required=False, rows=4)
    starts_on = date_field(_("starts on"), required=False)
    ends_on = date_field(_("ends on"), required=False)

    def setup(self) -> None:
        self.choices("estate").choices = [("", "—"), *estate_choices(self.user)]
        self.choices("customer").choices = customer_choices(self.user)
        self.choices("unit").choices = unit_choices(self.user)


class ContractEditForm(ContractForm):
    """The estate stays: the form shows the contract's own estate's customers and units."""

    based_on_version = version_field()

    def __init__(self, *args: Any, estate: int, **kwargs: Any) -> None:
        self.estate_id = estate
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        del self.fields["estate"]
        self.choices("customer").choices = customer_choices(self.user, self.estate_id)
        self.choices("unit").choices = unit_choices(self.user, self.estate_id)


class ClarifyForm(CommunicationForm):
    asked_on = date_field(_("asked on"))
    asked_by = forms.CharField(label=_("asked by"), max_length=100)
    channel = forms.ChoiceField(label=_("channel"))
    question = text_field(pgettext_lazy("contract", "question"))
    answer = text_field(_("answer"), required=False)
    answered_on = date_field(_("answered on"), required=False)

    def setup(self) -> None:
        self.choices("channel").choices = channel_choices()


class AnswerForm(CommunicationForm):
    clarification = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = text_field(_("answer"))
    answered_on = date_field(_("answered on"))
    based_on_version = version_field()


class SignForm(CommunicationForm):
    signed_on = date_field(_("signed on"))


class ChangeForm(CommunicationForm):
    cause = forms.ChoiceField(label=_("cause"), choices=ChangeCause.choices)
    description = text_field(_("what changes"))
    proposed_on = date_field(_("proposed on"))


class ChangeToldForm(CommunicationForm):
    change = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    told_at = time_field(_("customer told at"))
    channel = forms.ChoiceField(label=_("channel"))
    told_by = forms.CharField(label=_("told by whom"), required=False, max_length=100)

    def setup(self) -> None:
        self.choices("channel").choices = channel_choices()


class ResolveForm(CommunicationForm):
    change = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    resolution = text_field(_("resolution agreed"))
    agreed_on = date_field(_("agreed on"))
    based_on_version = version_field()


class EndForm(CommunicationForm):
    ended_on = date_field(_("ended on"))
    note = text_field(_("note"), required=False, rows=2, max_length=1000)
