"""Forms of the rectification registers (SPEC R-2, R-3): a new report, a report's title and
notes, and the item list's bulk actions.

They parse what was typed and offer the user's choices; the rules (the estate is one of the
user's, a department's findings name the department, the developer built the estate, the
completion date is not past, the department or team fits the item) live in the services, whose
errors the views put next to these fields. Field names match the ``field`` the services name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from estatedesk.core.actors import Actor
from estatedesk.core.versioning import version_field
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Department, DepartmentKind, Developer
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Route, Source
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH
from estatedesk.rectification.services.items import TITLE_LENGTH
from estatedesk.rectification.services.routing import NOTE_LENGTH

DATE = {"type": "date"}
OUTSIDE_KINDS = (DepartmentKind.DEVELOPER_CS, DepartmentKind.RECTIFICATION_TEAM)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        for item in self.fields.values():
            item.label = capfirst(item.label)
        style_widgets(self)

    def setup(self) -> None:
        pass


class DeveloperSelect(forms.Select):
    """Each developer's option says which estates it built, so the page's script can offer only
    the chosen estate's developers (the service checks it either way)."""

    estates_of: dict[str, str]

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        estates = getattr(self, "estates_of", {}).get(str(value))
        if estates:
            option["attrs"]["data-estates"] = estates
        return option


class ReportForm(StyledForm):
    estate = forms.TypedChoiceField(label=_("estate"), coerce=int)
    title = forms.CharField(
        label=_("title"),
        max_length=TITLE_LENGTH,
        help_text=_("For example: 2026 first handover batch"),
    )
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.HANDOVER)
    finding_department = forms.TypedChoiceField(
        label=_("found by department"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_(
            "When the items were not found at a handover inspection: the department told the results."
        ),
    )
    developer = forms.TypedChoiceField(
        label=_("developer"),
        required=False,
        coerce=int,
        empty_value=None,
        widget=DeveloperSelect,
        help_text=_("Left empty: the estate's developer, when it has only one."),
    )
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea({"rows": 3})
    )

    def setup(self) -> None:
        estates = list(selectors.estates_for(self.user))
        estate_field = self.fields["estate"]
        assert isinstance(estate_field, forms.ChoiceField)
        estate_field.choices = [("", "—")] + [(e.pk, e.name) for e in estates]
        departments = (
            Department.objects.filter(active=True, developer__isnull=True)
            .exclude(kind__in=OUTSIDE_KINDS)
            .filter(Q(estate__isnull=True) | Q(estate__in=estates))
            .order_by("kind", "name")
        )
        department_field = self.fields["finding_department"]
        assert isinstance(department_field, forms.ChoiceField)
        department_field.choices = [("", "—")] + [(d.pk, d.name) for d in departments]
        developers = Developer.objects.filter(estates__in=estates).distinct().prefetch_related("estates")
        developer_field = self.fields["developer"]
        assert isinstance(developer_field, forms.ChoiceField)
        developer_field.choices = [("", "—")] + [(d.pk, d.name) for d in developers]
        widget = developer_field.widget
        assert isinstance(widget, DeveloperSelect)
        widget.estates_of = {str(d.pk): " ".join(str(e.pk) for e in d.estates.all()) for d in developers}

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        department = data.get("finding_department")
        developer = data.get("developer")
        return {
            "estate": data["estate"],
            "title": data["title"],
            "source": data["source"],
            "finding_department": Department.objects.filter(pk=department).first() if department else None,
            "developer": Developer.objects.filter(pk=developer).first() if developer else None,
            "notes": data.get("notes") or "",
        }


class ReportEditForm(StyledForm):
    title = forms.CharField(label=_("title"), max_length=TITLE_LENGTH)
    notes = forms.CharField(
        label=_("notes"), required=False, max_length=2000, widget=forms.Textarea({"rows": 4})
    )
    based_on_version = version_field()


# --- Bulk actions on the item list ----------------------------------------------------------------


class DecideForm(StyledForm):
    """The property company decides the ticked items: one of our departments, or the developer."""

    route = forms.ChoiceField(label=_("fixed by"), choices=Route.choices, widget=forms.RadioSelect)
    department = forms.TypedChoiceField(label=_("department"), required=False, coerce=int, empty_value=None)
    due_date = forms.DateField(label=_("completion date"), required=False, widget=forms.DateInput(DATE))
    note = forms.CharField(label=_("note"), required=False, max_length=NOTE_LENGTH)

    def setup(self) -> None:
        estates = selectors.estates_for(self.user)
        departments = (
            Department.objects.filter(active=True, developer__isnull=True)
            .exclude(kind__in=OUTSIDE_KINDS)
            .filter(Q(estate__isnull=True) | Q(estate__in=estates))
            .order_by("kind", "name")
        )
        field = self.fields["department"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(d.pk, d.name) for d in departments]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("route") == Route.PROPERTY:
            if not data.get("department"):
                self.add_error("department", _("Choose the department that fixes it."))
            if not data.get("due_date"):
                self.add_error("due_date", _("Give the completion date."))
        return data


class PlanForm(StyledForm):
    """The developer's customer service plans the ticked items: measure, date and team."""

    measure = forms.CharField(label=_("measure"), max_length=DESCRIPTION_LENGTH)
    due_date = forms.DateField(label=_("completion date"), widget=forms.DateInput(DATE))
    team = forms.TypedChoiceField(label=_("rectification team"), coerce=int)

    def setup(self) -> None:
        teams = [
            t
            for developer in sorted(selectors.developer_ids(self.user))
            for t in selectors.teams_of(developer)
        ]
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(t.pk, t.name) for t in teams]
