"""The six bones of a cause-and-effect (fishbone) analysis and the causes typed on them (SPEC
I-1, S-9): a corrective action's analysis and a survey's use the same bones, the same limits
and the same drawing (``core.fishbone``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from estatedesk.core.errors import InvalidInput

FISHBONE_MAX_CAUSES = 8

__all__ = [
    "FISHBONE_MAX_CAUSES",
    "Bone",
    "add_fishbone_fields",
    "clean_fishbone",
    "fishbone_texts",
    "typed_fishbone",
]

ONE_PER_LINE = _("One cause per line, at most eight.")


# The fishbone's six bones (人、機、料、法、環、測), in the order they are drawn.
class Bone(models.TextChoices):
    MAN = "man", _("Man")
    MACHINE = "machine", _("Machine")
    MATERIAL = "material", _("Material")
    METHOD = "method", pgettext_lazy("fishbone bone", "Method")  # 法, not the visit's 方式
    ENVIRONMENT = "environment", _("Environment")
    MEASUREMENT = "measurement", _("Measurement")


def clean_fishbone(raw: dict[str, Any] | None) -> dict[str, list[str]]:
    """Only the six bones, each a list of short non-blank causes (empty bones dropped)."""
    cleaned: dict[str, list[str]] = {}
    for bone in Bone.values:
        value = (raw or {}).get(bone) or []
        if isinstance(value, str):
            value = value.splitlines()
        if not isinstance(value, list | tuple):
            raise InvalidInput(_("Each fishbone branch is a list of causes."), field=f"fishbone_{bone}")
        causes = [str(c).strip()[:120] for c in value if str(c).strip()]
        if len(causes) > FISHBONE_MAX_CAUSES:
            raise InvalidInput(
                _("At most %(n)d causes per bone; group the smaller ones.") % {"n": FISHBONE_MAX_CAUSES},
                field=f"fishbone_{bone}",
            )
        if causes:
            cleaned[bone] = causes
    unknown = set(raw or {}) - set(Bone.values)
    if unknown:
        raise InvalidInput(_("Unknown fishbone branch: %(names)s.") % {"names": ", ".join(sorted(unknown))})
    return cleaned


def fishbone_texts(fishbone: dict[str, list[str]]) -> dict[str, str]:
    """The fishbone as a form shows it: ``fishbone_<bone>`` → one cause a line."""
    return {f"fishbone_{bone}": "\n".join(fishbone.get(bone) or []) for bone in Bone.values}


def add_fishbone_fields(form: forms.Form, *, rows: int) -> None:
    """A text box per bone (``fishbone_<bone>``), one cause a line: the same on every form that
    edits a fishbone (a corrective action's analysis, a survey's)."""
    for bone in Bone:
        form.fields[f"fishbone_{bone.value}"] = forms.CharField(
            label=bone.label,
            required=False,
            max_length=2000,
            strip=False,
            help_text=ONE_PER_LINE,
            widget=forms.Textarea(attrs={"rows": rows}),
        )


def typed_fishbone(cleaned_data: dict[str, Any]) -> dict[str, str]:
    """The bones as typed on such a form, one cause per line; ``clean_fishbone`` splits and trims."""
    return {bone.value: cleaned_data.get(f"fishbone_{bone.value}") or "" for bone in Bone}
