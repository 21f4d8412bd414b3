"""Forms of the quarterly analysis and annual summary pages (SPEC K-13, K-15).

Only the shape of the input is checked here; who may write and when (the period has ended,
the text is not blank for publishing, not already published) is the services' business.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.core.versioning import version_field
from estatedesk.reports.figures import month_bounds
from estatedesk.reports.periods import months_of_quarter

FIRST_YEAR = 2000


def _not_started(year: int, month: int, now: Any) -> bool:
    return now < month_bounds(year, month)[0]


class DraftQuarterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=9998)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[
            (1, _("Q1 (Jan–Mar)")),
            (2, _("Q2 (Apr–Jun)")),
            (3, _("Q3 (Jul–Sep)")),
            (4, _("Q4 (Oct–Dec)")),
        ],
    )

    def __init__(self, *args: Any, now: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.fields["year"].widget.attrs.update({"class": "form-control", "style": "max-width:8rem"})
        self.fields["quarter"].widget.attrs.update({"class": "form-select"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year, quarter = data.get("year"), data.get("quarter")
        # A quarter still running may be drafted (its figures so far); one not yet begun has none.
        if year and quarter and _not_started(*months_of_quarter(year, quarter)[0], self.now):
            self.add_error("quarter", _("This quarter has not started yet."))
        return data


class DraftYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, max_value=9998)

    def __init__(self, *args: Any, now: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        self.fields["year"].widget.attrs.update({"class": "form-control", "style": "max-width:8rem"})

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if _not_started(year, 1, self.now):
            raise forms.ValidationError(_("This year has not started yet."))
        return year


class AnalysisForm(forms.Form):
    """The customer-service department's analysis of the quarter."""

    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,  # a draft may be saved half written; publishing refuses a blank one
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 12}),
        help_text=_(
            "Findings across departments, the main categories and causes, what changed since the "
            "previous quarter, and what each department should do."
        ),
    )
    based_on_version = version_field()


class SummaryForm(forms.Form):
    """The deputy general manager's summary of the year (an input to management review)."""

    summary = forms.CharField(
        label=pgettext_lazy("annual complaint summary text", "Summary"),
        required=False,
        max_length=40000,
        strip=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 14}),
        help_text=_(
            "The year's trends, the main problems, the effectiveness of the corrective and "
            "preventive actions, and the proposals for management review."
        ),
    )
    based_on_version = version_field()
