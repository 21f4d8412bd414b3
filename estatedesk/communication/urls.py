"""The customer-communication pages (SPEC C-1 … C-6), by page family."""

from __future__ import annotations

from estatedesk.communication import urls_contracts, urls_log, urls_notices, urls_property

app_name = "communication"

urlpatterns = [
    *urls_notices.urlpatterns,
    *urls_log.urlpatterns,
    *urls_contracts.urlpatterns,
    *urls_property.urlpatterns,
]
