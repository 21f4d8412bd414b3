"""Entering rectification items on a phone in the unit (SPEC R-1, R-2, W-1; decision 0039).

``unit_entry`` picks the unit (building, then unit, or a search such as "3栋-1201");
``unit_items`` is one screen per unit: the unit's items in the report and the form to add the
next one (location with quick chips, category, description, photos from the camera);
``unit_public`` is the same screen for public areas (no unit).

Without a script the form is an ordinary POST: a redirect back on success, 422 with what was
typed kept. With ``static/estatedesk/rectification-entry.js`` the form is sent by ``fetch``
(multipart, the CSRF token in the header, ``Accept: application/json``): 201 with the new
item's row (JSON and its HTML) or 422 naming the field, so the page never reloads and the
next item is typed at once.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from estatedesk.core import uploads
from estatedesk.core.errors import ServiceError
from estatedesk.core.params import Params
from estatedesk.core.web import company_time
from estatedesk.org.models import Unit
from estatedesk.rectification import entry_reads
from estatedesk.rectification.models import Category, Item, Report
from estatedesk.rectification.models.items import DESCRIPTION_LENGTH, LOCATION_LENGTH
from estatedesk.rectification.services import items as item_services
from estatedesk.rectification.services.items import MAX_PHOTOS, PHOTO_FIELD, ItemInput

FIELDS = ("location", "category", "description", PHOTO_FIELD)
# Never typed, and PostgreSQL text cannot hold a NUL: gone before the service sees the text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _typed(data: QueryDict, name: str, limit: int) -> str:
    return _CONTROL.sub("", data.get(name, "")[:limit])


def unit_chips() -> list[str]:
    """Where in a home a defect usually is, in the user's language."""
    return [
        pgettext("rectification location", "Living room"),
        pgettext("rectification location", "Master bedroom"),
        pgettext("rectification location", "Second bedroom"),
        pgettext("rectification location", "Kitchen"),
        pgettext("rectification location", "Bathroom"),
        pgettext("rectification location", "Balcony"),
        pgettext("rectification location", "Entrance door"),
        pgettext("rectification location", "Dining room"),
        pgettext("rectification location", "Study"),
        pgettext("rectification location", "Hallway"),
    ]


def public_chips() -> list[str]:
    return [
        pgettext("rectification location", "Lobby"),
        pgettext("rectification location", "Lift lobby"),
        pgettext("rectification location", "Staircase"),
        pgettext("rectification location", "Corridor"),
        pgettext("rectification location", "Underground car park"),
        pgettext("rectification location", "Exterior wall"),
        pgettext("rectification location", "Roof"),
        pgettext("rectification location", "Landscaping"),
        pgettext("rectification location", "Plant room"),
        pgettext("rectification location", "Fire escape"),
    ]


