"""The administrators' forms for the complaint categories (SPEC K-3)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints.categories import CODE_LENGTH, NAME_LENGTH
from estatedesk.complaints.models import Category
from estatedesk.core.versioning import version_field, version_initial


class CategoryNamesForm(forms.Form):
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")

    def names(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("name_zh_hans", "name_zh_hant", "name_en")}


class CategoryCreateForm(CategoryNamesForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_LENGTH,
        required=False,
        help_text=_(
            "Used by the API and in exports; cannot be changed later. Left empty, it is made from the "
            "English name."
        ),
    )


class CategoryRenameForm(CategoryNamesForm):
    based_on_version = version_field()

    def __init__(self, data: Any = None, *, category: Category) -> None:
        initial = {
            "name_zh_hans": category.name_zh_hans,
            "name_zh_hant": category.name_zh_hant,
            "name_en": category.name_en,
            **version_initial(category),
        }
        super().__init__(data, initial=initial)
