"""Forms of a survey's analysis, its suggestions and the reason codes (SPEC S-9).

They only parse what was typed; the rules (who, which status, the due date, the version) live in
``services.analysis``, whose errors the views put back next to these fields.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core.causes import add_fishbone_fields, fishbone_texts, typed_fishbone
from estatedesk.core.versioning import FORM_FIELD, version_field
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Department, Estate, Staff
from estatedesk.surveys.forms import SurveyBaseForm
from estatedesk.surveys.models import Category, ReasonCode


def _text(label: Any, *, required: bool = True, rows: int = 3, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class AnalysisForm(SurveyBaseForm):
    summary = _text(_("analysis"), required=False, rows=5, max_length=8000)
    problem = forms.CharField(label=_("problem analysed"), required=False, max_length=200)
    based_on_version = version_field()

    def setup(self) -> None:
        add_fishbone_fields(self, rows=2)

    def fishbone(self) -> dict[str, str]:
        return typed_fishbone(self.cleaned_data)

    @staticmethod
    def initial_for(
        summary: str, problem: str, fishbone: dict[str, list[str]], version: int
    ) -> dict[str, Any]:
        initial: dict[str, Any] = {"summary": summary, "problem": problem, FORM_FIELD: version}
        return {**initial, **fishbone_texts(fishbone)}


def _categories() -> list[tuple[str, Any]]:
    return [("", "—"), *Category.choices]


class SuggestionForm(SurveyBaseForm):
    title = forms.CharField(label=_("title"), max_length=200)
    text = _text(_("suggestion"), rows=3)
    category = forms.ChoiceField(label=_("category"), required=False, choices=_categories)
    estate = forms.ModelChoiceField(label=_("estate"), required=False, queryset=Estate.objects.none())

    def __init__(self, *args: Any, estates: Any = None, **kwargs: Any) -> None:
        self.estates = estates if estates is not None else Estate.objects.none()
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.fields["estate"].queryset = self.estates  # type: ignore[attr-defined]


class SuggestionEditForm(SurveyBaseForm):
    title = forms.CharField(label=_("title"), max_length=200)
    text = _text(_("suggestion"), rows=3)
    category = forms.ChoiceField(label=_("category"), required=False, choices=_categories)
    based_on_version = version_field()


class ConfirmForm(SurveyBaseForm):
    """A step with nothing to type (submit)."""


class AcceptForm(SurveyBaseForm):
    owner = forms.ModelChoiceField(label=_("owner"), queryset=Staff.objects.none())
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs={"type": "date"}))
    department = forms.ModelChoiceField(label=_("responsible department"), queryset=Department.objects.none())

    def setup(self) -> None:
        self.fields["owner"].queryset = (  # type: ignore[attr-defined]
            Staff.objects.filter(user__is_active=True).select_related("user").order_by("display_name")
        )
        self.fields["department"].queryset = Department.objects.filter(active=True).order_by("name")  # type: ignore[attr-defined]


class DeclineForm(SurveyBaseForm):
    reason = _text(_("reason for the decision"), rows=2, max_length=2000)


class ReasonCodeForm(forms.ModelForm):
    class Meta:
        model = ReasonCode
        fields = [
            "code",
            "label_zh_hans",
            "label_zh_hant",
            "label_en",
            "keywords",
            "category",
            "position",
            "active",
        ]
        widgets = {"keywords": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"keywords": _("One keyword per line, in any of the three scripts.")}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        style_widgets(self)
