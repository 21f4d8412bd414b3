"""Forms of the notice pages (SPEC C-2, C-3).

They parse what was typed; the rules (which estates, buildings and units, the audience a kind
may go to, the channels offered, the lead time) live in ``services.notices`` and ``kinds``,
whose errors the views put next to these fields. Field names match the ``field`` the services
name. Two things are resolved here because only a page types them: the units, written as the
labels people use ("3栋-1201, 3栋-1202"), and the audience left to the kind's default.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from estatedesk.communication import kinds, selectors
from estatedesk.communication.models import Audience, Notice, NoticeKind
from estatedesk.communication.services import notices
from estatedesk.communication.services.notices import PLACE_LENGTH, REASON_LENGTH, TITLE_LENGTH
from estatedesk.core import richtext
from estatedesk.core.actors import Actor
from estatedesk.core.sorting import natural_key
from estatedesk.core.versioning import version_field
from estatedesk.org import channels as org_channels
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Building, Unit

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
# Between the labels of several units: commas (either width), the ideographic comma,
# semicolons, spaces or line breaks.
UNIT_SEPARATORS = re.compile(r"[,，、;；\s]+")
# Between a building and a unit number: any dash people type.
DASHES = re.compile(r"\s*[-－—–‐]\s*")
UNITS_MAX = 200


def _when(label: Any, help_text: Any = "") -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=False,
        help_text=help_text,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


def unit_labels(units: Any) -> str:
    return ", ".join(u.label for u in units)


def resolve_units(estate_id: int, typed: str) -> tuple[list[Unit], list[str]]:
    """The units of ``estate_id`` named in ``typed`` ("3栋-1201, 3栋-1202") and the labels that
    name none. One query for all of them."""
    # Dashes first: "3栋 - 1201" is one label, not three.
    labels = [part for part in UNIT_SEPARATORS.split(DASHES.sub("-", typed.strip())) if part]
    labels = list(dict.fromkeys(labels))
    wanted: dict[tuple[str, str], str] = {}
    unknown = []
    for label in labels:
        building, dash, number = label.rpartition("-")
        if not dash or not building or not number:
            unknown.append(label)
        else:
            wanted[(building, number)] = label
    if not wanted:
        return [], unknown
    query = Q()
    for building, number in wanted:
        query |= Q(building__name=building, number=number)
    found = {
        (u.building.name, u.number): u
        for u in Unit.objects.filter(query, estate_id=estate_id).select_related("building")
    }
    units = [found[key] for key in wanted if key in found]
    unknown += [label for key, label in wanted.items() if key not in found]
    return units, unknown


class NoticeForm(forms.Form):
    """A notice written or edited; ``notice`` is the one edited (its estate stays)."""

    kind = forms.ChoiceField(label=_("type"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("title"), max_length=TITLE_LENGTH)
    body = forms.CharField(
        label=_("text"),
        max_length=richtext.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "data-richtext": "1"}),
        help_text=_("Without the toolbar, a blank line starts a new paragraph."),
    )
    estate = forms.TypedChoiceField(label=_("estate"), coerce=int)
    buildings = forms.TypedMultipleChoiceField(
        label=_("buildings"),
        coerce=int,
        required=False,
        help_text=_("None chosen: the whole estate."),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    units = forms.CharField(
        label=_("units"),
        required=False,
        max_length=4000,
        help_text=_("Only some flats: their labels, separated by commas, e.g. 3栋-1201, 3栋-1202."),
    )
    audience = forms.ChoiceField(
        label=_("for"), choices=Audience.choices, required=False, widget=forms.RadioSelect
    )
    starts_at = _when(_("work or event starts"))
    ends_at = _when(_("work or event ends"))
    publish_at = _when(
        _("publish at"),
        _(
            "Empty: the notice goes out when you press “Publish now”. Set: press “Schedule” and it goes out then."
        ),
    )
    channels = forms.MultipleChoiceField(
        label=_("channels"), widget=forms.CheckboxSelectMultiple, required=False
    )
    urgent = forms.BooleanField(
        label=_("urgent"),
        required=False,
        help_text=_("The households that have not read it are listed to phone or visit."),
    )
    late_reason = forms.CharField(
        label=_("reason for publishing late"),
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, user: Actor, notice: Notice | None = None, lead_hours: int = 24, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.notice = notice
        self.lead_hours = lead_hours
        self.resolved_units: list[Unit] = []
        estates = list(selectors.estates_for(user))
        if notice is not None:
            # A notice stays with its estate (the service refuses a move): shown, not offered.
            estates = [notice.estate]
            self.fields["estate"].disabled = True
            self.fields["based_on_version"] = version_field()
        self._choices("estate").choices = [("", "—")] + [(e.pk, f"{e.code} {e.name}") for e in estates]
        buildings = Building.objects.filter(estate__in=[e.pk for e in estates]).select_related("estate")
        by_estate: dict[str, list[tuple[int, str]]] = {}
        for b in sorted(buildings, key=lambda b: (b.estate.code, natural_key(b.name))):
            by_estate.setdefault(b.estate.name, []).append((b.pk, b.name))
        # Grouped by estate; the page's script shows only the chosen estate's group.
        self._choices("buildings").choices = list(by_estate.items())
        # The channels a notice may go out by (an online one only while it reaches someone); a
        # draft keeps one it already had, so the form shows it and the service names the problem.
        offered = notices.channel_choices()
        kept = [c for c in (notice.channels if notice is not None else ()) if c not in dict(offered)]
        names = org_channels.names()
        self._choices("channels").choices = offered + [(c, names.get(c, c)) for c in kept]
        self.estate_ids = [e.pk for e in estates]
        for field in self.fields.values():
            field.label = capfirst(field.label)
        style_widgets(self)
        for name in ("audience", "channels"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or ""
        if not data.get("audience") and kind:
            # Left to the kind: financial reports and survey results go to all owners.
            data["audience"] = kinds.audiences_for(kind)[0]
        estate = data.get("estate")
        typed = data.get("units") or ""
        if estate and typed.strip():
            units, unknown = resolve_units(estate, typed)
            if unknown:
                self.add_error(
                    "units",
                    _(
                        "No such unit in this estate: %(labels)s. Write the building and the number, e.g. 3栋-1201."
                    )
                    % {"labels": ", ".join(unknown[:10])},
                )
            elif len(units) > UNITS_MAX:
                self.add_error("units", _("At most %(count)d units.") % {"count": UNITS_MAX})
            self.resolved_units = units
        return data


class StepForm(forms.Form):
    """A small form of a step on the notice's page: labels capitalised like the rest."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.label = capfirst(field.label)


class ReasonForm(StepForm):
    """Cancel (the reason may be empty) or withdraw (the service asks for it)."""

    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class EmptyForm(StepForm):
    """A step with nothing to type (schedule, publish now): the button is the form."""


class SignForm(StepForm):
    place = forms.CharField(
        label=_("where the sign stands"),
        max_length=PLACE_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    placed_at = forms.DateTimeField(
        label=_("warning sign placed at"),
        required=False,
        help_text=_("Empty: now."),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", "class": "form-control"}, format=DATETIME_LOCAL
        ),
    )
