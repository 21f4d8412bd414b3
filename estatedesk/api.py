"""The REST API root (SPEC A-2): /api/, OpenAPI at /api/openapi.json, docs at /api/docs."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="EstateDesk API",
    version="1",
    urls_namespace="api",
    description="Complaints, notices, surveys and rectification, with the permissions of the web interface.",
)
