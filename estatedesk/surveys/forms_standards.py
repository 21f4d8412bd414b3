"""The forms of the evaluation standards' pages (SPEC S-1) and of the quality targets."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from estatedesk.core.versioning import version_field
from estatedesk.org.forms import style_widgets
from estatedesk.org.models import Estate, EstateKind
from estatedesk.surveys.models import Category, QuestionKind, QuestionnaireVersion, StandardLevel
from estatedesk.surveys.standards import MAX_LEVELS

LANGUAGE_LABELS = (
    ("zh_hans", _("Simplified Chinese")),
    ("zh_hant", _("Traditional Chinese")),
    ("en", _("English")),
)


class StyledForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_widgets(self)


class QuestionnaireForm(StyledForm):
    name = forms.CharField(label=_("Name of the standard"), max_length=100)
    estate_kind = forms.ChoiceField(label=_("For"), choices=EstateKind.choices)


class TextsForm(StyledForm):
    based_on_version = version_field()
    title_zh_hans = forms.CharField(label=_("Title (Simplified Chinese)"), max_length=200)
    title_zh_hant = forms.CharField(label=_("Title (Traditional Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    intro_zh_hans = forms.CharField(
        label=_("Introduction (Simplified Chinese)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    intro_zh_hant = forms.CharField(
        label=_("Introduction (Traditional Chinese)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    intro_en = forms.CharField(
        label=_("Introduction (English)"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def initial_of(cls, version: QuestionnaireVersion) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != "based_on_version"]
        return {"based_on_version": version.edit_version, **{n: getattr(version, n) for n in names}}


class QuestionForm(StyledForm):
    """A question, new or edited; ``based_on_version`` only when editing."""

    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices], required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices, initial=QuestionKind.RATING)
    text_zh_hans = forms.CharField(label=_("Question (Simplified Chinese)"), max_length=300)
    text_zh_hant = forms.CharField(label=_("Question (Traditional Chinese)"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    ask_reason = forms.BooleanField(
        label=_("Ask the reason for dissatisfaction"), required=False, initial=True
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["based_on_version"] = version_field()

    def texts(self) -> tuple[str, str, str]:
        data = self.cleaned_data
        return (data["text_zh_hans"], data["text_zh_hant"], data["text_en"])


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "up"), ("down", "down")])


class ScaleForm(StyledForm):
    """Up to ``MAX_LEVELS`` rows, best first; empty rows are left out."""

    based_on_version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MAX_LEVELS):
            prefix = f"levels-{i}"
            n = i + 1
            self.fields[f"{prefix}-code"] = forms.CharField(
                label=_("Level %(n)s: code") % {"n": n}, max_length=30, required=False
            )
            self.fields[f"{prefix}-score"] = forms.IntegerField(
                label=_("Level %(n)s: score") % {"n": n}, min_value=0, max_value=100, required=False
            )
            self.fields[f"{prefix}-satisfied"] = forms.BooleanField(
                label=_("Level %(n)s counts as satisfied") % {"n": n}, required=False
            )
            self.fields[f"{prefix}-dissatisfied"] = forms.BooleanField(
                label=_("Level %(n)s counts as dissatisfied") % {"n": n}, required=False
            )
            for code, language in LANGUAGE_LABELS:
                self.fields[f"{prefix}-label_{code}"] = forms.CharField(
                    label=_("Level %(n)s: name (%(language)s)") % {"n": n, "language": language},
                    max_length=40,
                    required=False,
                )
        style_widgets(self)

    @staticmethod
    def initial_of(version: QuestionnaireVersion) -> dict[str, Any]:
        initial: dict[str, Any] = {"based_on_version": version.edit_version}
        for i, level in enumerate(version.scale[:MAX_LEVELS]):
            prefix = f"levels-{i}"
            initial[f"{prefix}-code"] = level.get("code", "")
            initial[f"{prefix}-score"] = level.get("score")
            initial[f"{prefix}-satisfied"] = bool(level.get("satisfied"))
            initial[f"{prefix}-dissatisfied"] = bool(level.get("dissatisfied"))
            labels = level.get("labels") or {}
            for code, _language in LANGUAGE_LABELS:
                initial[f"{prefix}-label_{code}"] = labels.get(code.replace("_", "-"), "")
        return initial

    def rows(self) -> list[dict[str, Any]]:
        """The form's fields by level, for the template."""
        return [
            {
                "n": i + 1,
                "code": self[f"levels-{i}-code"],
                "score": self[f"levels-{i}-score"],
                "satisfied": self[f"levels-{i}-satisfied"],
                "dissatisfied": self[f"levels-{i}-dissatisfied"],
                "labels": [self[f"levels-{i}-label_{code}"] for code, _language in LANGUAGE_LABELS],
                "standard": str(self[f"levels-{i}-code"].value() or "") in StandardLevel.values,
            }
            for i in range(MAX_LEVELS)
        ]

    def levels(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        levels = []
        for i in range(MAX_LEVELS):
            prefix = f"levels-{i}"
            code = (data.get(f"{prefix}-code") or "").strip()
            if not code and data.get(f"{prefix}-score") is None:
                continue
            levels.append(
                {
                    "code": code,
                    "score": "" if data.get(f"{prefix}-score") is None else data[f"{prefix}-score"],
                    "satisfied": data.get(f"{prefix}-satisfied", False),
                    "dissatisfied": data.get(f"{prefix}-dissatisfied", False),
                    "labels": {
                        c.replace("_", "-"): data.get(f"{prefix}-label_{c}", "")
                        for c, _language in LANGUAGE_LABELS
                    },
                }
            )
        return levels


class TargetForm(StyledForm):
    estate = forms.ModelChoiceField(
        label=_("Estate"), queryset=Estate.objects.none(), required=False, empty_label=_("All estates")
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("All categories")), *Category.choices], required=False
    )
    target = forms.DecimalField(label=_("Target (%)"), max_digits=5, decimal_places=2)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["estate"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Estate.objects.filter(active=True).order_by("code")


class RemoveTargetForm(forms.Form):
    target = forms.IntegerField(min_value=1, max_value=2**31 - 1)
