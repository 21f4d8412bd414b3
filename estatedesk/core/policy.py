"""The one permission policy (SPEC P-1): every view, API endpoint and export asks here.

Two layers:
- ``URL_RULES`` names, for every URL pattern, who may reach it at all. The middleware
  enforces it and refuses any URL that is missing from the table (fail closed); a test walks
  every pattern so a new URL cannot ship without a rule.
- Scope functions filter querysets object by object: staff see the estates and departments
  they belong to; deputy GM, GM, auditors and administrators see everything. Objects out of
  scope are answered with 404, never 403, so ids in other estates cannot be probed.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import IntegerField, Q, QuerySet, Value

from estatedesk.core.prepared import Prepared

if TYPE_CHECKING:
    from estatedesk.core.actors import Actor
    from estatedesk.org.models import Staff


class Rule(StrEnum):
    PUBLIC = "public"  # anyone, signed in or not (sign-in page, resident portal, language switch)
    STAFF = "staff"  # any signed-in staff member; objects still filtered by scope
    ADMIN = "admin"  # system administrators
    RECORDS = "records"  # administrators, and auditors to read (retention, holds, disposal, requests)
    API = "api"  # the API authenticates and authorises each endpoint itself
    ADMIN_SITE = "admin_site"  # Django's admin, superusers only


# Every named URL pattern, by its full name ("namespace:name"). Namespaces listed in
# URL_PREFIX_RULES cover all their patterns.
URL_RULES: dict[str, Rule] = {
    "login": Rule.PUBLIC,
    "logout": Rule.PUBLIC,
    "set_language": Rule.PUBLIC,
    "health": Rule.PUBLIC,
    "health_live": Rule.PUBLIC,
    "home": Rule.STAFF,
    "profile": Rule.STAFF,
    "token_create": Rule.STAFF,
    "token_revoke": Rule.STAFF,
    "export_log": Rule.STAFF,  # the view admits those who see everything
    "password_change": Rule.STAFF,
    "password_change_done": Rule.STAFF,
    "org:estate_list": Rule.STAFF,
    "org:estate_detail": Rule.STAFF,
    "org:estate_create": Rule.ADMIN,
    "org:estate_edit": Rule.ADMIN,
    "org:estate_export": Rule.STAFF,
    "org:building_list": Rule.STAFF,
    "org:building_detail": Rule.STAFF,
    "org:building_create": Rule.ADMIN,
    "org:building_edit": Rule.ADMIN,
    "org:building_export": Rule.STAFF,
    "org:unit_list": Rule.STAFF,
    "org:unit_detail": Rule.STAFF,
    "org:unit_create": Rule.STAFF,
    "org:unit_edit": Rule.STAFF,
    "org:unit_export": Rule.STAFF,
    "org:customer_list": Rule.STAFF,
    "org:customer_detail": Rule.STAFF,
    "org:customer_create": Rule.STAFF,
    "org:customer_edit": Rule.STAFF,
    "org:customer_reveal": Rule.STAFF,
    "org:customer_export": Rule.STAFF,
    "org:committee_list": Rule.STAFF,
    "org:committee_detail": Rule.STAFF,
    "org:committee_create": Rule.STAFF,
    "org:committee_edit": Rule.STAFF,
    "org:committee_export": Rule.STAFF,
    "org:department_list": Rule.STAFF,
    "org:department_detail": Rule.STAFF,
    "org:department_create": Rule.ADMIN,
    "org:department_edit": Rule.ADMIN,
    "org:department_export": Rule.STAFF,
    "org:developer_list": Rule.STAFF,
    "org:developer_detail": Rule.STAFF,
    "org:developer_create": Rule.ADMIN,
    "org:developer_edit": Rule.ADMIN,
    "org:developer_export": Rule.STAFF,
    "org:staff_list": Rule.STAFF,
    "org:staff_detail": Rule.STAFF,
    "org:staff_create": Rule.ADMIN,
    "org:staff_edit": Rule.ADMIN,
    "org:staff_export": Rule.STAFF,
    "org:settings_edit": Rule.ADMIN,
    "org:import_start": Rule.ADMIN,
    "org:import_detail": Rule.ADMIN,
    "org:import_template": Rule.STAFF,
    # Every staff member may read the notice residents are shown; publishing checks the role.
    "org:privacy_notice": Rule.STAFF,
    "org:privacy_notice_detail": Rule.STAFF,
    "org:privacy_notice_publish": Rule.STAFF,
    "org:channel_list": Rule.ADMIN,
    "org:channel_create": Rule.ADMIN,
    "org:channel_edit": Rule.ADMIN,
    "org:channel_rename": Rule.ADMIN,
    "org:channel_move": Rule.ADMIN,
    "org:channel_active": Rule.ADMIN,
    "org:channel_delete": Rule.ADMIN,
    "workcal:current": Rule.STAFF,
    "workcal:year": Rule.STAFF,
    "workcal:notice": Rule.ADMIN,
    "workcal:day": Rule.ADMIN,
    # The complaint categories (K-3): administrators keep the list; the services check again.
    "complaints:category_list": Rule.ADMIN,
    "complaints:category_create": Rule.ADMIN,
    "complaints:category_edit": Rule.ADMIN,
    "complaints:category_rename": Rule.ADMIN,
    "complaints:category_move": Rule.ADMIN,
    "complaints:category_active": Rule.ADMIN,
    "complaints:category_delete": Rule.ADMIN,
}

URL_PREFIX_RULES: dict[str, Rule] = {
    "api:": Rule.API,
    # Complaint pages check roles and object scope in their services and selectors.
    "complaints:": Rule.STAFF,
    "messages:": Rule.STAFF,
    # Reports and improvement actions: roles and object scope in their selectors and services.
    "reports:": Rule.STAFF,
    "improvement:": Rule.STAFF,
    # Surveys: roles in the services, estates in the selectors (a survey covers several).
    "surveys:": Rule.STAFF,
    # Customer communication: roles in the services, estates in the selectors.
    "communication:": Rule.STAFF,
    # Rectification: roles in the services, estates, developers and teams in the selectors.
    "rectification:": Rule.STAFF,
    # Records (SPEC D-1 … D-3): administrators act, auditors read; the services check again.
    "records:": Rule.RECORDS,
    # Resident pages: reached by estate QR code or a private token, never by a staff account.
    "portal:": Rule.PUBLIC,
    "admin:": Rule.ADMIN_SITE,
}


def rule_for(view_name: str) -> Rule | None:
    if view_name in URL_RULES:
        return URL_RULES[view_name]
    for prefix, rule in URL_PREFIX_RULES.items():
        if view_name.startswith(prefix):
            return rule
    return None


ALL_SEEING_ROLES = frozenset({"deputy_gm", "gm", "auditor", "admin"})
ROSTER_EDITOR_ROLES = frozenset({"handler", "department_head", "cs_supervisor"})
READ_ONLY_ROLES = frozenset({"auditor"})
# Who words the privacy notice residents read on the portal (PIPL; SPEC D-3, W-1).
PRIVACY_NOTICE_EDITOR_ROLES = frozenset({"cs_supervisor", "gm", "admin"})


# The answers below are cached on the user object, which lives as long as the request.
_STAFF_CACHE = "_estatedesk_staff"
_ESTATES_CACHE = "_estatedesk_estates"
_DEPARTMENTS_CACHE = "_estatedesk_departments"
_NOT_CACHED = object()


@cache
def _staff() -> Prepared[Any]:
    """The staff row of a user, compiled once per process (``core.prepared``): every signed-in
    request asks it. Built on first use: core reads org's model through the app registry."""
    model = apps.get_model("org", "Staff")
    return Prepared(lambda *, user_id: model.objects.filter(user_id=user_id)[:1], user_id=-424_242)


