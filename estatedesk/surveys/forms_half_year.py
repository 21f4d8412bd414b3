"""Forms of the half-year statistics pages (SPEC S-5). They only parse what was typed; the
rules (which offices, which half years, who signs) live in ``services.half_year``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core.clock import company_today
from estatedesk.core.versioning import version_field
from estatedesk.surveys.forms import SurveyBaseForm
from estatedesk.surveys.models import Half
from estatedesk.surveys.services.half_year import offices_for


class ComputeForm(SurveyBaseForm):
    office = forms.TypedChoiceField(label=_("Management office"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(label=_("Half year"), choices=Half.choices, coerce=int)

    def setup(self) -> None:
        offices = offices_for(self.user) if self.user is not None else []
        self.fields["office"].choices = [(o.pk, o.name) for o in offices]  # type: ignore[attr-defined]
        if not self.is_bound:
            today = company_today()
            # The last complete half year: the one the office reviews now.
            self.initial.setdefault("year", today.year if today.month > 6 else today.year - 1)
            self.initial.setdefault("half", 1 if today.month > 6 else 2)


class ConclusionsForm(SurveyBaseForm):
    conclusions = forms.CharField(
        label=_("Director's conclusions"),
        required=False,
        max_length=8000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    based_on_version = version_field()
