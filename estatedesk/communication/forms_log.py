"""Forms of the communication log's pages (SPEC C-4).

They parse what was typed and offer the user's choices; the rules (the estate is one of the
user's, the office and the people belong to it, the time is not in the future, the channel is
one for the log) live in ``services.log``, whose errors the views put next to these fields. Field
names match the ``field`` the services name. The owner's unit is typed as on the complaint
intake ("3栋-1201") and found in the chosen estate here, so the page works without a script.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from estatedesk.communication import selectors
from estatedesk.communication.models import Counterpart
from estatedesk.communication.services.log import TEXT_LENGTH, people_of, people_of_estates
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.crypto import mask_name
from estatedesk.core.versioning import version_field
from estatedesk.org import channels as org_channels
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import CommitteeMember, Department, DepartmentKind, Unit

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"]


class LogForm(forms.Form):
    """Labels capitalised, Bootstrap classes on every widget, choices set by ``setup``."""

    def __init__(self, *args: Any, user: Actor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
            if isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-check-input")
        style_widgets(self)

    def setup(self) -> None:
        pass

    def choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


def _ids(values: Any) -> list[int]:
    return [int(v) for v in values or []]


class ContactForm(LogForm):
    estate = forms.TypedChoiceField(label=_("estate"), coerce=int)
    office = forms.TypedChoiceField(
        label=_("management office"), required=False, coerce=int, empty_value=None
    )
    occurred_at = forms.DateTimeField(
        label=_("when"),
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs=DATETIME, format="%Y-%m-%dT%H:%M"),
    )
    subject = forms.CharField(label=_("subject"), max_length=200)
    channel = forms.ChoiceField(label=_("channel"))
    counterpart = forms.ChoiceField(label=_("with"), choices=Counterpart.choices)
    unit = forms.CharField(
        label=_("the owner's unit"),
        required=False,
        max_length=100,
        help_text=_("For a contact with an owner: building and unit number, for example 3栋-1201."),
    )
    committee_members = forms.TypedMultipleChoiceField(
        label=_("committee members"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    other_people = forms.CharField(
        label=_("others present"),
        required=False,
        max_length=300,
        help_text=_("Names, separated by 、 — for a contact with others, who they were."),
    )
    staff = forms.TypedMultipleChoiceField(
        label=_("staff present"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label=_("what was said"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )

    def setup(self) -> None:
        estates = list(selectors.estates_for(self.user)) if self.user is not None else []
        ids = [e.pk for e in estates]
        several = len(estates) > 1
        self.choices("estate").choices = [("", "—"), *((e.pk, f"{e.code} {e.name}") for e in estates)]
        offices = Department.objects.filter(
            estate__in=ids, kind=DepartmentKind.MANAGEMENT_OFFICE, active=True
        ).order_by("estate__code", "name")
        self.choices("office").choices = [("", "—"), *((d.pk, d.name) for d in offices)]
        self.choices("channel").choices = [("", "—"), *org_channels.choices(org_channels.Use.LOG)]
        names = policy.can_see_contact_names(self.user)
        members = CommitteeMember.objects.filter(estate__in=ids).select_related("estate")
        self.choices("committee_members").choices = [
            (
                m.pk,
                " ".join(
                    p
                    for p in (
                        m.estate.name if several else "",
                        m.position,
                        m.name if names else mask_name(m.name),
                    )
                    if p
                ),
            )
            for m in members.order_by("estate__code", "pk")
        ]
        people = people_of_estates(ids).order_by("display_name", "pk")
        self.choices("staff").choices = [(s.pk, s.display_name) for s in people]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("unit") or "").strip()
        self.resolved_unit: Unit | None = None
        estate = data.get("estate")
        if text and estate and data.get("counterpart") == Counterpart.OWNER:
            self.resolved_unit = self._find_unit(estate, text)
        return data

    def _find_unit(self, estate: int, text: str) -> Unit | None:
        units = Unit.objects.filter(estate=estate)
        building, _sep, number = text.replace(" ", "-").rpartition("-")
        found = units.filter(building__name=building.strip(), number=number.strip()) if building else None
        if not found:
            found = units.filter(number=text)
        rows = list(found[:2])
        if len(rows) == 1:
            return rows[0]
        if rows:
            self.add_error(
                "unit", gettext("Several units are numbered so: write the building too, as 3栋-1201.")
            )
        else:
            self.add_error(
                "unit",
                gettext(
                    "No unit “%(text)s” in this estate. Write it as building-number, for example 3栋-1201."
                )
                % {"text": text},
            )
        return None

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "estate": data["estate"],
            "office": data.get("office"),
            "occurred_at": data["occurred_at"],
            "subject": data["subject"],
            "channel": data["channel"],
            "counterpart": data["counterpart"],
            "unit": self.resolved_unit,
            "committee_members": _ids(data.get("committee_members")),
            "staff": _ids(data.get("staff")),
            "other_people": data.get("other_people") or "",
            "summary": data["summary"],
        }


class ContactEditForm(LogForm):
    subject = forms.CharField(label=_("subject"), max_length=200)
    summary = forms.CharField(
        label=_("what was said"), max_length=TEXT_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )
    based_on_version = version_field()


class FollowUpForm(LogForm):
    description = forms.CharField(
        label=_("what was agreed"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.TypedChoiceField(label=_("owner"), coerce=int)
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: Any, estate: int, **kwargs: Any) -> None:
        self.estate = estate
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        people = people_of(self.estate).order_by("display_name", "pk")
        self.choices("owner").choices = [("", "—"), *((s.pk, s.display_name) for s in people)]


class FinishForm(LogForm):
    follow_up = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    result = forms.CharField(label=_("result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
