"""The staff intake form (SPEC K-1, K-2, C-7): one page a duty officer fills during a phone call.

The form only turns what was typed into a ``services.Intake``; every rule about a complaint
(contact required, times, leadership channels, scope) is checked again by the service, whose
errors come back next to the field they concern.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints import intake, selectors, services, workflow
from estatedesk.complaints.models import LEADERSHIP_CHANNELS, Category, Channel, Kind, ReplyManner
from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.clock import company_now
from estatedesk.core.errors import ServiceError
from estatedesk.core.widgets import TelInput
from estatedesk.org import channels
from estatedesk.org import selectors as org_selectors
from estatedesk.org.channels import Use
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Customer, Department, Estate, Unit

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"

# Service error fields that are shown next to a differently named form field.
SERVICE_FIELD_TO_FORM = {"unit": "unit_text", "customer": "unit_text"}

# The character of a masked phone number (crypto.mask_phone: 138****1234).
MASK = "*"

FILES_NOT_KEPT = _("Browsers cannot keep chosen files after an error: choose the photos or documents again.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents; the upload checks themselves live in ``complaints.uploads``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


def _as_id(value: str) -> int:
    """A picked id; anything that is not one matches nothing (0)."""
    return int(value) if value.strip().isdigit() else 0


def may_use_leadership_channels(user: Actor) -> bool:
    return policy.role_of(user) in workflow.LEADERSHIP_ROLES


class IntakeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, initial=Kind.COMPLAINT, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), initial=Channel.PHONE)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=_datetime_widget(),
        help_text=_("Now, unless you are recording a call or letter from earlier."),
    )
    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none(), required=False)
    unit_text = forms.CharField(
        label=_("Unit, customer name or phone"),
        required=False,
        max_length=100,
        help_text=_("For example 3栋-1201, 王小明 or 13812341234."),
    )
    # Ids picked in the look-up; text, so a damaged value is reported next to the look-up field.
    unit = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    customer = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    complainant_name = forms.CharField(label=_("Complainant"), required=False, max_length=100)
    phone = forms.CharField(
        label=_("Contact phone"),
        required=False,
        max_length=30,
        widget=TelInput(),
        help_text=_("Picking a customer fills in their number, masked: the number on record is used."),
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    requested_reply_at = forms.DateTimeField(
        label=_("Reply time the customer asked for"),
        required=False,
        widget=_datetime_widget(),
        help_text=_("Leave empty if the customer did not ask for a time."),
    )
    department = forms.ModelChoiceField(
        label=_("Forward to department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Empty: the estate's management office."),
    )
    attachments = MultipleFileField(label=_("Photos and documents"), required=False)
    immediate_reply = forms.CharField(
        label=_("Answered at once: the reply given"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fill in only if you answered the caller yourself; the handler is informed."),
    )
    reply_manner = forms.ChoiceField(
        label=_("Reply given"),
        choices=ReplyManner.choices,
        initial=ReplyManner.ORAL,
        required=False,
        widget=forms.RadioSelect,
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.leadership = may_use_leadership_channels(user)
        estates = org_selectors.estates_for(user).filter(active=True)
        estate_field: Any = self.fields["estate"]
        estate_field.queryset = estates
        category_field: Any = self.fields["category"]
        category_field.queryset = selectors.active_categories()
        channel_field: Any = self.fields["channel"]
        # Every staff channel is a valid value, so a handler who somehow sends a leadership
        # channel gets the procedure's reason (K-2) rather than "not a valid choice".
        # The administrators' list (C-1), without the portal (residents' own). A value posted
        # that is no longer offered stays a valid choice here, so that intake refuses it
        # beside the field with the reason ("switched off") instead of "not a valid choice".
        posted = [str(self.data.get("channel") or "")] if self.is_bound else []
        channel_field.choices = [
            (code, name)
            for code, name in channels.choices(Use.COMPLAINTS, keep=posted)
            if code != Channel.PORTAL
        ]
        channel_field.widget.choices = [
            (v, label)
            for v, label in channel_field.choices
            if (self.leadership and intake.may_receive(user, v)) or v not in LEADERSHIP_CHANNELS
        ]
        if self.leadership:
            department_field: Any = self.fields["department"]
            department_field.queryset = Department.objects.filter(active=True, developer__isnull=True)
        else:
            del self.fields["department"]
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4().hex)
            self.initial.setdefault("received_at", company_now().replace(second=0, microsecond=0))
            only = list(estates[:2])
            if len(only) == 1:
                self.initial.setdefault("estate", only[0].pk)
        style_widgets(self)
        for name in ("kind", "reply_manner"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        unit_text: Any = self.fields["unit_text"].widget
        unit_text.input_type = "search"
        unit_text.attrs.update(
            {
                "autocomplete": "off",
                "autofocus": True,
                # htmx: look up as the duty officer types (the page works without it too). POSTed
                # with only these two fields: a typed phone number must not travel in a URL (D-3).
                "hx-post": reverse("complaints:intake_lookup"),
                "hx-params": "unit_text,estate",
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#intake-lookup",
                "hx-include": "#id_estate",
                "hx-sync": "this:replace",
                "aria-controls": "intake-lookup",
            }
        )
        self.resolved_unit: Unit | None = None
        self.resolved_customer: Customer | None = None

    # --- Field checks ---------------------------------------------------------------------

    def clean_channel(self) -> str:
        channel = self.cleaned_data["channel"]
        if channel in LEADERSHIP_CHANNELS and not self.leadership:
            raise forms.ValidationError(
                _(
                    "Complaints to the company, the group, the media or the government are entered by company leadership."
                )
            )
        return channel

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if MASK in phone:
            return phone  # a picked customer's masked number: checked in clean(), once they are known
        if phone and not crypto.is_valid_phone(phone):
            raise forms.ValidationError(_("Enter a phone number of 7 to 15 digits, for example 13812341234."))
        return phone

    def clean_submission_key(self) -> str:
        return self.cleaned_data["submission_key"].strip()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        estate = data.get("estate")
        units: QuerySet[Unit] = org_selectors.units_for(self.user)
        customers: QuerySet[Customer] = org_selectors.customers_for(self.user)
        if estate is not None:
            units, customers = units.filter(estate=estate), customers.filter(estate=estate)
        unit = customer = None
        if data.get("unit"):
            unit = units.filter(pk=_as_id(data["unit"])).first()
            if unit is None:
                self.add_error("unit_text", _("This unit is not in the chosen estate. Look it up again."))
        if data.get("customer"):
            customer = customers.filter(pk=_as_id(data["customer"])).first()
            if customer is None:
                self.add_error("unit_text", _("This customer is not in the chosen estate. Look it up again."))
        text = data.get("unit_text", "").strip()
        if unit is None and customer is None and text and "unit_text" not in self.errors:
            # Without JavaScript (or when nobody picked from the list) the typed text is resolved here.
            unit, customer = self._resolve(text, units, customers)
        if customer is not None and unit is None:
            only = list(customer.units.select_related("building", "estate")[:2])
            if len(only) == 1:
                unit = only[0]
        if estate is None:
            found = unit or customer
            if found is not None:
                data["estate"] = found.estate
            elif "estate" not in self.errors:
                self.add_error("estate", _("Choose the estate."))
        self.resolved_unit, self.resolved_customer = unit, customer
        self._stored_phone(customer)
        return data

    def _stored_phone(self, customer: Customer | None) -> None:
        """A masked number left as the look-up filled it stands for the picked customer's phone
        on record, which the service then uses; the full number never went to the browser (D-3)."""
        phone = self.cleaned_data.get("phone", "")
        if MASK not in phone:
            return
        if customer is not None and phone == customer.masked_phone:
            self.cleaned_data["phone"] = ""
            return
        self.add_error(
            "phone",
            _(
                "A masked number stands only for the phone of the customer picked in the look-up. "
                "Type the full number, or pick the customer again."
            ),
        )

    def _resolve(
        self, text: str, units: QuerySet[Unit], customers: QuerySet[Customer]
    ) -> tuple[Unit | None, Customer | None]:
        if crypto.is_valid_phone(text):
            matches = list(org_selectors.search_customers(customers, text)[:2])
            if len(matches) == 1:
                return None, matches[0]
            if len(matches) > 1:
                self.add_error(
                    "unit_text", _("Several customers have this number: choose one from the list.")
                )
                return None, None
            # A caller who is not on the roster: the number is their contact phone.
            if not self.cleaned_data.get("phone"):
                self.cleaned_data["phone"] = text
            return None, None
        found_units = list(org_selectors.search_units(units, text)[:2])
        if len(found_units) == 1:
            return found_units[0], None
        if not found_units:
            by_name = list(org_selectors.search_customers(customers, text)[:2])
            if len(by_name) == 1:
                return None, by_name[0]
            if len(by_name) > 1:
                self.add_error(
                    "unit_text",
                    _("Several customers match “%(text)s”: choose one from the list.") % {"text": text},
                )
                return None, None
            self.add_error(
                "unit_text",
                _(
                    "No unit or customer of your estates matches “%(text)s”. Check the building and unit "
                    "number, or leave this empty and give the complainant's name and phone below."
                )
                % {"text": text},
            )
            return None, None
        self.add_error(
            "unit_text",
            _("Several units match “%(text)s”: type the building too, e.g. 3栋-1201.") % {"text": text},
        )
        return None, None

    # --- To the service ------------------------------------------------------------------

    def intake(self) -> services.Intake:
        data = self.cleaned_data
        return services.Intake(
            estate=data["estate"],
            kind=data["kind"],
            channel=data["channel"],
            category=data["category"],
            description=data["description"],
            received_at=data["received_at"],
            unit=self.resolved_unit,
            customer=self.resolved_customer,
            complainant_name=data.get("complainant_name", ""),
            phone=data.get("phone", ""),
            requested_reply_at=data.get("requested_reply_at"),
            department=data.get("department"),
            immediate_reply=data.get("immediate_reply", ""),
            reply_manner=data.get("reply_manner") or ReplyManner.ORAL,
            submission_key=data.get("submission_key") or None,
        )

    def mark_errors(self) -> None:
        """Red borders and screen-reader links from each wrong field to its message."""
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-describedby"] = f"id_{name}_error"
                attrs["aria-invalid"] = "true"

    def add_service_error(self, error: ServiceError) -> None:
        field = SERVICE_FIELD_TO_FORM.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, str(error.message))
