"""The survey pages (SPEC S-1 … S-10), by page family."""

from __future__ import annotations

from estatedesk.surveys import (
    urls_analysis,
    urls_consultation_entry,
    urls_consultations,
    urls_forums,
    urls_half_year,
    urls_pages,
    urls_results,
    urls_segments,
    urls_sheets,
    urls_standards,
)

app_name = "surveys"

urlpatterns = [
    *urls_pages.urlpatterns,
    *urls_standards.urlpatterns,
    *urls_sheets.urlpatterns,
    *urls_results.urlpatterns,
    *urls_segments.urlpatterns,
    *urls_consultations.urlpatterns,
    *urls_consultation_entry.urlpatterns,
    *urls_half_year.urlpatterns,
    *urls_forums.urlpatterns,
    *urls_analysis.urlpatterns,
]
