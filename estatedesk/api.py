"""The REST API root (SPEC A-2): /api/, OpenAPI at /api/openapi.json, docs at /api/docs.

The policy middleware lets the "api:" namespace through; every endpoint here authenticates
(personal token or staff session, see ``estatedesk.core.api``) and authorises itself with
``estatedesk.core.policy``. The document and the interactive docs are for staff members
signed in or holding a token, unless ``API_DOCS_PUBLIC`` publishes them; the docs are served
from ninja's bundled static files, so they work without internet access.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from estatedesk.complaints.api.complaints import router as complaints_router
from estatedesk.core.api import StaffSessionAuth, TokenAuth, docs_access, install_error_handlers
from estatedesk.org.api import router as org_router
from estatedesk.surveys.api.analysis import router as analysis_router
from estatedesk.surveys.api.consultations import router as consultations_router
from estatedesk.surveys.api.forums import router as forums_router
from estatedesk.surveys.api.half_year import router as half_year_router
from estatedesk.surveys.api.surveys import router as surveys_router
from estatedesk.workcal.api import router as workcal_router


class EstateDeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        # Short, stable ids ("list_units") make friendlier generated clients than module paths.
        return operation.view_func.__name__


api = EstateDeskAPI(
    title="EstateDesk API",
    version="1",
    urls_namespace="api",
    description=(
        "Complaints, notices, surveys and rectification, with the permissions of the web interface.\n\n"
        "Authenticate with a personal API token (`Authorization: Bearer edk_…`, created on your profile "
        "page or with `manage.py create_api_token`) or, from the browser, with your signed-in session. "
        "Every error has the same shape: `{detail, code, errors: [{loc, msg}]}`, with `detail` in the "
        "language of the request (`Accept-Language`)."
    ),
    auth=[TokenAuth(), StaffSessionAuth()],
    docs_decorator=docs_access,
)
install_error_handlers(api)
api.add_router("/", org_router)
api.add_router("/", workcal_router)
api.add_router("/", complaints_router)
api.add_router("/", surveys_router)
api.add_router("/", consultations_router)
api.add_router("/", half_year_router)
api.add_router("/", forums_router)
api.add_router("/", analysis_router)
api.add_router("/", "estatedesk.surveys.api.segments.router")  # S-10
api.add_router("/", "estatedesk.communication.api.notices.router")  # C-2, C-3
api.add_router("/", "estatedesk.communication.api.log.router")  # C-4
api.add_router("/", "estatedesk.rectification.api.items.router")  # R-1 … R-5
api.add_router("/", "estatedesk.rectification.api.reports.router")
api.add_router("/", "estatedesk.records.api.endpoints.router")  # D-1 … D-3

# Imported by the root URLconf's LoadedOnUse("api/", …) when the API is first used (decision 0063).
urlpatterns, _app_name, _namespace = api.urls
