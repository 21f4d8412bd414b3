"""Forms of the customer-property pages (SPEC C-6).

They only parse what was typed; the rules (which estates, units and customers, times not in the
future, closing only after the customer was told) live in ``services.property``, whose errors
the views put next to these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.communication.forms_contracts import (
    CommunicationForm,
    channel_choices,
    customer_choices,
    estate_choices,
    text_field,
    time_field,
    unit_choices,
)
from estatedesk.communication.models import IncidentKind, ItemKind, ItemStatus
from estatedesk.core.versioning import version_field

KEPT_STATUSES = [(ItemStatus.HELD, ItemStatus.HELD.label), (ItemStatus.IN_USE, ItemStatus.IN_USE.label)]


class ItemForm(CommunicationForm):
    estate = forms.TypedChoiceField(label=_("estate"), coerce=int)
    unit = forms.TypedChoiceField(label=_("unit"), required=False, coerce=int, empty_value=None)
    customer = forms.TypedChoiceField(label=_("customer"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("type"), choices=ItemKind.choices)
    description = forms.CharField(label=_("description"), max_length=300)
    kept_at = forms.CharField(label=_("kept where"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("status"), choices=KEPT_STATUSES, initial=ItemStatus.HELD)
    received_at = time_field(pgettext_lazy("property", "received at"))
    received_by = forms.CharField(label=_("received by"), required=False, max_length=100)
    notes = text_field(_("notes"), required=False, rows=2)

    def setup(self) -> None:
        self.choices("estate").choices = [("", "—"), *estate_choices(self.user)]
        self.choices("unit").choices = unit_choices(self.user)
        self.choices("customer").choices = customer_choices(self.user)


class ItemEditForm(ItemForm):
    based_on_version = version_field()

    def __init__(self, *args: Any, estate: int, **kwargs: Any) -> None:
        self.estate_id = estate
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        del self.fields["estate"]
        self.choices("unit").choices = unit_choices(self.user, self.estate_id)
        self.choices("customer").choices = customer_choices(self.user, self.estate_id)


class ReturnForm(CommunicationForm):
    returned_at = time_field(pgettext_lazy("property", "returned at"))
    returned_by = forms.CharField(label=_("returned by"), required=False, max_length=100)


class IncidentForm(CommunicationForm):
    kind = forms.ChoiceField(label=_("what happened"), choices=IncidentKind.choices)
    happened_at = time_field(_("happened or found at"))
    description = text_field(pgettext_lazy("property", "details"))


class IncidentToldForm(CommunicationForm):
    told_at = time_field(_("customer told at"))
    channel = forms.ChoiceField(label=_("told by"))
    told_by = forms.CharField(label=_("told by whom"), required=False, max_length=100)

    def setup(self) -> None:
        self.choices("channel").choices = channel_choices()


class CloseForm(CommunicationForm):
    help_given = text_field(_("help given"))
