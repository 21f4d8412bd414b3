"""The resident's submission form (SPEC W-1, K-1, C-7).

The form turns what a resident typed into a ``services.Intake`` with the portal channel;
the service checks every rule again. Messages here speak to residents, not to staff.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.db import connection
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from estatedesk.complaints import services, uploads
from estatedesk.complaints.models import Category, Channel, Kind
from estatedesk.core import crypto
from estatedesk.core.errors import InvalidInput, ServiceError
from estatedesk.core.prepared import Prepared
from estatedesk.core.sizes import file_size
from estatedesk.core.widgets import TelInput
from estatedesk.org import selectors as org_selectors
from estatedesk.org.models import Estate, PrivacyNotice, Unit

KEY_SALT = "estatedesk.portal.submission"

# Service error fields shown next to a differently named form field.
SERVICE_FIELD_TO_FORM = {
    "complainant_name": "phone",
    "unit": "unit",
    "attachments": "photos",
    "privacy_notice": "privacy_ack",
}

# What a submission says: the body hash covers these and the photos, not the key, the CSRF
# token or the acknowledgement of the privacy notice.
CONTENT_FIELDS = ("kind", "category", "description", "unit", "name", "phone")
LARGEST_VERSION = 2**31 - 1

FILES_NOT_KEPT = _("Browsers cannot keep chosen photos after an error: please choose them again.")

KIND_HINTS = {
    Kind.COMPLAINT: _("Something we did wrong or did not do"),
    Kind.GRIEVANCE: _("Something that bothers you"),
    Kind.ENQUIRY: _("A question"),
}


# --- The one-time submission key --------------------------------------------------------------


def new_submission_key() -> tuple[str, str]:
    """A random key for one filled-in form, and its signed form for the hidden field."""
    key = secrets.token_urlsafe(24)
    return key, signing.Signer(salt=KEY_SALT).sign(key)


def read_submission_key(signed: str | None) -> str | None:
    """The key this server handed out, or None for a missing or altered one."""
    if not signed:
        return None
    try:
        return signing.Signer(salt=KEY_SALT).unsign(signed)
    except signing.BadSignature:
        return None


def fingerprint(data: Any, files: MultiValueDict[str, Any]) -> str:
    """SHA-256 of a submission's normalised content, kept with its key: a second send with
    the same key is the same submission only if it says the same (W-1)."""
    photos = []
    for upload in files.getlist("photos"):
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        photos.append(digest.hexdigest())
    content = {name: _normal_text(str(data.get(name, ""))) for name in CONTENT_FIELDS}
    body = json.dumps({"fields": content, "photos": photos}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _normal_text(value: str) -> str:
    """Line endings, Unicode composition and surrounding blanks do not make another text."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()