def staff_of(user: Actor | None) -> Staff | None:
    """The user's staff row, cached on the user object for the request."""
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated or not user.is_active:
        return None  # the system, a portal resident, an anonymous visitor or a disabled account
    cached: Any = getattr(user, _STAFF_CACHE, _NOT_CACHED)
    if cached is not _NOT_CACHED:
        return cast("Staff | None", cached)
    staff = _staff().first(user_id=user.pk)
    setattr(user, _STAFF_CACHE, staff)
    return cast("Staff | None", staff)


def remember_staff(user: AbstractBaseUser, staff: Staff | None) -> None:
    """The user's staff row, read with the user (``core.backends``): ``staff_of`` asks no more."""
    setattr(user, _STAFF_CACHE, staff)


def is_staff_member(user: Actor | None) -> bool:
    return staff_of(user) is not None or bool(
        getattr(user, "is_superuser", False) and getattr(user, "is_active", False)
    )


def is_admin(user: Actor | None) -> bool:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        return True
    staff = staff_of(user)
    return staff is not None and staff.role == "admin"


def sees_all(user: Actor | None) -> bool:
    if is_admin(user):
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in ALL_SEEING_ROLES


def role_of(user: Actor | None) -> str | None:
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False) and staff_of(user) is None:
        return "admin"
    staff = staff_of(user)
    return staff.role if staff else None


