"""The survey pages (SPEC S-1, S-2, S-3, S-7, S-8), by page family."""

from __future__ import annotations

from estatedesk.surveys import urls_pages, urls_results, urls_sheets, urls_standards

app_name = "surveys"

urlpatterns = [
    *urls_pages.urlpatterns,
    *urls_standards.urlpatterns,
    *urls_sheets.urlpatterns,
    *urls_results.urlpatterns,
]
