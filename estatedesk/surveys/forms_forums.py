"""Forms of the owners' forum pages (SPEC S-6).

They only parse what was typed; the rules (who organises, which estates, units and colleagues,
a due date not in the past) live in ``services.forums``, whose errors the views put next to
these fields. Field names match the ``field`` the services name.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.core import policy
from estatedesk.core.crypto import mask_name
from estatedesk.core.versioning import version_field
from estatedesk.org.models import CommitteeMember, Estate, Unit
from estatedesk.surveys.forms import EstateChoiceField, SurveyBaseForm
from estatedesk.surveys.models import Category, Forum, ParticipantKind
from estatedesk.surveys.services.forums import OPINION_CATEGORIES, colleagues, organised_estates

DATE = {"type": "date"}
KIND_CHOICES = [
    (ParticipantKind.OWNER, pgettext_lazy("forum", "An owner, by unit")),
    (ParticipantKind.COMMITTEE, pgettext_lazy("forum", "A member of the owners' committee")),
    (ParticipantKind.STAFF, pgettext_lazy("forum", "A colleague")),
    (ParticipantKind.OTHER, pgettext_lazy("forum", "Someone else, by name")),
]
TEXT_ROWS = 3


def category_choices() -> list[tuple[str, Any]]:
    labels = dict(Category.choices)
    return [("", pgettext_lazy("forum", "General")), *((c, labels[c]) for c in OPINION_CATEGORIES)]


class ForumForm(SurveyBaseForm):
    def _choices(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])


def staff_choices(user: Any) -> list[tuple[Any, str]]:
    rows = colleagues(user).order_by("display_name", "pk")
    return [(s.pk, str(s)) for s in rows]


class ForumDetailsForm(ForumForm):
    title = forms.CharField(label=_("title"), max_length=200)
    held_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs=DATE))
    place = forms.CharField(label=pgettext_lazy("forum", "place"), max_length=200)
    chaired_by = forms.TypedChoiceField(
        label=pgettext_lazy("forum", "chaired by"), required=False, coerce=int, empty_value=None
    )
    summary = forms.CharField(
        label=pgettext_lazy("forum", "summary of the meeting"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def setup(self) -> None:
        self._choices("chaired_by").choices = [("", "—"), *staff_choices(self.user)]


class ForumCreateForm(ForumDetailsForm):
    estates = EstateChoiceField(
        label=_("estates"), queryset=Estate.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    field_order = ["title", "estates", "held_on", "place", "chaired_by", "summary"]

    def setup(self) -> None:
        super().setup()
        allowed = organised_estates(self.user) if self.user is not None else frozenset()
        estates = Estate.objects.filter(active=True)
        if allowed is not None:
            estates = estates.filter(pk__in=allowed)
        cast(forms.ModelMultipleChoiceField, self.fields["estates"]).queryset = estates.order_by("code")


class ForumEditForm(ForumDetailsForm):
    based_on_version = version_field()


class ParticipantForm(ForumForm):
    kind = forms.ChoiceField(label=pgettext_lazy("forum", "who"), choices=KIND_CHOICES)
    unit = forms.TypedChoiceField(label=_("unit"), required=False, coerce=int, empty_value=None)
    committee_member = forms.TypedChoiceField(
        label=pgettext_lazy("forum", "committee member"), required=False, coerce=int, empty_value=None
    )
    staff = forms.TypedChoiceField(
        label=pgettext_lazy("forum", "colleague"), required=False, coerce=int, empty_value=None
    )
    name = forms.CharField(label=_("name"), required=False, max_length=100)

    def __init__(self, *args: Any, forum: Forum, **kwargs: Any) -> None:
        self.forum = forum
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        estates = list(self.forum.estates.values_list("pk", flat=True))
        units = Unit.objects.filter(estate__in=estates).select_related("estate", "building")
        units = units.order_by("estate__code", "building__name", "number")
        several = len(estates) > 1
        self._choices("unit").choices = [
            ("", "—"),
            *((u.pk, f"{u.estate.name} {u.label}" if several else u.label) for u in units),
        ]
        names = policy.can_see_contact_names(self.user)
        members = CommitteeMember.objects.filter(estate__in=estates).select_related("estate")
        self._choices("committee_member").choices = [
            ("", "—"),
            *(
                (m.pk, f"{m.estate.name} {m.position} {m.name if names else mask_name(m.name)}")
                for m in members.order_by("estate__code", "pk")
            ),
        ]
        self._choices("staff").choices = [("", "—"), *staff_choices(self.user)]


class RemoveParticipantForm(ForumForm):
    participant = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class OpinionForm(ForumForm):
    category = forms.ChoiceField(label=_("category"), required=False)
    raised_by = forms.TypedChoiceField(label=_("raised by"), required=False, coerce=int, empty_value=None)
    text = forms.CharField(
        label=_("opinion"), max_length=4000, widget=forms.Textarea(attrs={"rows": TEXT_ROWS})
    )
    answer = forms.CharField(
        label=pgettext_lazy("forum", "the company's answer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )

    def __init__(self, *args: Any, speakers: list[tuple[int, str]], **kwargs: Any) -> None:
        self.speakers = speakers
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self._choices("category").choices = category_choices()
        self._choices("raised_by").choices = [("", "—"), *self.speakers]


class AnswerForm(ForumForm):
    opinion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.CharField(
        label=pgettext_lazy("forum", "the company's answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )
    based_on_version = version_field()


class FollowUpForm(ForumForm):
    opinion = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    description = forms.CharField(
        label=_("what to do"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.TypedChoiceField(label=_("owner"), coerce=int)
    due_date = forms.DateField(label=_("due date"), widget=forms.DateInput(attrs=DATE))

    def setup(self) -> None:
        self._choices("owner").choices = [("", "—"), *staff_choices(self.user)]


class FinishForm(ForumForm):
    follow_up = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    result = forms.CharField(label=_("result"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))