def estate_ids(user: Actor | None) -> frozenset[int] | None:
    """The estates a user may see; None means all of them."""
    if sees_all(user):
        return None
    cached: frozenset[int] | None = getattr(user, _ESTATES_CACHE, None)
    if cached is not None:
        return cached
    staff = staff_of(user)
    if staff is None:
        ids: frozenset[int] = frozenset()
    else:
        # One read gives the estates the user is given directly, their departments and those
        # departments' estates; the departments are kept for the rest of the request
        # (``own_department_ids``). A row is (department, estate): (None, estate) for a
        # direct estate, (department, None) for a company-wide department.
        departments: set[int] = set()
        estates: set[int] = set()
        for department, estate in _scope_rows(staff.pk):
            if department is not None:
                departments.add(department)
            if estate is not None:
                estates.add(estate)
        if user is not None:
            setattr(user, _DEPARTMENTS_CACHE, frozenset(departments))
        ids = frozenset(estates)
    if user is not None:
        setattr(user, _ESTATES_CACHE, ids)
    return ids


def _scope_query(*, staff_id: int) -> QuerySet[Any, tuple[int | None, int | None]]:
    staff_model = apps.get_model("org", "Staff")
    in_departments = staff_model.departments.through.objects.filter(staff_id=staff_id).values_list(
        "department_id", "department__estate_id"
    )
    given = staff_model.estates.through.objects.filter(staff_id=staff_id).values_list(
        Value(None, output_field=IntegerField()), "estate_id"
    )
    return in_departments.union(given, all=True)


# Read on every staff page that asks the scope: compiled once per process (decision 0067).
_SCOPE = Prepared(_scope_query, staff_id=-424_242)


def _scope_rows(staff_id: int) -> list[tuple[int | None, int | None]]:
    """(department, its estate) for each department of the staff member, and (None, estate) for
    each estate given directly: one statement (``UNION ALL``) where there were two."""
    return list(_SCOPE.rows(staff_id=staff_id))


def department_ids(user: Actor | None) -> frozenset[int] | None:
    if sees_all(user):
        return None
    return own_department_ids(user)


def own_department_ids(user: Actor | None) -> frozenset[int]:
    """The departments the user belongs to, whatever they may see; cached on the user object
    for the request, like the estates."""
    staff = staff_of(user)
    if staff is None:
        return frozenset()
    cached: frozenset[int] | None = getattr(user, _DEPARTMENTS_CACHE, None)
    if cached is not None:
        return cached
    ids = frozenset(staff.departments.values_list("id", flat=True))
    setattr(user, _DEPARTMENTS_CACHE, ids)
    return ids


def check_rule(user: Actor | None, rule: Rule) -> bool:
    if rule in (Rule.PUBLIC, Rule.API):
        return True
    if rule is Rule.ADMIN_SITE:
        return bool(getattr(user, "is_superuser", False) and getattr(user, "is_active", False))
    if rule is Rule.STAFF:
        return is_staff_member(user)
    if rule is Rule.ADMIN:
        return is_admin(user)
    if rule is Rule.RECORDS:
        return is_admin(user) or role_of(user) in READ_ONLY_ROLES
    return False


# --- Object scope ----------------------------------------------------------------------


def scope_by_estate(user: Actor | None, queryset: QuerySet, field: str = "estate") -> QuerySet:
    ids = estate_ids(user)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def scope_departments(user: Actor | None, queryset: QuerySet) -> QuerySet:
    """Departments a user sees: company-wide ones, those of their estates, and their own."""
    ids = estate_ids(user)
    if ids is None:
        return queryset
    own = department_ids(user) or frozenset()
    return queryset.filter(Q(estate__isnull=True, developer__isnull=True) | Q(estate__in=ids) | Q(id__in=own))


def scope_staff(user: Actor | None, queryset: QuerySet) -> QuerySet:
    """Colleagues: staff sharing an estate or a department, and the all-seeing leadership."""
    ids = estate_ids(user)
    if ids is None:
        return queryset
    own = department_ids(user) or frozenset()
    return queryset.filter(
        Q(estates__in=ids)
        | Q(departments__in=own)
        | Q(departments__estate__in=ids)
        | Q(role__in=["deputy_gm", "gm"])
    ).distinct()


def can_edit_roster(user: Actor | None, estate_id: int | None) -> bool:
    """Units, customers and committee members: administrators anywhere, office leads in their estates."""
    if is_admin(user):
        return True
    staff = staff_of(user)
    if staff is None or staff.role not in ROSTER_EDITOR_ROLES:
        return False
    ids = estate_ids(user)
    return estate_id is None or ids is None or estate_id in ids


def can_edit_privacy_notice(user: Actor | None) -> bool:
    return role_of(user) in PRIVACY_NOTICE_EDITOR_ROLES


def can_see_contact_names(user: Actor | None) -> bool:
    """Auditors review figures and processes, not people: they get masked names (SPEC D-3)."""
    role = role_of(user)
    return role is not None and role not in READ_ONLY_ROLES


def can_reveal_contact(user: Actor | None) -> bool:
    return can_see_contact_names(user)
