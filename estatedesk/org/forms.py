from __future__ import annotations

import re
import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from estatedesk.core import crypto, policy
from estatedesk.core.actors import Actor
from estatedesk.core.models import CompanySettings
from estatedesk.core.widgets import TelInput
from estatedesk.org import selectors
from estatedesk.org.models import (
    Building,
    CommitteeMember,
    Customer,
    Department,
    Developer,
    Estate,
    Role,
    Staff,
    Unit,
)


def style_widgets(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget, so templates can render fields generically."""
    for field in form.fields.values():
        widget = field.widget
        css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else "form-control"
        if isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        widget.attrs.setdefault("class", css)


def clean_phone(value: str) -> str:
    value = value.strip()
    if value and not crypto.is_valid_phone(value):
        raise forms.ValidationError(_("Enter a phone number of 7 to 15 digits, for example 13812341234."))
    return value


class ScopedForm(forms.ModelForm):
    """A model form whose choices of estates, buildings and customers are limited to the user's scope."""

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        scoped = {
            "estate": selectors.estates_for(user),
            "building": selectors.buildings_for(user),
            "customer": selectors.customers_for(user),
        }
        for name, queryset in scoped.items():
            if name in self.fields:
                self.fields[name].queryset = queryset  # type: ignore[attr-defined]
        style_widgets(self)

    def clean_estate(self) -> Estate:
        estate = self.cleaned_data["estate"]
        if estate is not None and not policy.can_edit_roster(self.user, estate.pk):
            raise forms.ValidationError(_("You may not change records of this estate."))
        return estate


class EstateForm(ScopedForm):
    class Meta:
        model = Estate
        fields = ["name", "code", "kind", "address", "service_phone", "office_hours", "active"]
        widgets = {"service_phone": TelInput()}


class BuildingForm(ScopedForm):
    class Meta:
        model = Building
        fields = ["estate", "name", "floors"]


class UnitForm(ScopedForm):
    class Meta:
        model = Unit
        fields = ["building", "number", "floor", "area", "kind", "occupied"]

    def clean_building(self) -> Building:
        building = self.cleaned_data["building"]
        if not policy.can_edit_roster(self.user, building.estate_id):
            raise forms.ValidationError(_("You may not change records of this estate."))
        return building


class CustomerForm(ScopedForm):
    phone_input = forms.CharField(
        label=_("phone"),
        required=False,
        max_length=30,
        widget=TelInput(),
        help_text=_("Leave empty to keep the current number."),
    )
    remove_phone = forms.BooleanField(label=_("remove the phone number"), required=False)
    unit_labels = forms.CharField(
        label=_("units"),
        required=False,
        max_length=500,
        help_text=_("Building and unit number, e.g. 3-1201; separate several units with commas."),
    )

    class Meta:
        model = Customer
        fields = ["estate", "name", "kind", "email", "contact_person", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            self.fields["phone_input"].help_text = ""
            del self.fields["remove_phone"]
        else:
            units = self.instance.units.select_related("building").order_by("building__name", "number")
            self.fields["unit_labels"].initial = ", ".join(unit.label for unit in units)

    def clean_phone_input(self) -> str:
        return clean_phone(self.cleaned_data["phone_input"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        estate = data.get("estate")
        labels = [
            part.strip() for part in re.split(r"[,，;；、]", data.get("unit_labels", "")) if part.strip()
        ]
        units, unknown = [], []
        for label in labels:
            found = list(
                selectors.search_units(selectors.units_for(self.user).filter(estate=estate), label)[:2]
            )
            if len(found) == 1:
                units.append(found[0])
            else:
                unknown.append(label)
        if estate is not None and unknown:
            self.add_error(
                "unit_labels",
                _("No single unit of %(estate)s matches: %(labels)s")
                % {"estate": estate, "labels": ", ".join(unknown)},
            )
        data["units"] = units
        return data


class CommitteeMemberForm(ScopedForm):
    # A text field, not a select: an estate can have tens of thousands of customers.
    customer_phone = forms.CharField(
        label=_("customer's phone"),
        required=False,
        max_length=30,
        widget=TelInput(),
        help_text=_("Links the member to the customer record with this full phone number."),
    )

    class Meta:
        model = CommitteeMember
        fields = ["estate", "name", "position", "term_start", "term_end"]
        widgets = {
            "term_start": forms.DateInput(attrs={"type": "date"}),
            "term_end": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.customer_id:
            self.fields["customer_phone"].help_text = _(
                "Linked to %(name)s. Leave empty to keep the link, or enter another customer's phone."
            ) % {"name": self.instance.customer}

    def clean_customer_phone(self) -> str:
        return clean_phone(self.cleaned_data["customer_phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term cannot end before it starts."))
        phone, estate = data.get("customer_phone"), data.get("estate")
        if phone and estate is not None:
            found = selectors.search_customers(
                selectors.customers_for(self.user).filter(estate=estate), phone
            ).first()
            if found is None:
                self.add_error("customer_phone", _("No customer of this estate has this phone number."))
            else:
                self.instance.customer = found
        elif (
            estate is not None and self.instance.customer_id and self.instance.customer.estate_id != estate.pk
        ):
            self.instance.customer = None  # moved to another estate: the old link cannot stay
        return data


class DepartmentForm(ScopedForm):
    class Meta:
        model = Department
        fields = ["name", "kind", "estate", "developer", "active"]

    def clean_estate(self) -> Estate:
        # Departments are company structure: only administrators edit them, for any estate.
        return self.cleaned_data.get("estate")  # type: ignore[return-value]


class DeveloperForm(ScopedForm):
    phone_input = forms.CharField(label=_("phone"), required=False, max_length=30, widget=TelInput())

    class Meta:
        model = Developer
        fields = ["name", "contact_person", "estates"]

    def clean_phone_input(self) -> str:
        return clean_phone(self.cleaned_data["phone_input"])


class StaffForm(forms.Form):
    username = forms.CharField(label=_("user name"), max_length=150)
    display_name = forms.CharField(label=_("name"), max_length=100)
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    email = forms.EmailField(label=_("e-mail"), required=False)
    phone = forms.CharField(label=_("phone"), required=False, max_length=30, widget=TelInput())
    estates = forms.ModelMultipleChoiceField(
        label=_("estates"), queryset=Estate.objects.all(), required=False
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("departments"), queryset=Department.objects.all(), required=False
    )
    password = forms.CharField(
        label=_("new password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(
        self, *args: Any, user: Actor | None = None, instance: Staff | None = None, **kwargs: Any
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "username": instance.user.username,
                "display_name": instance.display_name,
                "role": instance.role,
                "email": instance.user.email,
                "estates": list(instance.estates.all()),
                "departments": list(instance.departments.all()),
                "is_active": instance.user.is_active,
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.user = user
        if instance is not None:
            self.fields["username"].disabled = True
        style_widgets(self)

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if self.instance is None and get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return name

    def clean_phone(self) -> str:
        return crypto.normalise_phone(clean_phone(self.cleaned_data["phone"]))

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        if value:
            password_validation.validate_password(value)
        return value


class CompanySettingsForm(ScopedForm):
    class Meta:
        model = CompanySettings
        fields = [
            "name",
            "time_zone",
            "office_hours",
            "urgent_reply_hours",
            "normal_reply_working_days",
            "invalid_explanation_working_days",
            "counting_mode",
            "due_soon_hours",
            "urgent_due_soon_minutes",
            "satisfaction_target",
            "survey_share",
            "survey_return_threshold",
            "survey_return_step",
            "survey_return_penalty",
            "survey_key_lookback_days",
            "notice_lead_hours",
            "cs_supervisor_runs_surveys",
            "gm_acts_for_deputy_gm",
        ]

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone. Use a name such as Asia/Shanghai.")) from exc
        return value

    # The survey rules (SPEC S-3, S-7): what the services would refuse on a survey, refused here.
    def _number(self, name: str) -> Any:
        return self.cleaned_data.get(name)

    def clean_survey_share(self) -> Any:
        value = self._number("survey_share")
        if value is not None and not 0 < value <= 100:
            raise forms.ValidationError(_("The sample share must be above 0 % and at most 100 %."))
        return value

    def clean_survey_return_threshold(self) -> Any:
        value = self._number("survey_return_threshold")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("The return rate needed must be from 0 % to 100 %."))
        return value

    def clean_survey_return_step(self) -> Any:
        value = self._number("survey_return_step")
        if value is not None and not value > 0:
            raise forms.ValidationError(_("The penalty step must be more than 0 points."))
        return value

    def clean_survey_return_penalty(self) -> Any:
        value = self._number("survey_return_penalty")
        if value is not None and value < 0:
            raise forms.ValidationError(_("The points off per step cannot be negative."))
        return value

    def clean_survey_key_lookback_days(self) -> Any:
        value = self._number("survey_key_lookback_days")
        if value is not None and not 1 <= value <= 3650:
            raise forms.ValidationError(_("Count back from 1 to 3650 days."))
        return value

    def clean_notice_lead_hours(self) -> Any:
        value = self._number("notice_lead_hours")
        if value is not None and not 0 <= value <= 720:
            raise forms.ValidationError(_("Enter from 0 to 720 hours (30 days)."))
        return value

    def clean_satisfaction_target(self) -> Any:
        value = self._number("satisfaction_target")
        if value is not None and not 0 < value <= 100:
            raise forms.ValidationError(_("Enter a target above 0 % and at most 100 %."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("roster file (.xlsx or .csv)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Choose an Excel (.xlsx) or CSV file."))
        if upload.size > 50 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


class PrivacyNoticeForm(forms.Form):
    """A new text of the portal's privacy notice, edited from the version it names."""

    # The version the text was edited from: a newer one published meanwhile is a conflict (409).
    based_on_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    text_zh_hans = forms.CharField(
        label=_("Simplified Chinese"), max_length=20000, widget=forms.Textarea(attrs={"rows": 18})
    )
    text_zh_hant = forms.CharField(
        label=_("Traditional Chinese"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Leave empty to show the Simplified Chinese text."),
    )
    text_en = forms.CharField(
        label=_("English"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text=_("Leave empty to show the Simplified Chinese text."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
