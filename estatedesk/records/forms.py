"""The records pages' forms (SPEC D-1, D-2): a retention period, a legal hold, its release, a disposal run.

The forms only read what was typed; the services (``records.retention``, ``records.holds``,
``records.disposal``) decide, and their refusals are shown next to the field they name.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core.versioning import version_field
from estatedesk.records import registry

# A period is a whole number of months: at least one, at most a century (PositiveSmallIntegerField).
MONTHS_MIN = 1
MONTHS_MAX = 1200
NOTE_LENGTH = 1000
REASON_LENGTH = 1000
LABEL_LENGTH = 200

MONTHS_MESSAGE = _("Give the period as a whole number of months from 1 to 1200 (100 years).")


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif not field.widget.is_hidden:
                field.widget.attrs.setdefault("class", "form-control")


class RetentionForm(_Styled):
    months = forms.IntegerField(
        label=_("Retention (months)"),
        min_value=MONTHS_MIN,
        max_value=MONTHS_MAX,
        error_messages={
            "required": MONTHS_MESSAGE,
            "invalid": MONTHS_MESSAGE,
            "min_value": MONTHS_MESSAGE,
            "max_value": MONTHS_MESSAGE,
        },
        help_text=_("24 months is two years. The period runs from the day the record was closed or issued."),
    )
    note = forms.CharField(
        label=_("Why this period"),
        max_length=NOTE_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the company's records policy of 2026, or a regulator's request."),
    )
    based_on_version = version_field()


def holdable_types() -> list[tuple[str, str]]:
    """The record types a hold can name record by record (those that can find a record by its label)."""
    return [(each.key, str(each.label)) for each in registry.record_types() if each.find is not None]


class HoldForm(_Styled):
    record_type = forms.ChoiceField(label=_("Record type"))
    label = forms.CharField(
        label=_("The record's number"),
        max_length=LABEL_LENGTH,
        help_text=_("As the record is known, for example TS-2026-000123 for a complaint."),
    )
    reason = forms.CharField(
        label=_("Reason for the hold"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a dispute with the owner before the court; a regulator's inquiry."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = holdable_types()
        self.fields["record_type"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]


class ReleaseForm(_Styled):
    reason = forms.CharField(
        label=_("Reason for the release"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the dispute was settled on 3 March 2026."),
    )


class RunForm(forms.Form):
    """A run started from the page: a dry run at once, or the real one queued for the worker."""

    mode = forms.ChoiceField(choices=[("preview", "preview"), ("dispose", "dispose")])
