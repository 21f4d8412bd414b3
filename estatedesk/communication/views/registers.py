"""What the contract and customer-property pages share: the estate filter, names masked for
those who may not see them (SPEC D-3), the Excel export of a register, a refused create page,
and reading a row's id from a step's hidden field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from estatedesk.communication import selectors
from estatedesk.core import policy
from estatedesk.core.actors import Actor
from estatedesk.core.crud import Filter, Register, export_rows
from estatedesk.core.crypto import mask_name
from estatedesk.core.params import parse_id
from estatedesk.core.xlsx import workbook_response


def estate_filter() -> Filter:
    return Filter(
        "estate",
        gettext_lazy("estate"),
        lambda qs, v: qs.filter(estate_id=int(v)),
        lambda user: [(str(e.pk), e.name) for e in selectors.estates_for(user).only("id", "name")],
    )


def person(name: str, user: Actor) -> str:
    """A customer's (or their representative's) name, masked for auditors (D-3)."""
    return name if policy.can_see_contact_names(user) else mask_name(name)


def list_export(register: Register, request: HttpRequest, filename: str) -> HttpResponse:
    """The list as a workbook: the same scope, filters and masking as the page."""
    headers = [capfirst(str(c.label)) for c in register.columns]
    return workbook_response(request, filename, headers, export_rows(register, request), sheet=register.title)


def not_allowed(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def hidden_id(data: Any, key: str) -> int | None:
    """The row a step names in its hidden field, or None for anything that is not an id."""
    value = data.get(key) if hasattr(data, "get") else None
    return parse_id(value) if isinstance(value, str) else None
