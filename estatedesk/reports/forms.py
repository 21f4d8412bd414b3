"""Forms of the monthly report pages (SPEC K-12, K-14).

They parse what was typed; the rules (who may submit, what a review needs) are the
services'. Department choices are limited to what the user may see or draft, so a typed id
of another department is a form error, not a leak.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.policy import department_ids, sees_all, staff_of
from estatedesk.core.versioning import version_field
from estatedesk.improvement.models import ActionKind
from estatedesk.org.models import Department, Role
from estatedesk.reports.models import ReportStatus, ReviewDecision
from estatedesk.reports.selectors import in_customer_service

MONTH_CHOICES = [(m, f"{m:02d}") for m in range(1, 13)]


def _style(form: forms.BaseForm, *, small: bool = False) -> None:
    """Bootstrap classes on the widgets (radios are laid out by the template)."""
    size = " form-control-sm" if small else ""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect):
            continue
        css = (
            f"form-select{size.replace('control', 'select')}"
            if isinstance(widget, forms.Select)
            else f"form-control{size}"
        )
        widget.attrs.setdefault("class", css)


def company_departments() -> QuerySet[Department]:
    return Department.objects.filter(active=True, developer__isnull=True).order_by("kind", "name")


def visible_departments(user: Actor) -> QuerySet[Department]:
    """The departments whose reports the user sees (selectors.monthly_reports_for)."""
    if sees_all(user) or in_customer_service(user):
        return company_departments()
    return company_departments().filter(pk__in=department_ids(user) or ())


def draftable_departments(user: Actor) -> QuerySet[Department]:
    """Heads draft their own departments' months; the leadership and customer service any."""
    staff = staff_of(user)
    if staff is None:
        return Department.objects.none()
    if staff.role in (Role.DEPUTY_GM, Role.GM) or in_customer_service(user):
        return company_departments()
    if staff.role == Role.DEPARTMENT_HEAD:
        return company_departments().filter(pk__in=department_ids(user) or ())
    return Department.objects.none()


class MonthlyFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=9998)
    month = forms.TypedChoiceField(
        label=_("Month"), required=False, coerce=int, empty_value=None, choices=[("", "—"), *MONTH_CHOICES]
    )
    department = forms.ModelChoiceField(
        label=_("Department"), required=False, queryset=Department.objects.none(), empty_label="—"
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *ReportStatus.choices])

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = visible_departments(user)  # type: ignore[attr-defined]
        _style(self, small=True)


class DraftMonthForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=9998)
    month = forms.TypedChoiceField(label=_("Month"), coerce=int, choices=MONTH_CHOICES)
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_draft_%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = draftable_departments(user)  # type: ignore[attr-defined]
        _style(self, small=True)


class AnalysisForm(forms.Form):
    # Not required here: "save draft" may keep an empty text; submit's rule is the service's.
    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,
        max_length=20000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Causes behind the figures, what the department did and will do."),
    )
    based_on_version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Remarks"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(
        label=_("Kind of action"), required=False, choices=ActionKind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=_("Action title"), required=False, max_length=200)
    problem = forms.CharField(
        label=_("Problem"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    department = forms.ModelChoiceField(
        label=_("Responsible department"), required=False, queryset=Department.objects.none()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_review_%s")
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = company_departments()  # type: ignore[attr-defined]
        _style(self)

    def new_action(self) -> dict[str, Any] | None:
        """The action described on the form; None when neither title nor problem was typed.

        Returned whatever the decision, so "no action" with an action typed gets the
        service's "choose one or the other" rather than silently dropping the text.
        """
        data = self.cleaned_data
        if not (data.get("title") or "").strip() and not (data.get("problem") or "").strip():
            return None
        return {
            "kind": data.get("kind") or "",
            "title": data.get("title") or "",
            "problem": data.get("problem") or "",
            "department": data.get("department"),
        }