@company_time
@require_http_methods(["GET"])
def unit_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Pick the unit: buildings and units in reading order, or a search ("3栋-1201")."""
    report = entry_reads.entry_report(request.user, pk)
    q = Params(request.GET).text("q")
    groups = entry_reads.units_by_building(report, q)
    if q and len(groups) == 1 and len(groups[0].units) == 1:
        return redirect("rectification:unit_items", pk=report.pk, unit_id=groups[0].units[0].unit.pk)
    context = {
        "report": report,
        "groups": groups,
        "q": q,
        "public_count": entry_reads.public_count(report),
        "report_url": reverse("rectification:report_detail", args=[report.pk]),
        "import_url": reverse("rectification:report_import", args=[report.pk]),
    }
    return render(request, "rectification/entry/pick_unit.html", context)


@company_time
@require_http_methods(["GET", "POST"])
def unit_items(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    report = entry_reads.entry_report(request.user, pk)
    unit = entry_reads.unit_of(report, unit_id)
    return _screen(request, report, unit)


@company_time
@require_http_methods(["GET", "POST"])
def unit_public(request: HttpRequest, pk: int) -> HttpResponse:
    report = entry_reads.entry_report(request.user, pk)
    return _screen(request, report, None)


def _screen(request: HttpRequest, report: Report, unit: Unit | None) -> HttpResponse:
    if request.method != "POST":
        return _render(request, report, unit)
    wants_json = "application/json" in request.headers.get("Accept", "")
    data = request.POST
    photos = request.FILES.getlist(PHOTO_FIELD)
    row = ItemInput(
        location=_typed(data, "location", LOCATION_LENGTH * 2),
        description=_typed(data, "description", DESCRIPTION_LENGTH * 2),
        category=_typed(data, "category", 30),
        unit=unit,
        photos=photos,
    )
    try:
        with uploads.discard_on_failure():
            item = item_services.add_items(actor=request.user, report=report, rows=[row])[0]
    except ServiceError as error:
        field_name = error.field if error.field in FIELDS else ""
        if wants_json:
            return JsonResponse(
                {"status": "refused", "field": field_name, "detail": str(error.message)}, status=error.status
            )
        problems = {field_name or "top": str(error.message)}
        return _render(
            request, report, unit, data=data, problems=problems, photos=len(photos), status=error.status
        )
    if wants_json:
        return JsonResponse(_item_json(request, report, item), status=201)
    messages.success(request, _("Recorded %(number)s. Enter the next item.") % {"number": item.number})
    return redirect(_screen_url(report, unit), permanent=False)


def _screen_url(report: Report, unit: Unit | None) -> str:
    if unit is None:
        return reverse("rectification:unit_public", args=[report.pk])
    return reverse("rectification:unit_items", args=[report.pk, unit.pk])


def _item_json(request: HttpRequest, report: Report, item: Item) -> dict[str, Any]:
    row = entry_reads.item_row(item.pk)
    return {
        "status": "recorded",
        "item": {
            "id": row.pk,
            "number": row.number,
            "location": row.location,
            "category": row.get_category_display(),
            "status": row.get_status_display(),
            "photos": getattr(row, "photo_count", 0),  # annotated by entry_reads.item_row
        },
        "html": render_to_string("rectification/entry/_item_row.html", {"item": row}, request=request),
        "message": _("Recorded %(number)s. Enter the next item.") % {"number": row.number},
    }


def _render(
    request: HttpRequest,
    report: Report,
    unit: Unit | None,
    *,
    data: QueryDict | None = None,
    problems: dict[str, str] | None = None,
    photos: int = 0,
    status: int = 200,
) -> HttpResponse:
    problems = problems or {}
    values = {name: (data.get(name, "") if data is not None else "") for name in ("location", "description")}
    default_category = Category.PUBLIC_AREAS.value if unit is None else ""
    chosen = data.get("category", "") if data is not None else default_category
    context = {
        "report": report,
        "unit": unit,
        "items": entry_reads.items_here(report, unit),
        "values": values,
        "categories": [(c.value, str(c.label), c.value == chosen) for c in Category],
        "problems": problems,
        "photos_lost": photos > 0 and bool(problems),
        "chips": public_chips() if unit is None else unit_chips(),
        "buildings": entry_reads.building_names(report) if unit is None else [],
        "location_length": LOCATION_LENGTH,
        "description_length": DESCRIPTION_LENGTH,
        "max_photos": MAX_PHOTOS,
        "post_url": _screen_url(report, unit),
        "pick_url": reverse("rectification:unit_entry", args=[report.pk]),
        "report_url": reverse("rectification:report_detail", args=[report.pk]),
        "texts": {
            "sending": _("Saving…"),
            "failed": _("Could not save: check the connection and try again. What you typed is kept."),
            "signin": _("Could not save: sign in again in this browser. What you typed is kept."),
            "too_many": _("At most %(count)d photos at a time.") % {"count": MAX_PHOTOS},
        },
    }
    response = render(request, "rectification/entry/unit.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response
