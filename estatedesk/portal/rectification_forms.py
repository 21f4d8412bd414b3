"""The resident's two forms on a rectification item (SPEC R-4, W-1): accept, or object.

Accepting takes a signature drawn on the phone (``static/estatedesk/signature.js`` puts the
canvas's PNG into the hidden ``signature`` field as a data URL when the form is sent) or the
name typed, which works without a script. The form only turns the data URL into an upload —
a PNG, at most ``SIGNATURE_MAX_BYTES`` — and ``rectification.services.resident.accept`` checks
it again by content through ``core.uploads`` and decides what is missing. Both forms post to
the item's own address, told apart by ``action``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from estatedesk.core import uploads
from estatedesk.core.errors import InvalidInput, ServiceError
from estatedesk.core.sizes import file_size
from estatedesk.portal.forms import MultiplePhotoInput
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH
from estatedesk.rectification.services.items import MAX_PHOTOS
from estatedesk.rectification.services.resident import SIGNATURE_FIELD
from estatedesk.rectification.services.rounds import NAME_LENGTH

ACTIONS = ("accept", "object")

# A signature drawn on a phone is a few tens of kilobytes; anything near this is not one.
SIGNATURE_MAX_BYTES = 512 * 1024
DATA_URL_PREFIX = "data:image/png;base64,"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The data URL of the largest PNG accepted, and a little room (base64 is 4/3 of the bytes).
SIGNATURE_MAX_CHARS = len(DATA_URL_PREFIX) + (SIGNATURE_MAX_BYTES * 4) // 3 + 8


def _unreadable() -> str:
    return gettext("The signature could not be read. Please sign again, or type your name.")


def _too_big() -> str:
    return gettext(
        "The signature is larger than %(limit)s. Please clear it and sign again, or type your name."
    ) % {"limit": file_size(SIGNATURE_MAX_BYTES)}


def signature_upload(value: str) -> SimpleUploadedFile | None:
    """The drawn signature as an upload, or None when nothing was drawn; ``InvalidInput``
    (field ``signature``) for anything that is not a PNG data URL of a sane size."""
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > SIGNATURE_MAX_CHARS:
        raise InvalidInput(_too_big(), field=SIGNATURE_FIELD)
    if not value.startswith(DATA_URL_PREFIX):
        raise InvalidInput(_unreadable(), field=SIGNATURE_FIELD)
    try:
        data = base64.b64decode(value[len(DATA_URL_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput(_unreadable(), field=SIGNATURE_FIELD) from None
    if len(data) > SIGNATURE_MAX_BYTES:
        raise InvalidInput(_too_big(), field=SIGNATURE_FIELD)
    if not data.startswith(PNG_MAGIC):
        raise InvalidInput(_unreadable(), field=SIGNATURE_FIELD)
    upload = SimpleUploadedFile(gettext("signature") + ".png", data, "image/png")
    try:
        uploads.precheck(upload, field=SIGNATURE_FIELD, images_only=True)
    except InvalidInput:
        raise InvalidInput(_unreadable(), field=SIGNATURE_FIELD) from None
    return upload


class AcceptForm(forms.Form):
    # Filled by signature.js from the canvas; kept on a page sent back so the drawing is not lost.
    signature = forms.CharField(required=False, widget=forms.HiddenInput, strip=True)
    signed_name = forms.CharField(
        label=_("Or type your name"),
        required=False,
        # The service counts the characters and says how many; the browser stops at the limit.
        widget=forms.TextInput(
            attrs={"class": "form-control form-control-lg", "autocomplete": "name", "maxlength": NAME_LENGTH}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "accept")
        super().__init__(*args, **kwargs)
        self.signature_file: SimpleUploadedFile | None = None

    def clean_signature(self) -> str:
        value = self.cleaned_data.get("signature", "")
        try:
            self.signature_file = signature_upload(value)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None
        return value

    def kept_signature(self) -> str:
        """The drawing to put back on the canvas when the page comes back with another error."""
        if not self.is_bound or self.errors.get(SIGNATURE_FIELD):
            return ""
        return str(self.data.get(self.add_prefix(SIGNATURE_FIELD), ""))


class PhotosField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultiplePhotoInput(attrs={"accept": "image/*", "class": "form-control form-control-lg"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in items]


class ObjectionForm(forms.Form):
    objection = forms.CharField(
        label=_("What is still wrong?"),
        required=False,  # the service says so when it is empty, in the resident's words
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control", "maxlength": DESCRIPTION_LENGTH}),
    )
    photos = PhotosField(label=_("Photos (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "object")
        super().__init__(*args, **kwargs)
        self.fields["photos"].help_text = gettext("Up to %(count)d photos, each at most %(size)s.") % {
            "count": MAX_PHOTOS,
            "size": file_size(uploads.max_bytes()),
        }

    def clean_photos(self) -> list[Any]:
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(gettext("Send at most %(count)d photos.") % {"count": MAX_PHOTOS})
        for photo in photos:
            try:
                uploads.precheck(photo, field="photos", images_only=True)
            except InvalidInput as error:
                raise forms.ValidationError(str(error.message)) from None
        return photos


def put_service_error(form: forms.Form, error: ServiceError) -> None:
    """The service's message next to its field (the signature's on the drawing box)."""
    name = error.field or ""
    form.add_error(name if name in form.fields else None, str(error.message))


def mark_errors(form: forms.Form) -> None:
    """Fields with an error are marked for screen readers and styled, their message linked."""
    for name in form.errors:
        if name in form.fields and not form.fields[name].widget.is_hidden:
            attrs = form.fields[name].widget.attrs
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{form[name].auto_id}_error"
