"""Forms of the survey pages (SPEC S-7, S-8).

They only parse what was typed; every rule (who, which status, which estates, the share's
range) lives in ``services``, whose errors the views put back next to these fields. Field
names match the ``field`` the services name in their errors (``template`` is the
questionnaire).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.models import CompanySettings
from estatedesk.core.versioning import version_field
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Building, Estate, EstateKind
from estatedesk.surveys import selectors
from estatedesk.surveys.models import Questionnaire, QuestionnaireVersion, SurveyKind

CHECK_CLASS = "choice-check"


class SurveyBaseForm(forms.Form):
    """Labels capitalised and Bootstrap classes on every widget."""

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
            if isinstance(field.widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
                field.widget.attrs.setdefault("class", CHECK_CLASS)
        style_widgets(self)

    def setup(self) -> None:
        pass


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title()} · v{obj.number}"


class EstateChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class BuildingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.estate.name} · {obj.name}"


def current_versions(kind: str | None = None) -> list[int]:
    """The current version of every active questionnaire (of one kind of estate)."""
    questionnaires = Questionnaire.objects.filter(active=True)
    if kind is not None:
        questionnaires = questionnaires.filter(estate_kind=kind)
    ids = []
    for questionnaire in questionnaires:
        current = questionnaire.current()
        if current is not None:
            ids.append(current.pk)
    return ids


class SurveyCreateForm(SurveyBaseForm):
    kind = forms.ChoiceField(
        label=_("kind"), choices=SurveyKind.choices, widget=forms.RadioSelect, initial=SurveyKind.ANNUAL
    )
    title = forms.CharField(label=_("title"), max_length=200)
    estates = EstateChoiceField(
        label=_("estates"),
        queryset=Estate.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The annual survey covers every active estate; a special-purpose one the estates ticked."
        ),
    )
    buildings = BuildingChoiceField(
        label=_("buildings (special-purpose survey only)"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Leave empty for every building of the chosen estates."),
    )
    share = forms.DecimalField(
        label=_("sample share (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Of the occupied households of each estate, rounded up; key households always come in."),
    )
    template = VersionChoiceField(
        label=_("questionnaire (residential estates)"), queryset=QuestionnaireVersion.objects.none()
    )
    office_template = VersionChoiceField(
        label=_("questionnaire (office buildings)"),
        queryset=QuestionnaireVersion.objects.none(),
        required=False,
        help_text=_("Empty: the residential questionnaire everywhere."),
    )
    closes_on = forms.DateField(
        label=_("answers accepted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    improvements = forms.CharField(
        label=_("improvements since the last survey"),
        required=False,
        max_length=4000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown to residents before the first question."),
    )

    def setup(self) -> None:
        self.fields["estates"].queryset = Estate.objects.filter(active=True).order_by("code")  # type: ignore[attr-defined]
        self.fields["buildings"].queryset = (  # type: ignore[attr-defined]
            Building.objects.filter(estate__active=True)
            .select_related("estate")
            .order_by("estate__code", "name")
        )
        versions = QuestionnaireVersion.objects.select_related("questionnaire")
        self.fields["template"].queryset = versions.filter(pk__in=current_versions())  # type: ignore[attr-defined]
        self.fields["office_template"].queryset = versions.filter(  # type: ignore[attr-defined]
            pk__in=current_versions(EstateKind.OFFICE)
        )

    @classmethod
    def initial_values(cls) -> dict[str, Any]:
        company = CompanySettings.load()
        initial: dict[str, Any] = {
            "kind": SurveyKind.ANNUAL,
            "share": company.survey_share,
            "estates": list(Estate.objects.filter(active=True).values_list("pk", flat=True)),
        }
        for field, kind in (("template", EstateKind.RESIDENTIAL), ("office_template", EstateKind.OFFICE)):
            current = selectors.default_version(kind)
            if current is not None:
                initial[field] = current.pk
        return initial


class SurveyEditForm(SurveyBaseForm):
    title = forms.CharField(label=_("title"), max_length=200, strip=False)
    improvements = forms.CharField(
        label=_("improvements since the last survey"),
        required=False,
        max_length=4000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    closes_on = forms.DateField(
        label=_("answers accepted until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reminder_gap_days = forms.IntegerField(label=_("days between reminders"), min_value=1, max_value=60)
    max_reminders = forms.IntegerField(label=_("reminders at most"), min_value=0, max_value=10)
    based_on_version = version_field()


class DrawForm(SurveyBaseForm):
    seed = forms.CharField(
        label=_("seed"),
        required=False,
        max_length=64,
        help_text=_(
            "Leave empty for a random one. The same seed over the same households draws the same sample."
        ),
    )


class CancelForm(SurveyBaseForm):
    reason = forms.CharField(
        label=_("why the survey is cancelled"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(SurveyBaseForm):
    """A step with nothing to type (open, close, remind)."""
