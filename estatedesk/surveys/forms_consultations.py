"""Forms of the monthly consultation pages (SPEC S-4).

They only parse what was typed; the rules (which estates, the share's range, the month of the
planned day, who may do what) live in ``services.consultations``, whose errors the views put
back next to these fields (the field names match the ``field`` the services name).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core import policy
from estatedesk.core.versioning import version_field
from estatedesk.org.models import Estate, EstateKind, Staff
from estatedesk.surveys.forms import SurveyBaseForm
from estatedesk.surveys.models import (
    OFFICE_CATEGORIES,
    RESIDENTIAL_CATEGORIES,
    Category,
    ConsultationMethod,
)
from estatedesk.surveys.services.consultations import plannable_estates

MONTH_FORMATS = ["%Y-%m"]


class EstateField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class StaffField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def topic_choices() -> list[tuple[str, Any]]:
    """The §7.3.1 categories: the residential ones, then the office buildings' ones."""
    return [(str(c.value), c.label) for c in (*RESIDENTIAL_CATEGORIES, *OFFICE_CATEGORIES)]


def topics_for(kind: str) -> list[str]:
    return [
        str(c.value) for c in (OFFICE_CATEGORIES if kind == EstateKind.OFFICE else RESIDENTIAL_CATEGORIES)
    ]


class ConsultationPlanForm(SurveyBaseForm):
    estate = EstateField(label=_("estate"), queryset=Estate.objects.none())
    month = forms.DateField(
        label=_("month"),
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    topics = forms.MultipleChoiceField(
        label=_("topics"),
        choices=topic_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The categories of §7.3.1; office buildings use the office categories."),
    )
    method = forms.ChoiceField(
        label=_("method"), choices=ConsultationMethod.choices, widget=forms.RadioSelect
    )
    staff = StaffField(
        label=_("staff consulting"),
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    planned_on = forms.DateField(
        label=_("planned for"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    share = forms.DecimalField(
        label=_("sample share (%)"),
        max_digits=5,
        decimal_places=2,
        initial=5,
        help_text=_(
            "At least 5 % of the occupied households, rounded up; those not consulted this year first."
        ),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def setup(self) -> None:
        self.fields["estate"].queryset = plannable_estates(self.user).order_by("code")  # type: ignore[attr-defined,arg-type]
        estates = list(self.fields["estate"].queryset[:2])  # type: ignore[attr-defined]
        if len(estates) == 1:  # an office's own staff: their one estate
            self.fields["estate"].initial = estates[0].pk
        self.fields["staff"].queryset = policy.scope_staff(  # type: ignore[attr-defined]
            self.user, Staff.objects.filter(user__is_active=True)
        ).order_by("display_name")


class SwapForm(SurveyBaseForm):
    out_unit = forms.TypedChoiceField(label=_("household to swap out"), coerce=int, choices=())
    in_unit = forms.TypedChoiceField(label=_("household asked instead"), coerce=int, choices=())
    reason = forms.CharField(label=_("why swapped"), required=False, max_length=200)

    def __init__(
        self,
        *args: Any,
        asked: list[tuple[int, str]] | None = None,
        candidates: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.asked = asked or []
        self.candidates = candidates or []
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["out_unit"].choices = [("", "—"), *self.asked]  # type: ignore[attr-defined]
        self.fields["in_unit"].choices = [("", "—"), *self.candidates]  # type: ignore[attr-defined]


class ConsultationCancelForm(SurveyBaseForm):
    reason = forms.CharField(
        label=_("why the consultation is cancelled"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ConsultationConfirmForm(SurveyBaseForm):
    """A step with nothing to type (start, finish)."""


class NotesForm(SurveyBaseForm):
    notes = forms.CharField(
        label=_("notes"),
        required=False,
        max_length=4000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    based_on_version = version_field()


def is_topic(code: str) -> bool:
    return code in Category.values and code != Category.OVERALL
