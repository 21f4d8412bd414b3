"""The forms of a rectification item's steps (SPEC R-3, R-4), one per step of its page.

They only parse what was typed: the rules (which departments and teams, a completion date not
in the past, a reason when sent back, a photo of the work done, the scan of a paper acceptance)
live in the services (``rectification.services``), whose errors the views put next to these
fields. Field names are the ``field`` the services name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from estatedesk.core.versioning import version_field
from estatedesk.org.forms import style_widgets
from estatedesk.rectification import selectors
from estatedesk.rectification.models import Category, Item, PhotoStage
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH, LOCATION_LENGTH
from estatedesk.rectification.services.items import MAX_PHOTOS
from estatedesk.rectification.services.rounds import NAME_LENGTH

NOTE_LENGTH = 500
TEXT_ROWS = 3
# A browser cannot put chosen files back into a form shown again after an error.
FILES_NOT_KEPT = _("Browsers cannot keep chosen files after an error: choose the photos again.")


class PhotoInput(forms.FileInput):
    """The phone's camera or its gallery, several photos at once."""

    allow_multiple_selected = True

    def __init__(self) -> None:
        super().__init__(attrs={"accept": "image/*", "capture": "environment", "multiple": True})


class PhotosField(forms.FileField):
    """Several photos; what they are is judged by ``core.uploads`` in the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        kwargs.setdefault(
            "help_text",
            _("At most %(count)d photos, taken with the camera or chosen.") % {"count": MAX_PHOTOS},
        )
        super().__init__(widget=PhotoInput(), **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in items]


def text_field(label: Any, *, limit: int = NOTE_LENGTH, required: bool = False) -> forms.CharField:
    """A free text; an empty one the service refuses with its own message (on this field)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": TEXT_ROWS}),
    )


def date_field(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class StepForm(forms.Form):
    """A step's form: labels capitalised, Bootstrap classes; ``setup`` fills the item's choices."""

    files_field = ""  # the field of chosen files, if any

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        self.setup()
        for field in self.fields.values():
            field.label = capfirst(field.label)
            if isinstance(field, PhotosField):
                # Worded when the form is made: a lazy text formatted at import would keep its language.
                field.help_text = gettext("At most %(count)d photos, taken with the camera or chosen.") % {
                    "count": MAX_PHOTOS
                }
        style_widgets(self)

    def setup(self) -> None:
        pass

    def files_lost(self) -> bool:
        """Files were chosen and the form is shown again: they must be chosen again."""
        return bool(
            self.files_field and self.is_bound and self.files.getlist(self.add_prefix(self.files_field))
        )


class EditForm(StepForm):
    location = forms.CharField(
        label=_("location"), required=False, max_length=LOCATION_LENGTH, help_text=_("Room or part")
    )
    description = text_field(_("description"), limit=DESCRIPTION_LENGTH)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    based_on_version = version_field()


class FixOurselvesForm(StepForm):
    department = forms.TypedChoiceField(label=_("department"), required=False, coerce=int, empty_value=None)
    due_date = date_field(_("completion date"))
    note = text_field(_("note"))

    def setup(self) -> None:
        departments = selectors.fixing_departments(self.item.estate_id)
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *((d.pk, d.name) for d in departments)]


class NoteForm(StepForm):
    note = text_field(_("note"))


class PlanForm(StepForm):
    measure = text_field(_("measure"), limit=DESCRIPTION_LENGTH)
    due_date = date_field(_("completion date"))
    team = forms.TypedChoiceField(label=_("rectification team"), required=False, coerce=int, empty_value=None)

    def setup(self) -> None:
        field = self.fields["team"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *((t.pk, t.name) for t in selectors.teams_of(self.item.developer_id))]


class CompleteForm(StepForm):
    files_field = "photos"
    note = text_field(_("note"))
    photos = PhotosField(label=_("Photos of the work done"))


class InspectForm(StepForm):
    passed = forms.TypedChoiceField(
        label=_("Is the rectification acceptable?"),
        choices=[("yes", _("Yes, accept it")), ("no", _("No, send it back to the team"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = text_field(_("reason (needed when sent back)"), limit=DESCRIPTION_LENGTH)


class NotifyForm(StepForm):
    pass


class PaperAcceptForm(StepForm):
    files_field = "scan"
    scan = forms.FileField(
        label=_("scan of the signed sheet"),
        required=False,
        help_text=_("A photo or a PDF of the acceptance sheet the resident signed."),
        widget=forms.FileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
    )
    signed_name = forms.CharField(
        label=pgettext_lazy("rectification", "signed by"), required=False, max_length=NAME_LENGTH
    )


class PaperObjectForm(StepForm):
    files_field = "photos"
    objection = text_field(_("what is still wrong"), limit=DESCRIPTION_LENGTH)
    photos = PhotosField()


class CancelForm(StepForm):
    reason = text_field(pgettext_lazy("rectification", "why it is cancelled"))


class PhotosForm(StepForm):
    files_field = "photos"
    stage = forms.ChoiceField(
        label=_("photos of"),
        choices=[
            (PhotoStage.REPORTED.value, PhotoStage.REPORTED.label),
            (PhotoStage.COMPLETED.value, PhotoStage.COMPLETED.label),
        ],
        initial=PhotoStage.REPORTED,
    )
    photos = PhotosField()
