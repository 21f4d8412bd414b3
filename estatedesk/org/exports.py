"""Exports of the roster. Phones are always masked; names too for roles that need no names (SPEC D-3)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from estatedesk.core import crypto, policy
from estatedesk.core.crud import Register, filtered
from estatedesk.core.xlsx import workbook_response


def units_xlsx(request: HttpRequest, register: Register) -> HttpResponse:
    rows = (
        (
            u.estate.name,
            u.building.name,
            u.number,
            u.floor,
            float(u.area) if u.area is not None else None,
            u.get_kind_display(),
            _("Yes") if u.occupied else _("No"),
        )
        for u in filtered(register, request).iterator(chunk_size=2000)
    )
    headers = [
        _("estate"),
        _("building"),
        _("unit number"),
        _("floor"),
        _("area (m²)"),
        _("kind"),
        _("occupied"),
    ]
    return workbook_response(request, "units", headers, rows, sheet=register.title)


def customers_xlsx(request: HttpRequest, register: Register) -> HttpResponse:
    names = policy.can_see_contact_names(request.user)
    rows = (
        (c.estate.name, c.name if names else crypto.mask_name(c.name), c.get_kind_display(), c.masked_phone)
        for c in filtered(register, request).iterator(chunk_size=2000)
    )
    headers = [_("estate"), _("name"), _("customer type"), _("phone")]
    return workbook_response(request, "customers", headers, rows, sheet=register.title)
