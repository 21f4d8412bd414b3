"""Forms of the calendar pages: a year's notice (two formsets) and one day's correction.

The rules a notice must follow are ``services.check_notice``; ``attach_problems`` puts each
of its messages next to the row and field it is about, so a rejected notice comes back
with everything typed and every message in place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from estatedesk.org.forms import style_widgets
from estatedesk.workcal import services
from estatedesk.workcal.models import DayKind
from estatedesk.workcal.selectors import HolidayRange, MakeUpDay


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class RowForm(forms.Form):
    """A formset row whose fields are all optional: a row left empty is simply not used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        return not any(data.get(name) for name in self.fields)


class HolidayRangeForm(RowForm):
    name_zh_hans = forms.CharField(label=_("Name (Simplified Chinese)"), max_length=100, required=False)
    name_zh_hant = forms.CharField(label=_("Name (Traditional Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    first = forms.DateField(label=_("First day"), required=False, widget=DateInput())
    last = forms.DateField(label=_("Last day"), required=False, widget=DateInput())

    def value(self) -> HolidayRange:
        data = self.cleaned_data
        return HolidayRange(
            data["name_zh_hans"].strip(),
            data["name_zh_hant"].strip(),
            data["name_en"].strip(),
            data["first"],
            data["last"],
        )


class MakeUpDayForm(RowForm):
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    name_zh_hans = forms.CharField(label=_("Name (Simplified Chinese)"), max_length=100, required=False)
    name_zh_hant = forms.CharField(label=_("Name (Traditional Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)

    def value(self) -> MakeUpDay:
        data = self.cleaned_data
        return MakeUpDay(
            data["date"], data["name_zh_hans"].strip(), data["name_zh_hant"].strip(), data["name_en"].strip()
        )


HolidayRangeFormSet = formset_factory(HolidayRangeForm, extra=0, max_num=40, absolute_max=60)
MakeUpDayFormSet = formset_factory(MakeUpDayForm, extra=0, max_num=40, absolute_max=60)

RANGE_PREFIX = "ranges"
WORKDAY_PREFIX = "workdays"


class NoticeForm(forms.Form):
    reference = forms.CharField(
        label=_("Notice"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Title, number or web address of the State Council notice, e.g. 国办发明电〔2026〕7号"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


def used_rows(formset: Any) -> list[Any]:
    """The rows that hold something and are valid on their own (after ``formset.is_valid()``)."""
    return [form for form in formset.forms if not form.errors and not form.is_blank]


def attach_problems(
    notice: NoticeForm, range_forms: list[Any], workday_forms: list[Any], problems: list[services.Problem]
) -> None:
    for problem in problems:
        if problem.where is None:
            notice.add_error(None, problem.message)
            continue
        kind, index, field = problem.where
        form = (range_forms if kind == "range" else workday_forms)[index]
        form.add_error(field, problem.message)


class DayForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("This day is"),
        widget=forms.RadioSelect,
        choices=[
            (DayKind.HOLIDAY.value, _("A holiday (no work)")),
            (DayKind.WORKDAY.value, _("A make-up working day (a Saturday or Sunday worked)")),
            (services.NORMAL, _("An ordinary day (Monday–Friday work, weekends off)")),
        ],
    )
    name_zh_hans = forms.CharField(label=_("Name (Simplified Chinese)"), max_length=100, required=False)
    name_zh_hant = forms.CharField(label=_("Name (Traditional Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    note = forms.CharField(
        label=_("Why"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the calendar's history, e.g. the notice or announcement this follows."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
