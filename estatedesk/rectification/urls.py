"""The rectification pages (SPEC R-1 … R-5), by page family."""

from __future__ import annotations

from estatedesk.rectification import urls_entry, urls_items, urls_papers, urls_progress, urls_reports

app_name = "rectification"

urlpatterns = [
    *urls_reports.urlpatterns,
    *urls_items.urlpatterns,
    *urls_entry.urlpatterns,
    *urls_papers.urlpatterns,
    *urls_progress.urlpatterns,
]
