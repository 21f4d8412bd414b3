"""The administrators' forms for the communication channels (SPEC C-1)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core.versioning import version_field, version_initial
from estatedesk.org.channel_services import CODE_LENGTH, NAME_FIELDS, NAME_LENGTH, USE_FIELDS
from estatedesk.org.models import Channel


class ChannelForm(forms.Form):
    name_zh_hans = forms.CharField(label=_("Name in Simplified Chinese"), max_length=NAME_LENGTH)
    name_zh_hant = forms.CharField(
        label=_("Name in Traditional Chinese"),
        max_length=NAME_LENGTH,
        required=False,
        help_text=_("Left empty, the Simplified Chinese name is shown."),
    )
    name_en = forms.CharField(
        label=_("Name in English"),
        max_length=NAME_LENGTH,
        required=False,
        help_text=_("Left empty, the Simplified Chinese name is shown."),
    )
    for_complaints = forms.BooleanField(label=_("Complaints come in by it"), required=False)
    for_notices = forms.BooleanField(label=_("Notices go out by it"), required=False)
    for_log = forms.BooleanField(
        label=_("Contacts in the communication log take place by it"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name in USE_FIELDS else "form-control"
            field.widget.attrs.setdefault("class", css)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in (*NAME_FIELDS, *USE_FIELDS)}


class ChannelCreateForm(ChannelForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_LENGTH,
        required=False,
        help_text=_(
            "Used by the API and in exports; cannot be changed later. Left empty, it is made from the "
            "English name."
        ),
    )
    field_order = ["name_zh_hans", "name_zh_hant", "name_en", "code"]


class ChannelEditForm(ChannelForm):
    based_on_version = version_field()

    def __init__(self, data: Any = None, *, channel: Channel) -> None:
        initial = {name: getattr(channel, name) for name in (*NAME_FIELDS, *USE_FIELDS)}
        super().__init__(data, initial={**initial, **version_initial(channel)})
