"""Every write to the organisation goes through here (views, API, import and demo alike)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction

from estatedesk.core.actors import Actor, stamp
from estatedesk.core.models import CompanySettings
from estatedesk.org import hooks
from estatedesk.org.models import Customer, Department, Estate, Staff, Unit


@transaction.atomic
def save_record(
    *, actor: Actor, instance: models.Model, m2m: dict[str, Iterable[Any]] | None = None
) -> models.Model:
    """Validate and save one organisation record (estates, buildings, departments, …)."""
    if isinstance(instance, Unit) and instance.building_id:
        instance.estate_id = instance.building.estate_id
    instance.full_clean()
    hours_before = _office_hours_before(instance)
    stamp(instance, actor)
    instance.save()
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
