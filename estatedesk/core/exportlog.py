"""The audit of exports (SPEC D-3, P-2): who exported which list, with which filters, how many rows.

``record_export`` is called once per export, where the file is made: every list export
through ``core.xlsx.workbook_response``, report documents (PDF, workbook) from their views.
The filters are the query parameters the export was asked with, cleaned so the row can
always be stored (no control characters, bounded lengths) and with anything that looks like
a phone number masked: a search by phone must not leave the number in clear in the log.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from estatedesk.core.clientaddr import client_ip
from estatedesk.core.models import ExportRecord

# What the export log page calls each list or document (the names its exports record).
LIST_LABELS: dict[str, Any] = {
    "complaints": _("Complaints"),
    "transfer-slips": _("Transfer slips"),
    "work-notices": _("Work notices"),
    "actions": _("Corrective and preventive actions"),
    "monthly-reports": _("Monthly reports"),
    "quarterly-analyses": _("Quarterly analyses"),
    "annual-summaries": _("Annual summaries"),
    "estates": _("Estates"),
    "buildings": _("Buildings"),
    "units": _("Units"),
    "customers": _("Customers"),
    "committees": _("Owners' committees"),
    "departments": _("Departments"),
    "developers": _("Developers"),
    "staffs": _("Staff"),
    "complaint-record": _("Customer complaint handling record"),
    "transfer-slip": _("Work transfer slip"),
    "work-notice": _("Work arrangement notice"),
    "monthly-report": _("Monthly complaint report"),
    "quarterly-analysis": _("Quarterly complaint analysis"),
    "annual-summary": _("Annual complaint summary and management-review pack"),
    "survey-results": _("Satisfaction survey report"),
    "survey-sheets": _("QR slips of a survey's households"),
    "survey-segments": _("Satisfaction by customer segment"),
    "survey-analysis": _("Survey analysis and decisions"),
    "monthly-consultations": _("Monthly consultations"),
    "consultation-slips": _("QR slips of a consultation's households"),
    "half-year-statistics": _("Half-year satisfaction statistics"),
    "forum-minutes": _("Minutes of the owners' forum"),
    "customer-notices": _("Notices to customers"),
    "notice-recipients": _("Households a notice reached"),
    "notice-sheet": _("Notice sheet"),
    "communication-log": _("Communication log"),
    "contracts": _("Contracts"),
    "customer-property": _("Customer property"),
    "property-incidents": _("Customer property incidents"),
    "rectification-items": _("Rectification items"),
    "rectification-progress": _("Rectification progress"),
    "rectification-report": _("Rectification report"),
    "rectification-unit-sheet": _("Resident's acceptance sheet"),
    "disposal-archive": _("Disposal archive"),
}

MAX_PARAMETERS = 30
MAX_KEY = 50
MAX_VALUE = 200
IGNORED = frozenset({"page"})  # paging does not change what an export holds

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# A full or partial phone number: seven digits or more, maybe spaced, maybe after +; or a
# landline or mobile number written with dashes. Dates (2026-03-31) and document numbers
# (TS-2026-000123) are not phone numbers.
_PHONE_LIKE = re.compile(r"\+?\d(?:\s?\d){6,}|(?<!\d)(?:0\d{2,3}-\d{7,8}|1\d{2}-\d{4}-\d{4})(?!\d)")


def client_address(request: HttpRequest) -> str | None:
    """The client's address (behind trusted proxies too), or None when it is no address."""
    value = client_ip(request)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def mask_phone_like(text: str) -> str:
    """138****1234 for a full number; the first three digits only for a shorter run."""

    def mask(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group())
        if len(digits) >= 11:
            return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
        return digits[:3] + "*" * (len(digits) - 3)

    return _PHONE_LIKE.sub(mask, text)


def _clean(value: str, limit: int) -> str:
    # Cut well beyond the limit first, so a huge value costs no more than a long one.
    return mask_phone_like(_CONTROL.sub("", value[: limit * 4]).strip())[:limit]


def clean_filters(query: QueryDict | Mapping[str, Any]) -> dict[str, str | list[str]]:
    """The non-empty parameters as {name: value} (a list when repeated), safe to store."""
    pairs: list[tuple[Any, list[Any]]]
    if isinstance(query, QueryDict):
        pairs = list(query.lists())
    else:
        pairs = [(k, list(v) if isinstance(v, list | tuple) else [v]) for k, v in query.items()]
    cleaned: dict[str, str | list[str]] = {}
    for key, values in pairs:
        name = _clean(str(key), MAX_KEY)
        kept = [v for v in (_clean(str(value), MAX_VALUE) for value in values) if v]
        if not name or name in IGNORED or not kept:
            continue
        cleaned[name] = kept[0] if len(kept) == 1 else kept[:MAX_PARAMETERS]
        if len(cleaned) >= MAX_PARAMETERS:
            break
    return cleaned


def record_export(
    request: HttpRequest,
    *,
    list_name: str,
    filters: QueryDict | Mapping[str, Any],
    row_count: int | None,
) -> ExportRecord:
    """One audit row for one export; ``row_count`` None for a document (a report), not a list."""
    user = getattr(request, "user", None)
    account = user if user is not None and user.is_authenticated else None
    return ExportRecord.objects.create(
        user=account,
        username=account.get_username() if account is not None else "",
        list_name=list_name[:100],
        filters=clean_filters(filters),
        row_count=row_count,
        ip_address=client_address(request),
    )


def list_label(name: str) -> Any:
    return LIST_LABELS.get(name, name)


def filters_text(filters: Mapping[str, Any]) -> str:
    """The stored filters as readable ``name=value`` pairs (masked when they were stored)."""
    return " & ".join(
        f"{name}={value if isinstance(value, str) else ', '.join(map(str, value))}"
        for name, value in filters.items()
    )