# --- Fields -------------------------------------------------------------------------------------


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultiplePhotoInput(attrs={"accept": "image/*", "class": "form-control form-control-lg"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(PhotosField, self).clean(item, initial) for item in items]


# The category a resident chose, read on every submit: compiled once per process (``core.prepared``).
_ACTIVE_CATEGORY = Prepared(lambda *, pk: Category.objects.filter(active=True, pk=pk)[:1], pk=-424_242)


class CategoryField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """``ModelChoiceField`` over the active categories whose choice is read by a compiled query:
    the same answers (an id that is not a number, out of range, unknown or inactive is not a
    choice), without compiling ``queryset.get(pk=…)`` on every submit."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = value.pk if isinstance(value, Category) else int(value)
        except (ValueError, TypeError):
            pk = None
        low, high = connection.ops.integer_field_range(Category._meta.pk.get_internal_type())  # type: ignore[union-attr]
        found = (
            _ACTIVE_CATEGORY.first(pk=pk)
            if pk is not None and (low is None or low <= pk) and (high is None or pk <= high)
            else None
        )
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found


class SubmissionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it about?"), choices=Kind.choices, initial=Kind.COMPLAINT, widget=forms.RadioSelect
    )
    category = CategoryField(
        label=_("Category"),
        queryset=Category.objects.none(),
        empty_label=_("Choose…"),
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        help_text=_("Where, when and what: the more we know, the faster we can help."),
    )
    unit = forms.CharField(
        label=_("Your building and unit"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "placeholder": "3栋-1201"}),
        help_text=_("For example 3栋-1201. Leave empty if it is about a common area."),
    )
    name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-lg", "autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=20,
        # The number pad, not the letter keyboard; the browser may offer the phone's own number.
        widget=TelInput(attrs={"class": "form-control form-control-lg", "autocomplete": "tel"}),
        help_text=_("If you give a phone number, we will send you an SMS when we reply."),
    )
    photos = PhotosField(label=_("Photos"), required=False)
    # The version of the privacy notice on the page the resident read (PIPL, D-3).
    privacy_version = forms.IntegerField(
        required=False, min_value=1, max_value=LARGEST_VERSION, widget=forms.HiddenInput
    )
    privacy_ack = forms.BooleanField(
        label=_("I have read the privacy notice and know how my information will be handled."),
        error_messages={"required": _("Please read the privacy notice and tick the box before sending.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, estate: Estate, notice: PrivacyNotice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estate = estate
        # The notice on the page: the current one, or the one the resident read when sent back.
        self.notice = notice
        self.resolved_unit: Unit | None = None
        self.fields["category"].queryset = Category.objects.filter(active=True)  # type: ignore[attr-defined]
        self.fields["photos"].help_text = photos_help()

    def kind_options(self) -> list[dict[str, Any]]:
        """The radio buttons with a hint under each, for a layout that is easy to tap."""
        return [{"widget": radio, "hint": KIND_HINTS.get(radio.data["value"], "")} for radio in self["kind"]]

    def clean_unit(self) -> str:
        text = self.cleaned_data.get("unit", "").strip()
        if not text:
            return ""
        candidates = org_selectors.estate_units_matching(self.estate.pk, text, 5)
        exact = [u for u in candidates if f"{u.building.name}-{u.number}" == _normal_unit(text)]
        found = exact if len(exact) == 1 else candidates
        if len(found) != 1:
            raise forms.ValidationError(
                _(
                    "We could not find unit “%(unit)s” in %(estate)s. Write it like 3栋-1201, or leave it empty."
                )
                % {"unit": text, "estate": self.estate.name}
            )
        self.resolved_unit = found[0]
        return text

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not crypto.is_valid_phone(phone):
            raise forms.ValidationError(_("Enter a phone number of 7 to 15 digits."))
        return phone

    def clean_privacy_version(self) -> PrivacyNotice:
        version = self.cleaned_data.get("privacy_version")
        if version and version == self.notice.version:
            return self.notice  # the one the page showed, already read
        shown = PrivacyNotice.objects.filter(version=version).first() if version else None
        if shown is None:
            raise forms.ValidationError(
                _("The privacy notice on this page has changed. Please read it and send again.")
            )
        self.notice = shown
        return shown

    def clean_photos(self) -> list[Any]:
        return check_photos(self.cleaned_data.get("photos") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        has_contact = bool(data.get("phone")) or (
            self.resolved_unit is not None and bool(data.get("name", "").strip())
        )
        if not has_contact:
            self.add_error(
                "phone", _("Give a mobile phone number, or your unit and name, so that we can answer you.")
            )
        return data

    def intake(self, submission_key: str, submission_hash: str) -> services.Intake:
        data = self.cleaned_data
        return services.Intake(
            estate=self.estate,
            kind=data["kind"],
            channel=Channel.PORTAL,
            category=data["category"],
            description=data["description"],
            unit=self.resolved_unit,
            complainant_name=data.get("name", "").strip(),
            phone=data.get("phone", ""),
            submission_key=submission_key,
            submission_hash=submission_hash,
            privacy_notice=data["privacy_version"],
        )

    def mark_errors(self) -> None:
        """Fields with an error are marked for screen readers and styled, their message linked."""
        for name in self.errors:
            if name in self.fields and name != "kind" and not self.fields[name].widget.is_hidden:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    def add_service_error(self, error: ServiceError) -> None:
        field = SERVICE_FIELD_TO_FORM.get(error.field or "", error.field)
        self.add_error(field if field in self.fields else None, str(error.message))


def max_photos() -> int:
    return int(settings.PORTAL_MAX_PHOTOS)


def photos_help() -> str:
    return _("Up to %(count)d photos, each at most %(size)s.") % {
        "count": max_photos(),
        "size": file_size(uploads.max_bytes()),
    }


def check_photos(photos: list[Any]) -> list[Any]:
    """The portal's photo rules, for the submission and for information added later: how many,
    and each one's size and kind before anything is stored (``uploads.precheck``)."""
    if len(photos) > max_photos():
        raise forms.ValidationError(_("Send at most %(count)d photos.") % {"count": max_photos()})
    for photo in photos:
        try:
            uploads.precheck(photo)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None
    return photos


def _normal_unit(text: str) -> str:
    """'3栋 / 1201' → '3栋-1201', to prefer an exact building name over a prefix match."""
    parts = [p for p in text.replace("/", " ").replace("-", " ").split() if p]
    return "-".join(parts)
