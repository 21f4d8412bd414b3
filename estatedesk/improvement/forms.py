"""Forms of corrective / preventive actions (SPEC I-1).

They only parse what was typed; every rule (who, which status, which source) lives in
``services``, whose errors the views put back next to these fields. Field names match the
``field`` the services name in their errors.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.causes import add_fishbone_fields, fishbone_texts, typed_fishbone
from estatedesk.core.versioning import FORM_FIELD, version_field
from estatedesk.improvement.models import ActionKind, Source
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Department, Staff

RADIO_CLASS = "choice-radio"


def text_field(
    label: Any, *, required: bool = True, rows: int = 3, max_length: int = 4000
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=False,  # the services strip; what was typed comes back exactly as typed
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} · {obj.get_role_display()}"


class ActionBaseForm(forms.Form):
    """Labels capitalised and Bootstrap classes on every widget; ``user`` scopes the choices."""

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
        style_widgets(self)

    def setup(self) -> None:
        pass


class OpenActionForm(ActionBaseForm):
    kind = forms.ChoiceField(label=_("kind"), choices=ActionKind.choices, widget=forms.RadioSelect)
    source = forms.ChoiceField(label=_("where the problem was found"), choices=Source.choices)
    source_complaint = forms.CharField(
        label=_("complaint or grievance number"),
        required=False,
        max_length=30,
        help_text=_("For a complaint or grievance, for example TS-2026-000123."),
    )
    source_report = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source_half_year_line = forms.IntegerField(required=False, widget=forms.HiddenInput)
    source_reference = forms.CharField(
        label=_("where found"),
        required=False,
        max_length=200,
        help_text=_("For a survey, forum, inspection or half-year statistics: which one, and when."),
    )
    title = forms.CharField(label=_("title"), max_length=200)
    problem = text_field(_("problem"), rows=5)
    department = forms.ModelChoiceField(
        label=_("responsible department"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Leave empty to use the department of the complaint or report."),
    )

    def setup(self) -> None:
        self.fields["kind"].widget.attrs["class"] = RADIO_CLASS
        departments = Department.objects.filter(active=True, developer__isnull=True).select_related("estate")
        self.fields["department"].queryset = policy.scope_departments(self.user, departments)  # type: ignore[attr-defined]


class AnalyseForm(ActionBaseForm):
    cause_analysis = text_field(_("cause analysis"), required=False, rows=5)
    based_on_version = version_field()

    def setup(self) -> None:
        add_fishbone_fields(self, rows=3)

    def fishbone(self) -> dict[str, str]:
        return typed_fishbone(self.cleaned_data)

    @staticmethod
    def initial_for(cause_analysis: str, fishbone: dict[str, list[str]], version: int) -> dict[str, Any]:
        initial: dict[str, Any] = {"cause_analysis": cause_analysis, FORM_FIELD: version}
        return {**initial, **fishbone_texts(fishbone)}


class StepForm(ActionBaseForm):
    description = text_field(_("what to do"), rows=3)
    owner = StaffChoiceField(label=_("owner"), queryset=Staff.objects.none())
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))

    def setup(self) -> None:
        staff = Staff.objects.filter(user__is_active=True).select_related("user").order_by("display_name")
        self.fields["owner"].queryset = policy.scope_staff(self.user, staff)  # type: ignore[attr-defined]


class FinishStepForm(ActionBaseForm):
    step = forms.IntegerField(widget=forms.HiddenInput)
    result = text_field(_("result"), rows=2)


class VerifyForm(ActionBaseForm):
    effective = forms.ChoiceField(
        label=_("effective?"),
        choices=[
            ("yes", _("Effective: close the action")),
            ("no", _("Not effective: back to work, plan a new step")),
        ],
        widget=forms.RadioSelect,
    )
    note = text_field(_("evidence and remarks"), rows=3)

    def setup(self) -> None:
        self.fields["effective"].widget.attrs["class"] = RADIO_CLASS
