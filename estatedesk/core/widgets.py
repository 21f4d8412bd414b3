"""Form widgets every app shares."""

from __future__ import annotations

from typing import Any

from django import forms


class TelInput(forms.TextInput):
    """A phone number field: ``type="tel"`` opens the phone's number pad (with + and #), not the
    letter keyboard; ``inputmode="tel"`` says the same to browsers that look at that first.
    Browsers do not validate ``tel`` (numbers are written in too many ways): the form does."""

    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"inputmode": "tel", "autocomplete": "off", **(attrs or {})})
