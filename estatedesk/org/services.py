"""Every write to the organisation goes through here (views, API, import and demo alike)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from estatedesk.core import policy
from estatedesk.core.actors import Actor, name_of, stamp, user_of
from estatedesk.core.clock import now
from estatedesk.core.errors import AlreadyHandled, InvalidInput, NotAllowed
from estatedesk.core.models import CompanySettings
from estatedesk.core.prepared import Prepared
from estatedesk.org import hooks, privacy
from estatedesk.org.models import Customer, Department, Estate, PrivacyNotice, Staff, Unit


@transaction.atomic
def save_record(
    *, actor: Actor, instance: models.Model, m2m: dict[str, Iterable[Any]] | None = None
) -> models.Model:
    """Validate and save one organisation record (estates, buildings, departments, …)."""
    if isinstance(instance, Unit) and instance.building_id:
        instance.estate_id = instance.building.estate_id
    instance.full_clean()
    hours_before = _office_hours_before(instance)
    zone_before = _time_zone_before(instance)
    stamp(instance, actor)
    instance.save()
    if (
        zone_before is not None
        and isinstance(instance, CompanySettings)
        and instance.time_zone != zone_before
    ):
        zone = instance.time_zone
        transaction.on_commit(lambda: hooks.time_zone_changed(zone))
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)
    if hours_before is not None and _deadline_inputs(instance) != hours_before:
        _recompute_after_commit(instance)
    return instance


def _deadline_inputs(instance: models.Model) -> tuple[Any, ...]:
    if isinstance(instance, CompanySettings):
        return (
            instance.office_hours,
            instance.time_zone,
            instance.urgent_reply_hours,
            instance.normal_reply_working_days,
            instance.invalid_explanation_working_days,
            instance.counting_mode,
        )
    return (getattr(instance, "office_hours", ""),)


def _office_hours_before(instance: models.Model) -> tuple[Any, ...] | None:
    """What the deadlines depend on, before this save; None for records they do not depend on."""
    if not isinstance(instance, Estate | CompanySettings):
        return None
    if instance.pk is None:
        return None
    old = type(instance).objects.filter(pk=instance.pk).first()
    return _deadline_inputs(old) if old is not None else None


def _time_zone_before(instance: models.Model) -> str | None:
    if not isinstance(instance, CompanySettings) or instance.pk is None:
        return None
    return CompanySettings.objects.filter(pk=instance.pk).values_list("time_zone", flat=True).first()


def _recompute_after_commit(instance: models.Model) -> None:
    """Open reply deadlines follow office hours and deadline settings (SPEC K-5): the calendar
    app recomputes them (in the worker) through the hook it registered in ``org.hooks``."""
    estate_id = instance.pk if isinstance(instance, Estate) else None
    transaction.on_commit(lambda: hooks.office_hours_changed(estate_id))


@transaction.atomic
def save_customer(
    *, actor: Actor, customer: Customer, phone: str | None = None, units: Iterable[Unit] | None = None
) -> Customer:
    if phone is not None:
        customer.set_phone(phone)
    customer.full_clean(exclude=["phone_index"])
    stamp(customer, actor)
    customer.save()
    if units is not None:
        units = list(units)
        if any(u.estate_id != customer.estate_id for u in units):
            raise ValueError("units must belong to the customer's estate")
        current = set(customer.occupancies.values_list("unit_id", flat=True))
        wanted = {u.pk for u in units}
        customer.occupancies.filter(unit_id__in=current - wanted).delete()
        for unit in units:
            if unit.pk not in current:
                customer.occupancies.create(unit=unit, relation=customer.kind)
    return customer


@transaction.atomic
def save_staff(
    *,
    actor: Actor,
    staff: Staff | None,
    username: str,
    display_name: str,
    role: str,
    estates: Iterable[Estate],
    departments: Iterable[Department],
    phone: str = "",
    email: str = "",
    password: str | None = None,
    is_active: bool = True,
) -> Staff:
    User = get_user_model()
    if staff is None:
        user = User(username=username, email=email, is_active=is_active)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        staff = Staff(user=user)
    else:
        user = staff.user
        user.email = email
        user.is_active = is_active
        if password:
            user.set_password(password)
        user.save()
    # The Django admin site is only for system administrators.
    user.is_staff = role == "admin"
    user.save(update_fields=["is_staff"])
    staff.display_name = display_name
    staff.role = role
    staff.phone = phone
    staff.full_clean(exclude=["user"])
    stamp(staff, actor)
    staff.save()
    staff.estates.set(estates)
    staff.departments.set(departments)
    return staff


# --- The privacy notice of the resident portal (PIPL; SPEC D-3, W-1) ---------------------------

PRIVACY_TEXT_FIELDS = ("text_zh_hans", "text_zh_hant", "text_en")


# Read on every portal form and submit: compiled once per process (``core.prepared``).
_LATEST_NOTICE = Prepared(lambda: PrivacyNotice.objects.order_by("-version")[:1])


def current_privacy_notice() -> PrivacyNotice:
    """The notice residents are shown now. The first time it is needed, version 1 is written
    from the default texts with the company's name (decision 0008)."""
    latest = _LATEST_NOTICE.first()
    if latest is not None:
        return latest
    company = CompanySettings.objects.filter(pk=1).values_list("name", flat=True).first() or ""
    try:
        with transaction.atomic():
            return PrivacyNotice.objects.create(
                version=1, published_at=now(), published_by=None, **privacy.default_texts(company)
            )
    except IntegrityError:  # another request wrote version 1 at the same moment
        return PrivacyNotice.objects.get(version=1)


def _notice_text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@transaction.atomic
def publish_privacy_notice(
    *, actor: Actor, based_on_version: int, text_zh_hans: str, text_zh_hant: str = "", text_en: str = ""
) -> PrivacyNotice:
    """Publish a new version of the notice, edited from version ``based_on_version``.

    Versions are never changed, because complaints point at the one their sender read. An
    edit of a version that is no longer the newest is refused as "already handled" (409),
    so that nobody overwrites a colleague's text without having seen it.
    """
    if not policy.can_edit_privacy_notice(actor):
        raise NotAllowed(
            _(
                "Only the customer-service supervisor, the general manager or an administrator may change the privacy notice."
            )
        )
    texts = {
        "text_zh_hans": _notice_text(text_zh_hans),
        "text_zh_hant": _notice_text(text_zh_hant),
        "text_en": _notice_text(text_en),
    }
    if not texts["text_zh_hans"]:
        raise InvalidInput(_("Write the notice in Simplified Chinese."), field="text_zh_hans")
    latest = _LATEST_NOTICE.first()
    newest = latest.version if latest is not None else 0
    if based_on_version < newest:
        raise AlreadyHandled(_newer_version_message(newest))
    if based_on_version > newest:
        raise InvalidInput(
            _("There is no version %(version)d of the notice.") % {"version": based_on_version}
        )
    if latest is not None and all(getattr(latest, f) == texts[f] for f in PRIVACY_TEXT_FIELDS):
        raise InvalidInput(_("Nothing was changed: the text is the same as the current version."))
    try:
        with transaction.atomic():
            return PrivacyNotice.objects.create(
                version=newest + 1,
                published_at=now(),
                published_by=user_of(actor),
                published_by_name=name_of(actor),
                **texts,
            )
    except IntegrityError:  # a colleague published the same version number a moment earlier
        raise AlreadyHandled(_newer_version_message(newest + 1)) from None


def _newer_version_message(version: int) -> str:
    return _(
        "Someone published version %(version)d of the notice while you were editing. "
        "Their text is shown next to yours: compare them, then publish again."
    ) % {"version": version}
